// The metric providers against the real thing: a Prometheus started once for this file (histories
// backfilled with promtool), and local HTTP endpoints for the http provider and for Prometheus
// failures that a real server will not produce on demand.
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { OpenMetricsWriter } from '../../../tools/prometheus/openmetrics';
import { PrometheusServer, startPrometheus } from '../../../tools/prometheus/server';
import { virtualClock } from './clock';
import { Measurement } from './measurement';
import { MetricSpec, PrometheusSource } from './metrics';
import { HttpProvider } from './providers/http';
import { PROMETHEUS_RETRY, PrometheusConfig, PrometheusProvider } from './providers/prometheus';

const H = 1_704_067_200; // history start, seconds
const AT = (H + 600) * 1000; // evaluation time: 10 minutes in

function history(): string {
  const w = new OpenMetricsWriter();
  for (let t = H; t <= H + 900; t += 5) {
    const i = (t - H) / 5;
    // 45 good and 5 failed requests every 5 s: an error ratio of exactly 0.1.
    w.counter('app_requests', { case: 'ok', code: '200' }, t, 45 * i);
    w.counter('app_requests', { case: 'ok', code: '500' }, t, 5 * i);
    // Nothing ever failed: there is no code="500" series at all.
    w.counter('app_requests', { case: 'noerrors', code: '200' }, t, 50 * i);
    // No traffic: the counter stands still.
    w.counter('app_requests', { case: 'idle', code: '200' }, t, 1000);
    w.counter('app_requests', { case: 'idle', code: '500' }, t, 3);
    // A pod restart at 9m55s: the counter starts again from 0.
    w.counter('app_requests', { case: 'reset', code: '200' }, t, t - H < 595 ? 50 * i : 50 * (i - 119));
  }
  return w.toString();
}

let prom: PrometheusServer;
beforeAll(async () => {
  prom = await startPrometheus([history()]);
}, 60_000);
afterAll(async () => {
  await prom?.stop();
});

const signal = new AbortController().signal;

function provider(canaryCase: string, extra: Partial<PrometheusConfig> = {}): PrometheusProvider {
  return new PrometheusProvider({ url: prom.url, selectors: { canary: `case="${canaryCase}"`, baseline: 'case="ok"' }, windowMs: 60_000, stepMs: 15_000, lookbackMs: 15_000, timeoutMs: 5000, ...extra });
}

function spec(source: Partial<PrometheusSource>): MetricSpec {
  return { name: 'm', source: { provider: 'prometheus', missingAsZero: false, ...source }, direction: 'increase', critical: false, weight: 1, tolerance: { kind: 'relative', amount: 0, text: '+0%' } };
}

const ERRORS = 'sum(increase(app_requests_total{{{selector}},code=~"5.."}[{{interval}}]))';
const TOTAL = 'sum(increase(app_requests_total{{{selector}}}[{{interval}}]))';
const ratio = spec({ numerator: ERRORS, denominator: TOTAL });
const measure = (p: PrometheusProvider, m: MetricSpec, extra: { time?: number; withSamples?: boolean; version?: 'canary' | 'baseline' } = {}) =>
  p.measure(m, { version: extra.version ?? 'canary', time: extra.time ?? AT, withSamples: extra.withSamples ?? false, signal });

