// The datadog provider against the Datadog stand-in (tools/datadog-api): APM-style request metrics
// of the scenario suite, key checks, injected faults, and whole rollouts replayed through it.
import { Logger, runPlan, UserError } from '@shipfleet/core';
import { DatadogApiStandIn, startDatadogApi } from '../../../tools/datadog-api/server';
import { recordingAction, REPLAY_START, SCENARIOS } from '../../../tools/prometheus/scenarios';
import { Measurement } from './measurement';
import { metricOption } from './metric-options';
import { MetricSpec } from './metrics';
import { normalizeCanaryOptions } from './options';
import { buildCanaryPlan } from './plan';
import { DATADOG_RETRY, DatadogProvider } from './providers/datadog';
import type { CanaryOptions } from './types';

const AT = (REPLAY_START + 600) * 1000 + 20_000;
const signal = new AbortController().signal;
const ERRORS = 'sum:trace.http.request.errors{{{selector}}}.as_count().rollup(sum, {{interval}})';
const HITS = 'sum:trace.http.request.hits{{{selector}}}.as_count().rollup(sum, {{interval}})';
const P95_MS = 'p95:trace.http.request{{{selector}}}.rollup(avg, {{interval}})';

let dd: DatadogApiStandIn;
beforeAll(async () => {
  dd = await startDatadogApi({ scenarios: SCENARIOS.filter((s) => ['healthy', 'error-spike', 'absent-at-start'].includes(s.name)) });
});
afterAll(async () => {
  await dd?.close();
});

const spec = (source: Record<string, unknown>): MetricSpec => metricOption({ name: 'm', provider: 'datadog', failure: '> 1000000', ...source }, 0, false);

function provider(scenario: string, extra: { windowMs?: number; stepMs?: number; url?: string; apiKey?: string } = {}): DatadogProvider {
  return new DatadogProvider({
    url: extra.url ?? dd.url,
    tags: dd.tags(scenario),
    windowMs: extra.windowMs ?? 60_000,
    stepMs: extra.stepMs ?? extra.windowMs ?? 60_000,
    timeoutMs: 5000,
    apiKey: extra.apiKey ?? dd.apiKey,
    appKey: dd.appKey,
    retry: { delayMs: 1, jitter: 0 },
  });
}

const measure = (p: DatadogProvider, m: MetricSpec, extra: { time?: number; withSamples?: boolean; version?: 'canary' | 'baseline' } = {}) =>
  p.measure(m, { version: extra.version ?? 'canary', time: extra.time ?? AT, withSamples: extra.withSamples ?? false, signal });

const valueOf = (m: Measurement) => {
  if (m.outcome !== 'value') throw new Error(`expected a value, got ${JSON.stringify(m)}`);
  return m;
};

