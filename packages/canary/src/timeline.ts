import { formatDuration } from '@shipfleet/core';
import { Decision } from './analyse';
import { ActionKind } from './actions/action';
import { describeMeasurement } from './measurement';
import { StepAction } from './rollout';

/** One analysis of the rollout: where, when, what was seen, what was decided. */
export interface TimelineEntry {
  /** 1-based step number. */
  step: number;
  weight: number;
  /** Evaluation time, RFC 3339. */
  at: string;
  /** Since the step's weight was set, ms. */
  elapsedMs: number;
  decision: Decision;
  action: StepAction;
  reason: string;
}

/** A traffic move that was attempted. */
export interface ActionEvent {
  at: string;
  kind: ActionKind;
  weight: number;
  ok: boolean;
  error?: string;
}

/** The lines the log shows for one analysis: the decision, then each metric with its queries and values. */
export function formatEntry(e: TimelineEntry, index: number): string[] {
  const d = e.decision;
  const lines = [`analysis ${index} at ${e.weight}% (${e.at}, +${formatDuration(e.elapsedMs)}): ${d.verdict.toUpperCase()}${d.score !== undefined ? `, score ${Math.round(d.score)}` : ''} → ${e.action}: ${e.reason}`];
  if (d.requests) lines.push(`    requests: ${describeMeasurement(d.requests)} ← ${d.requests.query}`);
  const names = [...new Set(d.metrics.map((m) => m.metric))];
  for (const name of names) {
    const verdicts = d.metrics.filter((m) => m.metric === name);
    const first = verdicts[0];
    lines.push(`    ${name}:`);
    for (const v of verdicts) lines.push(`      ${v.judge}: ${v.verdict}: ${v.reason}`);
    lines.push(`      canary: ${describeMeasurement(first.canary)} ← ${first.canary.query}`);
    if (first.baseline) lines.push(`      stable: ${describeMeasurement(first.baseline)} ← ${first.baseline.query}`);
  }
  return lines;
}

/** The timeline in one line per step, for the run's outputs and summary. */
export function compactTimeline(entries: TimelineEntry[]): string {
  const steps = new Map<number, TimelineEntry[]>();
  for (const e of entries) steps.set(e.step, [...(steps.get(e.step) ?? []), e]);
  return [...steps.values()]
    .map((list) => `${list[0].weight}%: ${list.map((e) => (e.action === 'wait' ? e.decision.verdict : `${e.decision.verdict}→${e.action}`)).join(', ')}`)
    .join(' | ');
}
