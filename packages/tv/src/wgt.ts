import { renameSync, rmSync } from 'fs';
import { mkdir } from 'fs/promises';
import { dirname } from 'path';
import { promisify } from 'util';
import { deflateRaw } from 'zlib';
import { AppFile, openAppFile } from './app-files';
import { SigningIdentity } from './certificates';
import { compareReferenceUris, referenceUri } from './reference-uri';
import { buildSignatureXml, DigestAlgorithm, digestValue, SignatureReference } from './signature';
import { crc32, ZipEntry, ZipWriter } from './zip-writer';

const LEVEL = 6;
/** Files deflated at once: enough to keep zlib's thread pool (4 threads) busy on 2 cores. */
const WINDOW = 6;
/** Bytes read ahead at most. Files are read whole, so memory is bounded by this window or the largest file, never by the app. */
const READ_AHEAD = 64 * 1024 * 1024;

const deflate = promisify(deflateRaw);

interface Prepared {
  entry: ZipEntry;
  digest: string;
}

/** Reads one file once: its digest and CRC-32 natively, its deflate on the thread pool. */
async function prepare(f: AppFile, algorithm: DigestAlgorithm): Promise<Prepared> {
  const handle = await openAppFile(f);
  let data: Buffer;
  try {
    data = await handle.readFile();
  } finally {
    await handle.close();
  }
  const digest = digestValue(algorithm, data);
  const deflated = await deflate(data, { level: LEVEL });
  // Like zip: data that does not shrink is stored.
  const stored = deflated.length >= data.length;
  return { entry: { name: f.path, data: stored ? data : deflated, crc: crc32(data), size: data.length, stored }, digest };
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

export interface WgtOptions {
  /** Reference digests, #prop digest and RSA signature hash. Default sha512, as current Tizen Studio writes. */
  digest?: DigestAlgorithm;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes a signed .wgt. Each file is read once; its digest and CRC-32 are
 * computed natively and it is deflated on zlib's thread pool, several files
 * at once (both cores busy), then written in order. Memory is bounded by the
 * read-ahead window, not by the app's size. The signatures, which need every
 * digest, go in last, their references in Tizen Studio's order. Written
 * beside the target and renamed on success.
 */
export async function writeWgt(files: AppFile[], outFile: string, signers: WgtSigners, options: WgtOptions = {}): Promise<WgtResult> {
  const algorithm = options.digest ?? 'sha512';
  await mkdir(dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.partial`;
  const zip = new ZipWriter(tmp);
  const digests: SignatureReference[] = [];
  try {
    const pending: Array<Promise<Prepared>> = [];
    let pendingBytes = 0;
    let next = 0;
    for (let written = 0; written < files.length; written++) {
      // Keep up to WINDOW files (and READ_AHEAD bytes) in flight, but always at least one.
      while (next < files.length && (pending.length === 0 || (pending.length < WINDOW && pendingBytes + files[next].size <= READ_AHEAD))) {
        pendingBytes += files[next].size;
        pending.push(prepare(files[next++], algorithm));
      }
      const { entry, digest } = await pending.shift()!;
      pendingBytes -= entry.size;
      await zip.add(entry);
      digests.push({ uri: referenceUri(files[written].path), digest });
      if ((written + 1) % 500 === 0 || written + 1 === files.length) options.onProgress?.(written + 1, files.length);
    }
    const sorted = (refs: SignatureReference[]) => refs.sort((a, b) => compareReferenceUris(a.uri, b.uri));
    const author = buildSignatureXml('author', sorted(digests), signers.author, algorithm);
    const authorRef = { uri: referenceUri('author-signature.xml'), digest: digestValue(algorithm, author) };
    const distributor = buildSignatureXml('distributor', sorted([...digests, authorRef]), signers.distributor, algorithm);
    for (const [name, text] of [['author-signature.xml', author], ['signature1.xml', distributor]] as const) {
      const data = Buffer.from(text);
      await zip.add({ name, data: await deflate(data, { level: LEVEL }), crc: crc32(data), size: data.length });
    }
    const bytes = await zip.close();
    renameSync(tmp, outFile);
    return { path: outFile, files: files.length, inputBytes: files.reduce((n, f) => n + f.size, 0), bytes };
  } catch (err) {
    await zip.abort();
    rmSync(tmp, { force: true });
    throw err;
  }
}