describe('datadog provider on the stand-in', () => {
  it('reads a ratio of two count queries over the window aligned to the step, with the keys in headers', async () => {
    const before = dd.requests.length;
    const m = valueOf(await measure(provider('error-spike'), spec({ numerator: ERRORS, denominator: HITS })));
    expect(m.value).toBeGreaterThan(0.08);
    expect(m.value).toBeLessThan(0.16);
    const to = (REPLAY_START + 600);
    expect(m.query).toBe(
      `(sum:trace.http.request.errors{service:error-spike,version:canary}.as_count().rollup(sum, 60)) / (sum:trace.http.request.hits{service:error-spike,version:canary}.as_count().rollup(sum, 60)) from ${to - 60} to ${to}`,
    );
    const calls = dd.requests.slice(before);
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c).toMatchObject({ method: 'GET', path: '/api/v1/query', status: 200, headers: { 'dd-api-key': dd.apiKey, 'dd-application-key': dd.appKey } });
      expect(c.query).toMatchObject({ from: String(to - 60), to: String(to) });
    }
    expect(valueOf(await measure(provider('error-spike'), spec({ numerator: ERRORS, denominator: HITS }), { version: 'baseline' })).value).toBeLessThan(0.01);
  });

  it('aggregates a query\'s points with its aggregator, and gives them as samples', async () => {
    const hits = valueOf(await measure(provider('healthy', { windowMs: 240_000, stepMs: 60_000 }), spec({ query: HITS, aggregator: 'sum' }), { withSamples: true }));
    // 10 requests/s for 4 minutes, ±10 %, in four 1-minute rollups.
    expect(hits.samples).toHaveLength(4);
    expect(hits.value).toBeCloseTo(hits.samples!.reduce((a, b) => a + b, 0), 9);
    expect(hits.value).toBeGreaterThan(2150);
    expect(hits.value).toBeLessThan(2650);
    const p95 = valueOf(await measure(provider('healthy'), spec({ query: `${P95_MS} * 1000` })));
    expect(p95.value).toBeGreaterThan(170);
    expect(p95.value).toBeLessThan(260);
    expect(p95.note).toBe('avg of 1 points');
  });

  it('has no data without points, and counts an absent numerator as zero', async () => {
    const early = REPLAY_START * 1000 + 60_000;
    expect(await measure(provider('absent-at-start'), spec({ query: HITS }), { time: early })).toMatchObject({ outcome: 'nodata', reason: 'no points for this version in the window' });
    expect(await measure(provider('absent-at-start'), spec({ numerator: ERRORS, denominator: HITS }), { time: early })).toMatchObject({ outcome: 'nodata', reason: 'no requests: the denominator has no points in the window' });
    // The healthy canary has minutes without a single error: no errors series at all.
    const quiet = await measure(provider('healthy', { windowMs: 60_000 }), spec({ numerator: ERRORS, denominator: HITS }), { time: (REPLAY_START + 60) * 1000 });
    expect(quiet.outcome).toBe('value');
  });

  it('reports queries Datadog refuses, several series, and status errors as errors', async () => {
    const bad = await measure(provider('healthy'), spec({ query: 'sum trace.http.request.hits{{{selector}}}.as_count()' }));
    expect(bad.outcome === 'error' && bad.error).toMatch(/^Datadog answered HTTP 400: Error parsing query: .*Rule 'scope_expr' didn't match/s);
    const byVersion = await measure(new DatadogProvider({ url: dd.url, tags: { canary: 'service:healthy', baseline: 'service:x' }, windowMs: 60_000, stepMs: 60_000, timeoutMs: 5000, apiKey: dd.apiKey, appKey: dd.appKey }), spec({ query: 'sum:trace.http.request.hits{{{selector}}} by {version}.as_count()' }));
    expect(byVersion.outcome === 'error' && byVersion.error).toMatch(/returned 2 series, not one/);
    dd.setFaults({ statusError: 1 });
    const timedOut = await measure(provider('healthy'), spec({ query: HITS }));
    expect(timedOut.outcome === 'error' && timedOut.error).toBe('Datadog refused the query: Query timed out: the query could not be completed in time');
  });

  it('retries 429 and 5xx, then reports them; a malformed answer is an error', async () => {
    const p = provider('healthy');
    dd.setFaults({ tooManyRequests: 1 });
    expect((await measure(p, spec({ query: HITS }))).outcome).toBe('value');
    dd.setFaults({ unavailable: 3 });
    const down = await measure(p, spec({ query: HITS }));
    expect(down.outcome === 'error' && down.error).toBe(`Datadog answered HTTP 503: Service Unavailable (after ${DATADOG_RETRY.attempts} attempts)`);
    dd.setFaults({ malformed: 1 });
    const html = await measure(p, spec({ query: HITS }));
    expect(html.outcome === 'error' && html.error).toBe('Datadog sent an answer that is not a query response: <html><body>Maintenance</body></html>');
  });

  it('is an error on refused keys, which never appear in it', async () => {
    const wrong = 'wrong-api-key-0123456789abcdef';
    const m = await measure(provider('healthy', { apiKey: wrong }), spec({ query: HITS }));
    expect(m.outcome === 'error' && m.error).toMatch(/^Datadog answered HTTP 403: Forbidden \(check the API and application keys/);
    expect(JSON.stringify(m)).not.toContain(wrong);
    expect(JSON.stringify(m)).not.toContain(dd.appKey);
  });
});

