import { createAccessTokenProvider, PlayCredentials, resolvePlayCredentials } from '@shipfleet/android';
import { displayUrl, errorMessage, HttpClient, HttpError, isPlainObject, Redactor, RetryPolicy } from '@shipfleet/core';
import { abortError } from '../clock';
import { Measurement, Version } from '../measurement';
import { CloudMonitoringSource, MetricSpec } from '../metrics';
import type { CloudMonitoringSettings } from '../types';
import { MeasureRequest, MetricProvider, ProviderRun } from './provider';
import { readAnswer } from './answer';

export const MONITORING_READ_SCOPE = 'https://www.googleapis.com/auth/monitoring.read';

/** What the credentials variable holds, for messages. */
export const MONITORING_CREDENTIALS_WHAT = 'a Google service-account key JSON or an external_account (workload identity federation) configuration, as it is or base64';

/** Like Prometheus: two quick retries of a failed call (network, timeout, 429/5xx); longer outages are the next analyses' business. */
export const CLOUD_MONITORING_RETRY: Partial<RetryPolicy> = { attempts: 3, delayMs: 250, maxDelayMs: 2000 };

/** Cloud Monitoring's smallest alignment period. */
export const MIN_ALIGNMENT_PERIOD_MS = 60_000;

const REQUEST_COUNT = 'run.googleapis.com/request_count';
const REQUEST_LATENCIES = 'run.googleapis.com/request_latencies';
const REVISION_LABEL = 'resource.labels.revision_name';
const PERCENTILE_REDUCERS: Record<string, string> = { '0.5': 'REDUCE_PERCENTILE_50', '0.95': 'REDUCE_PERCENTILE_95', '0.99': 'REDUCE_PERCENTILE_99' };

export interface CloudMonitoringConfig {
  /** https://monitoring.googleapis.com (no trailing slash). */
  apiUrl: string;
  project: string;
  revisions: { canary: string; baseline?: string };
  /** The value: one alignment period over the window. */
  windowMs: number;
  /** The samples: one alignment period per step across the window. */
  stepMs: number;
  /** Per attempt of each call. */
  timeoutMs: number;
  /** A valid access token for each call. */
  accessToken: () => Promise<string>;
  /** Access tokens and other credentials learnt, to keep out of messages. */
  redactor?: Redactor;
  retry?: Partial<RetryPolicy>;
}

/** A failed exchange with Cloud Monitoring (or with Google's token endpoint). */
export class CloudMonitoringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudMonitoringError';
  }
}

/** One timeSeries.list request: a filter and how to align and reduce what it selects. */
export interface TimeSeriesQuery {
  filter: string;
  aligner: string;
  reducer: string;
}

interface TypedValue {
  int64Value?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  distributionValue?: unknown;
}

interface Point {
  interval?: { startTime?: string; endTime?: string };
  value?: TypedValue;
}

export interface MonitoringTimeSeries {
  metric?: { type?: string; labels?: Record<string, string> };
  resource?: { type?: string; labels?: Record<string, string> };
  valueType?: string;
  points?: Point[];
}

/** A duration as the API writes it: "60s". */
const apiDuration = (ms: number) => `${Math.round(ms / 1000)}s`;
const rfc3339 = (ms: number) => new Date(ms).toISOString();

/** The Monitoring API v3's projects.timeSeries.list, every page of it. */
export class CloudMonitoringClient {
  private readonly http: HttpClient;
  private readonly shown: string;
  private readonly redactor: Redactor;

  constructor(private readonly config: Pick<CloudMonitoringConfig, 'apiUrl' | 'project' | 'timeoutMs' | 'accessToken' | 'redactor' | 'retry'>) {
    this.shown = displayUrl(config.apiUrl).replace(/\/+$/, '');
    this.redactor = config.redactor ?? new Redactor();
    this.http = new HttpClient({
      baseUrl: config.apiUrl,
      timeoutMs: config.timeoutMs,
      headers: { accept: 'application/json' },
      retry: { ...CLOUD_MONITORING_RETRY, ...config.retry },
      // Google explains a refused request in the body: read it rather than throw.
      throwHttpErrors: false,
    });
  }

