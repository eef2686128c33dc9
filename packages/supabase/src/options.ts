import { existsSync, statSync } from 'fs';
import { join } from 'path';
import {
  booleanOption,
  durationOption,
  envNameOption,
  isPlainObject,
  pathOption,
  patternOption,
  secretFromEnv,
  stringListOption,
  UserError,
  urlOption,
} from '@shipfleet/core';
import { findSupabaseCli, SupabaseCli } from './cli';
import { DB_URL_EXAMPLE, dbUrlOption } from './db-url';

/** What may differ between deploy environments (staging, production…). */
export interface SupabaseEnvironmentOptions {
  /** The project's reference id (20 lowercase letters), for edge functions and config push. */
  projectRef?: string;
  /** The database to push migrations to, without password: postgresql://postgres.<ref>@<pooler host>:5432/postgres. */
  dbUrl?: string;
  /** Name of the variable holding the database password (default SUPABASE_DB_PASSWORD). */
  dbPasswordEnv?: string;
  /** Name of the variable holding a personal access token, sbp_… (default SUPABASE_ACCESS_TOKEN). */
  accessTokenEnv?: string;
  /** Push supabase/migrations (default true). */
  migrations?: boolean;
  /** Also apply pending files older than the newest applied one (`db push --include-all`). */
  includeAll?: boolean;
  /** Deploy edge functions: true for every one, or their names (default false). */
  functions?: boolean | string[];
  /** Deploy the functions with JWT verification off. */
  noVerifyJwt?: boolean;
  /** Delete deployed functions that supabase/functions no longer has. */
  prune?: boolean;
  /** Push supabase/config.toml to the project (`supabase config push`; default false). */
  configPush?: boolean;
  /** How long to wait for another pipeline's push to the same database (default 10m). */
  lockTimeout?: string | number;
}

/** Options as a user writes them; paths relative to the workspace root. */
export interface SupabaseDeployOptions extends SupabaseEnvironmentOptions {
  /** The deploy environment: picks `environments[env]`, whose values override the ones here. */
  env?: string;
  environments?: Record<string, SupabaseEnvironmentOptions>;
  /** The folder holding supabase/ (config.toml, migrations, functions); default the project root. */
  workdir?: string;
  /** Hold a PostgreSQL advisory lock on the database during the push (default true; needs psql). */
  lock?: boolean;
  /** Limit for each Supabase CLI command (default 30m). */
  timeout?: string | number;
  /** Management API base URL, for stand-ins and proxies (default the CLI's, https://api.supabase.com). */
  apiUrl?: string;
}