describe('datadog options', () => {
  const env = () => ({ DD_API_KEY: dd.apiKey, DD_APP_KEY: dd.appKey });
  const base: CanaryOptions = {
    name: 'web',
    metrics: [{ name: 'errors', provider: 'datadog', numerator: ERRORS, denominator: HITS, failure: '> 0.05' }],
    datadog: { tags: { canary: 'service:web,version:2.1.0', baseline: 'service:web,version:2.0.9' } },
    action: { type: 'command', setWeight: ['true', '{{weight}}'] },
  };
  const userError = (options: Partial<CanaryOptions>, e: NodeJS.ProcessEnv = env()): UserError => {
    try {
      normalizeCanaryOptions(options, '/srv/web', e, { warn: () => undefined });
    } catch (err) {
      if (err instanceof UserError) return err;
      throw err;
    }
    throw new Error('expected a UserError');
  };
  const metric = (m: Record<string, unknown>) => ({ ...base, metrics: [{ name: 'm', provider: 'datadog', failure: '> 1', ...m }] }) as CanaryOptions;
  const settings = (d: Record<string, unknown>) => ({ ...base, datadog: { ...base.datadog, ...d } }) as CanaryOptions;

  it('normalises the settings: the site gives the API URL, the keys default to DD_API_KEY and DD_APP_KEY', () => {
    expect(normalizeCanaryOptions(base, '/srv/web', env()).datadog).toEqual({ url: 'https://api.datadoghq.com', tags: base.datadog!.tags, apiKeyEnv: 'DD_API_KEY', appKeyEnv: 'DD_APP_KEY', timeoutMs: 10_000 });
    expect(normalizeCanaryOptions(settings({ site: 'datadoghq.eu' }), '/srv/web', env()).datadog?.url).toBe('https://api.datadoghq.eu');
    expect(normalizeCanaryOptions(settings({ site: 'us5.datadoghq.com' }), '/srv/web', env()).datadog?.url).toBe('https://api.us5.datadoghq.com');
    expect(normalizeCanaryOptions(settings({ url: 'http://127.0.0.1:8126/' }), '/srv/web', env()).datadog?.url).toBe('http://127.0.0.1:8126');
  });

  it.each([
    ['no settings', { ...base, datadog: undefined }, 'datadog', /is required for Datadog metrics/],
    ['an unknown site', settings({ site: 'datadog.com' }), 'datadog.site', /datadog\.com/],
    ['a site and a URL', settings({ site: 'datadoghq.eu', url: 'https://proxy.example.com' }), 'datadog.url', /both given/],
    ['plain http to another machine', settings({ url: 'http://datadog.example.com' }), 'datadog.url', /plain http/],
    ['tags with braces', settings({ tags: { canary: '{version:2.1.0}', baseline: 'version:2' } }), 'datadog.tags.canary', /not a list of Datadog tag filters/],
    ['no baseline tags', settings({ tags: { canary: 'version:2.1.0' } }), 'datadog.tags.baseline', /is required/],
    ['the same tags twice', settings({ tags: { canary: 'version:2', baseline: 'version:2' } }), 'datadog.tags.baseline', /same series/],
    ['a missing API key', settings({ apiKeyEnv: 'MY_DD_KEY' }), 'datadog.apiKeyEnv', /MY_DD_KEY is not set/],
    ['a window that is no whole number of steps', { ...base, window: '90s', comparison: { step: '20s' } }, 'window', /whole number of 20s steps/],
    ['a query without the version', metric({ query: 'sum:trace.http.request.hits{*}' }), 'metrics[0].query', /neither \{\{selector\}\} nor \{\{canary\}\}/],
    ['an unknown placeholder', metric({ query: 'sum:x{{{version}}}' }), 'metrics[0].query', /unknown placeholder \{\{version\}\}/],
    ['half a ratio', metric({ numerator: ERRORS }), 'metrics[0].denominator', /is required with a ratio/],
    ['an aggregator on a ratio', metric({ numerator: ERRORS, denominator: HITS, aggregator: 'sum' }), 'metrics[0].aggregator', /does not apply to a ratio/],
    ['an unknown aggregator', metric({ query: HITS, aggregator: 'p95' }), 'metrics[0].aggregator', /p95/],
    ['an HTTP-provider key', metric({ query: HITS, okStatus: [200, 299] }), 'metrics[0].okStatus', /only applies to the http provider/],
  ])('%s', (_what, options, option, problem) => {
    const err = userError(options as CanaryOptions);
    expect(err.option).toBe(option);
    expect(err.message).toMatch(problem);
  });

  it('needs {{selector}} for the comparison', () => {
    const err = userError({ ...metric({ query: 'sum:x{{{canary}}}' }), comparison: true });
    expect(err).toMatchObject({ option: 'metrics[0].query', message: expect.stringMatching(/must use \{\{selector\}\}/) });
  });
});

