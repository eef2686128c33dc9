import { displayUrl, HttpClient, HttpError, isPlainObject, Redactor, RetryPolicy, secretFromEnv } from '@shipfleet/core';
import { abortError } from '../clock';
import { Measurement, Version } from '../measurement';
import { DatadogAggregator, DatadogSource, MetricSpec } from '../metrics';
import { resolveTemplate } from '../template';
import { MeasureRequest, MetricProvider, ProviderRun } from './provider';
import { readAnswer } from './answer';

/** Like Prometheus: two quick retries of a failed query (network, timeout, 429/5xx). */
export const DATADOG_RETRY: Partial<RetryPolicy> = { attempts: 3, delayMs: 250, maxDelayMs: 2000 };

const KEY_HEADERS = ['dd-api-key', 'dd-application-key'];

export interface DatadogConfig {
  /** API base URL, e.g. https://api.datadoghq.com (no trailing slash). */
  url: string;
  /** Tag filters of each version, without braces. */
  tags: { canary: string; baseline?: string };
  windowMs: number;
  /** The rollup of the points: {{interval}} in seconds, and what the window is aligned to. */
  stepMs: number;
  timeoutMs: number;
  apiKey: string;
  appKey: string;
  retry?: Partial<RetryPolicy>;
}

/** A failed exchange with Datadog: no answer, an HTTP error, or an error status in the body. */
export class DatadogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatadogError';
  }
}

export interface DatadogSeries {
  pointlist?: [number, number | null][];
  scope?: string;
  expression?: string;
}

/** The v1 metrics query API: GET /api/v1/query?from=&to=&query= (seconds since the epoch). */
export class DatadogClient {
  private readonly http: HttpClient;
  private readonly shown: string;
  private readonly redactor: Redactor;

  constructor(config: Pick<DatadogConfig, 'url' | 'timeoutMs' | 'apiKey' | 'appKey' | 'retry'>) {
    this.shown = displayUrl(config.url).replace(/\/+$/, '');
    this.redactor = new Redactor([config.apiKey, config.appKey]);
    this.http = new HttpClient({
      baseUrl: config.url,
      timeoutMs: config.timeoutMs,
      headers: { accept: 'application/json', 'dd-api-key': config.apiKey, 'dd-application-key': config.appKey },
      secretHeaders: KEY_HEADERS,
      retry: { ...DATADOG_RETRY, ...config.retry },
      // Datadog explains a refused query in the body of a 4xx: read it rather than throw.
      throwHttpErrors: false,
    });
  }

  async query(query: string, fromS: number, toS: number, signal?: AbortSignal): Promise<DatadogSeries[]> {
    let answer;
    try {
      answer = await this.http.request('GET', '/api/v1/query', { query: { from: fromS, to: toS, query }, signal });
    } catch (err) {
      if (err instanceof HttpError) throw new DatadogError(`Datadog at ${this.shown}: ${this.redactor.redact(err.detail)}`);
      throw err;
    }
    const { body, excerpt, tries } = readAnswer(answer, this.redactor);
    if (answer.status >= 400) {
      const errors = isPlainObject(body) && Array.isArray(body.errors) ? body.errors.map(String).join('; ') : excerpt;
      const hint = answer.status === 401 || answer.status === 403 ? ' (check the API and application keys, the site, and that the application key may query timeseries)' : '';
      throw new DatadogError(`Datadog answered HTTP ${answer.status}: ${this.redactor.redact(errors)}${hint}${tries}`);
    }
    if (isPlainObject(body) && body.status === 'error') throw new DatadogError(`Datadog refused the query: ${this.redactor.redact(String(body.error ?? 'no reason given'))}`);
    if (!isPlainObject(body) || !Array.isArray(body.series)) throw new DatadogError(`Datadog sent an answer that is not a query response: ${excerpt}`);
    return body.series as DatadogSeries[];
  }
}

type Points = { kind: 'points'; points: Map<number, number> } | { kind: 'empty' } | { kind: 'error'; error: string };

/** The non-null points of the one series a query should give, by timestamp (ms), inside [fromMs, toMs). */
function seriesPoints(series: DatadogSeries[], fromMs: number, toMs: number): Points {
  if (series.length === 0) return { kind: 'empty' };
  if (series.length > 1) return { kind: 'error', error: `the query returned ${series.length} series, not one; drop its "by {…}" grouping (or aggregate it with sum:/avg:) so it gives one` };
  const list = series[0].pointlist;
  if (!Array.isArray(list)) return { kind: 'error', error: 'a series without a pointlist' };
  const points = new Map<number, number>();
  for (const p of list) {
    if (!Array.isArray(p) || typeof p[0] !== 'number') return { kind: 'error', error: `a point that is not [timestamp, value]: ${JSON.stringify(p)}` };
    const [t, v] = p;
    if (v === null || v === undefined || t < fromMs || t >= toMs) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) return { kind: 'error', error: `a point whose value is not a number: ${JSON.stringify(p)}` };
    points.set(t, v);
  }
  return points.size ? { kind: 'points', points } : { kind: 'empty' };
}

