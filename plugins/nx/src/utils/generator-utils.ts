import { addProjectConfiguration, formatFiles, generateFiles, getProjects, ProjectConfiguration, Tree } from '@nx/devkit';
import { createHash } from 'crypto';
import { UserError } from '@shipfleet/core';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const BUNDLE_ID = /^[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)+$/;

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new UserError('name', `"${String(name ?? '')}" is not a project name`, 'Use lowercase letters, digits and -, starting with a letter (e.g. tv-app)');
  }
  return name;
}

export function checkVersion(version: unknown, option = 'version'): string {
  const v = version ?? '1.0.0';
  if (typeof v !== 'string' || !SEMVER.test(v)) throw new UserError(option, `"${String(v)}" is not a semantic version x.y.z`, 'Use e.g. 1.0.0');
  return v;
}

export function checkBundleId(id: unknown, option = 'bundleId'): string {
  if (typeof id !== 'string' || !BUNDLE_ID.test(id)) throw new UserError(option, `"${String(id ?? '')}" is not a reverse-DNS bundle identifier`, 'Use e.g. com.example.app (letters, digits, - and dots)');
  return id;
}

/** A folder segment: letters, digits, ., _ and -, not starting with - (it would read as an option) nor only dots. */
const DIRECTORY_SEGMENT = /^(?!-)(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/** The project folder: workspace-relative, only characters that mean nothing to a shell or to Nx. */
export function checkDirectory(directory: unknown, name: string, base: string): string {
  if (directory !== undefined && typeof directory !== 'string') throw new UserError('directory', `${JSON.stringify(directory)} is not a folder path`, 'Give a relative path such as apps/tv');
  const dir = (directory ? directory : `${base}/${name}`).replace(/\/+$/, '');
  if (dir.startsWith('/') || dir.split('/').includes('..')) throw new UserError('directory', `"${dir}" is not a folder inside the workspace`, 'Give a relative path such as apps/tv');
  if (!dir.split('/').every((segment) => DIRECTORY_SEGMENT.test(segment))) {
    throw new UserError('directory', `"${dir}" is not a plain folder path`, 'Use letters, digits, ., _ and - between slashes, no segment starting with - (e.g. apps/tv)');
  }
  return dir;
}

/** PascalCase of a kebab-case name: tv-app → TvApp. */
export function pascal(name: string): string {
  return name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

/** A stable 10-character alphanumeric id derived from a name (the same name always gives the same id). */
export function stableId(name: string, length = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = createHash('sha256').update(name).digest();
  return Array.from(bytes.subarray(0, length), (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Adds the project, or leaves it when the same project is already at that
 * folder (so a generator run twice changes nothing). A different project
 * with that name, or another project in that folder, is an error.
 */
export function addOrKeepProject(tree: Tree, name: string, config: ProjectConfiguration): void {
  const existing = getProjects(tree);
  const same = existing.get(name);
  if (same) {
    if (same.root !== config.root) throw new UserError('name', `a project "${name}" already exists at ${same.root}`, 'Choose another name, or the same directory to regenerate it');
    return;
  }
  for (const [other, p] of existing) {
    if (p.root === config.root) throw new UserError('directory', `${config.root} already holds project "${other}"`, 'Choose another directory');
  }
  addProjectConfiguration(tree, name, config);
}

/**
 * Writes a folder of templates (EJS; a __key__ in a path is replaced by that
 * substitution, the __tmpl__ suffix is dropped). Generated files are owned by
 * the generator: rewritten with the same content when run again.
 */
export function writeTemplates(tree: Tree, folder: string, target: string, substitutions: Record<string, unknown>): void {
  generateFiles(tree, folder, target, { ...substitutions, tmpl: '' });
}

/** Like writeTemplates, but files that already exist with other content are left as they are; returns their paths. */
export function writeTemplatesKeepingEdits(tree: Tree, folder: string, target: string, substitutions: Record<string, unknown>): string[] {
  const before = new Map(filesUnder(tree, target).map((p) => [p, tree.read(p)!]));
  writeTemplates(tree, folder, target, substitutions);
  const kept: string[] = [];
  for (const [path, content] of before) {
    if (!tree.read(path)!.equals(content)) {
      tree.write(path, content);
      kept.push(path);
    }
  }
  return kept;
}

function filesUnder(tree: Tree, dir: string): string[] {
  if (tree.isFile(dir)) return [dir];
  return tree.children(dir).flatMap((c) => filesUnder(tree, `${dir}/${c}`));
}

export async function finish(tree: Tree, skipFormat?: boolean): Promise<void> {
  if (!skipFormat) await formatFiles(tree);
}

/** A word for a POSIX shell that stays one literal argument whatever it holds. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** nx:run-commands build that copies the app's sources (and its manifest) into dist/<root>. */
export function copyBuildTarget(root: string, extra: string[] = []) {
  const out = `dist/${root}`;
  const sources = [`${root}/src/.`, ...extra.map((f) => `${root}/${f}`)].map(shellQuote).join(' ');
  return {
    executor: 'nx:run-commands',
    outputs: [`{workspaceRoot}/${out}`],
    // Not forwarded: `nx run app:build --dry-run` would hand --dry-run to cp. The copy has no side effect beyond dist/.
    options: { command: `rm -rf ${shellQuote(out)} && mkdir -p ${shellQuote(out)} && cp -R ${sources} ${shellQuote(`${out}/`)}`, forwardAllArgs: false },
  };
}
