import { Measurement } from '../measurement';

/**
 * What an analysis (or one metric of it) concluded:
 * pass, fail, inconclusive (between the thresholds, or a problem shared with
 * the stable version), error (the metric source failed), nodata (nothing to judge).
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error' | 'nodata';

export interface MetricVerdict {
  metric: string;
  judge: 'thresholds' | 'comparison';
  verdict: Verdict;
  /** Why, with the values seen. */
  reason: string;
  canary: Measurement;
  baseline?: Measurement;
  /** comparison: the Mann-Whitney p-value. */
  pValue?: number;
}

/** Strongest first: a failure outweighs an error, which outweighs missing data, which outweighs an inconclusive reading. */
export const VERDICT_ORDER: Verdict[] = ['fail', 'error', 'nodata', 'inconclusive', 'pass'];

export function strongest(verdicts: Verdict[]): Verdict {
  for (const v of VERDICT_ORDER) if (verdicts.includes(v)) return v;
  return 'pass';
}

/** The verdict a measurement forces before any judging: error or nodata; undefined when it has a value. */
export function unreadable(m: Measurement, who: string): { verdict: 'error' | 'nodata'; reason: string } | undefined {
  if (m.outcome === 'error') return { verdict: 'error', reason: `${who}: ${m.error}` };
  if (m.outcome === 'nodata') return { verdict: 'nodata', reason: `${who}: ${m.reason}` };
  return undefined;
}