  async list(q: TimeSeriesQuery, startMs: number, endMs: number, periodMs: number, signal?: AbortSignal): Promise<MonitoringTimeSeries[]> {
    let token: string;
    try {
      token = await this.config.accessToken();
    } catch (err) {
      if (signal?.aborted) throw abortError();
      throw new CloudMonitoringError(this.redactor.redact(errorMessage(err)));
    }
    const series: MonitoringTimeSeries[] = [];
    let pageToken: string | undefined;
    do {
      const query = {
        filter: q.filter,
        'interval.startTime': rfc3339(startMs),
        'interval.endTime': rfc3339(endMs),
        'aggregation.alignmentPeriod': apiDuration(periodMs),
        'aggregation.perSeriesAligner': q.aligner,
        'aggregation.crossSeriesReducer': q.reducer,
        'aggregation.groupByFields': REVISION_LABEL,
        pageToken,
      };
      let answer;
      try {
        answer = await this.http.request('GET', `/v3/projects/${encodeURIComponent(this.config.project)}/timeSeries`, { query, signal, headers: { authorization: `Bearer ${token}` } });
      } catch (err) {
        if (err instanceof HttpError) throw new CloudMonitoringError(`Cloud Monitoring at ${this.shown}: ${this.redactor.redact(err.detail)}`);
        throw err;
      }
      const { body, excerpt, tries } = readAnswer(answer, this.redactor);
      if (answer.status >= 400) {
        const e = isPlainObject(body) && isPlainObject(body.error) ? body.error : undefined;
        const what = e && typeof e.message === 'string' ? `${typeof e.status === 'string' ? `${e.status}: ` : ''}${this.redactor.redact(e.message)}` : excerpt;
        throw new CloudMonitoringError(`Cloud Monitoring answered HTTP ${answer.status}, ${what}${tries}`);
      }
      if (!isPlainObject(body) || (body.timeSeries !== undefined && !Array.isArray(body.timeSeries))) {
        throw new CloudMonitoringError(`Cloud Monitoring sent an answer that is not a ListTimeSeriesResponse: ${excerpt}`);
      }
      const failed = Array.isArray(body.executionErrors) ? body.executionErrors.find(isPlainObject) : undefined;
      if (failed) throw new CloudMonitoringError(`Cloud Monitoring could not read every time series: ${this.redactor.redact(String(failed.message ?? JSON.stringify(failed)))}`);
      series.push(...((body.timeSeries as MonitoringTimeSeries[] | undefined) ?? []));
      pageToken = typeof body.nextPageToken === 'string' && body.nextPageToken ? body.nextPageToken : undefined;
    } while (pageToken);
    return series;
  }
}


/** A point's number: int64 (sent as a string), double or bool; a distribution needs a percentile aligner or reducer. */
function pointValue(p: Point): number | string {
  const v = p.value ?? {};
  if (v.int64Value !== undefined) return Number(v.int64Value);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.boolValue !== undefined) return v.boolValue ? 1 : 0;
  if (v.distributionValue !== undefined) return 'the series holds distributions: align or reduce them to a number (ALIGN_PERCENTILE_95, REDUCE_PERCENTILE_95, …)';
  return `a point without a value: ${JSON.stringify(p.value ?? null)}`;
}

type Points = { kind: 'points'; points: Map<number, number> } | { kind: 'empty' } | { kind: 'error'; error: string };

/** The points of the one series a query should give, by end time. */
function seriesPoints(series: MonitoringTimeSeries[]): Points {
  if (series.length === 0) return { kind: 'empty' };
  if (series.length > 1) return { kind: 'error', error: `the query returned ${series.length} time series, not one; use a cross-series reducer that keeps only ${REVISION_LABEL}` };
  const points = new Map<number, number>();
  for (const p of series[0].points ?? []) {
    const v = pointValue(p);
    if (typeof v === 'string') return { kind: 'error', error: v };
    const end = Date.parse(p.interval?.endTime ?? '');
    if (!Number.isFinite(end)) return { kind: 'error', error: `a point without an end time: ${JSON.stringify(p.interval ?? null)}` };
    points.set(end, v);
  }
  return points.size ? { kind: 'points', points } : { kind: 'empty' };
}

