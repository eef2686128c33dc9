import { existsSync } from 'fs';
import { join } from 'path';
import { quoteArg, UserError } from '@shipfleet/core';

/** The Supabase CLI version these commands and output readers were checked against. */
export const SUPABASE_CLI_VERSION = '2.117.0';
export const SUPABASE_CLI_INSTALL = `npm i -D -E supabase@${SUPABASE_CLI_VERSION}`;
/** Points at another Supabase CLI than the workspace's node_modules/.bin/supabase (tests, a global install). */
export const SUPABASE_BIN_ENV = 'SHIPFLEET_SUPABASE_BIN';

export interface SupabaseCli {
  path: string;
  /** Not installed: only a dry run gets this far. */
  missing?: boolean;
}

/**
 * The workspace's own Supabase CLI (a dev dependency, so its version is the workspace's choice and
 * pinned in its lockfile), or $SHIPFLEET_SUPABASE_BIN. Absent: an error naming the install command,
 * or in a dry run a warning.
 */
export function findSupabaseCli(workspaceRoot: string, env: NodeJS.ProcessEnv, dryRun: boolean, warn: (message: string) => void): SupabaseCli {
  const override = env[SUPABASE_BIN_ENV];
  const path = override || join(workspaceRoot, 'node_modules', '.bin', 'supabase');
  if (existsSync(path)) return { path };
  const problem = override ? `$${SUPABASE_BIN_ENV} points at ${override}, which does not exist` : `the Supabase CLI is not installed in this workspace (${path} is missing)`;
  const fix = override ? `Point ${SUPABASE_BIN_ENV} at a supabase executable, or unset it and run \`${SUPABASE_CLI_INSTALL}\`` : `Add it as a dev dependency: \`${SUPABASE_CLI_INSTALL}\``;
  if (!dryRun) throw new UserError('supabase', problem, fix);
  warn(`Dry run: ${problem}; a real run stops here. ${fix}`);
  return { path, missing: true };
}

/** `--yes`: the CLI asks before pushing; a deploy answers in advance (stdin is closed anyway). */
export function dbPushArgs(dbUrl: string, o: { dryRun?: boolean; includeAll?: boolean }): string[] {
  return ['db', 'push', '--db-url', dbUrl, ...(o.includeAll ? ['--include-all'] : []), ...(o.dryRun ? ['--dry-run'] : ['--yes'])];
}

export function migrationListArgs(dbUrl: string): string[] {
  return ['migration', 'list', '--db-url', dbUrl];
}

/** The CLI's own repair command for versions the repository does not have, for the target database. */
export function repairCommand(versions: string[], dbUrl: string): string {
  return ['supabase', 'migration', 'repair', '--status', 'reverted', ...versions, '--db-url', dbUrl].map(quoteArg).join(' ');
}

/**
 * `--use-api`: bundled by Supabase rather than in a local Docker container, so CI runners need no
 * Docker. No names: every function under supabase/functions and in config.toml.
 */
export function functionsDeployArgs(projectRef: string, o: { names: string[]; noVerifyJwt: boolean; prune: boolean }): string[] {
  return ['functions', 'deploy', ...o.names, '--project-ref', projectRef, '--use-api', ...(o.noVerifyJwt ? ['--no-verify-jwt'] : []), ...(o.prune ? ['--prune'] : []), '--yes'];
}

export function configPushArgs(projectRef: string): string[] {
  return ['config', 'push', '--project-ref', projectRef, '--yes'];
}

/** A CLI profile (`--profile <file>`) that sends Management API calls to `apiUrl` (a stand-in or proxy). */
export function profileYaml(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  return [`name: shipfleet-api-url`, `api_url: ${base}`, `dashboard_url: ${base}/dashboard`, `project_host: supabase.co`, ''].join('\n');
}
