// Cloud Run's request metrics as Cloud Monitoring stores them: DELTA time series per revision and
// response code, `run.googleapis.com/request_count` (INT64) and `run.googleapis.com/request_latencies`
// (DISTRIBUTION, ms, exponential buckets), on the monitored resource `cloud_run_revision`.
import { TrafficTick } from './traffic';

/** The stand-in's bucket layout for latencies (ms): finite bucket i is [scale·g^(i-1), scale·g^i). */
export const LATENCY_BUCKETS = { numFiniteBuckets: 64, growthFactor: 1.2, scale: 1 };

export interface Distribution {
  count: number;
  sum: number;
  sumOfSquares: number;
  /** Underflow, the finite buckets, overflow. */
  bucketCounts: number[];
}

export interface RawPoint {
  /** End of the point's interval, ms; it starts one tick earlier. */
  end: number;
  value: number | Distribution;
}

export interface RawSeries {
  metric: { type: string; labels: Record<string, string> };
  resource: { type: string; labels: Record<string, string> };
  metricKind: 'DELTA';
  valueType: 'INT64' | 'DISTRIBUTION';
  unit: string;
  /** Oldest first. */
  points: RawPoint[];
}

export const emptyDistribution = (): Distribution => ({ count: 0, sum: 0, sumOfSquares: 0, bucketCounts: new Array(LATENCY_BUCKETS.numFiniteBuckets + 2).fill(0) });

function bucketOf(ms: number): number {
  const { numFiniteBuckets, growthFactor, scale } = LATENCY_BUCKETS;
  if (ms < scale) return 0;
  return Math.min(numFiniteBuckets + 1, Math.floor(Math.log(ms / scale) / Math.log(growthFactor)) + 1);
}

export function addTo(d: Distribution, other: Distribution): Distribution {
  d.count += other.count;
  d.sum += other.sum;
  d.sumOfSquares += other.sumOfSquares;
  other.bucketCounts.forEach((c, i) => (d.bucketCounts[i] += c));
  return d;
}

function distributionOf(values: ArrayLike<number>): Distribution {
  const d = emptyDistribution();
  for (let i = 0; i < values.length; i++) {
    d.count++;
    d.sum += values[i];
    d.sumOfSquares += values[i] * values[i];
    d.bucketCounts[bucketOf(values[i])]++;
  }
  return d;
}

/** The q-quantile of a distribution from its buckets, interpolating within the bucket that holds it. */
export function distributionPercentile(d: Distribution, q: number): number {
  const { numFiniteBuckets, growthFactor, scale } = LATENCY_BUCKETS;
  const rank = q * d.count;
  let before = 0;
  for (let b = 0; b < d.bucketCounts.length; b++) {
    const c = d.bucketCounts[b];
    if (c > 0 && before + c >= rank) {
      const lower = b === 0 ? 0 : scale * growthFactor ** (b - 1);
      const upper = b === numFiniteBuckets + 1 ? lower : scale * growthFactor ** b;
      return lower + ((upper - lower) * (rank - before)) / c;
    }
    before += c;
  }
  return NaN;
}

/** A distribution as the API writes it (int64 fields as strings). */
export function distributionJson(d: Distribution): Record<string, unknown> {
  const mean = d.count ? d.sum / d.count : 0;
  return {
    count: String(d.count),
    mean,
    sumOfSquaredDeviation: d.count ? Math.max(0, d.sumOfSquares - d.count * mean * mean) : 0,
    bucketOptions: { exponentialBuckets: LATENCY_BUCKETS },
    bucketCounts: d.bucketCounts.map(String),
  };
}

/** The four series of one revision: request counts and latencies, for 2xx and 5xx answers; a tick without requests of a class writes no point. */
export function cloudRunSeries(project: string, service: string, revision: string, ticks: TrafficTick[]): RawSeries[] {
  const resource = { type: 'cloud_run_revision', labels: { project_id: project, service_name: service, revision_name: revision, location: 'europe-west1', configuration_name: service } };
  const out: RawSeries[] = [];
  for (const [code, cls] of [['200', '2xx'], ['500', '5xx']] as const) {
    const labels = { response_code: code, response_code_class: cls, route: '' };
    const counts: RawPoint[] = [];
    const latencies: RawPoint[] = [];
    for (const tick of ticks) {
      const n = code === '200' ? tick.ok : tick.errors;
      if (!n) continue;
      const end = tick.t * 1000;
      counts.push({ end, value: n });
      latencies.push({ end, value: distributionOf(code === '200' ? tick.latenciesMs.subarray(0, tick.ok) : tick.latenciesMs.subarray(tick.ok)) });
    }
    out.push({ metric: { type: 'run.googleapis.com/request_count', labels }, resource, metricKind: 'DELTA', valueType: 'INT64', unit: '1', points: counts });
    out.push({ metric: { type: 'run.googleapis.com/request_latencies', labels }, resource, metricKind: 'DELTA', valueType: 'DISTRIBUTION', unit: 'ms', points: latencies });
  }
  return out;
}