function aggregate(values: number[], how: DatadogAggregator): number {
  switch (how) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'last':
      return values[values.length - 1];
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

const sortedValues = (points: Map<number, number>) => [...points.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);

/**
 * Metrics read from Datadog's query API. One query per template and analysis:
 * the window ending at the last multiple of the step at or before the
 * evaluation time (so every rollup bucket lies whole in it), with {{interval}}
 * the step in seconds; the points are the samples, and the value is their
 * aggregate (a ratio: the sum of the numerator's over the denominator's).
 */
export class DatadogProvider implements MetricProvider {
  readonly type = 'datadog' as const;
  readonly client: DatadogClient;

  constructor(private readonly config: DatadogConfig) {
    this.client = new DatadogClient(config);
  }

  private tags(version: Version): string | undefined {
    return version === 'canary' ? this.config.tags.canary : this.config.tags.baseline;
  }

  resolve(template: string, version: Version): string {
    return resolveTemplate(template, {
      selector: this.tags(version),
      canary: this.config.tags.canary,
      baseline: this.config.tags.baseline,
      interval: String(Math.round(this.config.stepMs / 1000)),
    });
  }

  private display(source: DatadogSource, version: Version): string {
    if (source.query !== undefined) return this.resolve(source.query, version);
    return `(${this.resolve(source.numerator!, version)}) / (${this.resolve(source.denominator!, version)})`;
  }

  /** The window read at `time`: [from, to) in seconds. */
  window(time: number): { from: number; to: number } {
    const step = this.config.stepMs;
    const to = Math.floor(time / step) * step;
    return { from: (to - this.config.windowMs) / 1000, to: to / 1000 };
  }

  describe(metric: MetricSpec, version: Version): string {
    const { windowMs, stepMs } = this.config;
    return `GET /api/v1/query ${this.display(metric.source as DatadogSource, version)} over the last ${windowMs / 1000}s (window aligned to ${stepMs / 1000}s)`;
  }

  async measure(metric: MetricSpec, request: MeasureRequest): Promise<Measurement> {
    const source = metric.source as DatadogSource;
    const { version, time, signal } = request;
    const { from, to } = this.window(time);
    const query = `${this.display(source, version)} from ${from} to ${to}`;
    try {
      const r = await this.read(source, version, from, to, signal);
      if (r.outcome !== 'value') return { ...r, query, time };
      const { samples, ...value } = r;
      return { ...value, ...(request.withSamples ? { samples } : {}), query, time };
    } catch (err) {
      if (signal.aborted) throw abortError();
      if (err instanceof DatadogError) return { outcome: 'error', error: err.message, query, time };
      throw err;
    }
  }

  private async read(source: DatadogSource, version: Version, from: number, to: number, signal: AbortSignal): Promise<
    { outcome: 'value'; value: number; samples: number[]; note?: string } | { outcome: 'nodata'; reason: string } | { outcome: 'error'; error: string }
  > {
    const run = async (template: string) => seriesPoints(await this.client.query(this.resolve(template, version), from, to, signal), from * 1000, to * 1000);
    if (source.query !== undefined) {
      const r = await run(source.query);
      if (r.kind === 'error') return { outcome: 'error', error: r.error };
      if (r.kind === 'empty') return { outcome: 'nodata', reason: 'no points for this version in the window' };
      const values = sortedValues(r.points);
      return { outcome: 'value', value: aggregate(values, source.aggregator), samples: values, note: `${source.aggregator} of ${values.length} points` };
    }
    const [num, den] = await Promise.all([run(source.numerator!), run(source.denominator!)]);
    if (den.kind === 'error') return { outcome: 'error', error: `denominator: ${den.error}` };
    if (den.kind === 'empty') return { outcome: 'nodata', reason: 'no requests: the denominator has no points in the window' };
    if (num.kind === 'error') return { outcome: 'error', error: `numerator: ${num.error}` };
    const n = num.kind === 'points' ? num.points : new Map<number, number>();
    const total = sortedValues(den.points).reduce((a, b) => a + b, 0);
    if (!(total > 0)) return { outcome: 'nodata', reason: `no requests: the denominator is ${total}` };
    const part = [...n.values()].reduce((a, b) => a + b, 0);
    const samples = [...den.points.entries()].sort((a, b) => a[0] - b[0]).filter(([, d]) => d > 0).map(([t, d]) => (n.get(t) ?? 0) / d);
    return { outcome: 'value', value: part / total, samples, note: num.kind === 'empty' ? `numerator has no points: 0 of ${total}` : `${part} / ${total}` };
  }
}

/** The Datadog provider of a run (none without its settings), its keys read from the environment. */
export function datadogForRun({ options: o, env }: ProviderRun): { provider: MetricProvider; secrets: string[] } | undefined {
  if (!o.datadog) return undefined;
  const apiKey = secretFromEnv('datadog.apiKeyEnv', o.datadog.apiKeyEnv, { env, what: 'a Datadog API key' })!;
  const appKey = secretFromEnv('datadog.appKeyEnv', o.datadog.appKeyEnv, { env, what: 'a Datadog application key' })!;
  const provider = new DatadogProvider({
    url: o.datadog.url,
    tags: o.datadog.tags,
    windowMs: o.windowMs,
    stepMs: o.sampling?.stepMs ?? o.windowMs,
    timeoutMs: o.datadog.timeoutMs,
    apiKey: apiKey.text,
    appKey: appKey.text,
  });
  return { provider, secrets: [...apiKey.mask, ...appKey.mask] };
}
