// The cloud-monitoring provider against the Cloud Monitoring stand-in (tools/cloud-monitoring-api):
// Cloud Run request metrics of the scenario suite, Google's token endpoints, injected faults.
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Logger, runPlan, UserError } from '@shipfleet/core';
import { CloudMonitoringApiStandIn, startCloudMonitoringApi } from '../../../tools/cloud-monitoring-api/server';
import { recordingAction, REPLAY_START, SCENARIOS } from '../../../tools/prometheus/scenarios';
import { Measurement } from './measurement';
import { metricOption } from './metric-options';
import { MetricSpec } from './metrics';
import { normalizeCanaryOptions } from './options';
import { buildCanaryPlan } from './plan';
import { CLOUD_MONITORING_RETRY, cloudMonitoringCredentials, cloudMonitoringProvider, CloudMonitoringProvider } from './providers/cloud-monitoring';
import type { CanaryOptions } from './types';

const AT = (REPLAY_START + 600) * 1000;
const signal = new AbortController().signal;
const retry = { delayMs: 1, jitter: 0 };

let gcm: CloudMonitoringApiStandIn;
let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  gcm = await startCloudMonitoringApi({ scenarios: SCENARIOS.filter((s) => ['healthy', 'error-spike', 'absent-at-start'].includes(s.name)) });
  dir = mkdtempSync(join(tmpdir(), 'shipfleet-gcm-'));
  env = { GCM_KEY: JSON.stringify(gcm.serviceAccountKey()), METADATA_SERVER_DETECTION: 'none' };
});
afterAll(async () => {
  await gcm?.close();
  rmSync(dir, { recursive: true, force: true });
});

const spec = (source: Record<string, unknown>): MetricSpec => metricOption({ name: 'm', provider: 'cloud-monitoring', failure: '> 1000000', ...source }, 0, false);

function provider(scenario: string, extra: { keyEnv?: string; windowMs?: number; stepMs?: number; project?: string; env?: NodeJS.ProcessEnv } = {}): CloudMonitoringProvider {
  const credentials = cloudMonitoringCredentials(extra.keyEnv ?? 'GCM_KEY', extra.env ?? env);
  const settings = { project: extra.project ?? gcm.project, revisions: gcm.revisions(scenario), timeoutMs: 5000, apiUrl: gcm.url, tokenUrl: gcm.tokenUrl };
  return cloudMonitoringProvider(settings, credentials, { windowMs: extra.windowMs ?? 60_000, stepMs: extra.stepMs ?? 60_000 }, retry);
}

const measure = (p: CloudMonitoringProvider, m: MetricSpec, extra: { time?: number; withSamples?: boolean; version?: 'canary' | 'baseline' } = {}) =>
  p.measure(m, { version: extra.version ?? 'canary', time: extra.time ?? AT, withSamples: extra.withSamples ?? false, signal });

const valueOf = (m: Measurement) => {
  if (m.outcome !== 'value') throw new Error(`expected a value, got ${JSON.stringify(m)}`);
  return m;
};

