import { displayUrl, HttpClient, HttpError, Redactor, RetryPolicy, SECRET_HEADERS, secretFromEnv } from '@shipfleet/core';
import { abortError } from '../clock';
import { EventCounts, Measurement, Version } from '../measurement';
import { MetricSpec, PrometheusSource } from '../metrics';
import { promDuration, resolveTemplate } from '../template';
import { readAnswer } from './answer';
import { MeasureRequest, MetricProvider, ProviderRun } from './provider';

export interface PrometheusConfig {
  /** Base URL, e.g. http://127.0.0.1:9090 (no trailing slash). */
  url: string;
  /** Label matchers of each version, without braces. */
  selectors: { canary: string; baseline?: string };
  /** The analysis window: {{interval}} of instant queries. */
  windowMs: number;
  /** Range queries: one sample every step across the window. */
  stepMs: number;
  /** Range queries: {{interval}} of each sample. */
  lookbackMs: number;
  /** Range queries: the samples cover (time - rangeMs, time] (default: the window). */
  rangeMs?: number;
  /** Per attempt of each query. */
  timeoutMs: number;
  /** Extra request headers (Authorization). */
  headers?: Record<string, string>;
  /** Over PROMETHEUS_RETRY. */
  retry?: Partial<RetryPolicy>;
}

/**
 * Queries that fail on the way (a network error, a timeout, 429/5xx) are tried
 * again twice, quickly: an analysis should not be lost to a blip, and a longer
 * outage is the next analyses' business (consecutiveErrorLimit).
 */
export const PROMETHEUS_RETRY: Partial<RetryPolicy> = { attempts: 3, delayMs: 250, maxDelayMs: 2000 };

/** A failed exchange with Prometheus: no answer, an HTTP error, or an error status in the body. */
export class PrometheusError extends Error {
  /** Prometheus's errorType (bad_data, execution, timeout, …) when it sent one. */
  readonly errorType?: string;

  constructor(message: string, errorType?: string) {
    super(message);
    this.name = 'PrometheusError';
    this.errorType = errorType;
  }
}

interface Series {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

type QueryData = { resultType: 'scalar'; result: [number, string] } | { resultType: 'vector' | 'matrix'; result: Series[] } | { resultType: 'string'; result: [number, string] };

const seconds = (ms: number) => (ms / 1000).toFixed(3).replace(/\.?0+$/, '');

/** A redactor of the values of the secret headers (Authorization…), whole and after "Bearer ". */
function headerRedactor(headers: Record<string, string> = {}): Redactor {
  const values = Object.entries(headers)
    .filter(([name]) => SECRET_HEADERS.includes(name.toLowerCase()))
    .flatMap(([, value]) => [value, value.replace(/^\w+\s+/, '')]);
  return new Redactor(values);
}

/**
 * The Prometheus HTTP API (/api/v1/query and /api/v1/query_range), always with
 * an explicit evaluation time so recorded histories can be replayed.
 */
export class PrometheusClient {
  private readonly http: HttpClient;
  private readonly shown: string;
  private readonly redactor: Redactor;

  constructor(config: Pick<PrometheusConfig, 'url' | 'timeoutMs' | 'headers' | 'retry'>) {
    this.shown = displayUrl(config.url).replace(/\/+$/, '');
    this.redactor = headerRedactor(config.headers);
    this.http = new HttpClient({
      baseUrl: config.url,
      timeoutMs: config.timeoutMs,
      headers: { accept: 'application/json', ...config.headers },
      retry: { ...PROMETHEUS_RETRY, ...config.retry },
      // Prometheus explains a rejected query in the body of a 4xx: read it rather than throw.
      throwHttpErrors: false,
    });
  }

