// The sentry metric provider: its options, and its readings against the Sentry stand-in
// (tools/sentry-api), whose release histories come from the canary scenario suite.
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { thrownUserError } from '@shipfleet/core';
import { REPLAY_START, SCENARIOS } from '../../../tools/prometheus/scenarios';
import { scenarioHistory, totalsBetween } from '../../../tools/sentry-api/history';
import { SentryApiStandIn, startSentryApi } from '../../../tools/sentry-api/server';
import { Measurement } from './measurement';
import { MetricSpec } from './metrics';
import { normalizeCanaryOptions } from './options';
import { buildCanaryPlan } from './plan';
import { METRIC_PROVIDERS } from './providers/registry';
import { virtualClock } from './clock';
import { SENTRY_RETRY, SentryConfig, SentryProvider } from './providers/sentry';
import { CanaryMetricOptions, CanaryOptions } from './types';

let sentry: SentryApiStandIn;
beforeAll(async () => {
  sentry = await startSentryApi({ scenarios: SCENARIOS.filter((s) => ['healthy', 'error-spike', 'low-traffic', 'absent-at-start'].includes(s.name)) });
});
afterAll(async () => {
  await sentry?.close();
});

const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;
const signal = new AbortController().signal;
const AT = (REPLAY_START + 600) * 1000; // ten minutes into the rollout; a whole minute
const spec = (measure: 'crashFreeSessions' | 'crashFreeUsers' = 'crashFreeSessions'): MetricSpec => ({
  name: 'crash-free',
  source: { provider: 'sentry', measure },
  direction: 'decrease',
  critical: false,
  weight: 1,
  tolerance: { kind: 'absolute', amount: 0.005, text: '+0.5pp' },
});

function provider(name: string, extra: Partial<SentryConfig> = {}): SentryProvider {
  const { canary, baseline } = sentry.releases(name);
  return new SentryProvider({
    url: sentry.url,
    organization: sentry.organization,
    project: sentry.projectId,
    environment: sentry.environment,
    release: canary,
    baselineRelease: baseline,
    token: sentry.token,
    timeoutMs: 5000,
    minSessions: 50,
    windowMs: 120_000,
    intervalMs: 30_000,
    retry: { delayMs: 1, jitter: 0 },
    ...extra,
  });
}

const measure = (p: SentryProvider, m: MetricSpec, extra: { time?: number; withSamples?: boolean; version?: 'canary' | 'baseline' } = {}) =>
  p.measure(m, { version: extra.version ?? 'canary', time: extra.time ?? AT, withSamples: extra.withSamples ?? false, signal });

function valueOf(m: Measurement): Extract<Measurement, { outcome: 'value' }> {
  if (m.outcome !== 'value') throw new Error(`expected a value, got ${JSON.stringify(m)}`);
  return m;
}

