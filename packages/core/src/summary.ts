import { appendFileSync } from 'fs';
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
