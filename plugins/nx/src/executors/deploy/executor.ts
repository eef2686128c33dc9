import { ExecutorContext, runExecutor } from '@nx/devkit';
import { createHash } from 'crypto';
import { createReadStream, existsSync, statSync } from 'fs';
import { alreadyDeployed, consoleLogger, errorMessage, isPlainObject, LedgerRecord, UserError } from '@shipfleet/core';
import { ENV_NAME, LEDGER_DEFAULTS, LedgerOptions, openLedger } from '../../utils/ledger';
import { headCommit, projectVersion } from '../../utils/release-info';
import { reportDeployOutcome } from './outcomes';
import type { DeployExecutorOptions } from './schema';

/** What deploy uses for an option left out; its schema.json states the same defaults. */
export const DEPLOY_DEFAULTS = {
  ...LEDGER_DEFAULTS,
  env: 'default',
  force: false,
} as const;

const log = consoleLogger;

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The digest of the first artefact file a target reported (wgt, ipk, ipa…). */
async function artifactDigest(outputs: Record<string, string>): Promise<string | undefined> {
  for (const value of Object.values(outputs)) {
    if (value.startsWith('/') && existsSync(value) && statSync(value).isFile()) return `sha256:${await sha256File(value)}`;
  }
  return undefined;
}

/**
 * The hash of what this deploy is made of. Nx hashes every task, cached or
 * not, but its task hash also covers the command line (--force, --env…), so
 * the ledger uses the per-input hashes Nx reports (files, project
 * configuration, dependencies, external packages) and leaves the command out.
 */
export function deployInputHash(context: ExecutorContext): string | undefined {
  const task = context.taskGraph?.tasks[`${context.projectName}:${context.targetName}${context.configurationName ? `:${context.configurationName}` : ''}`];
  const details = task?.hashDetails;
  if (!details?.nodes) return process.env.NX_TASK_HASH;
  const entries = Object.entries(details.nodes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify([entries, details.implicitDeps ?? {}, details.runtime ?? {}])).digest('hex').slice(0, 32);
}

/** Executors whose `env` option is the deploy environment (a Terraform workspace, a database): deploy passes --env on. */
const ENVIRONMENT_EXECUTORS = new Set(['@shipfleet/nx:terraform', '@shipfleet/nx:supabase-deploy']);

/** Whether a target of this project takes the deploy environment (and does not pin its own). */
function takesEnvironment(context: ExecutorContext, target: string): boolean {
  const config = context.projectsConfigurations.projects[context.projectName!].targets?.[target];
  return !!config?.executor && ENVIRONMENT_EXECUTORS.has(config.executor) && (config.options as { env?: unknown } | undefined)?.env === undefined;
}

interface Validated {
  env: string;
  targets: string[];
  /** Options a target takes in this runner's part of a split deploy. */
  partOptions: Record<string, Record<string, unknown>>;
  /** The runner whose part of a split deploy this is. */
  part?: string;
}

function validate(o: DeployExecutorOptions, context: ExecutorContext): Validated {
  const env = o.env ?? DEPLOY_DEFAULTS.env;
  if (!ENV_NAME.test(env)) throw new UserError('env', `"${env}" is not an environment name`, 'Use lowercase letters, digits and -, e.g. --env=staging');
  if (!Array.isArray(o.targets) || !o.targets.length) throw new UserError('targets', 'names no target', 'List the targets that make up this deploy, e.g. "targets": ["package-tizen"]');
  const all: string[] = o.targets;
  let targets = all;
  let partOptions: Record<string, Record<string, unknown>> = {};
  if (o.part !== undefined) {
    const parts = isPlainObject(o.parts) ? (o.parts as Record<string, unknown>) : {};
    const runners = Object.keys(parts);
    if (!runners.length) throw new UserError('part', `${context.projectName}'s deploy is not split by runner`, 'Leave --part out: this deploy runs whole on one machine');
    const part = parts[o.part];
    if (!isPlainObject(part)) throw new UserError('part', `"${o.part}" is not a part of ${context.projectName}'s deploy`, `Give one of its runners: ${runners.join(', ')}`);
    const { targets: partTargets, options } = part as { targets?: unknown; options?: unknown };
    if (!Array.isArray(partTargets) || !partTargets.length || partTargets.some((t) => typeof t !== 'string' || !all.includes(t))) {
      throw new UserError('parts', `the ${o.part} part must list some of the deploy's targets (${all.join(', ')})`, 'Fix "parts" in the deploy target, or leave it to inference');
    }
    targets = partTargets as string[];
    partOptions = isPlainObject(options) ? (options as Record<string, Record<string, unknown>>) : {};
  }
  const project = context.projectsConfigurations.projects[context.projectName!];
  for (const t of targets) {
    if (!project.targets?.[t]) throw new UserError('targets', `project ${context.projectName} has no target "${t}"`, `Targets it has: ${Object.keys(project.targets ?? {}).join(', ')}`);
    if (t === context.targetName) throw new UserError('targets', `"${t}" would run itself`, 'List the platform targets, not the deploy target');
  }
  return { env, targets, partOptions, part: o.part };
}

