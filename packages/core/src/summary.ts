import { appendFileSync, readFileSync } from 'fs';
import { Redactor } from './redactor';

export interface StepReport {
  title: string;
  kind: string;
  status: 'succeeded' | 'failed' | 'interrupted' | 'skipped';
  durationMs: number;
  attempts?: number;
}

export interface RunReport {
  title: string;
  status: 'succeeded' | 'failed' | 'interrupted' | 'dry-run';
  steps: StepReport[];
  cleanups?: StepReport[];
  outputs: Record<string, string>;
  durationMs: number;
  error?: string;
  exitCode?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const ICON: Record<StepReport['status'], string> = { succeeded: '✔', failed: '✖', interrupted: '■', skipped: '–' };

export function formatSummary(report: RunReport): string {
  const lines = [`── Summary: ${report.title}: ${report.status.toUpperCase()} in ${seconds(report.durationMs)}`];
  for (const s of report.steps) lines.push(`  ${ICON[s.status]} ${s.title} (${seconds(s.durationMs)}${s.attempts ? `, ${s.attempts} attempts` : ''})`);
  for (const s of report.cleanups ?? []) lines.push(`  ↺ ${s.title}: ${s.status}`);
  for (const [k, v] of Object.entries(report.outputs)) lines.push(`  → ${k}: ${v}`);
  if (report.error) lines.push(`  error: ${report.error}`);
  return lines.join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function summaryMarkdown(report: RunReport): string {
  const lines = [`### ${cell(report.title)}: ${report.status}`, '', '| Step | Result | Duration |', '| --- | --- | --- |'];
  for (const s of report.steps) lines.push(`| ${cell(s.title)} | ${s.status} | ${seconds(s.durationMs)} |`);
  for (const s of report.cleanups ?? []) lines.push(`| cleanup: ${cell(s.title)} | ${s.status} | ${seconds(s.durationMs)} |`);
  const outputs = Object.entries(report.outputs);
  if (outputs.length) lines.push('', '| Output | Value |', '| --- | --- |', ...outputs.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`));
  if (report.error) lines.push('', `**Error:** ${cell(report.error)}`);
  return lines.join('\n') + '\n\n';
}

/** Appends the run as Markdown to a GitHub step summary file. */
export function appendStepSummary(file: string, report: RunReport, redactor: Redactor): void {
  appendFileSync(file, redactor.redact(summaryMarkdown(report)));
}

/** What one deploy of one project to one environment came to in this run. */
export interface DeployOutcome {
  project: string;
  environment: string;
  /** deployed; skipped (these inputs were already live); failed; dry-run (nothing deployed or recorded). */
  result: 'deployed' | 'skipped' | 'failed' | 'dry-run';
  /** The version deployed, or for a skip the one already live. */
  version?: string;
  /** The commit deployed, or for a skip the one already live. */
  commit?: string;
  /** How long this run's deploy took (none for a skip). */
  durationMs?: number;
  /** For a skip: when the live deploy was made (ISO time). */
  liveSince?: string;
  /** For a failure: why, in one line. */
  error?: string;
}

const OUTCOME_LABEL: Record<DeployOutcome['result'], string> = {
  deployed: '✅ deployed',
  skipped: '⏭️ skipped — already live',
  failed: '❌ failed',
  'dry-run': '🔍 dry run',
};

/** The HTML comment that marks an environment's table in a step summary (GitHub does not render it). */
export const deploySummaryMarker = (environment: string) => `<!-- shipfleet deploys: ${environment} -->`;

/** The heading and column names of an environment's deploy table. */
export function deploySummaryHeader(environment: string): string {
  return [deploySummaryMarker(environment), `### Deploys to ${cell(environment)}`, '', '| Project | Result | Version | Commit | Duration |', '| --- | --- | --- | --- | --- |', ''].join('\n');
}

/** One row of the deploy table, a whole line ending in a newline. */
export function deploySummaryRow(o: DeployOutcome): string {
  const result = o.result === 'skipped' && o.liveSince ? `${OUTCOME_LABEL.skipped} since ${o.liveSince}` : o.result === 'failed' && o.error ? `${OUTCOME_LABEL.failed}: ${o.error}` : OUTCOME_LABEL[o.result];
  const code = (s?: string) => (s ? `\`${cell(s).replace(/`/g, "'")}\`` : '—');
  const duration = o.durationMs === undefined ? '—' : seconds(o.durationMs);
  return `| ${cell(o.project)} | ${cell(result)} | ${code(o.version)} | ${code(o.commit?.slice(0, 12))} | ${duration} |\n`;
}

/** Whether the file ends with this environment's deploy table, so a row appended now continues it. */
function endsWithDeployTable(text: string, environment: string): boolean {
  const at = text.lastIndexOf(deploySummaryMarker(environment));
  if (at < 0) return false;
  const after = text.slice(at).split('\n').slice(1, -1);
  const header = deploySummaryHeader(environment).split('\n').slice(1, -1);
  return header.every((line, i) => after[i] === line) && after.slice(header.length).every((line) => line.startsWith('| ') && line.endsWith(' |'));
}

/**
 * Appends a deploy outcome to a GitHub step summary file: the environment's
 * table heading unless the file already ends with that table (other steps
 * write their own tables in between), then the row, in one write so that
 * tasks appending at the same time never interleave half lines. Two tasks
 * that both start a table at once leave two tables, never a row outside one.
 */
export function appendDeploySummary(file: string, outcome: DeployOutcome, redactor?: Redactor): void {
  let existing = '';
  try {
    existing = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const gap = !existing || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  const header = endsWithDeployTable(existing, outcome.environment) ? '' : gap + deploySummaryHeader(outcome.environment);
  const text = header + deploySummaryRow(outcome);
  appendFileSync(file, redactor ? redactor.redact(text) : text);
}
