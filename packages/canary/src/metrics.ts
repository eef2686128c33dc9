import type { MetricUnit, Tolerance } from './judges/tolerance';

/** A threshold such as "< 0.01" or ">= 0.999". */
export interface Condition {
  op: '<' | '<=' | '>' | '>=';
  value: number;
  /** As written, for messages. */
  text: string;
}

const CONDITION = /^\s*(<=|>=|<|>)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*$/i;

export function parseCondition(text: unknown): Condition | undefined {
  if (typeof text !== 'string') return undefined;
  const m = CONDITION.exec(text);
  if (!m) return undefined;
  return { op: m[1] as Condition['op'], value: Number(m[2]), text: `${m[1]} ${m[2]}` };
}

export function meets(c: Condition, v: number): boolean {
  switch (c.op) {
    case '<': return v < c.value;
    case '<=': return v <= c.value;
    case '>': return v > c.value;
    case '>=': return v >= c.value;
  }
}

/** True when some value would meet both conditions (a metric cannot be both healthy and failing). */
export function conditionsOverlap(a: Condition, b: Condition): boolean {
  const upper = (c: Condition) => c.op === '<' || c.op === '<=';
  if (upper(a) === upper(b)) return true;
  const [hi, lo] = upper(a) ? [a, b] : [b, a];
  // {v hi.op hi.value} ∩ {v lo.op lo.value} is empty when the bounds do not meet.
  if (hi.value > lo.value) return true;
  return hi.value === lo.value && hi.op === '<=' && lo.op === '>=';
}

/** Which way a metric goes when the canary is worse. */
export type Direction = 'increase' | 'decrease' | 'either';

export interface PrometheusSource {
  provider: 'prometheus';
  /** A query that gives the metric as one value. */
  query?: string;
  /** A ratio of two queries (errors / requests): an absent numerator counts as zero. */
  numerator?: string;
  denominator?: string;
  /** An empty result of `query` is 0 (a counter with no series because nothing happened). */
  missingAsZero: boolean;
}

export type HttpMeasure = 'errorRate' | 'availability' | 'latency';

export interface HttpSource {
  provider: 'http';
  /** The canary's health endpoint. */
  url: string;
  /** The stable version's, for the baseline comparison. */
  baselineUrl?: string;
  measure: HttpMeasure;
  /** latency: the quantile of the sampled latencies, in ms (default 0.95). */
  quantile: number;
  /** Requests per analysis (default 10). */
  samples: number;
  /** Spacing between two requests, ms (default 200). */
  spacingMs: number;
  /** A request slower than this counts as failed (default 5000 ms). */
  timeoutMs: number;
  /** Status codes that count as healthy (default 200–399). */
  okStatus: [number, number];
}

/** Sentry release health: the share of sessions (or users) of a release that did not crash. */
export type SentryMeasure = 'crashFreeSessions' | 'crashFreeUsers';

export interface SentrySource {
  provider: 'sentry';
  measure: SentryMeasure;
}

/** What a cloud-monitoring metric reads of a Cloud Run revision. */
export type CloudMonitoringMeasure = 'errorRate' | 'latency' | 'requestCount';

/** Google Cloud Monitoring (timeSeries.list), per Cloud Run revision. */
export interface CloudMonitoringSource {
  provider: 'cloud-monitoring';
  /** A Cloud Run measure: 5xx share of requests, latency percentile (ms), or request count in the window. */
  measure?: CloudMonitoringMeasure;
  /** latency: 0.5, 0.95 (default) or 0.99. */
  quantile: number;
  /** Or a raw monitoring filter (the revision's clause is added to it)... */
  filter?: string;
  /** ...with its per-series aligner (ALIGN_DELTA, ALIGN_PERCENTILE_95…) and cross-series reducer (default REDUCE_SUM). */
  aligner?: string;
  reducer?: string;
}

/** How the points of a Datadog series over the window make one value. */
export type DatadogAggregator = 'avg' | 'sum' | 'min' | 'max' | 'last';

/** A Datadog metrics query (/api/v1/query) template, or a ratio of two. */
export interface DatadogSource {
  provider: 'datadog';
  query?: string;
  /** A ratio: the sums of the points over the window; an absent numerator counts as zero. */
  numerator?: string;
  denominator?: string;
  /** query: how its points over the window make the value (default avg). */
  aggregator: DatadogAggregator;
}

export type MetricSource = PrometheusSource | HttpSource | SentrySource | CloudMonitoringSource | DatadogSource;

export interface MetricSpec {
  name: string;
  source: MetricSource;
  /** Thresholds judge: healthy when met. */
  success?: Condition;
  /** Thresholds judge: failed when met. */
  failure?: Condition;
  /** Baseline comparison: which way is worse. */
  direction: Direction;
  /** Baseline comparison: a failed critical metric fails the analysis whatever the score. */
  critical: boolean;
  /** Baseline comparison: weight in the score. */
  weight: number;
  /**
   * Baseline comparison: the absolute floor. A canary on the good side of it
   * passes whatever the baseline does: it keeps noise at tiny values from
   * counting (0.1 % errors against 0.05 %). Default: a tenth of the success
   * threshold of a metric where higher is worse; none otherwise.
   */
  floor?: number;
  /** Baseline comparison: how much worse than the stable version the canary may be before it counts as worse. */
  tolerance: Tolerance;
  /** What the values are measured in, for absolute tolerances ("+50ms", "+0.5pp"). */
  unit?: MetricUnit;
}
