import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

/** The runner OS a target needs; `shipfleet matrix` and the CI workflow map it to a runner label. */
export type Runner = 'macos' | 'linux' | 'windows';

/** What a platform reads of a project folder; each file is read at most once per inference. */
export interface ProjectFolder {
  /** Workspace-relative project root. */
  readonly root: string;
  /** File and folder names directly in the project root. */
  readonly entries: readonly string[];
  /** A file's content (path relative to the project root); undefined when absent. */
  read(path: string): string | undefined;
  /** Whether the folder (relative to the project root) holds YAML files. */
  hasYaml(path: string): boolean;
  /** Whether the folder (relative to the project root) holds a file whose name matches. */
  hasFile(path: string, name: RegExp): boolean;
}

/** One target a platform infers, before target names and inputs are applied. */
export interface PlatformTarget {
  /** The @shipfleet/nx executor (also the default target name). */
  executor: string;
  /** Target name when it differs from the executor (one target per fastlane lane). */
  name?: string;
  description: string;
  runner: Runner;
  /**
   * A target whose work spreads over several runners (an Electron app packaged for mac on macOS,
   * for Linux and Windows on Linux): the options of its part on each. When any target of a deploy
   * chain has them, the deploy is split: `shipfleet matrix` gives one row per runner and each row
   * deploys its part (`deploy --part=<os>`). A chain target without them runs on its `runner`.
   */
  runners?: Partial<Record<Runner, Record<string, unknown>>>;
  options?: Record<string, unknown>;
  /** Default false: a target with side effects is never served from the cache. */
  cache?: boolean;
  outputs?: string[];
  /** Part of the project's `deploy` chain (in registry order, then in this list's order). */
  deploys?: boolean;
  /** A target that runs only what it is asked to (a lane runner): no build before it, no inputs. */
  standalone?: boolean;
  /** README anchor of the target's documentation (default: the executor's section). */
  docs?: string;
}

/**
 * One platform: the single place that says how shipfleet recognises its
 * projects, which targets it gives them, and what CI must pass to them.
 */
export interface Platform<Found = unknown> {
  /** Short id, e.g. "tizen". */
  id: string;
  /** Files that mark a project of this platform, relative to the project root (globs with `*` within one path segment). */
  markers: string[];
  /**
   * For a marker every kind of project has (package.json): what its content must hold to mark
   * this platform, so the plugin does not infer for every package in the workspace.
   */
  markerContent?: Record<string, (text: string) => boolean>;
  /** What this project holds of the platform; undefined when it is not one. */
  detect(folder: ProjectFolder): Found | undefined;
  targets(found: Found, options: PlatformInferenceOptions): PlatformTarget[];
  /** Repository secrets the generated CI workflow passes to deploys of this platform. */
  ciSecrets: string[];
  /** The files of a smallest project of this platform (relative to its root); the registry's tests detect it. */
  example: Record<string, string>;
}

export interface PlatformInferenceOptions {
  /** Prefix of the one-per-lane fastlane targets (default "fastlane-"). */
  fastlaneLanePrefix?: string;
}

/** Identity function that checks a descriptor against `Platform` and keeps its detect result type. */
export function definePlatform<Found>(platform: Platform<Found>): Platform<Found> {
  return platform;
}

/** README anchor of an executor's section (`### \`@shipfleet/nx:<executor>\`` on GitHub). */
export function executorDocs(executor: string): string {
  return `shipfleetnx${executor}`;
}

/** A ProjectFolder on disk, reading lazily and once. */
export function projectFolder(workspaceRoot: string, root: string): ProjectFolder {
  const abs = join(workspaceRoot, root);
  const entries = readdirSync(abs);
  const files = new Map<string, string | undefined>();
  return {
    root,
    entries,
    read(path) {
      if (!files.has(path)) files.set(path, readIfPresent(join(abs, path)));
      return files.get(path);
    },
    hasYaml(path) {
      return this.hasFile(path, /\.ya?ml$/);
    },
    hasFile(path, name) {
      if (path === '.' || path === '') return entries.some((f) => name.test(f));
      try {
        return readdirSync(join(abs, path)).some((f) => name.test(f));
      } catch {
        return false;
      }
    },
  };
}

/** A file's content, undefined when absent; anything else unreadable is an error for this project. */
function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
