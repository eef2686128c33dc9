import { showValue, UserError } from '@shipfleet/core';
import type { CanaryOptions } from './types';

/** Named step lists: percentages of traffic for the canary, in order. */
export const STEP_PRESETS: Record<string, number[]> = {
  standard: [5, 25, 50, 100],
  cautious: [1, 5, 10, 25, 50, 100],
  fast: [10, 50, 100],
};

/**
 * A service-level check: every 30 s; healthy under 1 % errors, a p95 latency
 * under 500 ms and over 99.9 % availability; failing over 5 % errors, over
 * 2 s or under 95 % availability (the first failing check rolls back); no
 * verdict within 10 minutes of a step rolls back. Each of the standard steps
 * (5 → 25 → 50 → 100 %) is judged that way, staying at least 2 minutes at
 * each weight.
 *
 * The queries assume the usual instrumentation: a counter
 * http_requests_total with a `code` label, a histogram
 * http_request_duration_seconds, and `up` for availability, each carrying the
 * labels of `selectors`. Latency is the 95th percentile in ms.
 */
export const SLO_1PCT_500MS: CanaryOptions = {
  steps: 'standard',
  pause: '2m',
  interval: '30s',
  window: '1m',
  deadline: '10m',
  failureLimit: 0,
  consecutiveErrorLimit: 4,
  inconclusiveLimit: 20,
  requestCount: 'sum(increase(http_requests_total{{{selector}}}[{{interval}}]))',
  minRequests: 50,
  metrics: [
    {
      name: 'error-rate',
      numerator: 'sum(increase(http_requests_total{{{selector}},code=~"5.."}[{{interval}}]))',
      denominator: 'sum(increase(http_requests_total{{{selector}}}[{{interval}}]))',
      success: '< 0.01',
      failure: '> 0.05',
    },
    {
      name: 'latency-p95-ms',
      query: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{{{selector}}}[{{interval}}]))) * 1000',
      success: '< 500',
      failure: '> 2000',
    },
    {
      name: 'availability',
      query: 'avg(avg_over_time(up{{{selector}}}[{{interval}}]))',
      success: '> 0.999',
      failure: '< 0.95',
    },
  ],
};

export const PRESETS: Record<string, CanaryOptions> = { 'slo-1pct-500ms': SLO_1PCT_500MS };

/** Old preset names that still work, with a warning naming the new one. */
export const PRESET_ALIASES: Record<string, string> = {
  // The name earlier versions gave slo-1pct-500ms.
  [['se', 'ed-000'].join('')]: 'slo-1pct-500ms',
};

/** The preset a name (or an old name) gives, and its current name. */
export function resolvePreset(name: unknown, warn: (message: string) => void): { name: string; options: CanaryOptions } {
  const current = typeof name === 'string' && Object.hasOwn(PRESET_ALIASES, name) ? PRESET_ALIASES[name] : name;
  const options = typeof current === 'string' && Object.hasOwn(PRESETS, current) ? PRESETS[current] : undefined;
  if (!options) throw new UserError('preset', `${showValue(name)} is not a preset`, `Use one of ${Object.keys(PRESETS).join(', ')}, or leave it out and give the options yourself`);
  if (current !== name) warn(`Option "preset": "${String(name)}" is deprecated: write "preset": "${String(current)}" instead — the old name will be removed`);
  return { name: current as string, options };
}
