// The scenario suite on a real Prometheus: recorded histories with known right answers, each
// replayed through the whole plan (runner included) in virtual time. Prometheus starts once for
// this file with every scenario backfilled.
import { describeDecision, REPLAY_START, runScenario, ScenarioResult, scenarioHistory, SCENARIOS } from '../../../tools/prometheus/scenarios';
import { PrometheusServer, startPrometheus } from '../../../tools/prometheus/server';
import { PrometheusClient } from './providers/prometheus';

let prom: PrometheusServer;
const results = new Map<string, ScenarioResult>();

beforeAll(async () => {
  prom = await startPrometheus([scenarioHistory()]);
  // The replays are independent: run them side by side.
  await Promise.all(SCENARIOS.map(async (s) => results.set(s.name, await runScenario(s, prom.url))));
}, 120_000);
afterAll(async () => {
  await prom?.stop();
});

const result = (name: string) => {
  const r = results.get(name);
  if (!r) throw new Error(`no result for ${name}`);
  return r;
};

describe('scenario suite (slo-1pct-500ms preset with the baseline comparison, replayed on Prometheus)', () => {
  it.each(SCENARIOS.map((s) => [s.name, s.expected] as const))('%s: %s', (name, expected) => {
    const r = result(name);
    // The whole log on failure: every query, value and decision.
    if (!r.ok) throw new Error(`${r.problem}\n${r.log.join('\n')}`);
    expect(describeDecision(r)).toBe(expected);
    expect(r.falseRollback).toBe(false);
    if (expected === 'rollback') {
      expect(r.intervalsToDetection).toBeGreaterThan(0);
      expect(r.intervalsToDetection).toBeLessThanOrEqual(2);
      expect(r.calls[r.calls.length - 1]).toEqual({ kind: 'rollback', weight: 0 });
    } else {
      expect(r.calls.map((c) => `${c.kind} ${c.weight}`)).toEqual(['setWeight 5', 'setWeight 25', 'setWeight 50', 'setWeight 100', 'promote 100']);
    }
  });

  it('holds on the shared outage for the right reason: the stable version failed too', () => {
    const holds = result('shared-outage').timeline.filter((e) => e.action === 'hold');
    expect(holds.length).toBeGreaterThan(2);
    for (const e of holds) expect(e.reason).toMatch(/so does the stable version|both are past the floor/);
  });

  it('holds on low traffic and on absent metrics as missing data, never as a failure', () => {
    for (const name of ['low-traffic', 'absent-at-start']) {
      const r = result(name);
      expect(r.timeline.some((e) => e.decision.verdict === 'fail')).toBe(false);
      expect(r.timeline.filter((e) => e.action === 'hold').every((e) => e.decision.verdict === 'nodata')).toBe(true);
    }
    expect(result('low-traffic').timeline[0].reason).toMatch(/too few canary requests in the window: 1\d < 50/);
  });

  it('catches the latency regression through the comparison while the thresholds only hold', () => {
    const last = result('latency-regression').timeline.slice(-1)[0];
    const latency = last.decision.metrics.filter((m) => m.metric === 'latency-p95-ms');
    expect(latency.map((m) => `${m.judge}:${m.verdict}`)).toEqual(['thresholds:inconclusive', 'comparison:fail']);
    expect(latency[1].pValue).toBeLessThan(0.05);
  });

  it('replays histories that really contain the counter reset and the missing series', async () => {
    const client = new PrometheusClient({ url: prom.url, timeoutMs: 5000 });
    const resets = await client.query('sum(resets(http_requests_total{scenario="counter-reset",version="canary"}[30m]))', (REPLAY_START + 1200) * 1000);
    expect(resets).toMatchObject({ resultType: 'vector', result: [{ value: [expect.any(Number), '2'] }] });
    const early = await client.query('count(http_requests_total{scenario="absent-at-start",version="canary"})', (REPLAY_START + 60) * 1000);
    expect(early).toMatchObject({ resultType: 'vector', result: [] });
  });
});
