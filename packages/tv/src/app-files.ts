import { constants, lstatSync, readdirSync } from 'fs';
import { FileHandle, open } from 'fs/promises';
import { join, relative, resolve, sep } from 'path';
import { UserError } from '@shipfleet/core';

export interface AppFile {
  /** Path inside the package, '/'-separated. */
  path: string;
  absolute: string;
  size: number;
  /** Device and inode of the file listed: packaging reads this file and no other. */
  dev: number;
  ino: number;
}

const SIGNATURE_FILE = /^(author-signature|signature\d+)\.xml$/;

/** Workspace tooling that never belongs in a TV package when the app folder is the project folder itself. */
export const PROJECT_FILES_EXCLUDE = ['project.json', 'package.json', 'tsconfig*.json', 'jest.config.*', '**/*.spec.*', 'node_modules/**'];

/** Glob to RegExp: `*` matches within one path segment; a leading double-star segment matches any folders. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('**/')
    .map((part) => part.replace(/[\\^$.|+(){}[\]]/g, (c) => `\\${c}`).replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
    .join('(?:.*/)?');
  return new RegExp(`^${body}$`);
}

/**
 * What a file or folder name may not hold, and why: the name goes into the
 * ZIP as UTF-8 and into each signature as percent-encoded UTF-8 (cert-svc
 * decodes it back to bytes), so any Unicode character works there, but
 * - a name that is not valid UTF-8 cannot be written as UTF-8 at all;
 * - control characters (U+0000–U+001F, U+007F–U+009F) are rewritten by
 *   common unzip tools (Info-ZIP unzip without -^), so the unpacked file
 *   would no longer match its reference;
 * - a backslash is read as a folder separator by ZIP tools on Windows, and
 *   the ZIP format allows only '/' as separator.
 */
const REFUSED_NAME_CHARACTER = /[\u0000-\u001f\u007f-\u009f\\]/;
export const APP_FILE_NAME_RULE = 'any Unicode character except control characters (U+0000–U+001F, U+007F–U+009F) and backslash';

function nameProblem(raw: Buffer): string | undefined {
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return 'has a name that is not valid UTF-8';
  }
  const bad = REFUSED_NAME_CHARACTER.exec(name);
  if (bad) return `has a name holding ${bad[0] === '\\' ? 'a backslash' : `the control character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`}`;
  return undefined;
}

/**
 * Lists the files of a built app, sorted, for packaging. Hidden files and
 * folders (names starting with '.') are left out; signature files at the root
 * are left out (they are written anew). Symlinks, special files, names
 * breaking APP_FILE_NAME_RULE and anything resolving outside the folder are
 * refused: a package must contain exactly what the folder holds, less what
 * `exclude` names (globs relative to the folder).
 */
export function listAppFiles(appDir: string, option = 'appDir', exclude: string[] = []): AppFile[] {
  const root = resolve(appDir);
  const excluded = exclude.map(globToRegExp);
  const files: AppFile[] = [];
  const walk = (dir: string) => {
    // Read as bytes: a name that is not UTF-8 would otherwise come back altered, naming no file.
    for (const raw of readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare)) {
      const name = raw.toString('utf8');
      if (name.startsWith('.')) continue;
      const absolute = join(dir, name);
      const rel = relative(root, absolute).split(sep).join('/');
      if (excluded.some((re) => re.test(rel) || re.test(rel + '/'))) continue;
      const problem = nameProblem(raw);
      if (problem) throw new UserError(option, `${JSON.stringify(rel).slice(1, -1)} ${problem}`, `Rename it: names may hold ${APP_FILE_NAME_RULE}`);
      if (rel.startsWith('..')) throw new UserError(option, `${absolute} lies outside ${root}`, 'Keep every file of the app inside the app folder');
      const stat = lstatSync(absolute);
      if (stat.isSymbolicLink()) throw new UserError(option, `${rel} is a symbolic link`, 'Replace it with the file it points to; packages cannot contain links');
      if (stat.isDirectory()) walk(absolute);
      else if (stat.isFile()) {
        if (dir === root && SIGNATURE_FILE.test(name)) continue;
        files.push({ path: rel, absolute, size: stat.size, dev: stat.dev, ino: stat.ino });
      } else throw new UserError(option, `${rel} is not a regular file`, 'Remove sockets, pipes and devices from the app folder');
    }
  };
  walk(root);
  return files;
}

function changedAfterListing(f: AppFile, what: string): Error {
  return new Error(`${f.path} changed after the app folder was listed (${what}): nothing was packaged; package again once the build has finished writing ${f.absolute}`);
}

/**
 * Opens a listed file for packaging, never through a symbolic link, and only
 * while it is still the regular file listed (same device, inode and size):
 * a file swapped after listing would otherwise put what it points to in the
 * package. Read the content from the handle returned.
 */
export async function openAppFile(f: AppFile): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(f.absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw changedAfterListing(f, 'it is now a symbolic link');
    throw e;
  }
  const stat = await handle.stat();
  const problem = !stat.isFile() ? 'it is no longer a regular file' : stat.dev !== f.dev || stat.ino !== f.ino ? 'another file took its place' : stat.size !== f.size ? `its size went from ${f.size} to ${stat.size} bytes` : undefined;
  if (problem) {
    await handle.close();
    throw changedAfterListing(f, problem);
  }
  return handle;
}