describe('sentry provider options', () => {
  const env = { SENTRY_AUTH_TOKEN: 'sntrys_test-token-0123456789', OTHER_TOKEN: 'short' };
  const base = (extra: Partial<CanaryOptions> = {}, sentryExtra: Record<string, unknown> = {}, metric: Record<string, unknown> = {}): Partial<CanaryOptions> => ({
    interval: '1m',
    window: '2m',
    metrics: [{ name: 'crash-free-sessions', provider: 'sentry', measure: 'crashFreeSessions', success: '> 0.995', failure: '< 0.98', ...metric } as CanaryMetricOptions],
    sentry: { organization: 'acme', project: 4505, release: 'com.acme.app@1.5.0+150', baselineRelease: 'com.acme.app@1.4.0+140', ...sentryExtra } as CanaryOptions['sentry'],
    action: { type: 'command', setWeight: ['true', '{{weight}}'] },
    ...extra,
  });
  const option = (raw: Partial<CanaryOptions>, e: NodeJS.ProcessEnv = env) => thrownUserError(() => normalizeCanaryOptions(raw, '/srv/app', e));

  it('reads the settings with their defaults; lower is worse', () => {
    const o = normalizeCanaryOptions(base(), '/srv/app', env);
    expect(o.sentry).toEqual({
      url: 'https://sentry.io',
      organization: 'acme',
      project: '4505',
      release: 'com.acme.app@1.5.0+150',
      baselineRelease: 'com.acme.app@1.4.0+140',
      tokenEnv: 'SENTRY_AUTH_TOKEN',
      timeoutMs: 10_000,
      minSessions: 50,
    });
    expect(o.metrics[0]).toMatchObject({ source: { provider: 'sentry', measure: 'crashFreeSessions' }, direction: 'decrease' });
    // The previous release is always measured: a crash both releases share holds rather than fails.
    expect(o.judge.thresholds).toEqual({ holdOnSharedFailure: true });
    const custom = normalizeCanaryOptions(base({}, { url: 'https://sentry.acme.dev/', environment: 'production', tokenEnv: 'SENTRY_AUTH_TOKEN', timeout: '30s', minSessions: 200 }), '/srv/app', env);
    expect(custom.sentry).toMatchObject({ url: 'https://sentry.acme.dev', environment: 'production', timeoutMs: 30_000, minSessions: 200 });
  });

  it('refuses each bad setting with a UserError naming it', () => {
    expect(option({ ...base(), sentry: undefined }).option).toBe('sentry');
    expect(option(base({}, { organization: 'acme corp' })).option).toBe('sentry.organization');
    expect(option(base({}, { organization: undefined })).option).toBe('sentry.organization');
    const slug = option(base({}, { project: 'mobile-app' }));
    expect(slug.option).toBe('sentry.project');
    expect(slug.message).toMatch(/not a numeric project id/);
    expect(option(base({}, { release: undefined })).option).toBe('sentry.release');
    expect(option(base({}, { release: 'feature/x' })).option).toBe('sentry.release');
    expect(option(base({}, { baselineRelease: undefined })).option).toBe('sentry.baselineRelease');
    expect(option(base({}, { baselineRelease: 'com.acme.app@1.5.0+150' })).message).toMatch(/same release as sentry.release/);
    expect(option(base({}, { url: 'http://sentry.acme.dev' })).option).toBe('sentry.url');
    expect(option(base({}, { minSessions: -1 })).option).toBe('sentry.minSessions');
    expect(option(base({}, { timeout: 'soon' })).option).toBe('sentry.timeout');
    expect(option(base({}, { environment: 'prod/eu' })).option).toBe('sentry.environment');
  });

  it('needs the auth token from the environment, and never shows its value', () => {
    const unset = option(base(), {});
    expect(unset.option).toBe('sentry.tokenEnv');
    expect(unset.message).toMatch(/SENTRY_AUTH_TOKEN is not set/);
    const short = option(base({}, { tokenEnv: 'OTHER_TOKEN' }));
    expect(short.option).toBe('sentry.tokenEnv');
    expect(short.message).not.toContain('short');
    expect(option(base({}, { tokenEnv: 'not a name' })).option).toBe('sentry.tokenEnv');
  });

  it('checks the measure, and keys of other providers', () => {
    expect(option(base({}, {}, { measure: 'crashRate' })).option).toBe('metrics[0].measure');
    expect(option(base({}, {}, { measure: undefined })).option).toBe('metrics[0].measure');
    const other = option(base({}, {}, { query: 'up' }));
    expect(other.option).toBe('metrics[0].query');
    expect(other.message).toMatch(/only applies to the prometheus provider/);
  });

  it('needs windows and steps that Sentry can resolve', () => {
    // 15 s is not a multiple of 10 s.
    expect(option(base({ comparison: { step: '15s' } })).option).toBe('comparison.step');
    // 70 s does not divide one day.
    expect(option(base({ comparison: { step: '70s' }, window: '4m40s' })).message).toMatch(/not an interval Sentry's sessions API accepts/);
    expect(option(base({ comparison: { step: '30s' }, window: '2m15s' })).option).toBe('window');
    expect(option(base({ window: '7m' })).option).toBe('window');
    const o = normalizeCanaryOptions(base({ comparison: { step: '30s' } }), '/srv/app', env);
    expect(o.sampling?.stepMs).toBe(30_000);
  });

  it('describes what it reads, for the new and the previous release, and hands its token to the run for masking', () => {
    const o = normalizeCanaryOptions(base({}, { environment: 'production' }), '/srv/app', env);
    const { secrets } = buildCanaryPlan(o, { env });
    expect(secrets).toContain(env.SENTRY_AUTH_TOKEN);
    const made = METRIC_PROVIDERS.sentry.create({ options: o, env, clock: virtualClock(AT) })!;
    expect(made.secrets).toEqual([env.SENTRY_AUTH_TOKEN]);
    expect(made.provider.describe(o.metrics[0], 'canary')).toBe(
      'GET https://sentry.io/api/0/organizations/acme/sessions/ crash_free_rate(session) of release "com.acme.app@1.5.0+150" (project 4505, environment production) over the last whole 2m; fewer than 50 sessions is no data',
    );
    expect(made.provider.describe(o.metrics[0], 'baseline')).toContain('of release "com.acme.app@1.4.0+140"');
    const sampled = METRIC_PROVIDERS.sentry.create({ options: normalizeCanaryOptions(base({ comparison: { step: '30s' } }), '/srv/app', env), env, clock: virtualClock(AT) })!;
    expect(sampled.provider.describe(o.metrics[0], 'canary')).toContain('over the last whole 2m in 30s intervals;');
  });
});

describe('sentry provider on the stand-in', () => {
  it('reads the crash-free rate of sessions of the release over the last whole intervals, with the samples', async () => {
    const p = provider('error-spike');
    const before = sentry.requests.length;
    const m = valueOf(await measure(p, spec(), { withSamples: true }));
    // The same count made directly from the generated sessions: the window is [AT - 2m, AT).
    const expected = totalsBetween(scenarioHistory(scenario('error-spike'), 'canary'), AT / 1000 - 120, AT / 1000);
    expect(m.value).toBeCloseTo(1 - expected.crashedSessions / expected.sessions, 12);
    expect(m.value).toBeLessThan(0.95);
    expect(m.note).toBe(`${expected.sessions} sessions`);
    expect(m.samples).toHaveLength(4);
    for (const s of m.samples!) expect(s).toBeLessThan(0.95);
    const [req] = sentry.requests.slice(before);
    expect(req.path).toBe(`/api/0/organizations/${sentry.organization}/sessions/`);
    expect(req.authorization).toBe(`Bearer ${sentry.token}`);
    expect(req.params).toEqual([
      ['field', 'crash_free_rate(session)'],
      ['field', 'sum(session)'],
      ['project', sentry.projectId],
      ['environment', 'production'],
      ['query', `release:"${sentry.releases('error-spike').canary}"`],
      ['groupBy', 'release'],
      ['interval', '30s'],
      ['start', new Date(AT - 120_000).toISOString().replace('.000Z', 'Z')],
      ['end', new Date(AT).toISOString().replace('.000Z', 'Z')],
      ['includeSeries', '1'],
    ]);
    expect(m.query).toMatch(/; 2024-01-01T00:18:00Z – 2024-01-01T00:20:00Z$/);
  });

  it('reads the previous release for the baseline, and crash-free users', async () => {
    const p = provider('healthy');
    const stable = valueOf(await measure(p, spec(), { version: 'baseline' }));
    const expected = totalsBetween(scenarioHistory(scenario('healthy'), 'stable'), AT / 1000 - 120, AT / 1000);
    expect(stable.value).toBeCloseTo(1 - expected.crashedSessions / expected.sessions, 12);
    expect(stable.value).toBeGreaterThan(0.995);
    const users = valueOf(await measure(p, spec('crashFreeUsers'), { version: 'baseline' }));
    expect(users.value).toBeCloseTo(1 - expected.crashedUsers / expected.users, 12);
    expect(users.note).toBe(`${expected.sessions} sessions, ${expected.users} users`);
    expect(sentry.requests[sentry.requests.length - 1].params.filter(([k]) => k === 'field').map(([, v]) => v)).toEqual(['crash_free_rate(user)', 'sum(session)', 'count_unique(user)']);
  });

  it('reads samples over a range longer than the window with a second request', async () => {
    const p = provider('error-spike', { windowMs: 60_000, rangeMs: 120_000 });
    const before = sentry.requests.length;
    const m = valueOf(await measure(p, spec(), { withSamples: true }));
    const expected = totalsBetween(scenarioHistory(scenario('error-spike'), 'canary'), AT / 1000 - 60, AT / 1000);
    expect(m.value).toBeCloseTo(1 - expected.crashedSessions / expected.sessions, 12);
    expect(m.samples).toHaveLength(4);
    const sent = sentry.requests.slice(before).map((r) => Object.fromEntries(r.params.filter(([k]) => ['start', 'includeSeries'].includes(k))));
    expect(sent).toEqual(
      expect.arrayContaining([
        { start: '2024-01-01T00:19:00Z', includeSeries: '0' },
        { start: '2024-01-01T00:18:00Z', includeSeries: '1' },
      ]),
    );
    expect(m.query).toContain('over the last whole 1m in 30s intervals (samples over 2m);');
  });

  it('reads only whole intervals: an evaluation time inside one reads the same as its start', async () => {
    const p = provider('error-spike');
    const at = valueOf(await measure(p, spec()));
    const inside = valueOf(await measure(p, spec(), { time: AT + 29_000 }));
    expect(inside.value).toBe(at.value);
    expect(inside.query).toBe(at.query);
  });

  it('has no data with too few sessions, and for a release without sessions in the window', async () => {
    const early = (REPLAY_START + 120) * 1000;
    const low = await measure(provider('low-traffic'), spec(), { time: early });
    const counted = totalsBetween(scenarioHistory(scenario('low-traffic'), 'canary'), early / 1000 - 120, early / 1000).sessions;
    expect(counted).toBeGreaterThan(0);
    expect(low).toMatchObject({ outcome: 'nodata', reason: `too few sessions of release "${sentry.releases('low-traffic').canary}" in the window: ${counted} < 50` });
    const absent = await measure(provider('absent-at-start'), spec(), { time: early });
    expect(absent).toMatchObject({ outcome: 'nodata', reason: `no sessions of release "${sentry.releases('absent-at-start').canary}" in the window` });
    // The same release later, once it has sessions; and a release Sentry has never seen.
    expect((await measure(provider('absent-at-start'), spec())).outcome).toBe('value');
    expect((await measure(provider('healthy', { release: 'com.acme.app@9.9.9' }), spec())).outcome).toBe('nodata');
  });

  it('reports what Sentry refuses as errors, with its detail', async () => {
    const errorOf = async (p: SentryProvider) => {
      const m = await measure(p, spec());
      if (m.outcome !== 'error') throw new Error(`expected an error, got ${JSON.stringify(m)}`);
      return m.error;
    };
    expect(await errorOf(provider('healthy', { token: 'sntrys_not-a-valid-token-000' }))).toBe('Sentry answered HTTP 401: Invalid token');
    expect(await errorOf(provider('healthy', { token: sentry.tokenWithoutScope }))).toBe('Sentry answered HTTP 403: You do not have permission to perform this action.');
    expect(await errorOf(provider('healthy', { project: '1' }))).toBe('Sentry answered HTTP 403: You do not have permission to perform this action.');
    expect(await errorOf(provider('healthy', { organization: 'other' }))).toBe('Sentry answered HTTP 404: The requested resource does not exist');
    expect(await errorOf(provider('healthy', { intervalMs: 15_000, windowMs: 60_000 }))).toBe('Sentry answered HTTP 400: The interval has to be a multiple of the minimum interval of ten seconds.');
  });

  it('retries 429 and 5xx, and reports an outage that lasts, a malformed answer and no answer as errors', async () => {
    const p = provider('healthy');
    sentry.inject({ status: 429, retryAfter: 0 });
    sentry.inject({ status: 502 });
    const before = sentry.requests.length;
    expect((await measure(p, spec())).outcome).toBe('value');
    expect(sentry.requests.length - before).toBe(3);

    sentry.inject({ status: 503 }, SENTRY_RETRY.attempts!);
    expect(await measure(p, spec())).toMatchObject({ outcome: 'error', error: `Sentry answered HTTP 503: Internal Error (after ${SENTRY_RETRY.attempts} attempts)` });
    sentry.inject('malformed');
    expect(await measure(p, spec())).toMatchObject({ outcome: 'error', error: 'Sentry sent an answer that is not a sessions API response: {"start": "2024-01-01T00:00:00Z", "intervals": [' });
    sentry.inject('no-answer', SENTRY_RETRY.attempts!);
    const slow = await measure(provider('healthy', { timeoutMs: 200 }), spec());
    expect(slow).toMatchObject({ outcome: 'error', error: `Sentry at ${sentry.url}: no complete answer within 0.2s (after ${SENTRY_RETRY.attempts} attempts)` });
  });

  it('stops at once when the run is aborted', async () => {
    sentry.inject('no-answer');
    const ac = new AbortController();
    const pending = provider('healthy', { timeoutMs: 30_000 }).measure(spec(), { version: 'canary', time: AT, withSamples: false, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('sentry provider and its token', () => {
  /** A server that puts the Authorization header it got into its error, as a careless proxy might. */
  async function echoServer(): Promise<{ url: string; close: () => Promise<void> }> {
    const server: Server = createServer((req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: `refused ${req.headers.authorization}` }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((r) => server.close(() => r())),
    };
  }

  it('keeps the token out of its errors, even when the server echoes it', async () => {
    const echo = await echoServer();
    try {
      const m = await measure(provider('healthy', { url: echo.url, retry: { attempts: 1 } }), spec());
      expect(m).toMatchObject({ outcome: 'error', error: 'Sentry answered HTTP 500: refused Bearer ***' });
      expect(JSON.stringify(m)).not.toContain(sentry.token);
    } finally {
      await echo.close();
    }
  });
});
