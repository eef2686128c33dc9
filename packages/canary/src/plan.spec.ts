import { spawn } from 'child_process';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { formatPlan, memoryLogger, Redactor, runPlan, UserError } from '@shipfleet/core';
import { TrafficAction } from './actions/action';
import { Measurement, Version } from './measurement';
import { normalizeCanaryOptions } from './options';
import { buildCanaryPlan } from './plan';
import { MetricProvider } from './providers/provider';
import { CanaryOptions } from './types';

const T0 = Date.UTC(2024, 0, 1, 0, 10);
const base: Partial<CanaryOptions> = {
  steps: [{ weight: 5, pause: '1m' }, { weight: 25, pause: '1m' }, { weight: 100, pause: 0 }],
  interval: '30s',
  window: '1m',
  deadline: '5m',
  evaluationTime: T0 / 1000,
  prometheus: { url: 'https://prometheus.test:9090' },
  selectors: { canary: 'app="web",version="canary"', baseline: 'app="web",version="stable"' },
  requestCount: 'sum(increase(http_requests_total{{{selector}}}[{{interval}}]))',
  metrics: [
    {
      name: 'error-rate',
      numerator: 'sum(increase(http_requests_total{{{selector}},code=~"5.."}[{{interval}}]))',
      denominator: 'sum(increase(http_requests_total{{{selector}}}[{{interval}}]))',
      success: '< 0.01',
      failure: '> 0.05',
    },
  ],
  action: { type: 'command', setWeight: ['set-weight', '{{weight}}'] },
};

type Reading = number | 'error' | 'nodata';
/** A provider that answers from a script of (metric, version, seconds since T0) → reading. */
function scripted(read: (metric: string, version: Version, sec: number) => Reading): MetricProvider & { queries: number } {
  const p = {
    queries: 0,
    type: 'prometheus' as const,
    describe: (m: { name: string }, v: Version) => `${m.name}{version="${v}"}`,
    measure: async (m: { name: string }, r: { version: Version; time: number }): Promise<Measurement> => {
      p.queries++;
      const got = read(m.name, r.version, (r.time - T0) / 1000);
      const query = `${m.name}{version="${r.version}"}`;
      if (got === 'error') return { outcome: 'error', error: 'Prometheus answered HTTP 503: overloaded', query, time: r.time };
      if (got === 'nodata') return { outcome: 'nodata', reason: 'empty result', query, time: r.time };
      return { outcome: 'value', value: got, query, time: r.time };
    },
  };
  return p;
}

function recordingAction(fail?: (kind: string, weight: number) => boolean): TrafficAction & { calls: string[] } {
  const calls: string[] = [];
  const act = (kind: string, weight: number) => {
    calls.push(`${kind} ${weight}`);
    if (fail?.(kind, weight)) throw new Error(`${kind} ${weight} refused`);
  };
  return {
    calls,
    describe: (kind, weight) => `fake ${kind} ${weight}`,
    setWeight: async (w) => act('setWeight', w),
    promote: async () => act('promote', 100),
    rollback: async () => act('rollback', 0),
  };
}

const healthy = (name: string): Reading => (name === 'requests' ? 600 : 0.002);

async function run(read: (metric: string, version: Version, sec: number) => Reading, options: Partial<CanaryOptions> = {}, action = recordingAction(), env: NodeJS.ProcessEnv = {}) {
  const o = normalizeCanaryOptions({ ...base, ...options }, '/srv/web', env);
  const provider = scripted(read);
  const built = buildCanaryPlan(o, { action, providers: { prometheus: provider }, env });
  const { logger, lines } = memoryLogger();
  const report = await runPlan(built.plan, { logger, handleSignals: false, stepSummaryFile: '/dev/null', secrets: built.secrets });
  return { ...built, report, action, provider, text: lines.join('\n') };
}

