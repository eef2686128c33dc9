import type { CanaryOptions } from './options';

/** Named step lists: percentages of traffic for the canary, in order. */
export const STEP_PRESETS: Record<string, number[]> = {
  standard: [5, 25, 50, 100],
  cautious: [1, 5, 10, 25, 50, 100],
  fast: [10, 50, 100],
};

/**
 * Seed 000's canary monitor: checks every 30 s; healthy under 1 % errors,
 * under 500 ms and over 99.9 % availability; failing over 5 % errors, over
 * 2 s or under 95 % availability (the first failing check rolls back); no
 * verdict within 10 minutes rolls back. The seed judges one deployment;
 * here each of the standard steps (5 → 25 → 50 → 100 %) is judged that way,
 * staying at least 2 minutes at each weight.
 *
 * The queries assume the usual instrumentation: a counter
 * http_requests_total with a `code` label, a histogram
 * http_request_duration_seconds, and `up` for availability, each carrying the
 * labels of `selectors`. Latency is the 95th percentile in ms.
 */
export const SEED_000: CanaryOptions = {
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

export const PRESETS: Record<string, CanaryOptions> = { 'seed-000': SEED_000 };