describe('cloud-monitoring provider on the stand-in', () => {
  it('reads the error rate of a revision as 5xx / all request_count over the window', async () => {
    const healthy = valueOf(await measure(provider('healthy'), spec({ measure: 'errorRate' })));
    expect(healthy.value).toBeLessThan(0.01);
    expect(healthy.query).toBe(
      'timeSeries.list projects/shipfleet-stand-in: (filter metric.type = "run.googleapis.com/request_count" AND resource.type = "cloud_run_revision" AND resource.labels.revision_name = "healthy-canary" AND metric.labels.response_code_class = "5xx", ALIGN_DELTA, REDUCE_SUM by resource.labels.revision_name) / (filter metric.type = "run.googleapis.com/request_count" AND resource.type = "cloud_run_revision" AND resource.labels.revision_name = "healthy-canary", ALIGN_DELTA, REDUCE_SUM by resource.labels.revision_name), period 60s',
    );
    const spike = valueOf(await measure(provider('error-spike'), spec({ measure: 'errorRate' })));
    expect(spike.value).toBeGreaterThan(0.08);
    expect(spike.value).toBeLessThan(0.16);
    expect(spike.note).toMatch(/^\d+ \/ \d+$/);
    // The stable revision of the same scenario is healthy.
    expect(valueOf(await measure(provider('error-spike'), spec({ measure: 'errorRate' }), { version: 'baseline' })).value).toBeLessThan(0.01);
  });

  it('sends the documented timeSeries.list parameters with a bearer token for the monitoring.read scope', async () => {
    const before = gcm.requests.length;
    await measure(provider('healthy'), spec({ measure: 'requestCount' }));
    const call = gcm.requests.slice(before).find((r) => r.path.endsWith('/timeSeries'))!;
    expect(call).toMatchObject({ method: 'GET', path: '/v3/projects/shipfleet-stand-in/timeSeries', status: 200 });
    expect(call.query).toEqual({
      filter: 'metric.type = "run.googleapis.com/request_count" AND resource.type = "cloud_run_revision" AND resource.labels.revision_name = "healthy-canary"',
      'interval.startTime': new Date(AT - 60_000).toISOString(),
      'interval.endTime': new Date(AT).toISOString(),
      'aggregation.alignmentPeriod': '60s',
      'aggregation.perSeriesAligner': 'ALIGN_DELTA',
      'aggregation.crossSeriesReducer': 'REDUCE_SUM',
      'aggregation.groupByFields': 'resource.labels.revision_name',
    });
  });

  it('reads request counts, and a latency percentile of the merged distributions', async () => {
    const count = valueOf(await measure(provider('healthy'), spec({ measure: 'requestCount' })));
    // 10 requests/s for a minute, ±10 %.
    expect(count.value).toBeGreaterThan(530);
    expect(count.value).toBeLessThan(670);
    const p95 = valueOf(await measure(provider('healthy'), spec({ measure: 'latency' }), { version: 'baseline' }));
    // Log-normal around 120 ms: p95 ≈ 213 ms; the stand-in's buckets are 20 % wide.
    expect(p95.value).toBeGreaterThan(170);
    expect(p95.value).toBeLessThan(260);
    const p50 = valueOf(await measure(provider('healthy'), spec({ measure: 'latency', quantile: 0.5 }), { version: 'baseline' }));
    expect(p50.value).toBeLessThan(p95.value);
    expect(p50.query).toContain('ALIGN_DELTA, REDUCE_PERCENTILE_50');
  });

  it('reads one sample per step across the window for the comparison', async () => {
    const m = valueOf(await measure(provider('error-spike', { windowMs: 240_000, stepMs: 60_000 }), spec({ measure: 'errorRate' }), { withSamples: true }));
    expect(m.samples).toHaveLength(4);
    for (const s of m.samples!) expect(s).toBeGreaterThan(0.05);
    expect(m.query).toMatch(/, period 240s; samples: period 60s$/);
  });

  it('has no data for a revision without requests; its request count is 0', async () => {
    const early = REPLAY_START * 1000 + 60_000;
    expect(await measure(provider('absent-at-start'), spec({ measure: 'errorRate' }), { time: early })).toMatchObject({
      outcome: 'nodata',
      reason: 'no requests: revision absent-at-start-canary has no request_count series in the window',
    });
    expect(await measure(provider('absent-at-start'), spec({ measure: 'latency' }), { time: early })).toMatchObject({ outcome: 'nodata', reason: 'no time series for revision absent-at-start-canary in the window' });
    expect(await measure(provider('absent-at-start'), spec({ measure: 'requestCount' }), { time: early })).toMatchObject({ outcome: 'value', value: 0 });
  });

  it('reads a raw filter with its aligner and reducer, the revision added to it', async () => {
    const m = valueOf(await measure(provider('healthy'), spec({ filter: 'metric.type = "run.googleapis.com/request_latencies"', aligner: 'ALIGN_PERCENTILE_99', reducer: 'REDUCE_MAX' })));
    expect(m.value).toBeGreaterThan(150);
    expect(m.query).toContain('filter (metric.type = "run.googleapis.com/request_latencies") AND resource.labels.revision_name = "healthy-canary", ALIGN_PERCENTILE_99, REDUCE_MAX');
  });

  it('reports what Cloud Monitoring refuses as an error, with its status and message', async () => {
    const refused = await measure(provider('healthy'), spec({ filter: 'metric.type = "run.googleapis.com/request_count" OR resource.type = "x"', aligner: 'ALIGN_DELTA' }));
    expect(refused.outcome === 'error' && refused.error).toMatch(/^Cloud Monitoring answered HTTP 400, INVALID_ARGUMENT: Field filter had an invalid value/);
    const distributions = await measure(provider('healthy'), spec({ filter: 'metric.type = "run.googleapis.com/request_latencies"', aligner: 'ALIGN_DELTA' }));
    expect(distributions.outcome === 'error' && distributions.error).toMatch(/holds distributions/);
    const otherProject = await measure(provider('healthy', { project: 'someone-else' }), spec({ measure: 'errorRate' }));
    expect(otherProject.outcome === 'error' && otherProject.error).toMatch(/HTTP 403, PERMISSION_DENIED: Permission monitoring.timeSeries.list denied/);
  });

  it('reads every page of an answer', async () => {
    const paged = await startCloudMonitoringApi({ scenarios: SCENARIOS.filter((s) => s.name === 'healthy'), pageSize: 1 });
    try {
      const credentials = cloudMonitoringCredentials('KEY', { KEY: JSON.stringify(paged.serviceAccountKey()) });
      const p = cloudMonitoringProvider({ project: paged.project, revisions: paged.revisions('healthy'), timeoutMs: 5000, apiUrl: paged.url, tokenUrl: paged.tokenUrl }, credentials, { windowMs: 60_000, stepMs: 60_000 }, retry);
      // REDUCE_NONE keeps the 2xx and 5xx series apart: two series, on two pages.
      const m = await measure(p, spec({ filter: 'metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "2xx"', aligner: 'ALIGN_DELTA', reducer: 'REDUCE_NONE' }));
      expect(m.outcome).toBe('value');
      const all = await measure(p, spec({ filter: 'metric.type = "run.googleapis.com/request_count"', aligner: 'ALIGN_DELTA', reducer: 'REDUCE_NONE' }), { version: 'baseline' });
      expect(all.outcome === 'error' && all.error).toMatch(/returned 2 time series, not one/);
      expect(paged.requests.filter((r) => r.query.pageToken).length).toBeGreaterThan(0);
    } finally {
      await paged.close();
    }
  });

  it('retries 429 and 503 answers, then reports them; a malformed answer is an error', async () => {
    const p = provider('healthy');
    const count = spec({ measure: 'requestCount' });
    gcm.setFaults({ tooManyRequests: 1 });
    expect((await measure(p, count)).outcome).toBe('value');
    gcm.setFaults({ unavailable: 3 });
    const down = await measure(p, count);
    expect(down.outcome === 'error' && down.error).toBe(`Cloud Monitoring answered HTTP 503, UNAVAILABLE: The service is currently unavailable. (after ${CLOUD_MONITORING_RETRY.attempts} attempts)`);
    gcm.setFaults({ malformed: 1 });
    const html = await measure(p, count);
    expect(html.outcome === 'error' && html.error).toBe('Cloud Monitoring sent an answer that is not a ListTimeSeriesResponse: <html><body>Service temporarily unavailable</body></html>');
  });

  it('gets tokens with workload identity federation (external_account) too', async () => {
    const subject = join(dir, 'oidc-token');
    writeFileSync(subject, gcm.oidcToken);
    const wifEnv = { GCM_WIF: JSON.stringify(gcm.externalAccountConfig(subject)) };
    const m = await measure(provider('healthy', { keyEnv: 'GCM_WIF', env: wifEnv }), spec({ measure: 'requestCount' }));
    expect(m.outcome).toBe('value');
  });

  it('is an error, without the key, when Google refuses the grant', async () => {
    const key: Record<string, string> = { ...gcm.serviceAccountKey(), client_email: 'nobody@shipfleet-stand-in.iam.gserviceaccount.com' };
    const m = await measure(provider('healthy', { env: { GCM_KEY: JSON.stringify(key) } }), spec({ measure: 'requestCount' }));
    expect(m.outcome === 'error' && m.error).toMatch(/could not get an access token for the Cloud Monitoring API with the credentials from \$GCM_KEY: 400 invalid_grant: Invalid grant: account not found/);
    expect(JSON.stringify(m)).not.toContain(key.private_key_id);
  });
});

