import type { Clock } from '../clock';
import type { Measurement, Version } from '../measurement';
import type { MetricSource, MetricSpec } from '../metrics';
import type { NormalizedCanaryOptions, Selectors } from '../types';

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

/** What a provider's options are checked against. */
export interface SourceContext {
  /** The baseline comparison is on. */
  comparison: boolean;
}

/** What a provider is built from for a run. */
export interface ProviderRun {
  options: NormalizedCanaryOptions;
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

/**
 * One kind of metric provider, as the registry (registry.ts) lists it: the
 * metric options it reads and checks, and how it is built for a run.
 */
export interface MetricProviderType<S extends MetricSource = MetricSource> {
  readonly type: S['provider'];
  /** What it reads, for messages: "PromQL over the HTTP API". */
  readonly summary: string;
  /** What the plan calls it: "Prometheus", "Datadog". */
  readonly name: string;
  /** Whether the plan reads each of its metrics once before traffic moves (not for sources the reading itself loads, such as a health endpoint). */
  readonly checkedBeforeTraffic: boolean;
  /** The keys of a metric that only this provider reads. */
  readonly keys: readonly string[];
  /** Checks the provider's part of one metric (`at` is "metrics[2]"); each problem is a UserError. */
  parseSource(metric: Record<string, unknown>, at: string, ctx: SourceContext): S;
  /** Whether the stable version can be measured too with the selectors at hand. */
  readsBaseline(source: S, selectors: Selectors): boolean;
  /** The provider of a run, and the secret values it holds (to mask in output). */
  create(run: ProviderRun): { provider: MetricProvider; secrets: string[] } | undefined;
}
