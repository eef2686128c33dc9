// The files of an app, split into layers: for a Node service its dependencies (node_modules) and
// its code apart, so a code change re-uploads only the code layer; for a static site one layer.
import { lstatSync, readdirSync, readlinkSync } from 'fs';
import { join, posix } from 'path';
import { LayerEntry } from './layer';

/** Never put in an image: VCS data, local env files (they hold secrets), OS litter, logs. */
export const DEFAULT_EXCLUDES: readonly string[] = ['.git', '.hg', '.svn', '.env', '.env.*', '**/.DS_Store', 'npm-debug.log*', 'yarn-error.log*', '.npmrc', '.yarnrc.yml', 'Dockerfile', '.dockerignore'];

/** A glob of the .dockerignore kind: `*` within a name, `**` across folders; a pattern without a slash matches at the top. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  const g = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*' && g[i + 1] === '*') {
      re += g[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += g[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A folder excludes everything under it.
  return new RegExp(`^${re}(?:/.*)?$`);
}

export interface AppFiles {
  /** node_modules (service only). */
  dependencies: LayerEntry[];
  app: LayerEntry[];
  /** Files left out by the excludes, relative to appDir (for the dry run and the log). */
  excluded: string[];
}

/**
 * Walks appDir. Entries go under `root` (e.g. app, or usr/share/nginx/html), which is itself an
 * entry of each layer; its parents are not (the base's own folders stay as they are).
 */
export function collectAppFiles(appDir: string, root: string, options: { splitDependencies: boolean; exclude?: readonly string[] }): AppFiles {
  const patterns = [...DEFAULT_EXCLUDES, ...(options.exclude ?? [])].map(globToRegExp);
  const rootPath = root.replace(/^\/+|\/+$/g, '');
  const dependencies: LayerEntry[] = [];
  const app: LayerEntry[] = [{ path: rootPath, type: 'directory' }];
  const excluded: string[] = [];
  let depsRoot = false;

  const walk = (rel: string) => {
    for (const name of readdirSync(join(appDir, rel)).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      if (patterns.some((p) => p.test(relPath))) {
        excluded.push(relPath);
        continue;
      }
      const full = join(appDir, relPath);
      const st = lstatSync(full);
      const inDeps = options.splitDependencies && (relPath === 'node_modules' || relPath.startsWith('node_modules/'));
      const list = inDeps ? dependencies : app;
      if (inDeps && !depsRoot) {
        dependencies.push({ path: rootPath, type: 'directory' });
        depsRoot = true;
      }
      const path = posix.join(rootPath, relPath);
      if (st.isSymbolicLink()) list.push({ path, type: 'symlink', linkname: readlinkSync(full) });
      else if (st.isDirectory()) {
        list.push({ path, type: 'directory' });
        walk(relPath);
      } else if (st.isFile()) list.push({ path, type: 'file', source: full, size: st.size, executable: (st.mode & 0o111) !== 0 });
      // Sockets, FIFOs and devices have no place in an app layer.
    }
  };
  walk('');
  return { dependencies, app, excluded };
}