  private async get(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<QueryData> {
    let answer;
    try {
      answer = await this.http.request('GET', path, { query: params, signal });
    } catch (err) {
      if (err instanceof HttpError) throw new PrometheusError(`Prometheus at ${this.shown}: ${err.detail}`);
      throw err;
    }
    const read = readAnswer(answer, this.redactor);
    const body = read.body as { status?: string; data?: QueryData; errorType?: string; error?: string } | undefined;
    if (body?.status === 'error') throw new PrometheusError(`Prometheus answered HTTP ${read.status}, ${body.errorType}: ${this.redactor.redact(String(body.error))}${read.tries}`, body.errorType);
    if (read.status >= 400) throw new PrometheusError(`Prometheus answered HTTP ${read.status}: ${read.excerpt}${read.tries}`);
    if (body?.status !== 'success' || !body.data) throw new PrometheusError(`Prometheus sent an answer that is not an API response: ${read.excerpt}`);
    return body.data;
  }

  query(expr: string, timeMs: number, signal?: AbortSignal): Promise<QueryData> {
    return this.get('/api/v1/query', { query: expr, time: seconds(timeMs) }, signal);
  }

  queryRange(expr: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<QueryData> {
    return this.get('/api/v1/query_range', { query: expr, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) }, signal);
  }
}

type Instant = { kind: 'value'; value: number } | { kind: 'empty' } | { kind: 'error'; error: string };

/** One value out of an instant query's answer. */
function instantValue(data: QueryData): Instant {
  if (data.resultType === 'scalar') return { kind: 'value', value: Number(data.result[1]) };
  if (data.resultType !== 'vector') return { kind: 'error', error: `the query returned a ${data.resultType}, not a single value` };
  if (data.result.length === 0) return { kind: 'empty' };
  if (data.result.length > 1) {
    return { kind: 'error', error: `the query returned ${data.result.length} series, not one; aggregate it (sum(...), or sum by () (...)) so it gives one value` };
  }
  return { kind: 'value', value: Number(data.result[0].value![1]) };
}

type Range = { kind: 'points'; points: Map<number, number> } | { kind: 'empty' } | { kind: 'error'; error: string };

function rangePoints(data: QueryData): Range {
  if (data.resultType !== 'matrix') return { kind: 'error', error: `the range query returned a ${data.resultType}` };
  if (data.result.length === 0) return { kind: 'empty' };
  if (data.result.length > 1) return { kind: 'error', error: `the query returned ${data.result.length} series, not one; aggregate it so it gives one value` };
  return { kind: 'points', points: new Map(data.result[0].values!.map(([t, v]) => [Math.round(t * 1000), Number(v)])) };
}

function notANumber(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN (0/0: no requests in the window?)';
  if (!Number.isFinite(v)) return `${v} (a division by zero)`;
  return undefined;
}

/** Metrics read from Prometheus: instant queries for the value, range queries for the samples. */
export class PrometheusProvider implements MetricProvider {
  readonly type = 'prometheus' as const;
  readonly client: PrometheusClient;

  constructor(private readonly config: PrometheusConfig) {
    this.client = new PrometheusClient(config);
  }

  selector(version: Version): string {
    const s = version === 'canary' ? this.config.selectors.canary : this.config.selectors.baseline;
    if (s === undefined) throw new Error(`no ${version} selector configured`);
    return s;
  }

  /** A template with its placeholders filled in for a version; `lookbackMs` is {{interval}}. */
  resolve(template: string, version: Version, lookbackMs = this.config.windowMs): string {
    return resolveTemplate(template, {
      selector: this.selector(version),
      canary: this.config.selectors.canary,
      baseline: this.config.selectors.baseline,
      interval: promDuration(lookbackMs),
    });
  }

  private display(source: PrometheusSource, version: Version, lookbackMs?: number): string {
    if (source.query !== undefined) return this.resolve(source.query, version, lookbackMs);
    return `(${this.resolve(source.numerator!, version, lookbackMs)}) / (${this.resolve(source.denominator!, version, lookbackMs)})`;
  }

  describe(metric: MetricSpec, version: Version): string {
    return this.display(metric.source as PrometheusSource, version);
  }

  async measure(metric: MetricSpec, request: MeasureRequest): Promise<Measurement> {
    return this.measureSource(metric.source as PrometheusSource, request);
  }

  /** Reads a source (a metric, or the request count) for one version at one time. */
  async measureSource(source: PrometheusSource, request: MeasureRequest): Promise<Measurement> {
    const { version, time, signal } = request;
    const query = this.display(source, version);
    try {
      const instant = await this.instant(source, version, time, signal);
      if (instant.outcome !== 'value' || !request.withSamples) return { ...instant, query, time };
      const samples = await this.samples(source, version, time, signal);
      if ('error' in samples) return { outcome: 'error', error: samples.error, query, time };
      return { ...instant, samples: samples.values, query: `${query}; samples: ${this.display(source, version, this.config.lookbackMs)} every ${promDuration(this.config.stepMs)} over ${promDuration(this.config.rangeMs ?? this.config.windowMs)}`, time };
    } catch (err) {
      if (signal.aborted) throw abortError();
      if (err instanceof PrometheusError) return { outcome: 'error', error: err.message, query, time };
      throw err;
    }
  }