describe('buildCanaryPlan', () => {
  it('walks a healthy canary through every step, then promotes it', async () => {
    const { report, action, result, text } = await run(healthy);
    expect(report.status).toBe('succeeded');
    expect(action.calls).toEqual(['setWeight 5', 'setWeight 25', 'setWeight 100', 'promote 100']);
    expect(result).toMatchObject({ outcome: 'promoted', weight: 100, reason: 'all 3 steps passed (5 → 25 → 100%)' });
    // 1m pauses at 30 s intervals: two analyses each; the last step (no pause) one.
    expect(result.timeline.map((e) => `${e.weight}:${e.action}`)).toEqual(['5:wait', '5:promote', '25:wait', '25:promote', '100:promote']);
    expect(result.timeline[0]).toMatchObject({ at: '2024-01-01T00:10:30.000Z', elapsedMs: 30_000, step: 1 });
    expect(report.outputs).toMatchObject({ decision: 'promoted', weight: '100', analyses: '5', timeline: '5%: pass, pass→promote | 25%: pass, pass→promote | 100%: pass→promote' });
    expect(text).toContain('promoted: nothing to roll back');
    // The log shows each query and the values it returned.
    expect(text).toContain('canary: 0.002 ← error-rate{version="canary"}');
    expect(text).toContain('stable: 0.002 ← error-rate{version="baseline"}');
    expect(text).toContain('requests: 600 ← requests{version="canary"}');
    // The live step and weight, as progress lines (at most one per 5 s of the run's clock, the last always).
    expect(text).toContain('│ step 1/3 at 5%: moving traffic');
    expect(text).toContain('│ step 1/3 at 5%: analysis 1: pass → wait (30s into the step, pause 1m)');
    expect(text).toContain('│ step 1/3 at 5%: analysis 2: pass → promote (1m into the step, pause 1m) · 1m');
    expect(text).toContain('│ step 3/3 at 100%: analysis 5: pass → promote (30s into the step) · 30s');
  });

  it('rolls back when an analysis fails, with the reason and values in the outputs', async () => {
    const read = (name: string, v: Version, sec: number): Reading => (name === 'requests' ? 600 : v === 'canary' && sec >= 120 ? 0.09 : 0.002);
    const { report, action, result } = await run(read);
    expect(report.status).toBe('failed');
    expect(action.calls).toEqual(['setWeight 5', 'setWeight 25', 'rollback 0']);
    expect(report.error).toContain('roll back decided at 25% (2024-01-01T00:12:00.000Z): failed analysis 1 of the rollout (failureLimit 0): error-rate: canary 0.09 meets the failure condition "> 0.05" (stable 0.002)');
    expect(report.outputs.decision).toBe('rolled back');
    expect(report.outputs.weight).toBe('0');
    expect(result.outcome).toBe('rolled back');
    const last = result.timeline[result.timeline.length - 1];
    expect(last.decision.metrics[0]).toMatchObject({ metric: 'error-rate', verdict: 'fail', canary: { value: 0.09, query: 'error-rate{version="canary"}' }, baseline: { value: 0.002 } });
    expect(report.cleanups).toEqual([expect.objectContaining({ title: 'Roll back the canary unless it was promoted', status: 'succeeded' })]);
  });

  it('holds on a failure the stable version shares, then promotes when it is over', async () => {
    const read = (name: string, _v: Version, sec: number): Reading => (name === 'requests' ? 600 : sec > 30 && sec <= 90 ? 0.2 : 0.002);
    const { report, result } = await run(read);
    expect(report.status).toBe('succeeded');
    expect(result.timeline.map((e) => e.action)).toEqual(['wait', 'hold', 'hold', 'promote', 'wait', 'promote', 'promote']);
    expect(result.timeline[1].reason).toContain('but the stable version is degraded too (0.2), within the tolerance +20%: a shared problem, not blamed on the canary');
  });

  it('holds on source errors and fails safe at the limit', async () => {
    const { report, action, result } = await run((name, _v, sec) => (sec >= 60 ? 'error' : healthy(name)), { consecutiveErrorLimit: 2 });
    expect(report.status).toBe('failed');
    expect(result.timeline.map((e) => e.action)).toEqual(['wait', 'hold', 'hold', 'rollback']);
    expect(report.error).toContain('the metric source failed 3 analyses in a row (consecutiveErrorLimit 2), failing safe');
    expect(action.calls).toEqual(['setWeight 5', 'rollback 0']);
  });

  it('never rolls back on missing data, until the step deadline', async () => {
    const { report, result } = await run(() => 'nodata');
    expect(result.timeline.map((e) => e.action)).toEqual([...Array(9).fill('hold'), 'rollback']);
    expect(result.timeline[9].elapsedMs).toBe(300_000);
    expect(report.error).toContain('no passing analysis within the step deadline of 5m');
  });

  it('treats low traffic as missing data: a single error among few requests does not roll back', async () => {
    const read = (name: string, v: Version, sec: number): Reading => (name === 'requests' ? (sec <= 60 ? 12 : 600) : v === 'canary' && sec <= 60 ? 1 / 12 : 0.002);
    const { report, result } = await run(read);
    expect(report.status).toBe('succeeded');
    expect(result.timeline.slice(0, 2).map((e) => e.reason)).toEqual(['no data, waiting: too few canary requests in the window: 12 < 50', 'no data, waiting: too few canary requests in the window: 12 < 50']);
  });

  it('stops before moving any traffic when a query fails the check, and then has nothing to roll back', async () => {
    const { report, action, text } = await run((name) => (name === 'error-rate' ? 'error' : 600));
    expect(report.status).toBe('failed');
    expect(report.error).toContain('error-rate (canary): Prometheus answered HTTP 503: overloaded; query: error-rate{version="canary"}');
    expect(action.calls).toEqual([]);
    expect(text).toContain('no traffic was moved: nothing to roll back');
  });

  it('rolls back when setting a weight fails', async () => {
    const { report, action, result } = await run(healthy, {}, recordingAction((kind, w) => kind === 'setWeight' && w === 25));
    expect(report.status).toBe('failed');
    expect(action.calls).toEqual(['setWeight 5', 'setWeight 25', 'rollback 0']);
    expect(result.actions.map((a) => `${a.kind} ${a.weight} ${a.ok}`)).toEqual(['setWeight 5 true', 'setWeight 25 false', 'rollback 0 true']);
    expect(result.reason).toBe('at 5%: setWeight 25 refused');
  });

  it('notifies a Slack-compatible webhook of the outcome, its URL masked as a secret', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        bodies.push(b);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/secret-token`;
    try {
      const read = (name: string, v: Version, sec: number): Reading => (name === 'requests' ? 600 : v === 'canary' && sec >= 60 ? 0.09 : 0.002);
      const { report, text } = await run(read, { notify: { webhookEnv: 'SLACK_URL' } }, recordingAction(), { SLACK_URL: url });
      expect(bodies.map((b) => JSON.parse(b).text)).toEqual([expect.stringMatching(/^:rotating_light: Canary web rolled back: at 5% \(2024-01-01T00:11:00.000Z\): failed analysis 1/)]);
      expect(text).toContain('notification sent');
      expect(text + JSON.stringify(report)).not.toContain('secret-token');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('prints a dry run with every step, the resolved queries and the rollback', () => {
    const o = normalizeCanaryOptions({ ...base, comparison: true }, '/srv/web', {});
    const { plan } = buildCanaryPlan(o, { action: recordingAction() });
    const text = formatPlan(plan, new Redactor());
    expect(text).toContain('Plan: Canary rollout of web: 5 → 25 → 100% (6 steps)');
    expect(text).toContain('[cleanup (always runs at the end)] Roll back the canary unless it was promoted');
    expect(text).toContain('2. [task] Check Prometheus at https://prometheus.test:9090 and every query');
    expect(text).toContain('error-rate: canary: (sum(increase(http_requests_total{app="web",version="canary",code=~"5.."}[1m]))) / (sum(increase(http_requests_total{app="web",version="canary"}[1m])))');
    expect(text).toContain('; stable: (sum(increase(http_requests_total{app="web",version="stable",code=~"5.."}[1m])))');
    expect(text).toContain('3. [task] Step 1/3: 5% of traffic to the canary');
    expect(text).toContain('fake setWeight 5; every 30s judge the last 1m with thresholds (a failure the stable version shares holds) and baseline comparison (Mann-Whitney at 0.95, pass 95, marginal 75)');
    expect(text).toContain('6. [task] Promote the canary');
  });

  it('needs a cluster connection for a kubernetes action', () => {
    const o = normalizeCanaryOptions({ ...base, action: { type: 'kubernetes', mode: 'ingress-nginx', ingress: 'web-canary' } }, '/srv/web', {});
    expect(() => buildCanaryPlan(o)).toThrow(UserError);
    const patches: unknown[] = [];
    expect(buildCanaryPlan(o, { patchObject: async (p) => void patches.push(p) }).plan.steps).toHaveLength(6);
  });

  it('rolls back a rollout interrupted by SIGINT at 25 % instead of leaving traffic on the canary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-canary-sigint-'));
    const record = join(dir, 'moves.txt');
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, '__fixtures__', 'interrupt-rollout.ts'), record], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const moves = () => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n') : []);
    for (let i = 0; i < 300 && !moves().includes('25'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(moves()).toEqual(['5', '25']);
    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    expect(moves()).toEqual(['5', '25', 'rollback-0']);
    expect(signal).toBe('SIGINT');
    expect(code).toBeNull();
    expect(output).toContain('Received SIGINT');
    // At 25 %, or still moving there when the signal came: either way the rollback is the last move.
    expect(output).toMatch(/rolling back: interrupted (at|while moving traffic to) 25%/);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