describe('Prometheus provider on a real Prometheus', () => {
  it('reads a ratio with the resolved query and the values it saw', async () => {
    const m = await measure(provider('ok'), ratio);
    expect(m).toMatchObject({ outcome: 'value', time: AT });
    if (m.outcome !== 'value') throw new Error('unreachable');
    expect(m.value).toBeCloseTo(0.1, 9);
    expect(m.note).toMatch(/^\d+(\.\d+)? \/ \d+(\.\d+)?$/);
    expect(m.query).toBe('(sum(increase(app_requests_total{case="ok",code=~"5.."}[1m]))) / (sum(increase(app_requests_total{case="ok"}[1m])))');
  });

  it('counts a counter that has no series because nothing failed as zero', async () => {
    const m = await measure(provider('noerrors'), ratio);
    expect(m).toMatchObject({ outcome: 'value', value: 0 });
    expect(m.outcome === 'value' && m.note).toMatch(/^numerator has no series: counted as 0 of \d+/);
    // The same for a single query that says so.
    const single = spec({ query: ERRORS, missingAsZero: true });
    expect(await measure(provider('noerrors'), single)).toMatchObject({ outcome: 'value', value: 0, note: 'no series: counted as 0' });
  });

  it('has no data for an empty result, for NaN (0/0) and for a ratio without requests', async () => {
    expect(await measure(provider('nosuchcase'), spec({ query: TOTAL }))).toMatchObject({ outcome: 'nodata', reason: 'empty result (no series for this version in the window)' });
    const nan = spec({ query: `${ERRORS} / ${TOTAL}` });
    expect(await measure(provider('idle'), nan)).toMatchObject({ outcome: 'nodata', reason: 'NaN (0/0: no requests in the window?)' });
    expect(await measure(provider('idle'), ratio)).toMatchObject({ outcome: 'nodata', reason: 'no requests: the denominator is 0' });
    expect(await measure(provider('nosuchcase'), ratio)).toMatchObject({ outcome: 'nodata', reason: 'no requests: the denominator has no series in the window' });
  });

  it('honours the evaluation time: the same query an hour before the history has no data', async () => {
    expect((await measure(provider('ok'), ratio, { time: AT - 3_600_000 })).outcome).toBe('nodata');
  });

  it('handles a counter reset with increase(); a naive delta() would go negative', async () => {
    const p = provider('reset');
    const t = (H + 620) * 1000; // 25 s after the restart
    const inc = await measure(p, spec({ query: TOTAL }), { time: t });
    if (inc.outcome !== 'value') throw new Error(`expected a value, got ${JSON.stringify(inc)}`);
    expect(inc.value).toBeGreaterThanOrEqual(500);
    expect(inc.value).toBeLessThan(650);
    const naive = await measure(p, spec({ query: 'sum(delta(app_requests_total{{{selector}}}[{{interval}}]))' }), { time: t });
    expect(naive.outcome === 'value' && naive.value).toBeLessThan(0);
  });

  it('reads samples across the window with a range query for the baseline comparison', async () => {
    const m = await measure(provider('ok'), ratio, { withSamples: true, version: 'baseline' });
    if (m.outcome !== 'value') throw new Error('unreachable');
    expect(m.samples).toHaveLength(4);
    for (const s of m.samples!) expect(s).toBeCloseTo(0.1, 9);
    expect(m.query).toContain('samples: (sum(increase(app_requests_total{case="ok",code=~"5.."}[15s]))) / (sum(increase(app_requests_total{case="ok"}[15s]))) every 15s');
  });

  it('reports a query Prometheus rejects, and one that returns several series, as errors', async () => {
    const bad = await measure(provider('ok'), spec({ query: 'nosuchfunction(app_requests_total{{{selector}}})' }));
    expect(bad).toMatchObject({ outcome: 'error' });
    expect(bad.outcome === 'error' && bad.error).toMatch(/HTTP 400, bad_data: .*nosuchfunction/);
    const several = await measure(provider('ok'), spec({ query: 'increase(app_requests_total{{{selector}}}[{{interval}}])' }));
    expect(several.outcome === 'error' && several.error).toMatch(/returned 2 series, not one; aggregate it/);
  });
});

