// How much worse than the stable version a canary may be before the comparison counts it as worse:
// relative ("+20%") or an absolute amount in the metric's unit ("+50ms", "+0.5pp", "+0.002").
import { showValue, UserError } from '@shipfleet/core';
import { formatNumber } from '../measurement';
import type { Direction } from '../metrics';

/** What a metric's values are measured in, when an absolute tolerance needs it. */
export type MetricUnit = 'ms' | 's' | 'ratio' | 'percent';
export const METRIC_UNITS: readonly MetricUnit[] = ['ms', 's', 'ratio', 'percent'];

export interface Tolerance {
  kind: 'relative' | 'absolute';
  /** relative: a fraction (0.2 = 20 %); absolute: an amount in the metric's unit. */
  amount: number;
  /** As the user wrote it ("+20%"), for messages. */
  text: string;
}

const FORM = /^\s*\+?\s*(\d+(?:\.\d*)?|\.\d+)\s*(%|ms|s|pp)?\s*$/i;
const EXAMPLES = '"+20%" (relative), "+50ms" or "+0.5s" (latency), "+0.5pp" (percentage points of a rate), or "+0.002" (an amount in the metric\'s own unit)';

/**
 * Reads `tolerance` of a metric. A number is a relative fraction (0.1 = 10 %),
 * as in earlier versions. Durations need the metric in ms (the default) or s;
 * percentage points need a rate as a ratio (the default) or in percent.
 */
export function toleranceOption(option: string, value: unknown, unit: MetricUnit | undefined): Tolerance {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value > 10) throw new UserError(option, `${showValue(value)} is not a fraction from 0 to 10`, `Give a relative tolerance such as 0.2 (20 %), or a string: ${EXAMPLES}`);
    return { kind: 'relative', amount: value, text: `+${formatNumber(value * 100)}%` };
  }
  const m = typeof value === 'string' ? FORM.exec(value) : null;
  if (!m) throw new UserError(option, `${showValue(value)} is not a tolerance`, `Write ${EXAMPLES}`);
  const n = Number(m[1]);
  const suffix = (m[2] ?? '').toLowerCase();
  const text = `+${m[1]}${m[2] ?? ''}`;
  switch (suffix) {
    case '%':
      if (n > 1000) throw new UserError(option, `${text} is more than +1000%`, 'A tolerance that large never fails anything; give e.g. "+20%"');
      return { kind: 'relative', amount: n / 100, text };
    case 'ms':
    case 's': {
      if (unit !== undefined && unit !== 'ms' && unit !== 's') {
        throw new UserError(option, `${text} is a duration, but the metric's unit is ${unit}`, 'Give the tolerance in the metric\'s unit ("+0.5pp", "+20%"), or set "unit": "ms" or "s"');
      }
      const ms = suffix === 's' ? n * 1000 : n;
      return { kind: 'absolute', amount: unit === 's' ? ms / 1000 : ms, text };
    }
    case 'pp':
      if (unit !== undefined && unit !== 'ratio' && unit !== 'percent') {
        throw new UserError(option, `${text} is in percentage points, but the metric's unit is ${unit}`, 'Give the tolerance in the metric\'s unit ("+50ms", "+20%"), or set "unit": "ratio" or "percent"');
      }
      return { kind: 'absolute', amount: unit === 'percent' ? n : n / 100, text };
    default:
      return { kind: 'absolute', amount: n, text };
  }
}

/** The value a stable value `v` is moved to on the bad side by the tolerance: beyond it, the canary is worse. */
export function worseLimit(t: Tolerance, v: number, direction: Direction): number {
  const by = t.kind === 'relative' ? Math.abs(v) * t.amount : t.amount;
  return direction === 'decrease' ? v - by : v + by;
}

/** Is the canary's value worse than the stable's by more than the tolerance? */
export function beyondTolerance(t: Tolerance, canary: number, stable: number, direction: Direction): boolean {
  if (direction === 'increase') return canary > worseLimit(t, stable, 'increase');
  if (direction === 'decrease') return canary < worseLimit(t, stable, 'decrease');
  return canary > worseLimit(t, stable, 'increase') || canary < worseLimit(t, stable, 'decrease');
}

/** The canary's difference from the stable value, as the timeline shows it ("+170%", "+12.5"). */
export function describeDifference(t: Tolerance, canary: number, stable: number): string {
  const sign = (d: number) => (d >= 0 ? `+${formatNumber(d)}` : formatNumber(d));
  if (t.kind === 'absolute') return sign(canary - stable);
  if (stable === 0) return canary === 0 ? '+0%' : 'from 0';
  return `${sign(((canary - stable) / Math.abs(stable)) * 100)}%`;
}
