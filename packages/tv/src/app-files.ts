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
 * Lists the files of a built app, sorted, for packaging. Hidden files and
 * folders (names starting with '.') are left out; signature files at the root
 * are left out (they are written anew). Symlinks, names outside printable
 * ASCII and anything resolving outside the folder are refused: a package must
 * contain exactly what the folder holds, less what `exclude` names (globs
 * relative to the folder).
 */
export function listAppFiles(appDir: string, option = 'appDir', exclude: string[] = []): AppFile[] {
  const root = resolve(appDir);
  const excluded = exclude.map(globToRegExp);
  const files: AppFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      const absolute = join(dir, name);
      const rel = relative(root, absolute).split(sep).join('/');
      if (excluded.some((re) => re.test(rel) || re.test(rel + '/'))) continue;
      if (!/^[\x20-\x7e]+$/.test(name)) {
        throw new UserError(option, `${rel} has a name outside printable ASCII`, 'Rename it with ASCII letters, digits and - _ . (TV package installers reject other names)');
      }
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

/** Percent-encodes each path segment, as a Reference URI relative to the package root. */
export function referenceUri(path: string): string {
  return path.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())).join('/');
}