describe('cloud-monitoring options', () => {
  const base: CanaryOptions = {
    name: 'web',
    window: '4m',
    interval: '1m',
    metrics: [{ name: 'errors', provider: 'cloud-monitoring', measure: 'errorRate', failure: '> 0.05' }],
    cloudMonitoring: { project: 'acme-prod', revisions: { canary: 'web-00042-abc', baseline: 'web-00041-xyz' }, credentialsEnv: 'GCM_KEY' },
    action: { type: 'command', setWeight: ['true', '{{weight}}'] },
  };
  const keyEnv = () => ({ GCM_KEY: JSON.stringify(gcm.serviceAccountKey()) });
  const userError = (options: Partial<CanaryOptions>, e: NodeJS.ProcessEnv = keyEnv()): UserError => {
    try {
      normalizeCanaryOptions(options, '/srv/web', e, { warn: () => undefined });
    } catch (err) {
      if (err instanceof UserError) return err;
      throw err;
    }
    throw new Error('expected a UserError');
  };
  const metric = (m: Record<string, unknown>) => ({ ...base, metrics: [{ name: 'm', provider: 'cloud-monitoring', failure: '> 1', ...m }] }) as CanaryOptions;

  it('normalises the settings with the defaults', () => {
    const o = normalizeCanaryOptions(base, '/srv/web', keyEnv());
    expect(o.cloudMonitoring).toEqual({ project: 'acme-prod', revisions: { canary: 'web-00042-abc', baseline: 'web-00041-xyz' }, credentialsEnv: 'GCM_KEY', timeoutMs: 10_000, apiUrl: 'https://monitoring.googleapis.com', tokenUrl: 'https://oauth2.googleapis.com/token' });
    expect(o.metrics[0].source).toEqual({ provider: 'cloud-monitoring', measure: 'errorRate', quantile: 0.95 });
  });

  it.each([
    ['no settings', { ...base, cloudMonitoring: undefined }, 'cloudMonitoring', /is required for cloud-monitoring metrics/],
    ['a bad project id', { ...base, cloudMonitoring: { ...base.cloudMonitoring!, project: 'Acme Prod' } }, 'cloudMonitoring.project', /not a Google Cloud project id/],
    ['no baseline revision', { ...base, cloudMonitoring: { ...base.cloudMonitoring!, revisions: { canary: 'web-00042-abc' } } }, 'cloudMonitoring.revisions.baseline', /is required/],
    ['the same revision twice', { ...base, cloudMonitoring: { ...base.cloudMonitoring!, revisions: { canary: 'web-1', baseline: 'web-1' } } }, 'cloudMonitoring.revisions.baseline', /canary's revision too/],
    ['a revision with capitals', { ...base, cloudMonitoring: { ...base.cloudMonitoring!, revisions: { canary: 'Web', baseline: 'web-1' } } }, 'cloudMonitoring.revisions.canary', /not a Cloud Run revision name/],
    ['a window under a minute', { ...base, window: '30s', interval: '30s' }, 'window', /at least 60/],
    ['a comparison step under a minute', { ...base, comparison: { step: '30s' } }, 'comparison.step', /at least 60/],
    ['both measure and filter', metric({ measure: 'errorRate', filter: 'metric.type = "a"' }), 'metrics[0]', /either "measure"/],
    ['an unknown measure', metric({ measure: 'availability' }), 'metrics[0].measure', /availability/],
    ['a percentile Monitoring lacks', metric({ measure: 'latency', quantile: 0.9 }), 'metrics[0].quantile', /not a percentile Cloud Monitoring computes/],
    ['a filter without a metric type', metric({ filter: 'resource.type = "x"', aligner: 'ALIGN_DELTA' }), 'metrics[0].filter', /naming one metric type/],
    ['a filter that picks a revision', metric({ filter: 'metric.type = "a" AND resource.labels.revision_name = "x"', aligner: 'ALIGN_DELTA' }), 'metrics[0].filter', /selects a revision itself/],
    ['a filter without its aligner', metric({ filter: 'metric.type = "a"' }), 'metrics[0].aligner', /is required/],
    ['an unknown aligner', metric({ filter: 'metric.type = "a"', aligner: 'ALIGN_P95' }), 'metrics[0].aligner', /ALIGN_P95/],
    ['an aligner with a measure', metric({ measure: 'latency', aligner: 'ALIGN_DELTA' }), 'metrics[0].aligner', /only applies to a raw filter/],
    ['a Prometheus key', metric({ measure: 'errorRate', missingAsZero: true }), 'metrics[0].missingAsZero', /only applies to the prometheus provider/],
    ['credentials as a bad variable name', { ...base, cloudMonitoring: { ...base.cloudMonitoring!, credentialsEnv: 'GCM-KEY' } }, 'cloudMonitoring.credentialsEnv', /not an environment variable name/],
    ['an http API URL to another machine', { ...base, cloudMonitoring: { ...base.cloudMonitoring!, apiUrl: 'http://monitoring.example.com' } }, 'cloudMonitoring.apiUrl', /plain http/],
  ])('%s', (_what, options, option, problem) => {
    const err = userError(options as CanaryOptions);
    expect(err.option).toBe(option);
    expect(err.message).toMatch(problem);
  });

  it('stops at once when the credentials variable is unset or holds no JSON, without showing its content', () => {
    expect(userError(base, {})).toMatchObject({ option: 'cloudMonitoring.credentialsEnv', message: expect.stringMatching(/environment variable GCM_KEY is not set/) });
    const err = userError(base, { GCM_KEY: 'not-json-but-long-enough-to-be-a-secret' });
    expect(err.option).toBe('cloudMonitoring.credentialsEnv');
    expect(err.message).not.toContain('not-json-but-long-enough');
    // Without credentialsEnv: application default credentials, unless the metadata server is off and nothing else is set.
    const noCredentials = { ...base, cloudMonitoring: { ...base.cloudMonitoring!, credentialsEnv: undefined } };
    expect(normalizeCanaryOptions(noCredentials, '/srv/web', {}).cloudMonitoring?.credentialsEnv).toBeUndefined();
    expect(userError(noCredentials, { METADATA_SERVER_DETECTION: 'none' }).option).toBe('cloudMonitoring');
  });
});

describe('a rollout replayed through the Cloud Monitoring stand-in', () => {
  const options = (scenario: string): CanaryOptions => ({
    name: scenario,
    steps: 'standard',
    pause: '2m',
    interval: '1m',
    window: '4m',
    deadline: '10m',
    evaluationTime: REPLAY_START,
    comparison: { step: '1m' },
    metrics: [
      { name: 'error-rate', provider: 'cloud-monitoring', measure: 'errorRate', success: '< 0.01', failure: '> 0.05' },
      { name: 'latency-p95-ms', provider: 'cloud-monitoring', measure: 'latency', success: '< 500', failure: '> 2000' },
    ],
    cloudMonitoring: { project: gcm.project, revisions: gcm.revisions(scenario), credentialsEnv: 'GCM_KEY', apiUrl: gcm.url, tokenUrl: gcm.tokenUrl },
    action: { type: 'command', setWeight: ['true', '{{weight}}'] },
  });

  async function replay(scenario: string) {
    const o = normalizeCanaryOptions(options(scenario), `/srv/${scenario}`, env);
    const action = recordingAction();
    const { plan, result, secrets } = buildCanaryPlan(o, { action, env });
    const log: string[] = [];
    const logger: Logger = { info: (l) => log.push(l), warn: (l) => log.push(l), error: (l) => log.push(l) };
    await runPlan(plan, { logger, secrets, handleSignals: false, printSummary: false, stepSummaryFile: '/dev/null' });
    return { result, calls: action.calls, log };
  }

  it('promotes the healthy canary and rolls back the error spike, with no credential in any output', async () => {
    const healthy = await replay('healthy');
    expect(healthy.result.outcome).toBe('promoted');
    expect(healthy.calls.map((c) => `${c.kind} ${c.weight}`)).toEqual(['setWeight 5', 'setWeight 25', 'setWeight 50', 'setWeight 100', 'promote 100']);
    const spike = await replay('error-spike');
    expect(spike.result.outcome).toBe('rolled back');
    expect(spike.result.reason).toMatch(/error-rate/);
    expect(spike.calls[spike.calls.length - 1]).toEqual({ kind: 'rollback', weight: 0 });
    // The spike starts at 3 minutes; a 4-minute window passes 5 % errors by 5 minutes.
    expect(Date.parse(spike.result.timeline[spike.result.timeline.length - 1].at)).toBeLessThanOrEqual((REPLAY_START + 360) * 1000);

    const outputs = JSON.stringify([healthy.result, healthy.log, spike.result, spike.log]);
    const key = gcm.serviceAccountKey();
    expect(gcm.accessTokens.length).toBeGreaterThan(0);
    for (const secret of [key.private_key_id, key.private_key.split('\n')[1], ...gcm.accessTokens]) expect(outputs).not.toContain(secret);
  }, 60_000);
});
