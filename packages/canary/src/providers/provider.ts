import { Measurement, Version } from '../measurement';
import { MetricSpec } from '../metrics';

export interface MeasureRequest {
  version: Version;
  /** Evaluation time, ms since the epoch (the clock's now, or a replayed time). */
  time: number;
  /** Also read the values across the window (range query, samples) for the baseline comparison. */
  withSamples: boolean;
  signal: AbortSignal;
}

/**
 * A source of metric values. One implementation per file in this folder.
 * `measure` never throws for trouble with the source: that is a measurement
 * with outcome "error". It throws only when the signal aborts.
 */
export interface MetricProvider {
  readonly type: MetricSpec['source']['provider'];
  /** What `measure` sends for this metric and version, placeholders resolved (for dry runs). */
  describe(metric: MetricSpec, version: Version): string;
  measure(metric: MetricSpec, request: MeasureRequest): Promise<Measurement>;
}
