import { existsSync, readFileSync, statSync } from 'fs';
import { basename, dirname, isAbsolute, join, resolve } from 'path';
import {
  deprecatedOption,
  durationOption,
  envNameOption,
  isPlainObject,
  parseDuration,
  oneOfOption,
  patternOption,
  plainObjectOption,
  positiveIntegerOption,
  requiredOption,
  secretFromEnv,
  stringListOption,
  urlOption,
  UserError,
} from '@shipfleet/core';

export type VercelAction = 'deploy' | 'promote' | 'rollback';

/** Options as a user writes them (an Nx target's options, or a script's). */
export interface VercelOptions {
  /** deploy (default): upload and create a deployment; promote or rollback: move production to a deployment. */
  action?: VercelAction;
  /**
   * The folder to deploy: a static build output (`dist/apps/web`), or a
   * prebuilt Build Output API v3 folder (`.vercel/output`, or a folder that
   * holds one). Absolute, or relative to the project root. Default: the
   * project's own `.vercel/output` when present.
   */
  appDir?: string;
  /** @deprecated the old name of appDir. */
  outputPath?: string;
  /** Vercel project id (`prj_…`) or name. */
  projectId?: string;
  /** The `orgId` of `.vercel/project.json`: a team id (`team_…`) or the id of a personal account. */
  orgId?: string;
  /** The team to act for (`team_…`), sent as `teamId` on every request. */
  teamId?: string;
  /** preview (default), production, or the slug of a custom environment. */
  target?: string;
  /** Name of the environment variable that holds the Vercel token (default VERCEL_TOKEN). */
  tokenEnv?: string;
  /** Base URL of the REST API (default https://api.vercel.com). */
  apiUrl?: string;
  /** Extra domains to point at the new deployment once it is ready. */
  alias?: string[];
  /** Metadata stored on the deployment (string values). */
  meta?: Record<string, string>;
  /** promote: the deployment to promote (required). rollback: the one to roll back to (default: the previous production deployment). */
  deploymentId?: string;
  /** Uploads in parallel (default 8). */
  concurrency?: number;
  /** How long to wait for the deployment (or the promote/rollback) to finish: a duration such as "10m" or seconds (default 10m). */
  timeout?: string | number;
  /** @deprecated the old name of timeout (seconds). */
  timeoutSeconds?: number;
}

export interface NormalizedVercelOptions {
  action: VercelAction;
  projectId: string;
  /** Sent as the `teamId` query parameter when set. */
  teamId?: string;
  /** A personal account's id (orgId that is not a team): checked against GET /v2/user. */
  userId?: string;
  /** 'preview', 'production' or a custom environment slug. */
  target: string;
  tokenEnv: string;
  /** Without a trailing slash. */
  apiUrl: string;
  alias: string[];
  meta: Record<string, string>;
  deploymentId?: string;
  concurrency: number;
  timeoutMs: number;
  /** deploy only: what is uploaded. */
  source?: DeploymentSource;
}

export interface DeploymentSource {
  /** static: the folder's files as they are; prebuilt: the Build Output API v3 folder. */
  kind: 'static' | 'prebuilt';
  /** The folder whose files are listed (appDir, or the `.vercel/output` folder). */
  dir: string;
  /** Prefix of every deployment file name: '' for static, '.vercel/output/' for prebuilt. */
  prefix: string;
}

export const DEFAULT_API_URL = 'https://api.vercel.com';
export const DEFAULT_TOKEN_ENV = 'VERCEL_TOKEN';
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_TIMEOUT = '10m';

/** The defaults the code applies, option by option (the schema states the same). */
export const VERCEL_DEPLOY_DEFAULTS = { action: 'deploy', target: 'preview', tokenEnv: DEFAULT_TOKEN_ENV, apiUrl: DEFAULT_API_URL, concurrency: DEFAULT_CONCURRENCY, timeout: DEFAULT_TIMEOUT } as const;

const ACTIONS: VercelAction[] = ['deploy', 'promote', 'rollback'];
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SCOPE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const DEPLOYMENT_ID = /^dpl_[A-Za-z0-9]{1,64}$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
// A token travels in an HTTP header: visible ASCII only. (fetch would otherwise
// throw an error that quotes the header value, token and all.)
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Finds what to upload in a folder: a Build Output API v3 folder (the folder
 * is `.vercel/output`, or holds `.vercel/output`, with `config.json` of
 * `version: 3`), else the folder's files as a static deployment.
 */