/** A local server that plays a broken Prometheus. */
async function fakeServer(handler: (res: import('http').ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => handler(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('Prometheus provider when the server misbehaves', () => {
  // PROMETHEUS_RETRY's attempts, with waits short enough for a test.
  const retry = { delayMs: 1, jitter: 0 };
  const attempts = `(after ${PROMETHEUS_RETRY.attempts} attempts)`;
  const errorOf = async (url: string, timeoutMs = 5000, headers?: Record<string, string>): Promise<string> => {
    const m: Measurement = await measure(new PrometheusProvider({ url, selectors: { canary: 'a="b"' }, windowMs: 60_000, stepMs: 15_000, lookbackMs: 15_000, timeoutMs, retry, headers }), ratio);
    if (m.outcome !== 'error') throw new Error(`expected an error, got ${JSON.stringify(m)}`);
    return m.error;
  };

  it('is an error when nothing listens', async () => {
    const gone = await fakeServer(() => undefined);
    await gone.close();
    expect(await errorOf(gone.url)).toBe(`Prometheus at ${gone.url}: network error (ECONNREFUSED) ${attempts}`);
  });

  it('is an error on a 5xx answer that lasts past the retries', async () => {
    const s = await fakeServer((res) => res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Service Unavailable: too many queries'));
    try {
      expect(await errorOf(s.url)).toBe(`Prometheus answered HTTP 503: Service Unavailable: too many queries ${attempts}`);
    } finally {
      await s.close();
    }
  });

  it('retries a passing 5xx, and keeps the bearer token out of its errors', async () => {
    let n = 0;
    const flaky = await fakeServer((res) => {
      if (n++ === 0) return void res.writeHead(503).end('busy');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [0, '0.25'] } }));
    });
    const echo = await fakeServer((res) => res.writeHead(500).end(`token ${res.req.headers.authorization} refused`));
    try {
      const p = new PrometheusProvider({ url: flaky.url, selectors: { canary: 'a="b"' }, windowMs: 60_000, stepMs: 15_000, lookbackMs: 15_000, timeoutMs: 5000, retry });
      expect(await measure(p, spec({ query: 'x{{{selector}}}' }))).toMatchObject({ outcome: 'value', value: 0.25 });
      expect(n).toBe(2);
      const error = await errorOf(echo.url, 5000, { authorization: 'Bearer prom-token-123' });
      expect(error).toBe(`Prometheus answered HTTP 500: token *** refused ${attempts}`);
      expect(error).not.toContain('prom-token-123');
    } finally {
      await flaky.close();
      await echo.close();
    }
  });

  it('is an error on a timeout, and on an answer that is not the API', async () => {
    const slow = await fakeServer(() => undefined);
    const html = await fakeServer((res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>'));
    try {
      expect(await errorOf(slow.url, 300)).toBe(`Prometheus at ${slow.url}: no complete answer within 0.3s ${attempts}`);
      expect(await errorOf(html.url)).toBe('Prometheus sent an answer that is not an API response: <html>login</html>');
    } finally {
      await slow.close();
      await html.close();
    }
  });

  it('stops at once when the run is aborted', async () => {
    const slow = await fakeServer(() => undefined);
    try {
      const ac = new AbortController();
      const p = new PrometheusProvider({ url: slow.url, selectors: { canary: 'a="b"' }, windowMs: 60_000, stepMs: 15_000, lookbackMs: 15_000, timeoutMs: 30_000 });
      const pending = p.measure(ratio, { version: 'canary', time: AT, withSamples: false, signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await slow.close();
    }
  });
});

describe('HTTP provider', () => {
  const httpSpec = (measure: 'errorRate' | 'availability' | 'latency', url: string, extra = {}): MetricSpec => ({
    name: measure,
    source: { provider: 'http', url, measure, quantile: 0.95, samples: 10, spacingMs: 200, timeoutMs: 2000, okStatus: [200, 399], ...extra },
    direction: 'increase',
    critical: false,
    weight: 1,
    tolerance: { kind: 'relative', amount: 0, text: '+0%' },
  });

  it('samples status and latency itself; metrics of one endpoint share one burst per analysis', async () => {
    let n = 0;
    const s = await fakeServer((res) => {
      const i = n++;
      setTimeout(() => res.writeHead(i % 5 === 4 ? 500 : 200).end('ok'), 30);
    });
    try {
      const p = new HttpProvider({ clock: virtualClock(AT) });
      const req = { version: 'canary' as const, time: AT, withSamples: true, signal };
      const [errors, up, latency] = await Promise.all([p.measure(httpSpec('errorRate', s.url), req), p.measure(httpSpec('availability', s.url), req), p.measure(httpSpec('latency', s.url), req)]);
      expect(n).toBe(10);
      expect(errors).toMatchObject({ outcome: 'value', value: 0.2, samples: [0, 0, 0, 0, 1, 0, 0, 0, 0, 1], note: '8/10 healthy' });
      expect(up).toMatchObject({ outcome: 'value', value: 0.8 });
      if (latency.outcome !== 'value') throw new Error('unreachable');
      expect(latency.value).toBeGreaterThanOrEqual(25);
      expect(latency.samples).toHaveLength(10);
      expect(latency.query).toBe(`GET ${s.url}/ ×10, 200 ms apart, timeout 2000 ms, healthy status 200–399`);
      // The next analysis sends a new burst.
      await p.measure(httpSpec('errorRate', s.url), { ...req, time: AT + 30_000 });
      expect(n).toBe(20);
    } finally {
      await s.close();
    }
  });

  it('counts timeouts and refused connections as failed requests', async () => {
    const slow = await fakeServer(() => undefined);
    const gone = await fakeServer(() => undefined);
    await gone.close();
    try {
      const p = new HttpProvider({ clock: virtualClock(AT) });
      const req = { version: 'canary' as const, time: AT, withSamples: false, signal };
      const timedOut = await p.measure(httpSpec('latency', slow.url, { samples: 2, timeoutMs: 100 }), req);
      expect(timedOut).toMatchObject({ outcome: 'value', value: 100 });
      expect(await p.measure(httpSpec('availability', gone.url, { samples: 3 }), req)).toMatchObject({ outcome: 'value', value: 0 });
      expect(await p.measure(httpSpec('latency', gone.url, { samples: 3 }), req)).toMatchObject({ outcome: 'nodata', reason: expect.stringMatching(/no request was answered .*ECONNREFUSED/) });
      expect(await p.measure(httpSpec('latency', gone.url), { ...req, version: 'baseline' })).toMatchObject({ outcome: 'nodata', reason: 'no baselineUrl to compare with' });
    } finally {
      await slow.close();
    }
  });
});
