// npm run bench -- canary [--seeds N] [--verbose]
// Replays the canary scenario suite (tools/prometheus/scenarios.ts) against a real Prometheus
// (backfilled with promtool, on 127.0.0.1): every scenario over N noise draws (default 10), each
// scraped at two phases (a range holding one sample more or fewer). Prints, per scenario: the
// expected decision, the share of draws decided right, the false rollbacks (the canary blamed
// where it was not worse), analysis intervals from the regression to the rollback; then the same
// for a naive monitor in the same run (the preset's thresholds alone: no request minimum, no check
// of the stable version, no baseline comparison) as the baseline to compare with.
import { describeDecision, drawsOf, NAIVE, runScenario, ScenarioResult, scenarioHistory, SCENARIOS } from '../prometheus/scenarios';
import { prometheusMissing, startPrometheus } from '../prometheus/server';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number from 1`);
  return v;
}

const detection = (rs: ScenarioResult[]) => {
  const d = rs.map((r) => r.intervalsToDetection).filter((v): v is number => v !== undefined && v > 0);
  return d.length ? `${Math.min(...d)}–${Math.max(...d)}` : '–';
};
const decisions = (rs: ScenarioResult[]) => {
  const counts = new Map<string, number>();
  for (const r of rs) counts.set(describeDecision(r), (counts.get(describeDecision(r)) ?? 0) + 1);
  return [...counts].map(([d, n]) => (counts.size === 1 ? d : `${d} ×${n}`)).join(', ');
};

async function main() {
  const missing = prometheusMissing();
  if (missing) {
    console.error(missing);
    process.exit(1);
  }
  const verbose = process.argv.includes('--verbose');
  const seeds = argValue('--seeds', 10);
  const draws = drawsOf(seeds);
  let t0 = Date.now();
  const histories = SCENARIOS.map((s) => scenarioHistory([s], draws));
  const generatedMs = Date.now() - t0;
  t0 = Date.now();
  const prom = await startPrometheus(histories, { readyTimeoutMs: 300_000 });
  const startedMs = Date.now() - t0;
  try {
    t0 = Date.now();
    const rows: string[][] = [];
    const every: ScenarioResult[] = [];
    const naiveEvery: ScenarioResult[] = [];
    for (const s of SCENARIOS) {
      const rs = await Promise.all(draws.map((d) => runScenario(s, prom.url, {}, d)));
      const naive = await Promise.all(draws.map((d) => runScenario(s, prom.url, NAIVE, d)));
      every.push(...rs);
      naiveEvery.push(...naive);
      const right = rs.filter((r) => r.ok).length;
      const naiveRight = naive.filter((r) => r.ok).length;
      rows.push([
        s.name,
        s.expected,
        `${right}/${rs.length}`,
        String(rs.filter((r) => r.falseRollback).length),
        detection(rs),
        decisions(rs),
        `${naiveRight}/${naive.length} right, ${naive.filter((r) => r.falseRollback).length} false rollbacks${s.expected === 'rollback' ? `, detected after ${detection(naive)}` : ''}`,
      ]);
    }
    const replayMs = Date.now() - t0;
    const header = ['scenario', 'expected', 'right', 'false rollbacks', 'intervals to detection', 'decisions', 'naive monitor (same draws)'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
    console.log(`${SCENARIOS.length} scenarios × ${seeds} noise draws × 2 scrape phases = ${every.length} replays\n`);
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) console.log(line(r));
    const share = (rs: ScenarioResult[]) => `${rs.filter((r) => r.ok).length}/${rs.length} right (${((100 * rs.filter((r) => r.ok).length) / rs.length).toFixed(1)} %)`;
    console.log(`\ntotals: ${share(every)}; ${every.filter((r) => r.falseRollback).length} false rollbacks; ${every.reduce((a, r) => a + r.analyses, 0)} analyses`);
    console.log(`naive monitor (thresholds only): ${share(naiveEvery)}; ${naiveEvery.filter((r) => r.falseRollback).length} false rollbacks`);
    console.log(`history generated in ${generatedMs} ms; Prometheus backfilled and ready in ${startedMs} ms; replays took ${replayMs} ms`);
    for (const r of every) {
      if (!verbose && r.ok) continue;
      console.log(`\n── ${r.scenario.name} (seed ${r.draw.seed}, phase +${r.draw.offset}s): ${r.scenario.title}${r.problem ? `\nWRONG: ${r.problem}` : ''}`);
      for (const l of r.log) console.log(l);
    }
    process.exitCode = every.every((r) => r.ok) ? 0 : 1;
  } finally {
    await prom.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
