import { existsSync, statSync } from 'fs';
import { isAbsolute, relative, resolve, sep } from 'path';
import { UserError } from '../errors';
import { isAbsent, showValue } from './value';

export interface PathRules {
  /** Absolute: relative paths are resolved against it (the one documented base). */
  workspaceRoot: string;
  /** Absolute, or relative to the workspace root: replaces {projectRoot}, and is the legacy base (see pathOption). */
  projectRoot?: string;
  /** The path must exist, and be a file or a folder. */
  mustExist?: 'file' | 'dir' | 'any';
  /** Told about a path read the legacy way, with a deprecation message. */
  warn?: (message: string) => void;
  fix?: string;
}

const toPosix = (p: string) => p.split(sep).join('/');

/**
 * A path, absolute, resolved against the workspace root; `{workspaceRoot}` and
 * `{projectRoot}` are replaced. For users who wrote paths relative to the
 * project: a relative path that exists under the project root but not under
 * the workspace root is taken from the project root, with a warning.
 */
export function pathOption(option: string, value: unknown, rules: PathRules): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UserError(option, `must be a path, got ${showValue(value)}`, rules.fix ?? `Give a path relative to the workspace root, e.g. "${option}": "apps/web/dist"`);
  }
  const workspaceRoot = resolve(rules.workspaceRoot);
  const projectRoot = rules.projectRoot === undefined ? undefined : resolve(workspaceRoot, rules.projectRoot);
  if (value.includes('{projectRoot}') && projectRoot === undefined) {
    throw new UserError(option, '{projectRoot} is not available here', 'Write the path relative to the workspace root, or with {workspaceRoot}');
  }
  const expanded = value.replace(/\{workspaceRoot\}/g, workspaceRoot).replace(/\{projectRoot\}/g, projectRoot ?? '');
  let path = resolve(workspaceRoot, expanded);

  if (!isAbsolute(expanded) && !existsSync(path) && projectRoot !== undefined && projectRoot !== workspaceRoot) {
    const legacy = resolve(projectRoot, expanded);
    if (existsSync(legacy)) {
      const rewritten = toPosix(relative(workspaceRoot, legacy));
      rules.warn?.(`Option "${option}": "${value}" is resolved against the project root; write "${rewritten}" (paths are relative to the workspace root) — the old reading will be removed`);
      path = legacy;
    }
  }

  if (rules.mustExist) {
    const stat = existsSync(path) ? statSync(path) : undefined;
    const fix = rules.fix ?? 'Paths are relative to the workspace root (or absolute); check the path, or build what it points at first';
    if (!stat) throw new UserError(option, `${path} does not exist`, fix);
    if (rules.mustExist === 'file' && !stat.isFile()) throw new UserError(option, `${path} is not a file`, fix);
    if (rules.mustExist === 'dir' && !stat.isDirectory()) throw new UserError(option, `${path} is not a directory`, fix);
  }
  return path;
}
