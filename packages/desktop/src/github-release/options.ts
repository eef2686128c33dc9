import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import {
  booleanOption,
  durationOption,
  envNameOption,
  isPlainObject,
  parseDuration,
  pathOption,
  patternOption,
  secretFromEnv,
  showValue,
  stringListOption,
  urlOption,
  UserError,
} from '@shipfleet/core';

export type FeedsMode = 'auto' | boolean;

/** Options as a user writes them (an Nx target's options, or a script's). */
export interface GithubReleaseOptions {
  /** Files to upload: paths or globs (`*`, `**`, `{a,b}`), relative to the workspace root; `{projectRoot}` may be written. */
  files: string[];
  /** The version released (semver, without a leading v). Default: the `version` of the project's package.json. */
  version?: string;
  /** The release's tag (default `v<version>`). */
  tag?: string;
  /** The release's title (default: the tag). */
  name?: string;
  /** Release notes, as text. */
  body?: string;
  /** Release notes, from a Markdown file (instead of body). */
  notes?: string;
  /** Repository owner and name (default: from $GITHUB_REPOSITORY, "owner/repo"). */
  owner?: string;
  repo?: string;
  /** The commit or branch GitHub tags when the release is published, if the tag does not exist yet (default $GITHUB_SHA when set). */
  commitish?: string;
  /** Mark the release as a pre-release (default false). */
  prerelease?: boolean;
  /** Publish once every asset is up (default true); false leaves the draft for a person to publish. */
  publish?: boolean;
  /** electron-updater feeds: "auto" (default) writes them when the files are electron-builder output; true always; false never. */
  feeds?: FeedsMode;
  /** Name of the environment variable that holds the GitHub token (default GITHUB_TOKEN). */
  tokenEnv?: string;
  /** REST API base URL (default $GITHUB_API_URL, else https://api.github.com); GitHub Enterprise Server: https://<host>/api/v3. */
  apiUrl?: string;
  /** Longest time one upload may take, a duration (default 30m). */
  uploadTimeout?: string | number;
  /**
   * Assets other jobs upload to the same draft (names, `*` globs such as `latest-linux*.yml`):
   * publish only once the draft holds each; until then leave it a draft and succeed. The job
   * that uploads last publishes. Inferred for the jobs of a deploy split per runner.
   */
  waitFor?: string[];
}

export interface NormalizedGithubReleaseOptions {
  files: string[];
  version: string;
  tag: string;
  name: string;
  body?: string;
  owner: string;
  repo: string;
  commitish?: string;
  prerelease: boolean;
  publish: boolean;
  feeds: FeedsMode;
  tokenEnv: string;
  /** Without a trailing slash. */
  apiUrl: string;
  uploadTimeoutMs: number;
  waitFor: string[];
}

