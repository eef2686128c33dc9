// The scenario suite on a real Prometheus: recorded histories with known right answers, each
// replayed through the whole plan (runner included) in virtual time, over 10 noise draws of every
// situation, each scraped at two phases (a range holding one sample more or fewer, as Prometheus
// 2.x and 3 differ). A decision that holds by luck on one draw fails here. Prometheus starts once
// for this file with every scenario and draw backfilled.
import { describeDecision, Draw, drawsOf, REPLAY_START, runScenario, ScenarioResult, scenarioHistory, SCENARIOS, selectorOf } from '../../../tools/prometheus/scenarios';
import { PrometheusServer, startPrometheus } from '../../../tools/prometheus/server';
import { PrometheusClient } from './providers/prometheus';

const SEEDS = 10;
const DRAWS = drawsOf(SEEDS);
let prom: PrometheusServer;
const results = new Map<string, ScenarioResult[]>();

beforeAll(async () => {
  prom = await startPrometheus(SCENARIOS.map((s) => scenarioHistory([s], DRAWS)), { readyTimeoutMs: 180_000 });
  // The replays are independent: one scenario's draws side by side.
  for (const s of SCENARIOS) results.set(s.name, await Promise.all(DRAWS.map((d) => runScenario(s, prom.url, {}, d))));
}, 1_200_000);
afterAll(async () => {
  await prom?.stop();
});

const all = (name: string) => {
  const r = results.get(name);
  if (!r) throw new Error(`no result for ${name}`);
  return r;
};
const drawName = (d: Draw) => `seed ${d.seed}, phase +${d.offset}s`;

describe(`scenario suite (slo-1pct-500ms preset with the baseline comparison, ${SEEDS} noise draws × 2 scrape phases, replayed on Prometheus)`, () => {
  it.each(SCENARIOS.map((s) => [s.name, s.expected] as const))('%s: %s on every draw', (name, expected) => {
    const rs = all(name);
    expect(rs).toHaveLength(DRAWS.length);
    const wrong = rs.filter((r) => !r.ok);
    // Every wrong draw with its problem, and the whole log of the first: every query, value and decision.
    if (wrong.length) throw new Error(`${wrong.length}/${rs.length} draws wrong:\n${wrong.map((r) => `${drawName(r.draw)}: ${r.problem}`).join('\n')}\n\n${wrong[0].log.join('\n')}`);
    for (const r of rs) {
      expect(describeDecision(r)).toBe(expected);
      expect(r.falseRollback).toBe(false);
      if (expected === 'rollback') {
        expect(r.intervalsToDetection).toBeGreaterThan(0);
        expect(r.intervalsToDetection).toBeLessThanOrEqual(r.scenario.detectWithin ?? 2);
        expect(r.calls[r.calls.length - 1]).toEqual({ kind: 'rollback', weight: 0 });
      } else if (expected === 'inconclusive') {
        expect(r.calls.map((c) => `${c.kind} ${c.weight}`)).toEqual(['setWeight 5', 'rollback 0']);
      } else {
        expect(r.calls.map((c) => `${c.kind} ${c.weight}`)).toEqual(['setWeight 5', 'setWeight 25', 'setWeight 50', 'setWeight 100', 'promote 100']);
      }
    }
  });

  it('holds on shared outages because the canary is no worse than a degraded stable version, never blaming it', () => {
    const shared = /the stable version is degraded too .*: a shared problem, not blamed on the canary/;
    for (const name of ['shared-outage', 'shared-outage-near-line']) {
      let sharedHolds = 0;
      for (const r of all(name)) {
        const holds = r.timeline.filter((e) => e.action === 'hold');
        expect(holds.length).toBeGreaterThan(1);
        // A hold is a shared problem, a value between the thresholds, or missing data; never a failure.
        for (const e of holds) expect(e.reason).toMatch(new RegExp(`${shared.source}|is between the success condition|no data`));
        sharedHolds += holds.filter((e) => shared.test(e.reason)).length;
        expect(r.timeline.some((e) => e.decision.verdict === 'fail')).toBe(false);
      }
      // Each situation crosses the failure line on some draws: those holds say why.
      expect({ name, sharedHolds: sharedHolds > 0 }).toEqual({ name, sharedHolds: true });
    }
  });

  it('ends a shared outage longer than the step deadline as inconclusive, not as a canary regression', () => {
    for (const r of all('shared-outage-past-deadline')) {
      expect(r.cause).toBe('inconclusive');
      expect(r.reason).toMatch(/^at 5% \(.*\): inconclusive: no passing analysis within the step deadline of 10m, and no analysis found the canary worse than the stable version; last: /);
      expect(r.timeline.some((e) => e.decision.verdict === 'fail')).toBe(false);
    }
  });

  it('holds on low traffic and on absent metrics as missing data, never as a failure', () => {
    for (const name of ['low-traffic', 'absent-at-start']) {
      for (const r of all(name)) {
        expect(r.timeline.some((e) => e.decision.verdict === 'fail')).toBe(false);
        expect(r.timeline.filter((e) => e.action === 'hold').every((e) => e.decision.verdict === 'nodata')).toBe(true);
      }
    }
    expect(all('low-traffic')[0].timeline[0].reason).toMatch(/too few canary requests in the window: \d+ < 50/);
  });

  it('catches latency regressions the thresholds pass or only hold on through the comparison', () => {
    for (const [name, thresholds] of [['latency-regression', 'thresholds:inconclusive'], ['latency-under-thresholds', 'thresholds:pass']] as const) {
      for (const r of all(name)) {
        const last = r.timeline[r.timeline.length - 1];
        const latency = last.decision.metrics.filter((m) => m.metric === 'latency-p95-ms');
        expect(latency.map((m) => `${m.judge}:${m.verdict}`)).toEqual([thresholds, 'comparison:fail']);
        expect(latency[1].pValue).toBeLessThan(0.05);
        expect(latency[1].reason).toMatch(/tolerance \+20%\), Mann-Whitney U=\d+ over 4\+4 samples, p=[\d.]+ < 0\.05: the canary is worse$/);
      }
    }
  });

  it('replays histories that really contain the counter reset, the missing series and the two scrape phases', async () => {
    const client = new PrometheusClient({ url: prom.url, timeoutMs: 5000 });
    const reset = SCENARIOS.find((s) => s.name === 'counter-reset')!;
    const absent = SCENARIOS.find((s) => s.name === 'absent-at-start')!;
    const resets = await client.query(`sum(resets(http_requests_total{${selectorOf(reset, DRAWS[0], 'canary')}}[30m]))`, (REPLAY_START + 1200) * 1000);
    expect(resets).toMatchObject({ resultType: 'vector', result: [{ value: [expect.any(Number), '2'] }] });
    const early = await client.query(`count(http_requests_total{${selectorOf(absent, DRAWS[0], 'canary')}})`, (REPLAY_START + 60) * 1000);
    expect(early).toMatchObject({ resultType: 'vector', result: [] });
    // A 30 s range on the evaluation grid holds 3 scrapes at phase 0 (Prometheus 2.x includes the start) and 2 at phase +5 s.
    const healthy = SCENARIOS.find((s) => s.name === 'healthy')!;
    for (const [draw, n] of [[DRAWS[0], '3'], [DRAWS[1], '2']] as const) {
      expect(draw.offset).toBe(n === '3' ? 0 : 5);
      const counted = await client.query(`count_over_time(up{${selectorOf(healthy, draw, 'canary')}}[30s])`, (REPLAY_START + 300) * 1000);
      expect(counted).toMatchObject({ resultType: 'vector', result: [{ value: [expect.any(Number), n] }] });
    }
  });
});
