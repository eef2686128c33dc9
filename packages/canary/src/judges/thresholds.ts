import { formatNumber, isValue, Measurement } from '../measurement';
import { meets, MetricSpec } from '../metrics';
import { beyondTolerance } from './tolerance';
import { MetricVerdict, unreadable } from './verdict';

export interface ThresholdsJudge {
  /**
   * When the canary meets the failure condition but is no worse than the
   * stable version, the problem is shared (an outage of a dependency, of the
   * cluster): hold instead of blaming the canary. Needs a baseline selector
   * (or baselineUrl).
   */
  holdOnSharedFailure: boolean;
}

/**
 * Why a failure the canary meets is shared with the stable version, or
 * undefined when it is the canary's own. Shared needs a degraded stable
 * version (it does not meet the success condition, or meets the failure one
 * where there is no success condition) that the canary is no worse than:
 * by the comparison of the same metric when it judged, else by the two values
 * and the tolerance. Not by whether the stable version crosses the failure
 * line itself: noise puts it just under the line in a fair share of analyses
 * of a shared outage.
 */
function sharedProblem(metric: MetricSpec, v: number, baseline: Measurement | undefined, compared: MetricVerdict | undefined): string | undefined {
  if (!isValue(baseline)) return undefined;
  const b = baseline.value;
  const degraded = metric.success ? !meets(metric.success, b) : metric.failure ? meets(metric.failure, b) : false;
  if (!degraded || compared?.verdict === 'fail') return undefined;
  if (compared?.verdict === 'pass') return `the stable version is degraded too (${formatNumber(b)}) and the comparison finds the canary no worse (${compared.reason})`;
  if (beyondTolerance(metric.tolerance, v, b, metric.direction)) return undefined;
  return `the stable version is degraded too (${formatNumber(b)}), within the tolerance ${metric.tolerance.text}`;
}

/**
 * The canary's value against the metric's conditions: failure met → fail
 * (inconclusive when the problem is shared with the stable version);
 * success met → pass; neither → inconclusive (between the thresholds).
 */
export function judgeThresholds(metric: MetricSpec, canary: Measurement, baseline: Measurement | undefined, judge: ThresholdsJudge, compared?: MetricVerdict): MetricVerdict {
  const base = { metric: metric.name, judge: 'thresholds' as const, canary, baseline };
  const bad = unreadable(canary, 'canary');
  if (bad) return { ...base, ...bad };
  if (!isValue(canary)) throw new Error('unreachable');
  const v = canary.value;
  const shown = `canary ${formatNumber(v)}`;
  if (metric.failure && meets(metric.failure, v)) {
    const shared = judge.holdOnSharedFailure ? sharedProblem(metric, v, baseline, compared) : undefined;
    if (shared) return { ...base, verdict: 'inconclusive', reason: `${shown} meets the failure condition "${metric.failure.text}", but ${shared}: a shared problem, not blamed on the canary` };
    return { ...base, verdict: 'fail', reason: `${shown} meets the failure condition "${metric.failure.text}"${isValue(baseline) ? ` (stable ${formatNumber(baseline.value)})` : ''}` };
  }
  if (!metric.success) return { ...base, verdict: 'pass', reason: `${shown} does not meet the failure condition "${metric.failure!.text}"` };
  if (meets(metric.success, v)) return { ...base, verdict: 'pass', reason: `${shown} meets the success condition "${metric.success.text}"` };
  return { ...base, verdict: 'inconclusive', reason: `${shown} is between the success condition "${metric.success.text}"${metric.failure ? ` and the failure condition "${metric.failure.text}"` : ''}` };
}
