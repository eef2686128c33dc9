import { formatNumber, isValue, Measurement } from '../measurement';
import { meets, MetricSpec } from '../metrics';
import { MetricVerdict, unreadable } from './verdict';

export interface ThresholdsJudge {
  /**
   * When the stable version meets the failure condition too, the problem is
   * shared (an outage of a dependency, of the cluster): hold instead of
   * blaming the canary. Needs a baseline selector (or baselineUrl).
   */
  holdOnSharedFailure: boolean;
}

/**
 * The canary's value against the metric's conditions: failure met → fail;
 * success met → pass; neither → inconclusive (between the thresholds).
 */
export function judgeThresholds(metric: MetricSpec, canary: Measurement, baseline: Measurement | undefined, judge: ThresholdsJudge): MetricVerdict {
  const base = { metric: metric.name, judge: 'thresholds' as const, canary, baseline };
  const bad = unreadable(canary, 'canary');
  if (bad) return { ...base, ...bad };
  if (!isValue(canary)) throw new Error('unreachable');
  const v = canary.value;
  const shown = `canary ${formatNumber(v)}`;
  if (metric.failure && meets(metric.failure, v)) {
    if (judge.holdOnSharedFailure && isValue(baseline) && meets(metric.failure, baseline.value)) {
      return { ...base, verdict: 'inconclusive', reason: `${shown} meets the failure condition "${metric.failure.text}", but so does the stable version (${formatNumber(baseline.value)}): a shared problem, not blamed on the canary` };
    }
    return { ...base, verdict: 'fail', reason: `${shown} meets the failure condition "${metric.failure.text}"${isValue(baseline) ? ` (stable ${formatNumber(baseline.value)})` : ''}` };
  }
  if (!metric.success) return { ...base, verdict: 'pass', reason: `${shown} does not meet the failure condition "${metric.failure!.text}"` };
  if (meets(metric.success, v)) return { ...base, verdict: 'pass', reason: `${shown} meets the success condition "${metric.success.text}"` };
  return { ...base, verdict: 'inconclusive', reason: `${shown} is between the success condition "${metric.success.text}"${metric.failure ? ` and the failure condition "${metric.failure.text}"` : ''}` };
}
