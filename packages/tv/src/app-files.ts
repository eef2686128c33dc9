import { lstatSync, readdirSync } from 'fs';
import { join, relative, resolve, sep } from 'path';
import { UserError } from '@shipfleet/core';

export interface AppFile {
  /** Path inside the package, '/'-separated. */
  path: string;
  absolute: string;
  size: number;
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
        files.push({ path: rel, absolute, size: stat.size });
      } else throw new UserError(option, `${rel} is not a regular file`, 'Remove sockets, pipes and devices from the app folder');
    }
  };
  walk(root);
  return files;
}

/** Percent-encodes each path segment, as a Reference URI relative to the package root. */
export function referenceUri(path: string): string {
  return path.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())).join('/');
}
