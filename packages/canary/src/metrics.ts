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

export type MetricSource = PrometheusSource | HttpSource;

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
   * passes whatever the baseline does; a canary past it is never passed on a
   * comparison alone (if the baseline is past it too, it is a shared problem:
   * hold; if not, the canary fails when the difference is significant, else holds).
   */
  floor?: number;
  /** Baseline comparison: relative change tolerated before the canary counts as worse (0.1 = 10 %). */
  tolerance: number;
}