describe('a rollout replayed through the Datadog stand-in', () => {
  const env = () => ({ DD_API_KEY: dd.apiKey, DD_APP_KEY: dd.appKey });
  const options = (scenario: string): CanaryOptions => ({
    name: scenario,
    steps: 'standard',
    pause: '2m',
    interval: '30s',
    window: '1m',
    deadline: '10m',
    inconclusiveLimit: 20,
    evaluationTime: REPLAY_START,
    comparison: { step: '15s' },
    metrics: [
      { name: 'error-rate', provider: 'datadog', numerator: ERRORS, denominator: HITS, success: '< 0.01', failure: '> 0.05' },
      { name: 'latency-p95-ms', provider: 'datadog', query: `${P95_MS} * 1000`, aggregator: 'max', success: '< 500', failure: '> 2000' },
    ],
    datadog: { url: dd.url, tags: dd.tags(scenario) },
    action: { type: 'command', setWeight: ['true', '{{weight}}'] },
  });

  async function replay(scenario: string) {
    const o = normalizeCanaryOptions(options(scenario), `/srv/${scenario}`, env(), { warn: () => undefined });
    const action = recordingAction();
    const { plan, result, secrets } = buildCanaryPlan(o, { action, env: env() });
    const log: string[] = [];
    const logger: Logger = { info: (l) => log.push(l), warn: (l) => log.push(l), error: (l) => log.push(l) };
    await runPlan(plan, { logger, secrets, handleSignals: false, printSummary: false, stepSummaryFile: '/dev/null' });
    return { result, calls: action.calls, log };
  }

  it('promotes the healthy canary and rolls back the error spike within two analyses, the keys in no output', async () => {
    const healthy = await replay('healthy');
    expect(healthy.result.outcome).toBe('promoted');
    expect(healthy.calls.map((c) => `${c.kind} ${c.weight}`)).toEqual(['setWeight 5', 'setWeight 25', 'setWeight 50', 'setWeight 100', 'promote 100']);
    const spike = await replay('error-spike');
    expect(spike.result.outcome).toBe('rolled back');
    expect(spike.calls[spike.calls.length - 1]).toEqual({ kind: 'rollback', weight: 0 });
    const decidedAt = Date.parse(spike.result.timeline[spike.result.timeline.length - 1].at);
    expect((decidedAt - (REPLAY_START + 180) * 1000) / 30_000).toBeLessThanOrEqual(2);
    const outputs = JSON.stringify([healthy.result, healthy.log, spike.result, spike.log]);
    expect(outputs).not.toContain(dd.apiKey);
    expect(outputs).not.toContain(dd.appKey);
  }, 60_000);
});