  private async instant(source: PrometheusSource, version: Version, time: number, signal: AbortSignal): Promise<
    { outcome: 'value'; value: number; note?: string; counts?: EventCounts } | { outcome: 'nodata'; reason: string } | { outcome: 'error'; error: string }
  > {
    if (source.query !== undefined) {
      const r = instantValue(await this.client.query(this.resolve(source.query, version), time, signal));
      if (r.kind === 'error') return { outcome: 'error', error: r.error };
      if (r.kind === 'empty') {
        return source.missingAsZero ? { outcome: 'value', value: 0, note: 'no series: counted as 0' } : { outcome: 'nodata', reason: 'empty result (no series for this version in the window)' };
      }
      const nan = notANumber(r.value);
      return nan ? { outcome: 'nodata', reason: nan } : { outcome: 'value', value: r.value };
    }
    const [num, den] = await Promise.all([
      this.client.query(this.resolve(source.numerator!, version), time, signal),
      this.client.query(this.resolve(source.denominator!, version), time, signal),
    ]);
    const d = instantValue(den);
    if (d.kind === 'error') return { outcome: 'error', error: `denominator: ${d.error}` };
    if (d.kind === 'empty') return { outcome: 'nodata', reason: 'no requests: the denominator has no series in the window' };
    if (!Number.isFinite(d.value) || d.value <= 0) return { outcome: 'nodata', reason: `no requests: the denominator is ${d.value}` };
    const n = instantValue(num);
    if (n.kind === 'error') return { outcome: 'error', error: `numerator: ${n.error}` };
    if (n.kind === 'empty') return { outcome: 'value', value: 0, note: `numerator has no series: counted as 0 of ${d.value}`, counts: { events: 0, total: d.value } };
    const nan = notANumber(n.value);
    if (nan) return { outcome: 'nodata', reason: `numerator is ${nan}` };
    return { outcome: 'value', value: n.value / d.value, note: `${n.value} / ${d.value}`, counts: { events: n.value, total: d.value } };
  }

  private async samples(source: PrometheusSource, version: Version, time: number, signal: AbortSignal): Promise<{ values: number[] } | { error: string }> {
    const { stepMs, lookbackMs, windowMs, rangeMs = windowMs } = this.config;
    // Samples cover (time - range, time] without overlap when lookback = step.
    const start = time - rangeMs + stepMs;
    const range = (template: string) => this.client.queryRange(this.resolve(template, version, lookbackMs), start, time, stepMs, signal);
    if (source.query !== undefined) {
      const r = rangePoints(await range(source.query));
      if (r.kind === 'error') return { error: r.error };
      if (r.kind === 'empty') {
        const steps = Math.floor((time - start) / stepMs) + 1;
        return { values: source.missingAsZero ? new Array(steps).fill(0) : [] };
      }
      return { values: [...r.points.values()].filter(Number.isFinite) };
    }
    const [num, den] = await Promise.all([range(source.numerator!), range(source.denominator!)]);
    const d = rangePoints(den);
    if (d.kind === 'error') return { error: `denominator: ${d.error}` };
    if (d.kind === 'empty') return { values: [] };
    const n = rangePoints(num);
    if (n.kind === 'error') return { error: `numerator: ${n.error}` };
    const values: number[] = [];
    for (const [t, dv] of d.points) {
      if (!(dv > 0) || !Number.isFinite(dv)) continue;
      const nv = n.kind === 'points' ? n.points.get(t) ?? 0 : 0;
      if (Number.isFinite(nv)) values.push(nv / dv);
    }
    return { values };
  }
}

/** The Prometheus provider of a run (none without Prometheus settings), its bearer token read from the environment. */
export function prometheusForRun({ options: o, env }: ProviderRun): { provider: MetricProvider; secrets: string[] } | undefined {
  if (!o.prometheus || !o.selectors.canary) return undefined;
  const token = secretFromEnv('prometheus.tokenEnv', o.prometheus.tokenEnv, { env, what: 'the Prometheus bearer token' });
  const provider = new PrometheusProvider({
    url: o.prometheus.url,
    selectors: { canary: o.selectors.canary, baseline: o.selectors.baseline },
    windowMs: o.windowMs,
    stepMs: o.sampling?.stepMs ?? o.windowMs,
    lookbackMs: o.sampling?.lookbackMs ?? o.windowMs,
    rangeMs: o.sampling?.rangeMs ?? o.windowMs,
    timeoutMs: o.prometheus.timeoutMs,
    headers: token ? { authorization: `Bearer ${token.text}` } : undefined,
  });
  return { provider, secrets: token?.mask ?? [] };
}
