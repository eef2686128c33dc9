import { existsSync, readFileSync, statSync } from 'fs';
import { basename, dirname, isAbsolute, join, resolve } from 'path';
import { isEnvName, UserError } from '@shipfleet/core';

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
  /** How long to wait for the deployment (or the promote/rollback) to finish (default 600). */
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
  timeoutSeconds: number;
  /** deploy only: what is uploaded. */
  source?: DeploymentSource;
}

export interface DeploymentSource {
  /** static: the folder's files as they are; prebuilt: the Build Output API v3 folder. */
  kind: 'static' | 'prebuilt';
  /** The folder whose files are listed (outputPath, or the `.vercel/output` folder). */
  dir: string;
  /** Prefix of every deployment file name: '' for static, '.vercel/output/' for prebuilt. */
  prefix: string;
}

export const DEFAULT_API_URL = 'https://api.vercel.com';
export const DEFAULT_TOKEN_ENV = 'VERCEL_TOKEN';
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_TIMEOUT_SECONDS = 600;

const ACTIONS: VercelAction[] = ['deploy', 'promote', 'rollback'];
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SCOPE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const DEPLOYMENT_ID = /^dpl_[A-Za-z0-9]{1,64}$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
// A token travels in an HTTP header: visible ASCII only. (fetch would otherwise
// throw an error that quotes the header value, token and all.)
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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
      throw new UserError('outputPath', `${configPath} is not valid JSON`, 'Rebuild it with `vercel build` or your framework\'s Vercel adapter');
    }
    if (config.version !== 3) {
      throw new UserError('outputPath', `${configPath} declares version ${JSON.stringify(config.version)}; only the Build Output API version 3 is supported`, 'Rebuild with a current `vercel build` or framework adapter, which writes "version": 3');
    }
    return { kind: 'prebuilt', dir: outputDir, prefix: '.vercel/output/' };
  }
  return { kind: 'static', dir, prefix: '' };
}

