import { existsSync, readdirSync, statSync } from 'fs';
import { isAbsolute, join, resolve, sep } from 'path';

const MAGIC = /[*?{[]/;

/** Whether a path as written is a glob rather than one file. */
export function isGlob(pattern: string): boolean {
  return MAGIC.test(pattern);
}

/**
 * A glob over `/`-separated paths: `*` and `?` within one name, `**` across
 * folders, `{a,b}` alternatives, `[abc]` a class. Dot files match like others.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function walkFiles(dir: string, rel: string, out: string[]): void {
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) walkFiles(dir, childRel, out);
    else if (entry.isFile() || (entry.isSymbolicLink() && statSync(join(dir, childRel), { throwIfNoEntry: false })?.isFile())) out.push(childRel);
  }
}

/**
 * The files an absolute path or glob names, sorted; a plain path is returned
 * when it is a file. Only the folder part before the first wildcard is walked.
 */
export function expandFilePattern(pattern: string): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(pattern);
  if (!isGlob(abs)) return existsSync(abs) && statSync(abs).isFile() ? [abs] : [];
  const posix = abs.split(sep).join('/');
  const parts = posix.split('/');
  const firstMagic = parts.findIndex((p) => isGlob(p));
  const base = parts.slice(0, firstMagic).join('/') || '/';
  const rest = parts.slice(firstMagic).join('/');
  if (!existsSync(base) || !statSync(base).isDirectory()) return [];
  const matcher = globToRegExp(rest);
  const found: string[] = [];
  walkFiles(base, '', found);
  return found.filter((rel) => matcher.test(rel)).map((rel) => join(base, ...rel.split('/'))).sort();
}
