// Reproducible image layers: a tar of the given entries, sorted by path, with one fixed mtime,
// owner 0:0 and no user or group names, modes 0644 (files) and 0755 (directories and executables),
// gzip-compressed by zlib, whose gzip header has no name and a zero mtime. The same entries and
// file contents give the same bytes, so the same digest (with the same zlib version and level).
import { createHash } from 'crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync } from 'fs';
import { dirname, join } from 'path';
import { pipeline } from 'stream/promises';
import { Transform } from 'stream';
import { createGzip } from 'zlib';
import * as tar from 'tar-stream';
import { Digest, digestHex } from './digest';

export interface LayerEntry {
  /** Path inside the image, relative to / and POSIX (`app/server.js`); directories without a trailing slash. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** file: the file on disk whose content goes in. */
  source?: string;
  /** file: its size. */
  size?: number;
  /** file: an executable keeps 0755. */
  executable?: boolean;
  /** symlink: its target, as it is. */
  linkname?: string;
}

export interface BuiltLayer {
  /** sha256 of the compressed blob: its name in manifests and registries. */
  digest: Digest;
  /** sha256 of the uncompressed tar: the image config's rootfs.diff_ids entry. */
  diffId: Digest;
  /** Bytes of the compressed blob. */
  size: number;
  /** Where the blob is: <blobDir>/sha256/<hex>. */
  path: string;
  entries: number;
  /** Bytes of file content in it. */
  contentBytes: number;
}

export interface LayerOptions {
  /** Every entry's mtime, in seconds since the epoch (SOURCE_DATE_EPOCH; default 0). */
  mtime?: number;
  /** gzip level 0–9 (default 6, zlib's own). */
  compressionLevel?: number;
}

const hashing = (hash: ReturnType<typeof createHash>, count?: { bytes: number }) =>
  new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      if (count) count.bytes += chunk.length;
      done(null, chunk);
    },
  });

/** Byte order of the UTF-8 paths: the same on every machine and locale. */
export function sortEntries(entries: LayerEntry[]): LayerEntry[] {
  return [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

function writeEntry(pack: tar.Pack, e: LayerEntry, mtime: Date): Promise<void> {
  const common = { mtime, uid: 0, gid: 0, uname: '', gname: '' };
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (e.type === 'directory') {
      pack.entry({ ...common, name: `${e.path}/`, type: 'directory', mode: 0o755 }, done);
    } else if (e.type === 'symlink') {
      pack.entry({ ...common, name: e.path, type: 'symlink', linkname: e.linkname, mode: 0o777 }, done);
    } else {
      const entry = pack.entry({ ...common, name: e.path, type: 'file', size: e.size, mode: e.executable ? 0o755 : 0o644 }, done);
      const input = createReadStream(e.source!);
      input.on('error', (err) => { entry.destroy(err); reject(err); });
      input.pipe(entry);
    }
  });
}

/**
 * Writes a layer blob into `blobDir` (OCI layout: blobs/sha256/<hex>), streaming: no file is
 * held in memory whole. Entries are sorted here.
 */
export async function buildLayer(entries: LayerEntry[], blobDir: string, options: LayerOptions = {}): Promise<BuiltLayer> {
  const sorted = sortEntries(entries);
  const mtime = new Date((options.mtime ?? 0) * 1000);
  mkdirSync(join(blobDir, 'sha256'), { recursive: true });
  const tmp = join(blobDir, `.layer-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const diff = createHash('sha256');
  const compressed = createHash('sha256');
  const size = { bytes: 0 };
  const pack = tar.pack();
  const written = pipeline(pack, hashing(diff), createGzip({ level: options.compressionLevel ?? 6 }), hashing(compressed, size), createWriteStream(tmp));
  try {
    for (const e of sorted) await writeEntry(pack, e, mtime);
    pack.finalize();
    await written;
  } catch (err) {
    pack.destroy();
    await written.catch(() => undefined);
    rmSync(tmp, { force: true });
    throw err;
  }
  const digest = `sha256:${compressed.digest('hex')}`;
  const path = join(blobDir, 'sha256', digestHex(digest));
  mkdirSync(dirname(path), { recursive: true });
  renameSync(tmp, path);
  return { digest, diffId: `sha256:${diff.digest('hex')}`, size: size.bytes, path, entries: sorted.length, contentBytes: sorted.reduce((n, e) => n + (e.size ?? 0), 0) };
}