/** Validates the options of a Vercel deploy, promote or rollback; each problem is a UserError naming the option. */
export function normalizeVercelOptions(raw: Partial<VercelOptions>, projectRoot: string, env: NodeJS.ProcessEnv = process.env): NormalizedVercelOptions {
  if (!isPlainObject(raw)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"projectId": "prj_…"}');

  const action = raw.action ?? 'deploy';
  if (!ACTIONS.includes(action)) throw new UserError('action', `"${String(action)}" is not one of deploy, promote, rollback`, 'Use deploy (default), promote or rollback');

  const { projectId } = raw;
  if (projectId === undefined || projectId === '') {
    throw new UserError('projectId', 'is required', 'Give the Vercel project id (prj_…, the "projectId" of .vercel/project.json) or the project name');
  }
  if (typeof projectId !== 'string' || !PROJECT.test(projectId)) {
    throw new UserError('projectId', `"${String(projectId)}" is not a Vercel project id or name`, 'Use the id (prj_…) from the project settings or .vercel/project.json, or its name (letters, digits, . _ -)');
  }

  for (const key of ['orgId', 'teamId'] as const) {
    const value = raw[key];
    if (value !== undefined && (typeof value !== 'string' || !SCOPE_ID.test(value))) {
      throw new UserError(key, `"${String(value)}" is not a Vercel ${key === 'teamId' ? 'team' : 'account or team'} id`, key === 'teamId' ? 'Use the team id (team_…) from the team settings, or leave it out for a personal account' : 'Use the "orgId" of .vercel/project.json (team_… or a personal account id)');
    }
  }
  let teamId = raw.teamId;
  let userId: string | undefined;
  if (raw.orgId !== undefined) {
    if (raw.orgId.startsWith('team_')) {
      if (teamId !== undefined && teamId !== raw.orgId) {
        throw new UserError('teamId', `"${teamId}" differs from orgId "${raw.orgId}"`, 'Give one of them, or the same team in both');
      }
      teamId = raw.orgId;
    } else if (teamId !== undefined) {
      throw new UserError('orgId', `"${raw.orgId}" is a personal account but teamId "${teamId}" names a team`, 'Leave out orgId when deploying for a team, or leave out teamId for a personal account');
    } else {
      userId = raw.orgId;
    }
  }

  const target = raw.target ?? 'preview';
  if (typeof target !== 'string' || !ENVIRONMENT.test(target)) {
    throw new UserError('target', `"${String(target)}" is not an environment`, 'Use preview (default), production, or the slug of a custom environment such as staging');
  }

  const tokenEnv = raw.tokenEnv ?? DEFAULT_TOKEN_ENV;
  if (typeof tokenEnv !== 'string' || !isEnvName(tokenEnv)) {
    throw new UserError('tokenEnv', `"${String(tokenEnv)}" is not an environment variable name`, 'Give the NAME of the variable that holds the Vercel token (default VERCEL_TOKEN), never the token itself');
  }
  const token = env[tokenEnv];
  if (token === undefined || token === '') {
    throw new UserError('tokenEnv', `environment variable ${tokenEnv} is not set`, `Create a token at https://vercel.com/account/tokens and set ${tokenEnv} from your CI secret store`);
  }
  if (!TOKEN_CHARS.test(token)) {
    // The value is never quoted here: it is a secret.
    throw new UserError('tokenEnv', `the value of ${tokenEnv} contains spaces, line breaks or non-ASCII characters`, `Set ${tokenEnv} to the bare token (check for a trailing newline from the secret store)`);
  }

  const apiUrlRaw = raw.apiUrl ?? DEFAULT_API_URL;
  let apiUrl: string;
  {
    let parsed: URL | undefined;
    try {
      parsed = typeof apiUrlRaw === 'string' ? new URL(apiUrlRaw) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw new UserError('apiUrl', `"${String(apiUrlRaw)}" is not an http(s) URL`, `Leave it out for ${DEFAULT_API_URL}, or give a full URL such as http://127.0.0.1:4000`);
    }
    if (parsed.username || parsed.password) throw new UserError('apiUrl', 'must not contain a user name or password', `Pass credentials only through ${tokenEnv}`);
    if (parsed.search || parsed.hash) throw new UserError('apiUrl', 'must not contain a query or fragment', 'Give only the base URL; teamId has its own option');
    apiUrl = parsed.toString().replace(/\/+$/, '');
  }

  const alias = raw.alias ?? [];
  if (!Array.isArray(alias)) throw new UserError('alias', 'must be a list of domains', 'Example: "alias": ["preview.example.com"]');
  for (const a of alias) {
    if (typeof a !== 'string' || !HOSTNAME.test(a)) throw new UserError('alias', `"${String(a)}" is not a domain name`, 'Give host names only, without https:// or a path, e.g. "app.example.com"');
  }

  const meta = raw.meta ?? {};
  if (!isPlainObject(meta)) throw new UserError('meta', 'must be a map of string values', 'Example: "meta": {"commit": "abc123"}');
  for (const [key, value] of Object.entries(meta)) {
    if (!key || key.length > 256) throw new UserError('meta', `key "${key}" must be 1 to 256 characters`, 'Use short keys such as "commit"');
    if (typeof value !== 'string') throw new UserError('meta', `value of "${key}" must be a string`, 'Quote it in the options');
    if (value.length > 65536) throw new UserError('meta', `value of "${key}" is longer than 65536 characters`, 'Vercel keeps at most 65536 characters per value');
  }

  const { deploymentId } = raw;
  if (deploymentId !== undefined && (typeof deploymentId !== 'string' || !DEPLOYMENT_ID.test(deploymentId))) {
    throw new UserError('deploymentId', `"${String(deploymentId)}" is not a deployment id`, 'Use the id (dpl_…) shown by the deploy step or in the dashboard');
  }
  if (action === 'promote' && deploymentId === undefined) {
    throw new UserError('deploymentId', 'is required to promote', 'Give the id (dpl_…) of the production deployment to promote');
  }
  if (action === 'deploy' && deploymentId !== undefined) {
    throw new UserError('deploymentId', 'only applies to promote and rollback', 'Leave it out to deploy, or set "action": "promote" or "rollback"');
  }

  const concurrency = raw.concurrency ?? DEFAULT_CONCURRENCY;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UserError('concurrency', `${String(concurrency)} is not a whole number from 1 to 64`, `Leave it out for ${DEFAULT_CONCURRENCY} parallel uploads`);
  }
  const timeoutSeconds = raw.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (typeof timeoutSeconds !== 'number' || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UserError('timeoutSeconds', `${String(timeoutSeconds)} is not a positive number of seconds`, `Leave it out for ${DEFAULT_TIMEOUT_SECONDS}, or give e.g. 1200`);
  }

  let source: DeploymentSource | undefined;
  if (action === 'deploy') {
    const { outputPath } = raw;
    let dir: string;
    if (outputPath === undefined || outputPath === '') {
      dir = projectRoot;
      if (!existsSync(join(projectRoot, '.vercel', 'output', 'config.json'))) {
        throw new UserError('outputPath', 'is required', `Give the folder to deploy (e.g. "dist/apps/web"), or run \`vercel build\` so that ${join(projectRoot, '.vercel', 'output')} exists`);
      }
    } else {
      if (typeof outputPath !== 'string') throw new UserError('outputPath', 'must be a path', 'Example: "outputPath": "dist"');
      dir = isAbsolute(outputPath) ? outputPath : resolve(projectRoot, outputPath);
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UserError('outputPath', `${dir} is not a directory`, 'Build the project first, and point outputPath at the folder the build writes');
    }
    source = detectDeploymentSource(dir);
    if (source.kind === 'prebuilt') checkPrebuiltTarget(source.dir, target);
  }

  return { action, projectId, teamId, userId, target, tokenEnv, apiUrl, alias: [...alias], meta: { ...meta } as Record<string, string>, deploymentId, concurrency, timeoutSeconds, source };
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

/** The token named by tokenEnv (normalizeVercelOptions has checked that it is set). */
export function vercelTokenFromEnv(o: Pick<NormalizedVercelOptions, 'tokenEnv'>, env: NodeJS.ProcessEnv = process.env): string {
  const token = env[o.tokenEnv];
  if (!token) throw new UserError('tokenEnv', `environment variable ${o.tokenEnv} is not set`, `Set ${o.tokenEnv} to a Vercel token`);
  return token;
}
