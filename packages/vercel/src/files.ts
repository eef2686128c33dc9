import { createHash } from 'crypto';
import { closeSync, constants, createReadStream, fstatSync, lstatSync, openSync, readdirSync, ReadStream, readlinkSync } from 'fs';
import { join } from 'path';
import { formatBytes } from '@shipfleet/core';
import { DeploymentSource } from './options';

/** Device and inode of a file as listed: hashing and uploading read that file and no other. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/** A file of the deployment as found on disk. */
export interface LocalFile extends FileIdentity {
  /** The name the deployment gets: relative, POSIX separators (`assets/app.js`, `.vercel/output/config.json`). */
  file: string;
  /** Absolute path on disk. */
  path: string;
  size: number;
  /** File mode as lstat reports it (type bits included), as Vercel records it. */
  mode: number;
  /** For a symbolic link: its target; the link itself is deployed, not what it points to. */
  symlinkTarget?: string;
}

export interface HashedFile extends LocalFile {
  /** SHA-1 of the content, lowercase hex (for a symlink: of its target path). */
  sha: string;
}

/**
 * What a static folder never deploys, whatever the build left in it: the
 * names Vercel itself leaves out of a deployment (version control, editor and
 * OS litter, local env files, dependency folders).
 */
const IGNORED_NAMES = new Set(['.git', '.hg', '.svn', 'CVS', '.DS_Store', 'node_modules', '.vercel', '.env.local', 'npm-debug.log', '.npmignore', '.gitignore', '.dockerignore', '.next', '.now', '.cache']);
const IGNORED_PATTERNS = [/^\.env\..+\.local$/, /^\..*\.swp$/];

export function isIgnoredName(name: string): boolean {
  return IGNORED_NAMES.has(name) || IGNORED_PATTERNS.some((p) => p.test(name));
}

/**
 * Lists the files to deploy, sorted by name. Static folders leave out the
 * names Vercel ignores; a prebuilt `.vercel/output` folder is taken whole,
 * its files named `.vercel/output/…` as `vercel deploy --prebuilt` names them.
 */
export function listDeploymentFiles(source: DeploymentSource): LocalFile[] {
  const out: LocalFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (source.kind === 'static' && isIgnoredName(entry.name)) continue;
      const path = join(dir, entry.name);
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const stat = lstatSync(path);
      if (stat.isDirectory()) walk(path, name);
      else if (stat.isSymbolicLink()) {
        const target = readlinkSync(path).replace(/\\/g, '/');
        out.push({ file: source.prefix + name, path, size: Buffer.byteLength(target), mode: stat.mode, dev: stat.dev, ino: stat.ino, symlinkTarget: target });
      } else if (stat.isFile()) out.push({ file: source.prefix + name, path, size: stat.size, mode: stat.mode, dev: stat.dev, ino: stat.ino });
      // Sockets, FIFOs and devices are not deployable content.
    }
  };
  walk(source.dir, '');
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/**
 * Opens a listed file for reading, never through a symbolic link, and only
 * while it is still the regular file listed (same device and inode) and, when
 * `size` is given, of that size: a file swapped after listing would otherwise
 * send what it points to. The stream reads from the descriptor checked.
 */
export function openListedFile(f: FileIdentity & { file: string; path: string }, options: { size?: number; signal?: AbortSignal } = {}): ReadStream {
  const changed = (what: string) => new Error(`${f.file} changed after it was listed (${what}); deploy again once the build has finished writing ${f.path}`);
  let fd: number;
  try {
    fd = openSync(f.path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw changed('it is now a symbolic link');
    throw e;
  }
  const stat = fstatSync(fd);
  const problem = !stat.isFile() ? 'it is no longer a regular file' : stat.dev !== f.dev || stat.ino !== f.ino ? 'another file took its place' : options.size !== undefined && stat.size !== options.size ? `its size went from ${options.size} to ${stat.size} bytes` : undefined;
  if (problem) {
    closeSync(fd);
    throw changed(problem);
  }
  return createReadStream(f.path, { fd, signal: options.signal });
}

/** SHA-1 of a stream's bytes: memory stays flat whatever the file's size. */
function sha1OfStream(stream: ReadStream): Promise<{ sha: string; size: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha1');
    let size = 0;
    stream.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      hash.update(buf);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve({ sha: hash.digest('hex'), size }));
  });
}

/** SHA-1 of a file, read as a stream. */
export function sha1OfFile(path: string, signal?: AbortSignal): Promise<{ sha: string; size: number }> {
  return sha1OfStream(createReadStream(path, { signal }));
}

/** Runs `work` on each item with at most `limit` at a time; the first failure stops new work and is thrown. */
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (!failed && !signal?.aborted && next < items.length) {
      const index = next++;
      try {
        await work(items[index], index);
      } catch (error) {
        if (!failed) failed = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failed.error;
}

/**
 * Hashes every file (SHA-1, streamed, a few at a time). The size recorded is
 * the size hashed, so a file whose content changed since it was listed is
 * sent with its current size; a file replaced since (by another file or a
 * symbolic link) is refused.
 */
export async function hashFiles(files: readonly LocalFile[], opts: { concurrency?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<HashedFile[]> {
  const hashed: HashedFile[] = new Array(files.length);
  let done = 0;
  await forEachLimit(files, opts.concurrency ?? 16, async (f, i) => {
    if (f.symlinkTarget !== undefined) {
      hashed[i] = { ...f, sha: createHash('sha1').update(f.symlinkTarget).digest('hex') };
    } else {
      let result: { sha: string; size: number };
      try {
        result = await sha1OfStream(openListedFile(f, { signal: opts.signal }));
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (!code) throw err;
        throw new Error(code === 'ENOENT' ? `${f.path} disappeared after it was listed (is a build still writing to the output folder?)` : `cannot read ${f.path}: ${(err as Error).message}`);
      }
      hashed[i] = { ...f, sha: result.sha, size: result.size };
    }
    done++;
    opts.onProgress?.(done, files.length);
  }, opts.signal);
  return hashed;
}

/** Sizes as every shipfleet line shows them (core's), kept here for the library's callers. */
export { formatBytes };

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
