import { appendFileSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { appendDeploySummary, consoleLogger, DeployOutcome, errorMessage } from '@shipfleet/core';

/**
 * Nx's default terminal output shows a successful task as one "✔ nx run
 * tv:deploy" line whatever it printed, so a skipped deploy looks deployed.
 * Each deploy task therefore reports its outcome to two places: a file that
 * the plugin's postTasksExecution hook prints as a list after Nx's own
 * summary (in every output style), and the GitHub step summary when
 * $GITHUB_STEP_SUMMARY is set.
 */
export const OUTCOMES_FILE_ENV = 'SHIPFLEET_DEPLOY_OUTCOMES';

/** The file a run's deploy tasks append their outcomes to, one per Nx command (its id). */
export const outcomesFile = (runId: string) => join(tmpdir(), `shipfleet-deploy-outcomes-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}.jsonl`);

/** Records what this deploy came to; a failure to record is a warning, never a failed deploy. */
export function reportDeployOutcome(outcome: DeployOutcome, env: NodeJS.ProcessEnv = process.env): void {
  const collect = env[OUTCOMES_FILE_ENV];
  if (collect) {
    try {
      // One JSON line in one append: concurrent tasks never interleave half lines.
      appendFileSync(collect, JSON.stringify(outcome) + '\n');
    } catch (e) {
      consoleLogger.warn(`Could not note the outcome for the end-of-run list (${collect}): ${errorMessage(e)}`);
    }
  }
  const summary = env.GITHUB_STEP_SUMMARY;
  if (summary && outcome.result !== 'dry-run') {
    try {
      appendDeploySummary(summary, outcome);
    } catch (e) {
      consoleLogger.warn(`Could not append to the step summary ${summary}: ${errorMessage(e)}`);
    }
  }
}

/** The outcomes in a file written by reportDeployOutcome; lines that are not outcomes are left out. */
export function readDeployOutcomes(file: string): DeployOutcome[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const outcomes: DeployOutcome[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line);
      if (o && typeof o.project === 'string' && typeof o.environment === 'string' && typeof o.result === 'string') outcomes.push(o);
    } catch {
      // A line cut short by a task killed mid-write: nothing to show for it.
    }
  }
  return outcomes;
}

const ICON: Record<DeployOutcome['result'], string> = { deployed: '✔', skipped: '⏭', failed: '✖', 'dry-run': '…' };
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function describe(o: DeployOutcome): string {
  const what = [o.version, o.commit?.slice(0, 12)].filter(Boolean).join(' @ ');
  switch (o.result) {
    case 'deployed':
      return `deployed${what ? ` ${what}` : ''}${o.durationMs !== undefined ? ` in ${seconds(o.durationMs)}` : ''}`;
    case 'skipped': {
      const details = [what, o.liveSince && `since ${o.liveSince}`].filter(Boolean).join(', ');
      return `skipped: already live${details ? ` (${details})` : ''}`;
    }
    case 'failed':
      return `failed${o.error ? `: ${o.error}` : ''}`;
    case 'dry-run':
      return 'dry run: nothing deployed';
  }
}

/** The end-of-run list, one line per project, grouped by environment; empty when nothing was deployed. */
export function formatDeployOutcomes(outcomes: DeployOutcome[]): string {
  if (!outcomes.length) return '';
  const byEnv = new Map<string, DeployOutcome[]>();
  for (const o of outcomes) byEnv.set(o.environment, [...(byEnv.get(o.environment) ?? []), o]);
  const lines: string[] = [];
  for (const [env, list] of byEnv) {
    const count = (r: DeployOutcome['result']) => list.filter((o) => o.result === r).length;
    const totals = (['deployed', 'skipped', 'failed', 'dry-run'] as const).filter((r) => count(r)).map((r) => `${count(r)} ${r}`);
    lines.push(`shipfleet deploy to ${env}: ${totals.join(', ')}`);
    const width = Math.max(...list.map((o) => o.project.length));
    for (const o of [...list].sort((a, b) => (a.project < b.project ? -1 : a.project > b.project ? 1 : 0))) lines.push(`  ${ICON[o.result]} ${o.project.padEnd(width)}  ${describe(o)}`);
  }
  return lines.join('\n') + '\n';
}

interface HookContext {
  readonly id: string;
}

/** Plugin hook: gives this run's deploy tasks a file to report their outcomes to. */
export function preTasksExecution(_options: unknown, context: HookContext): void {
  const file = outcomesFile(context.id);
  rmSync(file, { force: true });
  process.env[OUTCOMES_FILE_ENV] = file;
}

/** Plugin hook: prints what each deploy of this run came to, after Nx's own summary. */
export function postTasksExecution(_options: unknown, context: HookContext, write: (text: string) => void = (t) => process.stdout.write(t)): void {
  const file = outcomesFile(context.id);
  try {
    const text = formatDeployOutcomes(readDeployOutcomes(file));
    if (text) write(`\n${text}\n`);
  } finally {
    rmSync(file, { force: true });
  }
}
