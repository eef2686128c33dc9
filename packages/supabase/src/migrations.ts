import { ExecResult, runCaptured, TaskContext } from '@shipfleet/core';
import { dbPushArgs, migrationListArgs, repairCommand, SUPABASE_CLI_VERSION } from './cli';
import { parseMigrationList, parsePendingMigrations, remoteOnlyVersions } from './cli-output';
import { ResolvedSupabaseOptions } from './options';

export type Exec = TaskContext['exec'];

export interface MigrationTarget {
  cli: string;
  workdir: string;
  dbUrl: string;
  password?: string;
  passwordEnv: string;
  includeAll: boolean;
}

export const outputLines = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() !== '');

function cliRun(exec: Exec, t: MigrationTarget, args: string[], timeoutMs: number): Promise<ExecResult> {
  if (t.password === undefined) throw new Error(`${t.passwordEnv} is not set`);
  return exec(t.cli, args, { cwd: t.workdir, env: { PGPASSWORD: t.password }, timeoutMs });
}

export async function cliVersion(exec: Exec, t: Pick<MigrationTarget, 'cli' | 'workdir'>): Promise<string> {
  const r = await exec(t.cli, ['--version'], { cwd: t.workdir, timeoutMs: 60_000 });
  const v = r.stdout.trim();
  return `Supabase CLI ${v || '(version unknown)'}${v && v !== SUPABASE_CLI_VERSION ? ` (shipfleet reads the output of ${SUPABASE_CLI_VERSION})` : ''}`;
}

export interface History {
  /** Versions the database has applied. */
  remoteVersions: string[];
  /** Versions of files not applied yet. */
  notApplied: string[];
}

/**
 * The history as `supabase migration list` shows it; an Error when the database has applied a
 * migration supabase/migrations lacks, with the CLI's repair command for this database.
 */
export async function checkHistory(exec: Exec, t: MigrationTarget): Promise<History> {
  const r = await cliRun(exec, t, migrationListArgs(t.dbUrl), 5 * 60_000);
  if (r.exitCode !== 0) throw new Error(`supabase migration list failed (exit code ${r.exitCode}): ${outputLines(r).filter((l) => !/^Try rerunning/.test(l)).join('\n')}`);
  const rows = parseMigrationList(r.stdout);
  const drift = remoteOnlyVersions(rows);
  if (drift.length) {
    const one = drift.length === 1;
    throw new Error(
      `the database has applied ${one ? 'a migration' : `${drift.length} migrations`} that supabase/migrations does not have: ${drift.join(', ')}. ` +
        `Pushing now would leave its history out of step with the repository. If ${one ? 'it comes' : 'they come'} from another branch, bring the file${one ? '' : 's'} into this one; ` +
        `if ${one ? 'it was' : 'they were'} undone by hand, mark ${one ? 'it' : 'them'} reverted (with the password in PGPASSWORD): ${repairCommand(drift, t.dbUrl)}`,
    );
  }
  return { remoteVersions: rows.filter((row) => row.remote).map((row) => row.remote!), notApplied: rows.filter((row) => row.local && !row.remote).map((row) => row.local!) };
}

/** The files `supabase db push --dry-run` would apply, in order; it changes nothing. */
export async function listPending(exec: Exec, t: MigrationTarget): Promise<string[]> {
  const r = await cliRun(exec, t, dbPushArgs(t.dbUrl, { includeAll: t.includeAll, dryRun: true }), 5 * 60_000);
  if (r.exitCode !== 0) {
    const lines = outputLines(r).filter((l) => !/^Try rerunning|^DRY RUN|^Connecting to/.test(l));
    const outOfOrder = lines.some((l) => /inserted before the last migration on remote/.test(l));
    throw new Error(`supabase db push --dry-run failed (exit code ${r.exitCode}): ${lines.join('\n')}${outOfOrder && !t.includeAll ? '\nTo apply them anyway, set "includeAll": true (db push --include-all)' : ''}`);
  }
  return parsePendingMigrations(`${r.stdout}\n${r.stderr}`);
}

export function migrationTarget(o: ResolvedSupabaseOptions): MigrationTarget | undefined {
  return o.db && { cli: o.cli.path, workdir: o.workdir, dbUrl: o.db.url, password: o.db.password, passwordEnv: o.db.passwordEnv, includeAll: o.db.includeAll };
}

export interface SupabasePreview extends History {
  pending: string[];
}

/**
 * For a dry run: the history check and the pending files, read from the database (read only,
 * without the lock). Undefined, with a warning, when there is nothing to read or it cannot connect
 * (no password, no CLI); a database whose history the repository lacks is an Error, as in a real run.
 */
export async function previewSupabaseDeploy(o: ResolvedSupabaseOptions, warn: (message: string) => void = () => {}): Promise<SupabasePreview | undefined> {
  const t = migrationTarget(o);
  if (!t) return undefined;
  if (o.cli.missing || t.password === undefined) {
    warn(`Pending migrations not listed: ${o.cli.missing ? 'the Supabase CLI is not installed' : `${t.passwordEnv} is not set`}`);
    return undefined;
  }
  // Secrets of the run are not handed to the CLI beyond its own password (as the runner would).
  const secrets = new Set(o.secrets);
  const inherit = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !secrets.has(e[1])));
  const exec: Exec = (file, args, opts = {}) => runCaptured(file, args, { cwd: opts.cwd, env: opts.env, timeoutMs: opts.timeoutMs, inherit });
  const history = await checkHistory(exec, t);
  return { ...history, pending: await listPending(exec, t) };
}