/** The newest point (points come newest first, but order is not relied on). */
const latest = (points: Map<number, number>) => points.get(Math.max(...points.keys()))!;

/** The queries of a source for one revision: one, or a ratio. */
export function cloudMonitoringQueries(source: CloudMonitoringSource, revision: string): { query: TimeSeriesQuery } | { numerator: TimeSeriesQuery; denominator: TimeSeriesQuery } {
  const rev = `resource.type = "cloud_run_revision" AND ${REVISION_LABEL} = "${revision}"`;
  const count = (extra = ''): TimeSeriesQuery => ({ filter: `metric.type = "${REQUEST_COUNT}" AND ${rev}${extra}`, aligner: 'ALIGN_DELTA', reducer: 'REDUCE_SUM' });
  switch (source.measure) {
    case 'requestCount':
      return { query: count() };
    case 'errorRate':
      return { numerator: count(' AND metric.labels.response_code_class = "5xx"'), denominator: count() };
    case 'latency':
      // The distributions of every response code merged per period, then the percentile of the merge.
      return { query: { filter: `metric.type = "${REQUEST_LATENCIES}" AND ${rev}`, aligner: 'ALIGN_DELTA', reducer: PERCENTILE_REDUCERS[String(source.quantile)] } };
    default:
      return { query: { filter: `(${source.filter}) AND ${REVISION_LABEL} = "${revision}"`, aligner: source.aligner!, reducer: source.reducer ?? 'REDUCE_SUM' } };
  }
}

const describeQuery = (q: TimeSeriesQuery) => `filter ${q.filter}, ${q.aligner}, ${q.reducer} by ${REVISION_LABEL}`;

/** Metrics of Cloud Run revisions read from Cloud Monitoring: one alignment period over the window for the value, one per step for the samples. */
export class CloudMonitoringProvider implements MetricProvider {
  readonly type = 'cloud-monitoring' as const;
  readonly client: CloudMonitoringClient;

  constructor(private readonly config: CloudMonitoringConfig) {
    this.client = new CloudMonitoringClient(config);
  }

  private revision(version: Version): string | undefined {
    return version === 'canary' ? this.config.revisions.canary : this.config.revisions.baseline;
  }

  private display(source: CloudMonitoringSource, revision: string, periodMs: number): string {
    const q = cloudMonitoringQueries(source, revision);
    const what = 'query' in q ? describeQuery(q.query) : `(${describeQuery(q.numerator)}) / (${describeQuery(q.denominator)})`;
    return `timeSeries.list projects/${this.config.project}: ${what}, period ${apiDuration(periodMs)}`;
  }

  describe(metric: MetricSpec, version: Version): string {
    const revision = this.revision(version);
    return revision ? this.display(metric.source as CloudMonitoringSource, revision, this.config.windowMs) : '(no baseline revision)';
  }

  async measure(metric: MetricSpec, request: MeasureRequest): Promise<Measurement> {
    const source = metric.source as CloudMonitoringSource;
    const { version, time, signal } = request;
    const revision = this.revision(version);
    if (!revision) return { outcome: 'nodata', reason: 'no baseline revision to compare with', query: '(no baseline revision)', time };
    const query = this.display(source, revision, this.config.windowMs);
    try {
      const { windowMs, stepMs } = this.config;
      const value = await this.read(source, revision, time, windowMs, signal);
      if (value.outcome !== 'value' || !request.withSamples) return { ...value, query, time };
      const samples = await this.read(source, revision, time, stepMs, signal);
      if (samples.outcome === 'error') return { outcome: 'error', error: samples.error, query, time };
      return { ...value, samples: samples.outcome === 'value' ? samples.samples : [], query: `${query}; samples: period ${apiDuration(stepMs)}`, time };
    } catch (err) {
      if (signal.aborted) throw abortError();
      if (err instanceof CloudMonitoringError) return { outcome: 'error', error: err.message, query, time };
      throw err;
    }
  }