/**
 * Deploys one project to one environment: skips when the deploy ledger says
 * the same inputs are already live there, otherwise runs the project's
 * platform targets in order and records the outcome (a failed deploy is
 * recorded as failed, never as deployed).
 */
export default async function deployExecutor(options: DeployExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  let env: string;
  let targets: string[];
  let partOptions: Validated['partOptions'];
  let part: string | undefined;
  let ledger;
  try {
    ({ env, targets, partOptions, part } = validate(options, context));
    // Nx passes the ledger option unchecked; openLedger checks it.
    ledger = openLedger(options as LedgerOptions, context.root);
  } catch (e) {
    log.error(`✖ ${errorMessage(e)}`);
    return { success: false };
  }
  const project = context.projectName!;
  // Each part of a split deploy is its own ledger line: one part live does not make the others live.
  const target = part ? `${context.targetName!}@${part}` : context.targetName!;
  // How the end-of-run list and the step summary name this deploy.
  const who = part ? `${project} (${part})` : project;
  const inputHash = deployInputHash(context);
  if (!inputHash) {
    log.error('✖ No task hash: run deploys through nx (nx run <project>:deploy), which computes the hash of their inputs.');
    return { success: false };
  }
  const key = { project, target, environment: env };
  const fail = (error: string) => {
    log.error(`✖ ${error}`);
    reportDeployOutcome({ project: who, environment: env, result: 'failed', error });
    return { success: false };
  };

  let records: LedgerRecord[];
  try {
    records = await ledger.read();
  } catch (e) {
    return fail(`Cannot read the deploy ledger: ${errorMessage(e)}`);
  }
  const live = alreadyDeployed(records, key, inputHash);
  if (live && !(options.force ?? DEPLOY_DEFAULTS.force)) {
    log.info(`⏭ ${who} is already deployed to ${env} with these inputs (${live.commit?.slice(0, 12) ?? 'no commit'}, ${live.time}); skipping. Use --force to deploy anyway.`);
    reportDeployOutcome({ project: who, environment: env, result: 'skipped', liveSince: live.time, ...(live.version ? { version: live.version } : {}), ...(live.commit ? { commit: live.commit } : {}) });
    return { success: true };
  }
  if (live) log.info(`--force: deploying ${who} to ${env} although these inputs are live since ${live.time}`);

  const started = Date.now();
  const outputs: Record<string, string> = {};
  let ok = true;
  let failedTarget: string | undefined;
  log.info(`▶ deploy ${project}${part ? ` (its ${part} part)` : ''} to ${env}: ${targets.join(' → ')}${options.dryRun ? ' (dry run)' : ''}`);
  for (const t of targets) {
    try {
      const overrides = { ...(partOptions[t] ?? {}), ...(options.dryRun ? { dryRun: true } : {}), ...(takesEnvironment(context, t) ? { env } : {}) };
      for await (const result of await runExecutor<{ success: boolean; outputs?: Record<string, string> }>({ project, target: t, configuration: context.configurationName }, overrides, context)) {
        Object.assign(outputs, result.outputs ?? {});
        if (!result.success) ok = false;
      }
    } catch (e) {
      log.error(`✖ ${project}:${t}: ${errorMessage(e)}`);
      ok = false;
    }
    if (!ok) {
      failedTarget = `${project}:${t}`;
      break;
    }
  }
  if (options.dryRun) {
    log.info(`Dry run: nothing deployed, nothing recorded in ${ledger.where}.`);
    reportDeployOutcome({ project: who, environment: env, result: ok ? 'dry-run' : 'failed', durationMs: Date.now() - started });
    return { success: ok };
  }

  const commit = await headCommit(context.root);
  const version = options.version ?? projectVersion(context);
  const record: LedgerRecord = {
    ...key,
    inputHash,
    result: ok ? 'succeeded' : 'failed',
    time: new Date().toISOString(),
    durationMs: Date.now() - started,
    ...(commit ? { commit } : {}),
    ...(version ? { version } : {}),
  };
  const digest = ok ? await artifactDigest(outputs) : undefined;
  if (digest) record.artifactDigest = digest;
  try {
    await ledger.append(record);
  } catch (e) {
    return fail(`Deployed, but the ledger could not be updated: ${errorMessage(e)}`);
  }
  log.info(ok ? `✔ ${who} deployed to ${env}; recorded in ${ledger.where}` : `✖ ${who} failed to deploy to ${env}; recorded as failed in ${ledger.where}`);
  reportDeployOutcome({
    project: who,
    environment: env,
    result: ok ? 'deployed' : 'failed',
    durationMs: record.durationMs,
    ...(version ? { version } : {}),
    ...(commit ? { commit } : {}),
    ...(ok ? {} : { error: `${failedTarget ?? 'a platform target'} failed` }),
  });
  return { success: ok };
}
