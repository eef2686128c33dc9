import { tmpdir } from 'os';
import { join } from 'path';
import { cleanupStep, formatCommand, Plan, RunStep, runStep, Step, taskStep, writeStep } from '@shipfleet/core';
import { configPushArgs, dbPushArgs, functionsDeployArgs, migrationListArgs, profileYaml } from './cli';
import { formatPushError, pushError, startedMigrations } from './cli-output';
import { displayDbUrl } from './db-url';
import { DEPLOY_LOCK_KEY, HeldLock, LockHolder, lockHolderName, lockScript, takeDeployLock } from './lock';
import { checkHistory, cliVersion, listPending, migrationTarget, outputLines, SupabasePreview } from './migrations';
import { ResolvedSupabaseOptions } from './options';

export interface SupabasePlanContext {
  /** Where the lock script and the CLI profile are written (neither is secret); default <os tmpdir>/shipfleet-supabase. */
  workDir?: string;
  /** Names this run to a pipeline waiting for the lock: "<project>@<env>" (default the workdir's name). */
  label?: string;
  /** The psql that holds the lock (default psql on PATH). */
  psql?: string;
  /** For the CI run id in the lock holder's name. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** How often the lock is checked while waiting for it, after the first two seconds (default 1s). */
  lockPollMs?: number;
  /** For a dry run: what previewSupabaseDeploy read from the database, shown in the plan. */
  preview?: SupabasePreview;
}

/** Filled in while the plan runs. */
export interface SupabaseRunResult {
  /** Files `db push --dry-run` listed. */
  pending: string[];
  /** Files this run applied. */
  applied: string[];
  /** The versions of the database's history (before the push). */
  remoteVersions: string[];
  lock?: { name: string; waitedMs: number; waitedFor?: LockHolder };
}

