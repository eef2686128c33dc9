import { displayUrl, formatDuration, HttpClient, HttpError, Redactor, RetryPolicy, secretFromEnv } from '@shipfleet/core';
import { abortError } from '../clock';
import { formatNumber, Measurement, Version } from '../measurement';
import { MetricSpec, SentryMeasure, SentrySource } from '../metrics';
import type { SentrySettings } from '../types';
import { MeasureRequest, MetricProvider, ProviderRun } from './provider';
import { readAnswer } from './answer';

export interface SentryConfig extends Omit<SentrySettings, 'tokenEnv'> {
  /** The auth token (Authorization: Bearer). */
  token: string;
  /** The analysis window. */
  windowMs: number;
  /** Resolution of the series (the comparison's sample step, or the window). */
  intervalMs: number;
  /** The samples cover this much before the evaluation time (default: the window). */
  rangeMs?: number;
  /** Over SENTRY_RETRY. */
  retry?: Partial<RetryPolicy>;
}

/** Requests that fail on the way (network, timeout, 429/5xx) are tried again twice, quickly, as for Prometheus. */
export const SENTRY_RETRY: Partial<RetryPolicy> = { attempts: 3, delayMs: 250, maxDelayMs: 2000 };

/** A failed exchange with Sentry: no answer, an HTTP error, or an answer that is not the sessions API's. */
export class SentryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SentryError';
  }
}

/** The fields of the sessions API each measure reads: its rate, and the volume it rests on. */
const RATE_FIELD: Record<SentryMeasure, string> = { crashFreeSessions: 'crash_free_rate(session)', crashFreeUsers: 'crash_free_rate(user)' };
const SESSIONS = 'sum(session)';
const USERS = 'count_unique(user)';

export interface SessionsGroup {
  by: Record<string, string | number>;
  totals?: Record<string, number | null>;
  series?: Record<string, Array<number | null>>;
}

/** The answer of GET /api/0/organizations/{org}/sessions/. */
export interface SessionsAnswer {
  start: string;
  end: string;
  intervals: string[];
  groups: SessionsGroup[];
}

/** Sentry's interval syntax (statsPeriod's): whole seconds, minutes, hours or days. */
export function sentryPeriod(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 86_400 === 0) return `${s / 86_400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A search term that matches one release exactly, quoted so that any release name fits. */
export const releaseQuery = (release: string) => `release:"${release.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Release health's sessions endpoint: one request per measurement, series included when asked. */
export class SentryClient {
  private readonly http: HttpClient;
  private readonly redactor: Redactor;
  readonly path: string;

  constructor(private readonly config: Pick<SentryConfig, 'url' | 'organization' | 'token' | 'timeoutMs' | 'retry'>) {
    this.redactor = new Redactor([config.token]);
    this.path = `/api/0/organizations/${encodeURIComponent(config.organization)}/sessions/`;
    this.http = new HttpClient({
      baseUrl: config.url,
      timeoutMs: config.timeoutMs,
      headers: { accept: 'application/json', authorization: `Bearer ${config.token}` },
      retry: { ...SENTRY_RETRY, ...config.retry },
      // Sentry explains a refused request in the body ({"detail": …}): read it rather than throw.
      throwHttpErrors: false,
    });
  }

  get shown(): string {
    return displayUrl(this.config.url).replace(/\/+$/, '');
  }

  /** GET the sessions endpoint; `params` may repeat a name (field). */
  async sessions(params: Array<[string, string]>, signal?: AbortSignal): Promise<SessionsAnswer> {
    const query = new URLSearchParams(params).toString();
    let answer;
    try {
      answer = await this.http.request('GET', `${this.path}?${query}`, { signal });
    } catch (err) {
      if (err instanceof HttpError) throw new SentryError(`Sentry at ${this.shown}: ${this.redactor.redact(err.detail)}`);
      throw err;
    }
    const { body, excerpt, tries } = readAnswer(answer, this.redactor);
    if (answer.status >= 400) {
      const detail = typeof body === 'object' && body !== null && typeof (body as { detail?: unknown }).detail === 'string' ? (body as { detail: string }).detail : undefined;
      throw new SentryError(`Sentry answered HTTP ${answer.status}: ${detail !== undefined ? this.redactor.redact(detail) : excerpt}${tries}`);
    }
    if (!isSessionsAnswer(body)) throw new SentryError(`Sentry sent an answer that is not a sessions API response: ${excerpt}`);
    return body;
  }
}