export interface ResolvedSupabaseOptions {
  env?: string;
  /** Absolute; holds supabase/. */
  workdir: string;
  cli: SupabaseCli;
  projectRef?: string;
  /** Set when migrations are pushed. */
  db?: { url: string; passwordEnv: string; password?: string; includeAll: boolean };
  functions?: { names: string[]; noVerifyJwt: boolean; prune: boolean };
  configPush: boolean;
  /** Set when functions or config are pushed. */
  accessToken?: { env: string; value?: string };
  /** Absent with `lock: false`. */
  lock?: { timeoutMs: number };
  timeoutMs: number;
  apiUrl?: string;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

export const SUPABASE_DEFAULTS = { dbPasswordEnv: 'SUPABASE_DB_PASSWORD', accessTokenEnv: 'SUPABASE_ACCESS_TOKEN', lockTimeout: '10m', timeout: '30m' } as const;

const ENVIRONMENT_KEYS = ['projectRef', 'dbUrl', 'dbPasswordEnv', 'accessTokenEnv', 'migrations', 'includeAll', 'functions', 'noVerifyJwt', 'prune', 'configPush', 'lockTimeout'] as const;
const PROJECT_REF = /^[a-z]{20}$/;
/** As the CLI checks it (utils.FuncSlugPattern). */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** As the CLI checks it (utils.AccessTokenPattern): a token of another shape fails there, after the migrations. */
const ACCESS_TOKEN = /^sbp_(oauth_)?[a-f0-9]{40}$/;

export interface SupabaseResolveContext {
  workspaceRoot: string;
  projectRoot: string;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
  dryRun?: boolean;
}

/** The environment's options over the top-level ones; each value with the option name errors should give. */
function selectEnvironment(raw: Record<string, unknown>): { env?: string; value: (key: (typeof ENVIRONMENT_KEYS)[number]) => { value: unknown; option: string } } {
  const env = patternOption('env', raw.env, { pattern: /^[A-Za-z0-9_.-]+$/, what: 'an environment name', example: 'staging' });
  if (raw.environments === undefined || raw.environments === null) return { env, value: (key) => ({ value: raw[key], option: key }) };
  if (!isPlainObject(raw.environments)) throw new UserError('environments', 'must be a map of environment name to options', 'Example: "environments": {"staging": {"projectRef": "…", "dbUrl": "postgresql://…"}}');
  const names = Object.keys(raw.environments);
  if (!env) throw new UserError('env', 'no deploy environment given', `Pass one of ${names.join(', ')}, e.g. --env=${names[0] ?? 'staging'}`);
  const chosen = raw.environments[env];
  if (chosen === undefined) throw new UserError('env', `"${env}" is not in environments (${names.join(', ')})`, `Pass one of them, or add "${env}" to environments`);
  if (!isPlainObject(chosen)) throw new UserError(`environments.${env}`, 'must be an object of options', 'Example: {"projectRef": "abcdefghijklmnopqrst", "dbUrl": "postgresql://…"}');
  for (const key of Object.keys(chosen)) {
    if (!(ENVIRONMENT_KEYS as readonly string[]).includes(key)) throw new UserError(`environments.${env}.${key}`, 'is not an option an environment can set', `An environment can set ${ENVIRONMENT_KEYS.join(', ')}`);
  }
  return { env, value: (key) => (chosen[key] !== undefined ? { value: chosen[key], option: `environments.${env}.${key}` } : { value: raw[key], option: key }) };
}

/**
 * Validates the options of a Supabase deploy; each problem is a UserError naming the option. A dry
 * run without the password, the token or the CLI shows them as missing, with a warning.
 */
export function resolveSupabaseOptions(given: Partial<SupabaseDeployOptions>, ctx: SupabaseResolveContext): ResolvedSupabaseOptions {
  if (!isPlainObject(given)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"dbUrl": "postgresql://…"}');
  const raw = given as Record<string, unknown>;
  const envVars = ctx.env ?? process.env;
  const warn = ctx.warn ?? (() => {});
  const dryRun = ctx.dryRun ?? false;
  const { env, value } = selectEnvironment(raw);
  const bool = (key: 'migrations' | 'includeAll' | 'noVerifyJwt' | 'prune' | 'configPush') => { const v = value(key); return booleanOption(v.option, v.value); };
  const secrets: string[] = [];
  const forEnv = env ? ` for environment "${env}"` : '';

  const workdir = pathOption('workdir', raw.workdir ?? ctx.projectRoot, { workspaceRoot: ctx.workspaceRoot, projectRoot: ctx.projectRoot, mustExist: 'dir', warn })!;
  const supabaseDir = join(workdir, 'supabase');
  if (!existsSync(supabaseDir) || !statSync(supabaseDir).isDirectory()) {
    throw new UserError('workdir', `${workdir} has no supabase folder`, 'Point workdir at the folder that holds supabase/config.toml and supabase/migrations (`npx supabase init` creates them)');
  }

  const ref = value('projectRef');
  const projectRef = patternOption(ref.option, ref.value, { pattern: PROJECT_REF, what: 'a project ref (20 lowercase letters)', example: 'abcdefghijklmnopqrst', fix: 'Copy it from the project URL, https://supabase.com/dashboard/project/<ref>' });

  const migrations = bool('migrations') ?? true;
  let db: ResolvedSupabaseOptions['db'];
  if (migrations) {
    const pwEnv = value('dbPasswordEnv');
    const passwordEnv = envNameOption(pwEnv.option, pwEnv.value, { what: 'the database password' }) ?? SUPABASE_DEFAULTS.dbPasswordEnv;
    const passwordOption = pwEnv.value === undefined ? 'dbPasswordEnv' : pwEnv.option;
    const urlValue = value('dbUrl');
    const url = dbUrlOption(urlValue.option, urlValue.value, passwordOption);
    if (!url) throw new UserError(urlValue.option, `no database URL${forEnv}`, `Give "dbUrl": "${DB_URL_EXAMPLE}" (without the password; it goes in $${passwordEnv}), or set "migrations": false`);
    let password: string | undefined;
    if (dryRun && !envVars[passwordEnv]) warn(`Dry run without the database password: ${passwordEnv} is not set; a real run stops here`);
    else {
      const secret = secretFromEnv(passwordOption, passwordEnv, { env: envVars, what: 'the database password' })!;
      password = secret.text;
      secrets.push(...secret.mask);
    }
    db = { url, passwordEnv, password, includeAll: bool('includeAll') ?? false };
  } else {
    for (const key of ['dbUrl', 'includeAll'] as const) if (value(key).value !== undefined) warn(`Option "${value(key).option}" is ignored: migrations is false`);
  }

  const fn = value('functions');
  let functions: ResolvedSupabaseOptions['functions'];
  if (fn.value === true || Array.isArray(fn.value)) {
    const names = fn.value === true ? [] : stringListOption(fn.option, fn.value, { example: 'hello-world', pattern: FUNCTION_NAME, what: 'a function name (a letter, then letters, digits, _ or -)', items: 'function names' })!;
    if (Array.isArray(fn.value) && !names.length) throw new UserError(fn.option, 'is an empty list', 'Name the functions to deploy, or write true for every one under supabase/functions');
    functions = { names, noVerifyJwt: bool('noVerifyJwt') ?? false, prune: bool('prune') ?? false };
  } else if (fn.value !== undefined && fn.value !== null && fn.value !== false) {
    throw new UserError(fn.option, 'must be true, false or a list of function names', 'Example: "functions": true, or "functions": ["hello-world"]');
  }
  const configPush = bool('configPush') ?? false;

  let accessToken: ResolvedSupabaseOptions['accessToken'];
  if (functions || configPush) {
    const what = functions ? 'edge functions' : 'config push';
    if (!projectRef) throw new UserError(ref.option, `is needed for ${what}${forEnv}`, 'Give "projectRef": "<20 letters>", from the project URL https://supabase.com/dashboard/project/<ref>');
    const tokenEnv = value('accessTokenEnv');
    const name = envNameOption(tokenEnv.option, tokenEnv.value, { what: 'a Supabase access token' }) ?? SUPABASE_DEFAULTS.accessTokenEnv;
    const tokenOption = tokenEnv.value === undefined ? 'accessTokenEnv' : tokenEnv.option;
    if (dryRun && !envVars[name]) {
      warn(`Dry run without an access token: ${name} is not set; a real run stops here`);
      accessToken = { env: name };
    } else {
      const secret = secretFromEnv(tokenOption, name, { env: envVars, what: 'a Supabase personal access token (sbp_…)' })!;
      if (!ACCESS_TOKEN.test(secret.text.trim())) throw new UserError(tokenOption, `$${name} does not look like a Supabase access token (sbp_ and 40 hex digits)`, 'Create one at https://supabase.com/dashboard/account/tokens and store it in that variable');
      secrets.push(...secret.mask);
      accessToken = { env: name, value: secret.text.trim() };
    }
  }
  if (!db && !functions && !configPush) throw new UserError('migrations', `nothing to deploy${forEnv}: migrations is false and neither functions nor configPush is set`, 'Set "functions": true, "configPush": true, or leave migrations on');

  const lockOn = booleanOption('lock', raw.lock) ?? true;
  const lt = value('lockTimeout');
  const lockTimeoutMs = durationOption(lt.option, lt.value, { min: 1000, example: '10m' }) ?? durationOption('lockTimeout', SUPABASE_DEFAULTS.lockTimeout)!;
  const timeoutMs = durationOption('timeout', raw.timeout, { min: 1000, example: '30m' }) ?? durationOption('timeout', SUPABASE_DEFAULTS.timeout)!;
  const apiUrl = urlOption('apiUrl', raw.apiUrl, { example: 'https://api.supabase.com', allowQuery: false });

  const cli = findSupabaseCli(ctx.workspaceRoot, envVars, dryRun, warn);
  return { env, workdir, cli, projectRef, db, functions, configPush, accessToken, lock: db && lockOn ? { timeoutMs: lockTimeoutMs } : undefined, timeoutMs, apiUrl, secrets: [...new Set(secrets)] };
}
