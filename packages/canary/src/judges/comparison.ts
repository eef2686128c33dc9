import { formatNumber, isValue, Measurement } from '../measurement';
import { MetricSpec } from '../metrics';
import { Alternative, mannWhitneyU } from './mann-whitney';
import { MetricVerdict, unreadable } from './verdict';

/** The baseline comparison (canary against stable over the same window), scored as Kayenta does. */
export interface ComparisonJudge {
  /** Confidence of the Mann-Whitney test: a difference counts when p < 1 - confidence (default 0.95). */
  confidence: number;
  /** Score (0–100) at or above which the analysis passes (default 95). */
  pass: number;
  /** Score below which it fails; between marginal and pass it is inconclusive (default 75). */
  marginal: number;
}

/** Is the canary's value on the bad side of the floor? */
function pastFloor(metric: MetricSpec, v: number): boolean {
  if (metric.floor === undefined) return true;
  if (metric.direction === 'increase') return v > metric.floor;
  if (metric.direction === 'decrease') return v < metric.floor;
  return v !== metric.floor;
}

/**
 * One metric, canary against baseline:
 * 1. canary on the good side of the floor → pass, whatever the baseline;
 * 2. canary worse than the baseline (beyond the tolerance) with p < 1 - confidence → fail;
 * 3. not significant, canary past the floor: baseline past it too → inconclusive
 *    (a shared problem); baseline within it → inconclusive (the canary is not
 *    passed against a better baseline on a lack of evidence: a zero-error
 *    baseline against an erroring canary never passes);
 * 4. no floor and not significant → pass.
 */
export function compareMetric(metric: MetricSpec, canary: Measurement, baseline: Measurement | undefined, judge: ComparisonJudge): MetricVerdict {
  const base = { metric: metric.name, judge: 'comparison' as const, canary, baseline };
  const bad = unreadable(canary, 'canary');
  if (bad) return { ...base, ...bad };
  if (!isValue(canary)) throw new Error('unreachable');
  const c = canary.value;
  if (!pastFloor(metric, c)) return { ...base, verdict: 'pass', reason: `canary ${formatNumber(c)} is within the floor ${formatNumber(metric.floor!)}` };
  if (!baseline) return { ...base, verdict: 'nodata', reason: 'no baseline measurement' };
  const badBaseline = unreadable(baseline, 'baseline');
  if (badBaseline) return { ...base, ...badBaseline };
  if (!isValue(baseline)) throw new Error('unreachable');
  const cs = canary.samples ?? [];
  const bs = baseline.samples ?? [];
  if (!cs.length || !bs.length) return { ...base, verdict: 'nodata', reason: `no samples to compare (canary ${cs.length}, baseline ${bs.length})` };

  // The tolerance shifts the baseline the bad way: only a difference beyond it counts.
  const t = metric.tolerance;
  let shifted: number[];
  let alternative: Alternative;
  if (metric.direction === 'increase') {
    shifted = bs.map((v) => v * (1 + t));
    alternative = 'greater';
  } else if (metric.direction === 'decrease') {
    shifted = bs.map((v) => v * (1 - t));
    alternative = 'less';
  } else {
    shifted = bs;
    alternative = 'two-sided';
  }
  const test = mannWhitneyU(cs, shifted, alternative);
  const alpha = 1 - judge.confidence;
  const values = `canary ${formatNumber(c)} vs baseline ${formatNumber(baseline.value)}${t ? ` (tolerance ${formatNumber(t * 100)}%)` : ''}, Mann-Whitney U=${test.u} over ${test.n1}+${test.n2} samples, p=${formatNumber(test.pValue)}`;
  const shown = { ...base, pValue: test.pValue };
  if (test.pValue < alpha) return { ...shown, verdict: 'fail', reason: `${values} < ${formatNumber(alpha)}: the canary is worse` };
  if (metric.floor === undefined) return { ...shown, verdict: 'pass', reason: `${values}: no significant difference` };
  if (pastFloor(metric, baseline.value)) {
    return { ...shown, verdict: 'inconclusive', reason: `${values}: both are past the floor ${formatNumber(metric.floor)}, a shared problem, not blamed on the canary` };
  }
  return { ...shown, verdict: 'inconclusive', reason: `${values}: the canary is past the floor ${formatNumber(metric.floor)} and the baseline is not; not significant yet` };
}

/**
 * The overall score: 100 × the weight of passing metrics over the weight of
 * the metrics that passed or failed (inconclusive, error and no-data metrics
 * are left out: they count elsewhere). Undefined when no metric passed or failed.
 */
export function comparisonScore(verdicts: MetricVerdict[], metrics: MetricSpec[]): number | undefined {
  const weight = (name: string) => metrics.find((m) => m.name === name)?.weight ?? 1;
  let passed = 0;
  let judged = 0;
  for (const v of verdicts) {
    if (v.verdict !== 'pass' && v.verdict !== 'fail') continue;
    judged += weight(v.metric);
    if (v.verdict === 'pass') passed += weight(v.metric);
  }
  return judged ? (100 * passed) / judged : undefined;
}
