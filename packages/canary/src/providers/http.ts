import { displayUrl, HttpAbortedError, HttpError, httpRequest } from '@shipfleet/core';
import { abortError, Clock } from '../clock';
import { Measurement, Version } from '../measurement';
import { HttpSource, MetricSpec } from '../metrics';
import { MeasureRequest, MetricProvider, ProviderRun } from './provider';

/** One request to a health endpoint. */
export interface HttpSample {
  /** Status within the healthy range. */
  ok: boolean;
  status?: number;
  /** Time to the complete answer; the timeout for a request that got none. */
  ms: number;
  error?: string;
  /** No answer within the timeout: counted as failed, and as the timeout in latency. */
  timedOut?: boolean;
}

/** The q-quantile of values (linear interpolation between closest ranks). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * A health endpoint the monitor samples itself: each analysis sends a short
 * burst of GET requests and reads status and latency from them. Metrics of the
 * same endpoint share one burst per analysis.
 */
export class HttpProvider implements MetricProvider {
  readonly type = 'http' as const;
  private readonly bursts = new Map<string, Promise<HttpSample[]>>();

  constructor(private readonly config: { clock: Clock }) {}

  private url(source: HttpSource, version: Version): string | undefined {
    return version === 'canary' ? source.url : source.baselineUrl;
  }

  describe(metric: MetricSpec, version: Version): string {
    const s = metric.source as HttpSource;
    const url = this.url(s, version);
    return `GET ${url ? displayUrl(url) : '(no baselineUrl)'} ×${s.samples}, ${s.spacingMs} ms apart, timeout ${s.timeoutMs} ms, healthy status ${s.okStatus[0]}–${s.okStatus[1]}`;
  }

  async measure(metric: MetricSpec, request: MeasureRequest): Promise<Measurement> {
    const source = metric.source as HttpSource;
    const query = this.describe(metric, request.version);
    const url = this.url(source, request.version);
    const time = request.time;
    if (!url) return { outcome: 'nodata', reason: 'no baselineUrl to compare with', query, time };
    const samples = await this.burst(source, url, request);
    const answered = samples.filter((s) => s.status !== undefined);
    const timed = samples.filter((s) => s.status !== undefined || s.timedOut);
    const detail = `${samples.filter((s) => s.ok).length}/${samples.length} healthy${answered.length < samples.length ? `, ${samples.length - answered.length} without an answer (${samples.find((s) => s.error)?.error})` : ''}`;
    switch (source.measure) {
      case 'errorRate': {
        const bad = samples.map((s): number => (s.ok ? 0 : 1));
        return { outcome: 'value', value: bad.reduce((a, b) => a + b, 0) / samples.length, samples: bad, query, time, note: detail };
      }
      case 'availability': {
        const good = samples.map((s): number => (s.ok ? 1 : 0));
        return { outcome: 'value', value: good.reduce((a, b) => a + b, 0) / samples.length, samples: good, query, time, note: detail };
      }
      case 'latency': {
        if (!timed.length) return { outcome: 'nodata', reason: `no request was answered (${samples[0]?.error ?? 'no samples'})`, query, time };
        const ms = timed.map((s) => s.ms);
        return { outcome: 'value', value: quantile(ms, source.quantile), samples: ms, query, time, note: `p${Math.round(source.quantile * 100)} of ${ms.length} requests (timeouts count as ${source.timeoutMs} ms); ${detail}` };
      }
    }
  }

  private burst(source: HttpSource, url: string, request: MeasureRequest): Promise<HttpSample[]> {
    const key = `${request.time} ${source.samples} ${source.spacingMs} ${source.timeoutMs} ${source.okStatus} ${url}`;
    let pending = this.bursts.get(key);
    if (!pending) {
      // Only the current analysis's bursts are worth keeping.
      for (const k of this.bursts.keys()) if (!k.startsWith(`${request.time} `)) this.bursts.delete(k);
      pending = this.sample(source, url, request.signal);
      this.bursts.set(key, pending);
    }
    return pending;
  }

  private async sample(source: HttpSource, url: string, signal: AbortSignal): Promise<HttpSample[]> {
    const samples: HttpSample[] = [];
    for (let i = 0; i < source.samples; i++) {
      if (i > 0) await this.config.clock.sleep(source.spacingMs, signal);
      samples.push(await this.request(source, url, signal));
    }
    return samples;
  }

  /** One sample: never retried (a failed request is what is measured); any status is an answer. */
  private async request(source: HttpSource, url: string, signal: AbortSignal): Promise<HttpSample> {
    const started = performance.now();
    try {
      const answer = await httpRequest({ url, timeoutMs: source.timeoutMs, signal, retry: { attempts: 1 }, throwHttpErrors: false });
      return { ok: answer.status >= source.okStatus[0] && answer.status <= source.okStatus[1], status: answer.status, ms: performance.now() - started };
    } catch (err) {
      if (err instanceof HttpAbortedError || signal.aborted) throw abortError();
      if (!(err instanceof HttpError)) throw err;
      const timedOut = err.kind === 'timeout';
      return { ok: false, ms: timedOut ? source.timeoutMs : 0, error: err.detail, timedOut };
    }
  }
}

/** The HTTP provider of a run. */
export function httpForRun({ clock }: ProviderRun): { provider: MetricProvider; secrets: string[] } {
  return { provider: new HttpProvider({ clock }), secrets: [] };
}