  /** The source over (time - window, time] in periods of `periodMs`: the newest period's value, and every period's. */
  private async read(source: CloudMonitoringSource, revision: string, time: number, periodMs: number, signal: AbortSignal): Promise<
    { outcome: 'value'; value: number; samples: number[]; note?: string } | { outcome: 'nodata'; reason: string } | { outcome: 'error'; error: string }
  > {
    const start = time - this.config.windowMs;
    const list = (q: TimeSeriesQuery) => this.client.list(q, start, time, periodMs, signal);
    const q = cloudMonitoringQueries(source, revision);
    if ('query' in q) {
      const r = seriesPoints(await list(q.query));
      if (r.kind === 'error') return { outcome: 'error', error: r.error };
      if (r.kind === 'empty') {
        if (source.measure === 'requestCount') return { outcome: 'value', value: 0, samples: [], note: 'no request_count series: no requests in the window' };
        return { outcome: 'nodata', reason: `no time series for revision ${revision} in the window` };
      }
      return { outcome: 'value', value: latest(r.points), samples: [...r.points.values()] };
    }
    const [num, den] = await Promise.all([list(q.numerator), list(q.denominator)]);
    const d = seriesPoints(den);
    if (d.kind === 'error') return { outcome: 'error', error: `denominator: ${d.error}` };
    if (d.kind === 'empty') return { outcome: 'nodata', reason: `no requests: revision ${revision} has no request_count series in the window` };
    const n = seriesPoints(num);
    if (n.kind === 'error') return { outcome: 'error', error: `numerator: ${n.error}` };
    const samples: number[] = [];
    for (const [t, dv] of d.points) if (dv > 0) samples.push((n.kind === 'points' ? n.points.get(t) ?? 0 : 0) / dv);
    const newest = Math.max(...d.points.keys());
    const dv = d.points.get(newest)!;
    if (!(dv > 0)) return { outcome: 'nodata', reason: `no requests: the request count of revision ${revision} is ${dv}` };
    const nv = n.kind === 'points' ? n.points.get(newest) ?? 0 : 0;
    return { outcome: 'value', value: nv / dv, samples, note: n.kind === 'empty' ? `no 5xx series: 0 of ${dv}` : `${nv} / ${dv}` };
  }
}

/** The credentials a run reads Cloud Monitoring with: the variable named, else application default credentials. */
export function cloudMonitoringCredentials(credentialsEnv: string | undefined, env: NodeJS.ProcessEnv): PlayCredentials {
  return resolvePlayCredentials({ serviceAccountKeyEnv: credentialsEnv, env, keyEnvOption: 'cloudMonitoring.credentialsEnv', defaultKeyEnv: null, what: MONITORING_CREDENTIALS_WHAT });
}

/** The provider for Cloud Monitoring settings and the credentials they name. */
export function cloudMonitoringProvider(settings: CloudMonitoringSettings, credentials: PlayCredentials, sampling: { windowMs: number; stepMs: number }, retry?: Partial<RetryPolicy>): CloudMonitoringProvider {
  const redactor = new Redactor(credentials.secrets);
  const auth = createAccessTokenProvider(credentials, { tokenUrl: settings.tokenUrl, scope: MONITORING_READ_SCOPE, api: 'the Cloud Monitoring API', onSecret: (v) => redactor.add(v) });
  return new CloudMonitoringProvider({
    apiUrl: settings.apiUrl,
    project: settings.project,
    revisions: settings.revisions,
    windowMs: sampling.windowMs,
    stepMs: sampling.stepMs,
    timeoutMs: settings.timeoutMs,
    accessToken: () => auth.accessToken(),
    redactor,
    retry,
  });
}

/** The Cloud Monitoring provider of a run (none without its settings). */
export function cloudMonitoringForRun({ options: o, env }: ProviderRun): { provider: MetricProvider; secrets: string[] } | undefined {
  if (!o.cloudMonitoring) return undefined;
  const credentials = cloudMonitoringCredentials(o.cloudMonitoring.credentialsEnv, env);
  const provider = cloudMonitoringProvider(o.cloudMonitoring, credentials, { windowMs: o.windowMs, stepMs: o.sampling?.stepMs ?? o.windowMs });
  return { provider, secrets: credentials.secrets };
}
