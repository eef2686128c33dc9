import { EventCounts, formatNumber, isValue, Measurement } from '../measurement';
import { MetricSpec } from '../metrics';
import { Alternative, mannWhitneyU } from './mann-whitney';
import { beyondTolerance, describeDifference, worseLimit } from './tolerance';
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
 * A ratio of counts needs this many more events (errors) in the canary's
 * window than the stable rate predicts before it can fail: a handful of
 * errors among a few hundred requests is noise at a tiny value, however
 * significant its samples look (one error in each of four 30 s samples of a
 * 0.05 % error rate happens in a long rollout now and then).
 */
export const MIN_EXCESS_EVENTS = 5;

function tooFewEvents(counts: EventCounts | undefined, baselineRate: number): string | undefined {
  if (!counts) return undefined;
  const expected = baselineRate * counts.total;
  const excess = counts.events - expected;
  if (excess >= MIN_EXCESS_EVENTS) return undefined;
  return `${formatNumber(counts.events)} events of ${formatNumber(counts.total)} where the stable rate predicts ${formatNumber(expected)}: fewer than ${MIN_EXCESS_EVENTS} more, too few to blame the canary`;
}

/**
 * One metric, canary against baseline, as Kayenta judges it:
 * 1. canary on the good side of the floor → pass, whatever the baseline (noise at tiny values);
 * 2. canary worse than the baseline moved by the tolerance, significantly (Mann-Whitney,
 *    p < 1 - confidence, over the samples) and in its value over the window → fail;
 *    — unless a ratio of counts has too few events beyond what the stable rate predicts (MIN_EXCESS_EVENTS);
 * 3. otherwise → pass: not worse than the stable version beyond the tolerance.
 * A pass is also what tells the thresholds judge that a failure the canary
 * meets is shared with the stable version (see analyse.ts).
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

  // The tolerance moves the baseline the bad way: only a difference beyond it counts.
  const t = metric.tolerance;
  const d = metric.direction;
  const shifted = d === 'either' ? bs : bs.map((v) => worseLimit(t, v, d));
  const alternative: Alternative = d === 'increase' ? 'greater' : d === 'decrease' ? 'less' : 'two-sided';
  const test = mannWhitneyU(cs, shifted, alternative);
  const alpha = 1 - judge.confidence;
  const b = baseline.value;
  const values = `canary ${formatNumber(c)} vs baseline ${formatNumber(b)} (${describeDifference(t, c, b)}, tolerance ${t.text}), Mann-Whitney U=${test.u} over ${test.n1}+${test.n2} samples, p=${formatNumber(test.pValue)}`;
  const shown = { ...base, pValue: test.pValue };
  const significant = test.pValue < alpha;
  const beyond = beyondTolerance(t, c, b, d);
  const few = d === 'increase' && significant && beyond ? tooFewEvents(canary.counts, b) : undefined;
  if (few) return { ...shown, verdict: 'pass', reason: `${values}, but ${few}` };
  if (significant && beyond) return { ...shown, verdict: 'fail', reason: `${values} < ${formatNumber(alpha)}: the canary is worse` };
  const why = !beyond ? 'within the tolerance' : 'not significantly worse';
  return { ...shown, verdict: 'pass', reason: `${values}: ${why}` };
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