export function detectDeploymentSource(dir: string): DeploymentSource {
  const candidates = basename(dir) === 'output' && basename(dirname(dir)) === '.vercel' ? [dir] : [join(dir, '.vercel', 'output')];
  for (const outputDir of candidates) {
    const configPath = join(outputDir, 'config.json');
    if (!existsSync(configPath)) continue;
    const config = readJson(configPath);
    if (!isPlainObject(config)) {
      throw new UserError('appDir', `${configPath} is not valid JSON`, 'Rebuild it with `vercel build` or your framework\'s Vercel adapter');
    }
    if (config.version !== 3) {
      throw new UserError('appDir', `${configPath} declares version ${JSON.stringify(config.version)}; only the Build Output API version 3 is supported`, 'Rebuild with a current `vercel build` or framework adapter, which writes "version": 3');
    }
    return { kind: 'prebuilt', dir: outputDir, prefix: '.vercel/output/' };
  }
  return { kind: 'static', dir, prefix: '' };
}

/** Options checked, and the token they name, read once. */
export interface ResolvedVercelOptions {
  options: NormalizedVercelOptions;
  /** The value of tokenEnv: used only in the Authorization header. */
  token: string;
  /** Values to mask in every output of the run. */
  secrets: string[];
}

/**
 * Validates the options of a Vercel deploy, promote or rollback and reads the
 * token; each problem is a UserError naming the option.
 */