function isSessionsAnswer(body: unknown): body is SessionsAnswer {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Partial<SessionsAnswer>;
  return Array.isArray(b.intervals) && Array.isArray(b.groups) && b.groups.every((g) => typeof g === 'object' && g !== null && typeof g.by === 'object');
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** A count as it is (formatNumber rounds to 4 digits). */
const count = (v: number) => (Number.isInteger(v) ? String(v) : formatNumber(v));

/**
 * Crash-free rates of a release from Sentry's release health: the canary is
 * the release rolling out, the baseline the release it replaces. Each
 * measurement reads the last whole intervals before the evaluation time;
 * too few sessions there is no data, never a failure.
 */
export class SentryProvider implements MetricProvider {
  readonly type = 'sentry' as const;
  readonly client: SentryClient;

  constructor(private readonly config: SentryConfig) {
    this.client = new SentryClient(config);
  }

  release(version: Version): string {
    return version === 'canary' ? this.config.release : this.config.baselineRelease;
  }

  /** The window (or the samples' range) read at `time`: whole intervals ending at or before it, [start, end). */
  range(time: number, lengthMs = this.config.windowMs): { start: number; end: number } {
    const end = Math.floor(time / this.config.intervalMs) * this.config.intervalMs;
    return { start: end - lengthMs, end };
  }

  private get samplesRangeMs(): number {
    return this.config.rangeMs ?? this.config.windowMs;
  }

  private fields(measure: SentryMeasure): string[] {
    return [RATE_FIELD[measure], SESSIONS, ...(measure === 'crashFreeUsers' ? [USERS] : [])];
  }

  params(source: SentrySource, version: Version, time: number, withSamples: boolean, lengthMs = this.config.windowMs): Array<[string, string]> {
    const { start, end } = this.range(time, lengthMs);
    return [
      ...this.fields(source.measure).map((f): [string, string] => ['field', f]),
      ['project', this.config.project],
      ...(this.config.environment ? [['environment', this.config.environment] as [string, string]] : []),
      ['query', releaseQuery(this.release(version))],
      ['groupBy', 'release'],
      ['interval', sentryPeriod(this.config.intervalMs)],
      ['start', iso(start)],
      ['end', iso(end)],
      ['includeSeries', withSamples ? '1' : '0'],
    ];
  }

  describe(metric: MetricSpec, version: Version): string {
    const s = metric.source as SentrySource;
    const env = this.config.environment ? `, environment ${this.config.environment}` : '';
    const range = this.samplesRangeMs !== this.config.windowMs ? ` (samples over ${formatDuration(this.samplesRangeMs)})` : '';
    const samples = this.config.intervalMs < this.samplesRangeMs ? ` in ${formatDuration(this.config.intervalMs)} intervals${range}` : '';
    return `GET ${this.client.shown}${this.client.path} ${RATE_FIELD[s.measure]} of release "${this.release(version)}" (project ${this.config.project}${env}) over the last whole ${formatDuration(this.config.windowMs)}${samples}; fewer than ${this.config.minSessions} sessions is no data`;
  }

  async measure(metric: MetricSpec, request: MeasureRequest): Promise<Measurement> {
    const source = metric.source as SentrySource;
    const { version, time, signal, withSamples } = request;
    const { start, end } = this.range(time);
    const query = `${this.describe(metric, version)}; ${iso(start)} – ${iso(end)}`;
    // One request gives the value and its series; samples over a longer range than the window need a second.
    const separate = withSamples && this.samplesRangeMs !== this.config.windowMs;
    let answer: SessionsAnswer;
    let samplesAnswer: SessionsAnswer | undefined;
    try {
      [answer, samplesAnswer] = await Promise.all([
        this.client.sessions(this.params(source, version, time, withSamples && !separate), signal),
        separate ? this.client.sessions(this.params(source, version, time, true, this.samplesRangeMs), signal) : Promise.resolve(undefined),
      ]);
    } catch (err) {
      if (signal.aborted) throw abortError();
      if (err instanceof SentryError) return { outcome: 'error', error: err.message, query, time };
      throw err;
    }
    const read = this.read(source, version, answer, withSamples && !separate);
    if (read.outcome !== 'value' || !samplesAnswer) return { ...read, query, time };
    const samples = this.read(source, version, samplesAnswer, true);
    if (samples.outcome === 'error') return { outcome: 'error', error: samples.error, query, time };
    return { ...read, samples: samples.outcome === 'value' ? samples.samples : [], query, time };
  }

  /** The measurement in an answer: the release's group, its volume, its rate and series. */
  private read(source: SentrySource, version: Version, answer: SessionsAnswer, withSamples: boolean):
    | { outcome: 'value'; value: number; samples?: number[]; note: string }
    | { outcome: 'nodata'; reason: string }
    | { outcome: 'error'; error: string } {
    const release = this.release(version);
    const field = RATE_FIELD[source.measure];
    const groups = answer.groups.filter((g) => String(g.by.release) === release);
    if (groups.length > 1) return { outcome: 'error', error: `Sentry returned ${groups.length} groups for release "${release}", not one` };
    const group = groups[0];
    if (!group) return { outcome: 'nodata', reason: `no sessions of release "${release}" in the window` };
    const sessions = group.totals?.[SESSIONS];
    const rate = group.totals?.[field];
    if (!isNumber(sessions)) return { outcome: 'error', error: `the answer has no ${SESSIONS} total for release "${release}"` };
    if (sessions < this.config.minSessions) return { outcome: 'nodata', reason: `too few sessions of release "${release}" in the window: ${count(sessions)} < ${this.config.minSessions}` };
    if (rate === null || rate === undefined) return { outcome: 'nodata', reason: `Sentry has no ${field} for release "${release}" in the window` };
    if (!isNumber(rate) || rate < 0 || rate > 1) return { outcome: 'error', error: `${field} of release "${release}" is ${JSON.stringify(rate)}, not a rate from 0 to 1` };
    const users = group.totals?.[USERS];
    const note = `${count(sessions)} sessions${isNumber(users) ? `, ${count(users)} users` : ''}`;
    if (!withSamples) return { outcome: 'value', value: rate, note };
    const series = group.series?.[field];
    if (!Array.isArray(series)) return { outcome: 'error', error: `the answer has no ${field} series for release "${release}"` };
    // An interval without sessions has no rate (null): it is no sample.
    return { outcome: 'value', value: rate, samples: series.filter(isNumber), note };
  }
}

/** The resolution a run reads Sentry's series at. */
export const sentryIntervalMs = (o: { windowMs: number; sampling?: { stepMs: number } }) => o.sampling?.stepMs ?? o.windowMs;

/** The Sentry provider of a run (none without Sentry settings), its auth token read from the environment. */
export function sentryForRun({ options: o, env }: ProviderRun): { provider: MetricProvider; secrets: string[] } | undefined {
  if (!o.sentry) return undefined;
  const token = secretFromEnv('sentry.tokenEnv', o.sentry.tokenEnv, { env, what: 'a Sentry auth token with the org:read scope' })!;
  const { tokenEnv: _tokenEnv, ...settings } = o.sentry;
  const provider = new SentryProvider({ ...settings, token: token.text, windowMs: o.windowMs, intervalMs: sentryIntervalMs(o), rangeMs: o.sampling?.rangeMs });
  return { provider, secrets: token.mask };
}
