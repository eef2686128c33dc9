import { createHash } from 'crypto';
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'fs';
import { mkdir } from 'fs/promises';
import { dirname } from 'path';
import { Transform, TransformCallback } from 'stream';
import { pipeline } from 'stream/promises';
import { ZipFile } from 'yazl';
import { AppFile, referenceUri } from './app-files';
import { SigningIdentity } from './certificates';
import { buildSignatureXml, SignatureReference } from './signature';

/** Fixed entry time and mode: the same input gives a byte-identical package. */
const ENTRY_OPTIONS = { mtime: new Date(Date.UTC(2000, 0, 1)), mode: 0o100644, compressionLevel: 6, forceDosTimestamp: true };

/** Passes bytes through unchanged while computing their SHA-256. */
class Sha256Tap extends Transform {
  private readonly hash = createHash('sha256');
  constructor(private readonly done: (digest: string) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    this.hash.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback) {
    this.done(this.hash.digest('base64'));
    cb();
  }
}

export interface WgtResult {
  path: string;
  files: number;
  inputBytes: number;
  bytes: number;
}

export interface WgtSigners {
  author: SigningIdentity;
  distributor: SigningIdentity;
}

/**
 * Writes a signed .wgt. Each file is read once: the stream is hashed on the
 * way into the zip while zlib deflates it on the thread pool, so memory
 * stays flat whatever the app's size. The signatures, which need every
 * digest, go in last. Written beside the target and renamed on success.
 */
export async function writeWgt(files: AppFile[], outFile: string, signers: WgtSigners, onProgress?: (done: number, total: number) => void): Promise<WgtResult> {
  await mkdir(dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.partial`;
  const zip = new ZipFile();
  const output = pipeline(zip.outputStream, createWriteStream(tmp));
  const digests: SignatureReference[] = new Array(files.length);
  let hashed = 0;
  const allHashed = new Promise<void>((resolve, reject) => {
    if (!files.length) resolve();
    files.forEach((f, i) => {
      zip.addReadStreamLazy(f.path, { ...ENTRY_OPTIONS, size: f.size }, (cb) => {
        const source = createReadStream(f.absolute);
        source.on('error', reject);
        cb(null, source.pipe(new Sha256Tap((digest) => {
          digests[i] = { uri: referenceUri(f.path), digest };
          if (++hashed % 500 === 0 || hashed === files.length) onProgress?.(hashed, files.length);
          if (hashed === files.length) resolve();
        })));
      });
    });
  });
  try {
    await allHashed;
    const author = buildSignatureXml('author', digests, signers.author);
    const authorDigest = createHash('sha256').update(author).digest('base64');
    const distributor = buildSignatureXml('distributor', [...digests, { uri: 'author-signature.xml', digest: authorDigest }], signers.distributor);
    zip.addBuffer(Buffer.from(author), 'author-signature.xml', ENTRY_OPTIONS);
    zip.addBuffer(Buffer.from(distributor), 'signature1.xml', ENTRY_OPTIONS);
    zip.end();
    await output;
    renameSync(tmp, outFile);
  } catch (err) {
    zip.outputStream.unpipe?.();
    rmSync(tmp, { force: true });
    throw err;
  }
  const { size } = statSync(outFile);
  return { path: outFile, files: files.length, inputBytes: files.reduce((n, f) => n + f.size, 0), bytes: size };
}