export function resolveVercelOptions(given: Partial<VercelOptions>, projectRoot: string, env: NodeJS.ProcessEnv = process.env, warn: (message: string) => void = () => {}, dryRun = false): ResolvedVercelOptions {
  if (!isPlainObject(given)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"projectId": "prj_…"}');
  const raw = deprecatedOption(deprecatedOption(given, 'outputPath', 'appDir', warn), 'timeoutSeconds', 'timeout', warn);

  const action = oneOfOption('action', raw.action, ACTIONS, { fix: 'Use deploy (default), promote or rollback' }) ?? 'deploy';

  const projectId = requiredOption(
    'projectId',
    patternOption('projectId', raw.projectId === '' ? undefined : raw.projectId, {
      pattern: PROJECT,
      what: 'a Vercel project id or name',
      example: 'prj_abc123',
      fix: 'Use the id (prj_…) from the project settings or .vercel/project.json, or its name (letters, digits, . _ -)',
    }),
    'Give the Vercel project id (prj_…, the "projectId" of .vercel/project.json) or the project name',
  );

  const orgId = patternOption('orgId', raw.orgId, { pattern: SCOPE_ID, what: 'a Vercel account or team id', example: 'team_abc123', fix: 'Use the "orgId" of .vercel/project.json (team_… or a personal account id)' });
  let teamId = patternOption('teamId', raw.teamId, { pattern: SCOPE_ID, what: 'a Vercel team id', example: 'team_abc123', fix: 'Use the team id (team_…) from the team settings, or leave it out for a personal account' });
  let userId: string | undefined;
  if (orgId !== undefined) {
    if (orgId.startsWith('team_')) {
      if (teamId !== undefined && teamId !== orgId) {
        throw new UserError('teamId', `"${teamId}" differs from orgId "${orgId}"`, 'Give one of them, or the same team in both');
      }
      teamId = orgId;
    } else if (teamId !== undefined) {
      throw new UserError('orgId', `"${orgId}" is a personal account but teamId "${teamId}" names a team`, 'Leave out orgId when deploying for a team, or leave out teamId for a personal account');
    } else {
      userId = orgId;
    }
  }

  const target = patternOption('target', raw.target, { pattern: ENVIRONMENT, what: 'an environment', example: 'staging', fix: 'Use preview (default), production, or the slug of a custom environment such as staging' }) ?? 'preview';

  const what = 'the Vercel token (create one at https://vercel.com/account/tokens)';
  const tokenEnv = envNameOption('tokenEnv', raw.tokenEnv, { what }) ?? DEFAULT_TOKEN_ENV;
  // A dry run shows the plan without the token (it is only ever sent as a header); a real run stops here.
  const tokenMissing = dryRun && !env[tokenEnv];
  if (tokenMissing) warn(`Dry run without a token: environment variable ${tokenEnv} is not set; a real run stops here. Set it to ${what}`);
  const token = tokenMissing ? '' : secretFromEnv('tokenEnv', tokenEnv, { env, what })!.text;
  if (!tokenMissing && !TOKEN_CHARS.test(token)) {
    // The value is never quoted here: it is a secret.
    throw new UserError('tokenEnv', `the value of ${tokenEnv} contains spaces, line breaks or non-ASCII characters`, `Set ${tokenEnv} to the bare token (check for a trailing newline from the secret store)`);
  }

  const apiUrl = (urlOption('apiUrl', raw.apiUrl, { example: `${DEFAULT_API_URL} (the default) or http://127.0.0.1:4000`, allowQuery: false }) ?? DEFAULT_API_URL).replace(/\/+$/, '');

  const alias = stringListOption('alias', raw.alias, {
    items: 'domains',
    example: 'preview.example.com',
    pattern: HOSTNAME,
    what: 'a domain name',
    fix: 'Give host names only, without https:// or a path, e.g. "app.example.com"',
  }) ?? [];

  const meta = plainObjectOption('meta', raw.meta, { what: 'a map of string values', example: '{"commit": "abc123"}' }) ?? {};
  for (const [key, value] of Object.entries(meta)) {
    if (!key || key.length > 256) throw new UserError('meta', `key "${key}" must be 1 to 256 characters`, 'Use short keys such as "commit"');
    if (typeof value !== 'string') throw new UserError('meta', `value of "${key}" must be a string`, 'Quote it in the options');
    if (value.length > 65536) throw new UserError('meta', `value of "${key}" is longer than 65536 characters`, 'Vercel keeps at most 65536 characters per value');
  }

  const deploymentId = patternOption('deploymentId', raw.deploymentId, { pattern: DEPLOYMENT_ID, what: 'a deployment id', example: 'dpl_abc123', fix: 'Use the id (dpl_…) shown by the deploy step or in the dashboard' });
  if (action === 'promote' && deploymentId === undefined) {
    throw new UserError('deploymentId', 'is required to promote', 'Give the id (dpl_…) of the production deployment to promote');
  }
  if (action === 'deploy' && deploymentId !== undefined) {
    throw new UserError('deploymentId', 'only applies to promote and rollback', 'Leave it out to deploy, or set "action": "promote" or "rollback"');
  }

  const concurrency = positiveIntegerOption('concurrency', raw.concurrency, { max: 64, fix: `Leave it out for ${DEFAULT_CONCURRENCY} parallel uploads` }) ?? DEFAULT_CONCURRENCY;
  const timeoutMs = durationOption('timeout', raw.timeout, { min: 1, example: '20m' }) ?? (parseDuration(DEFAULT_TIMEOUT) as number);

  let source: DeploymentSource | undefined;
  if (action === 'deploy') {
    const { appDir } = raw;
    let dir: string;
    if (appDir === undefined || appDir === '') {
      dir = projectRoot;
      if (!existsSync(join(projectRoot, '.vercel', 'output', 'config.json'))) {
        throw new UserError('appDir', 'is required', `Give the folder to deploy (e.g. "dist/apps/web"), or run \`vercel build\` so that ${join(projectRoot, '.vercel', 'output')} exists`);
      }
    } else {
      if (typeof appDir !== 'string') throw new UserError('appDir', 'must be a path', 'Example: "appDir": "dist/apps/web"');
      dir = isAbsolute(appDir) ? appDir : resolve(projectRoot, appDir);
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UserError('appDir', `${dir} is not a directory`, 'Build the project first, and point appDir at the folder the build writes');
    }
    source = detectDeploymentSource(dir);
    if (source.kind === 'prebuilt') checkPrebuiltTarget(source.dir, target);
  }

  const options: NormalizedVercelOptions = { action, projectId, teamId, userId, target, tokenEnv, apiUrl, alias, meta: { ...meta } as Record<string, string>, deploymentId, concurrency, timeoutMs, source };
  return { options, token, secrets: token ? [token] : [] };
}

/** resolveVercelOptions without the token (which it still checks is set). */
export function normalizeVercelOptions(raw: Partial<VercelOptions>, projectRoot: string, env: NodeJS.ProcessEnv = process.env, warn?: (message: string) => void): NormalizedVercelOptions {
  return resolveVercelOptions(raw, projectRoot, env, warn).options;
}

/**
 * `vercel build` records in builds.json the environment it built for; a
 * production build deployed as a preview (or the other way round) would run
 * with the other environment's variables baked in.
 */
function checkPrebuiltTarget(outputDir: string, target: string): void {
  const builds = readJson(join(outputDir, 'builds.json'));
  if (!isPlainObject(builds) || typeof builds.target !== 'string') return;
  const built = builds.target;
  const wanted = target;
  if ((built === 'production') !== (wanted === 'production')) {
    throw new UserError('target', `the prebuilt output in ${outputDir} was built for "${built}" but target is "${wanted}"`, built === 'production' ? 'Deploy it with "target": "production", or rebuild with `vercel build` (no --prod)' : 'Rebuild with `vercel build --prod`, or deploy it as a preview');
  }
}