export interface SupabasePlanResult {
  plan: Plan;
  result: SupabaseRunResult;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

/**
 * The plan of a Supabase deploy: under a per-database advisory lock, the history is read
 * (`migration list`) and refused when the database has migrations the repository lacks, the
 * pending files are listed (`db push --dry-run`) and pushed (`db push`); then `config push` and
 * `functions deploy` when asked. Every command is the workspace's Supabase CLI, with the database
 * password in PGPASSWORD and the access token in SUPABASE_ACCESS_TOKEN, never on a command line.
 */
export function buildSupabasePlan(o: ResolvedSupabaseOptions, context: SupabasePlanContext = {}): SupabasePlanResult {
  const cli = o.cli.path;
  const workDir = context.workDir ?? join(tmpdir(), 'shipfleet-supabase');
  const result: SupabaseRunResult = { pending: [], applied: [], remoteVersions: [] };
  const steps: Step[] = [];
  const where = o.env ? ` (${o.env})` : '';

  if (o.db) {
    const db = o.db;
    const shown = displayDbUrl(db.url);
    const passwordNote = `the password in PGPASSWORD, from $${db.passwordEnv}`;
    let lock: HeldLock | undefined;
    const pushArgs = dbPushArgs(db.url, { includeAll: db.includeAll });

    if (o.lock) {
      const script = join(workDir, 'deploy-lock.sql');
      const name = lockHolderName(context.label ?? o.workdir.split(/[\\/]/).pop() ?? 'supabase', context.env);
      const connection = { psql: context.psql ?? 'psql', dbUrl: db.url, get password() { return db.password; } };
      steps.push(
        writeStep('Write the deploy lock script', script, lockScript(o.lock.timeoutMs)),
        cleanupStep('Release the deploy lock', {
          kind: 'task',
          description: `ends the psql session "${name}" holding the lock, if it still runs`,
          run: async (ctx) => { await lock?.release(ctx); lock = undefined; },
        }),
        taskStep(
          `Take the deploy lock on ${shown}`,
          `psql -f ${script} (as "${name}", ${passwordNote}) takes the session advisory lock (${DEPLOY_LOCK_KEY.join(', ')}) on the database, waiting up to ${Math.round(o.lock.timeoutMs / 1000)}s for another pipeline's push, and holds it until the push is done (released by the server if this run dies)`,
          async (ctx) => {
            if (db.password === undefined) throw new Error(`${db.passwordEnv} is not set`);
            lock = await takeDeployLock(ctx, connection, { name, scriptPath: script, timeoutMs: o.lock!.timeoutMs, pollMs: context.lockPollMs });
            result.lock = { name: lock.name, waitedMs: lock.waitedMs, waitedFor: lock.waitedFor };
          },
        ),
      );
    }

    const target = migrationTarget(o)!;
    const previewNote = context.preview ? ` Dry run against the database: ${context.preview.pending.length ? `will apply ${context.preview.pending.join(', ')}` : 'nothing pending'}.` : '';
    steps.push(
      taskStep(
        `Check the migration history of ${shown}`,
        `$ ${formatCommand(cli, migrationListArgs(db.url))} (${passwordNote}); stops when the database has applied a migration supabase/migrations does not have`,
        async (ctx) => {
          ctx.log(await cliVersion(ctx.exec, target));
          const history = await checkHistory(ctx.exec, target);
          result.remoteVersions = history.remoteVersions;
          ctx.log(`${history.remoteVersions.length} migration${history.remoteVersions.length === 1 ? '' : 's'} applied, ${history.notApplied.length} in the repository not applied yet; the database has none the repository lacks`);
        },
      ),
      taskStep(
        'List pending migrations',
        `$ ${formatCommand(cli, dbPushArgs(db.url, { includeAll: db.includeAll, dryRun: true }))}: the files the push will apply, in order.${previewNote}`,
        async (ctx) => {
          result.pending = await listPending(ctx.exec, target);
          ctx.log(result.pending.length ? `pending: ${result.pending.join(', ')}` : 'nothing pending: the database is up to date');
          ctx.setOutput('pendingMigrations', result.pending.join(','));
        },
      ),
      taskStep(
        `Push migrations to ${shown}${where}`,
        `$ ${formatCommand(cli, pushArgs)} (${passwordNote}); skipped when nothing is pending. Each file runs in one transaction with its history row: a failing file leaves the ones before it applied and nothing of itself`,
        async (ctx) => {
          if (!result.pending.length) {
            ctx.log('nothing to push');
            return;
          }
          if (db.password === undefined) throw new Error(`${db.passwordEnv} is not set`);
          const r = await ctx.exec(cli, pushArgs, { cwd: o.workdir, env: { PGPASSWORD: db.password }, timeoutMs: o.timeoutMs });
          const text = `${r.stdout}\n${r.stderr}`;
          for (const line of outputLines(r)) ctx.log(line);
          const started = startedMigrations(text);
          if (r.exitCode !== 0) {
            const failed = started[started.length - 1];
            const detail = formatPushError(pushError(text));
            if (!failed) throw new Error(`supabase db push failed before applying any migration (exit code ${r.exitCode}): ${detail}`);
            result.applied = started.slice(0, -1);
            const notTried = result.pending.slice(result.pending.indexOf(failed) + 1);
            throw new Error(
              `migration supabase/migrations/${failed} failed and was rolled back: ${detail}\n` +
                `Applied by this push before it: ${result.applied.length ? result.applied.join(', ') : 'none'}; not tried: ${notTried.length ? notTried.join(', ') : 'none'}. Fix the file and deploy again: the applied ones are not repeated`,
            );
          }
          result.applied = started;
          ctx.setOutput('appliedMigrations', started.join(','));
        },
      ),
    );
    if (o.lock) {
      steps.push(taskStep('Release the deploy lock', 'ends the psql session holding the lock, so the next pipeline can push', async (ctx) => {
        await lock?.release(ctx);
        lock = undefined;
      }));
    }
  }

  const apiSteps: Step[] = [];
  if (o.configPush || o.functions) {
    const token = o.accessToken!;
    // Given as a value, not inherited: the variable accessTokenEnv names may have another name (masked in plans and output).
    const tokenEnv: Pick<RunStep, 'env'> = { env: { SUPABASE_ACCESS_TOKEN: token.value ?? `<$${token.env} not set>` } };
    const profile = o.apiUrl ? join(workDir, 'api-profile.yaml') : undefined;
    const global = profile ? ['--profile', profile] : [];
    if (profile) apiSteps.push(writeStep(`Write a CLI profile for ${o.apiUrl}`, profile, profileYaml(o.apiUrl!)));
    if (o.configPush) {
      apiSteps.push(runStep(`Push supabase/config.toml to project ${o.projectRef}${where}`, cli, [...global, ...configPushArgs(o.projectRef!)], { cwd: o.workdir, ...tokenEnv, timeoutMs: o.timeoutMs }));
    }
    if (o.functions) {
      const f = o.functions;
      apiSteps.push(runStep(`Deploy ${f.names.length ? `edge function${f.names.length === 1 ? '' : 's'} ${f.names.join(', ')}` : 'every edge function'} to project ${o.projectRef}${where}`, cli, [...global, ...functionsDeployArgs(o.projectRef!, f)], { cwd: o.workdir, ...tokenEnv, timeoutMs: o.timeoutMs }));
    }
  }
  steps.push(...apiSteps);

  const what = [o.db && `migrations to ${displayDbUrl(o.db.url)}`, o.configPush && 'config', o.functions && 'edge functions'].filter(Boolean).join(', ');
  return { plan: { title: `Deploy Supabase ${what}${where}`, steps }, result, secrets: o.secrets };
}