export interface ResolvedGithubReleaseOptions {
  options: NormalizedGithubReleaseOptions;
  /** The value of tokenEnv ('' in a dry run without it): sent only in the Authorization header. */
  token: string;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

export interface ResolveContext {
  /** Absolute. */
  workspaceRoot: string;
  /** Relative to the workspace root, or absolute. */
  projectRoot?: string;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
  /** A dry run goes on without the token (a warning says so). */
  dryRun?: boolean;
}

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';
export const DEFAULT_GITHUB_TOKEN_ENV = 'GITHUB_TOKEN';
export const DEFAULT_UPLOAD_TIMEOUT = '30m';

/** The defaults the code applies, option by option (the schema states the same). */
export const GITHUB_RELEASE_DEFAULTS = { tokenEnv: DEFAULT_GITHUB_TOKEN_ENV, apiUrl: DEFAULT_GITHUB_API_URL, feeds: 'auto', publish: true, prerelease: false, uploadTimeout: DEFAULT_UPLOAD_TIMEOUT } as const;

// GitHub's rules: owners are letters, digits and single hyphens; repository names also take . and _.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
// git check-ref-format, in short: no spaces, control characters, ~^:?*[\, "..", "@{", leading "-" or trailing "." / ".lock".
const TAG = /^(?!-)(?!.*\.\.)(?!.*@\{)(?!.*\.lock$)(?!.*\.$)(?!.*\/\/)[^\s~^:?*[\\\x00-\x1f\x7f]{1,250}$/;
const COMMITISH = TAG;
// An asset name as GitHub keeps it, with * for any characters.
const ASSET_GLOB = /^[A-Za-z0-9._+*-]{1,255}$/;
// A token travels in a header: visible ASCII only.
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

function projectVersion(projectDir: string | undefined): string | undefined {
  if (!projectDir) return undefined;
  const path = join(projectDir, 'package.json');
  if (!existsSync(path)) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(path, 'utf8'));
    return isPlainObject(pkg) && typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/** owner/repo of the workspace's `origin` remote (https, ssh or scp-like URL), read from .git/config; undefined when there is none. */
export function originRepository(workspaceRoot: string): [string, string] | undefined {
  let config: string;
  try {
    config = readFileSync(join(workspaceRoot, '.git', 'config'), 'utf8');
  } catch {
    return undefined;
  }
  const section = /^\s*\[remote\s+"origin"\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(config)?.[1];
  const url = section && /^\s*url\s*=\s*(\S+)\s*$/m.exec(section)?.[1];
  const m = url && /^(?:[a-z+]+:\/\/(?:[^@/]+@)?[^/]+\/|[^@:/]+@[^:/]+:)([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  return m && OWNER.test(m[1]) && REPO.test(m[2]) ? [m[1], m[2]] : undefined;
}

function feedsOption(value: unknown): FeedsMode | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === true || value === false) return value;
  throw new UserError('feeds', `${showValue(value)} is not "auto", true or false`, 'Leave it out (auto: feeds for electron-builder output), or set true or false');
}

/**
 * Validates the options of publish-github-release and reads the token;
 * each problem is a UserError naming the option. Files are expanded later,
 * by the plan (a dry run lists what they match now).
 */
export function resolveGithubReleaseOptions(given: Partial<GithubReleaseOptions>, ctx: ResolveContext): ResolvedGithubReleaseOptions {
  if (!isPlainObject(given)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"files": ["dist/apps/desktop/*.exe"]}');
  const raw = given as Record<string, unknown>;
  const env = ctx.env ?? process.env;
  const warn = ctx.warn ?? (() => {});
  const workspaceRoot = resolve(ctx.workspaceRoot);
  const projectDir = ctx.projectRoot === undefined ? undefined : resolve(workspaceRoot, ctx.projectRoot);

  const fileList = stringListOption('files', raw.files, { items: 'paths or globs', example: 'dist/apps/desktop/*.{exe,dmg,zip,AppImage,blockmap}' });
  if (!fileList?.length) {
    throw new UserError('files', 'is required', 'List the files to upload, e.g. "files": ["dist/apps/desktop/*.{exe,dmg,zip,AppImage,blockmap}"]');
  }
  const files = fileList.map((f) => pathOption('files', f, { workspaceRoot, projectRoot: ctx.projectRoot, warn })!);

  const versionGiven = patternOption('version', raw.version, { pattern: SEMVER, what: 'a semantic version (electron-updater compares versions by semver)', example: '1.4.0', fix: 'Give it without a leading v, e.g. "version": "1.4.0" or "2.0.0-beta.1"' });
  let version = versionGiven;
  if (version === undefined) {
    const fromPackage = projectVersion(projectDir);
    if (fromPackage === undefined) {
      throw new UserError('version', 'is required', `Give the version released (e.g. "version": "1.4.0"), or a "version" in ${projectDir ? join(projectDir, 'package.json') : "the project's package.json"}`);
    }
    if (!SEMVER.test(fromPackage)) {
      throw new UserError('version', `the project's package.json has version ${JSON.stringify(fromPackage)}, which is not a semantic version`, 'Fix it there, or give "version" (e.g. "1.4.0")');
    }
    version = fromPackage;
  }

  const tag = patternOption('tag', raw.tag, { pattern: TAG, what: 'a git tag name', example: `v${version}`, fix: `Leave it out for "v${version}", or give a valid tag name (no spaces, ~ ^ : ? * [ \\ or "..")` }) ?? `v${version}`;
  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.trim() === '')) throw new UserError('name', `${showValue(raw.name)} is not a release title`, `Leave it out for "${tag}", or give a title such as "App ${version}"`);
  const name = (raw.name as string | undefined) ?? tag;

  if (raw.body !== undefined && raw.notes !== undefined) throw new UserError('notes', 'and body are both given', 'Give the release notes once: as text in "body", or as a Markdown file in "notes"');
  if (raw.body !== undefined && typeof raw.body !== 'string') throw new UserError('body', `${showValue(raw.body)} is not text`, 'Give the release notes as a string, or a file in "notes"');
  let body = raw.body as string | undefined;
  if (raw.notes !== undefined) {
    const notes = pathOption('notes', raw.notes, { workspaceRoot, projectRoot: ctx.projectRoot, mustExist: 'file', warn, fix: 'Give a Markdown file relative to the workspace root, e.g. "notes": "apps/desktop/CHANGELOG-latest.md"' })!;
    body = readFileSync(notes, 'utf8');
  }
  // GitHub's limit on a release body.
  if (body !== undefined && body.length > 125_000) throw new UserError(raw.notes !== undefined ? 'notes' : 'body', `has ${body.length} characters; GitHub takes at most 125000`, 'Shorten the notes, or link to a changelog');

  // In Actions the workflow's repository; elsewhere the workspace's origin remote, as electron-builder does.
  const fromEnv = typeof env.GITHUB_REPOSITORY === 'string' && env.GITHUB_REPOSITORY.includes('/') ? env.GITHUB_REPOSITORY.split('/') : originRepository(workspaceRoot);
  let owner = patternOption('owner', raw.owner, { pattern: OWNER, what: 'a GitHub user or organisation name', example: 'acme' }) ?? fromEnv?.[0];
  let repo = patternOption('repo', raw.repo, { pattern: REPO, what: 'a GitHub repository name', example: 'desktop-app' }) ?? fromEnv?.[1];
  if ((!owner || !repo) && ctx.dryRun) {
    warn('Dry run without a repository: GITHUB_REPOSITORY is not set and the workspace has no origin remote; a real run stops here. Give "owner" and "repo"');
    owner ??= 'OWNER';
    repo ??= 'REPO';
  }
  if (!owner) throw new UserError('owner', 'is required (GITHUB_REPOSITORY is not set and the workspace has no origin remote)', 'Give "owner" and "repo" (e.g. "owner": "acme", "repo": "desktop-app"); in GitHub Actions they default to the workflow\'s repository');
  if (!repo) throw new UserError('repo', 'is required (GITHUB_REPOSITORY is not set and the workspace has no origin remote)', 'Give "repo" (e.g. "repo": "desktop-app"); in GitHub Actions it defaults to the workflow\'s repository');
  if (!OWNER.test(owner)) throw new UserError('owner', `GITHUB_REPOSITORY gives ${showValue(owner)}, which is not a GitHub owner name`, 'Give "owner" explicitly');
  if (!REPO.test(repo)) throw new UserError('repo', `GITHUB_REPOSITORY gives ${showValue(repo)}, which is not a repository name`, 'Give "repo" explicitly');

  const commitish = patternOption('commitish', raw.commitish, { pattern: COMMITISH, what: 'a commit SHA or branch name', example: 'main' }) ?? (env.GITHUB_SHA && /^[0-9a-f]{40}$/.test(env.GITHUB_SHA) ? env.GITHUB_SHA : undefined);
  const prerelease = booleanOption('prerelease', raw.prerelease) ?? false;
  const publish = booleanOption('publish', raw.publish, { fix: 'true (default) publishes once every asset is up; false leaves the draft' }) ?? true;
  const feeds = feedsOption(raw.feeds) ?? 'auto';

  const what = 'a GitHub token allowed to write the repository\'s contents (in Actions: secrets.GITHUB_TOKEN with "permissions: contents: write")';
  const tokenEnv = envNameOption('tokenEnv', raw.tokenEnv, { what }) ?? DEFAULT_GITHUB_TOKEN_ENV;
  const tokenMissing = !!ctx.dryRun && !env[tokenEnv];
  if (tokenMissing) warn(`Dry run without a token: environment variable ${tokenEnv} is not set; a real run stops here. Set it to ${what}`);
  const token = tokenMissing ? '' : secretFromEnv('tokenEnv', tokenEnv, { env, what })!.text;
  if (!tokenMissing && !TOKEN_CHARS.test(token)) {
    throw new UserError('tokenEnv', `the value of ${tokenEnv} contains spaces, line breaks or non-ASCII characters`, `Set ${tokenEnv} to the bare token (check for a trailing newline from the secret store)`);
  }

  const apiUrlGiven = raw.apiUrl ?? (env.GITHUB_API_URL || undefined);
  const apiUrl = (urlOption('apiUrl', apiUrlGiven, { example: `${DEFAULT_GITHUB_API_URL} (the default) or https://ghe.example.com/api/v3`, allowQuery: false }) ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, '');

  const waitForList = stringListOption('waitFor', raw.waitFor, { items: 'asset names or * globs', example: 'latest-mac.yml' }) ?? [];
  for (const w of waitForList) {
    if (!ASSET_GLOB.test(w)) throw new UserError('waitFor', `${showValue(w)} is not an asset name`, 'Give release asset names (no folders), with * for any characters, e.g. ["latest-mac.yml", "latest-linux*.yml"]');
  }
  if (waitForList.length && raw.publish === false) throw new UserError('waitFor', 'is given but "publish" is false', 'waitFor says when to publish: leave "publish" out, or drop waitFor to leave the draft for a person');

  const uploadTimeoutMs = durationOption('uploadTimeout', raw.uploadTimeout, { min: 1000, example: '45m' }) ?? (parseDuration(DEFAULT_UPLOAD_TIMEOUT) as number);

  return {
    options: { files, version, tag, name, body, owner, repo, commitish, prerelease, publish, feeds, tokenEnv, apiUrl, uploadTimeoutMs, waitFor: waitForList },
    token,
    secrets: token ? [token] : [],
  };
}
