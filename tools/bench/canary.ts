// npm run bench -- canary [--verbose]
// Replays the canary scenario suite (tools/prometheus/scenarios.ts) against a real Prometheus
// (backfilled with promtool, on 127.0.0.1) and prints, per scenario: the expected and actual
// decision, analysis intervals from the regression to the rollback, and false rollbacks; then the
// same for a naive monitor in the same run (the preset's thresholds alone: no request minimum, no
// check of the stable version, no baseline comparison) as the baseline to compare with.
import { describeDecision, NAIVE, runScenario, ScenarioResult, scenarioHistory, SCENARIOS } from '../prometheus/scenarios';
import { prometheusMissing, startPrometheus } from '../prometheus/server';

async function main() {
  const missing = prometheusMissing();
  if (missing) {
    console.error(missing);
    process.exit(1);
  }
  const verbose = process.argv.includes('--verbose');
  let t0 = Date.now();
  const history = scenarioHistory();
  const generatedMs = Date.now() - t0;
  t0 = Date.now();
  const prom = await startPrometheus([history]);
  const startedMs = Date.now() - t0;
  try {
    t0 = Date.now();
    const results: ScenarioResult[] = [];
    const naive: ScenarioResult[] = [];
    const took: number[] = [];
    for (const s of SCENARIOS) {
      const t = Date.now();
      results.push(await runScenario(s, prom.url));
      took.push(Date.now() - t);
      naive.push(await runScenario(s, prom.url, NAIVE));
    }
    const replayMs = Date.now() - t0;
    const detection = (r: ScenarioResult) => (r.intervalsToDetection === undefined ? '–' : String(r.intervalsToDetection));

    const rows = results.map((r, i) => [
      r.scenario.name,
      r.scenario.expected,
      describeDecision(r),
      detection(r),
      r.falseRollback ? '1' : '0',
      String(r.analyses),
      String(took[i]),
      r.ok ? 'ok' : `WRONG: ${r.problem}`,
      `${describeDecision(naive[i])}${naive[i].intervalsToDetection !== undefined ? ` after ${detection(naive[i])}` : ''}${naive[i].falseRollback ? ' (false)' : ''}`,
    ]);
    const header = ['scenario', 'expected', 'decision', 'intervals to detection', 'false rollbacks', 'analyses', 'replay ms', 'result', 'naive monitor'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) console.log(line(r));
    const rollbacks = results.filter((r) => r.scenario.expected === 'rollback');
    const detected = rollbacks.filter((r) => r.decision === 'rollback' && !r.falseRollback);
    const worst = Math.max(0, ...detected.map((r) => r.intervalsToDetection ?? 0));
    console.log(
      `\ntotals: ${results.filter((r) => r.ok).length}/${results.length} right; ` +
        `${detected.length}/${rollbacks.length} regressions rolled back (worst ${worst} intervals, mean ${(detected.reduce((a, r) => a + (r.intervalsToDetection ?? 0), 0) / Math.max(1, detected.length)).toFixed(2)}); ` +
        `${results.filter((r) => r.falseRollback).length} false rollbacks; ${results.reduce((a, r) => a + r.analyses, 0)} analyses`,
    );
    const naiveDetected = naive.filter((r) => r.scenario.expected === 'rollback' && r.decision === 'rollback' && !r.falseRollback);
    console.log(
      `naive monitor (thresholds only): ${naive.filter((r) => r.ok).length}/${naive.length} right; ${naiveDetected.length}/${rollbacks.length} regressions rolled back ` +
        `(worst ${Math.max(0, ...naiveDetected.map((r) => r.intervalsToDetection ?? 0))} intervals); ${naive.filter((r) => r.falseRollback).length} false rollbacks`,
    );
    console.log(`history generated in ${generatedMs} ms; Prometheus backfilled and ready in ${startedMs} ms; replays took ${replayMs} ms`);
    for (const r of results) {
      if (!verbose && r.ok) continue;
      console.log(`\n── ${r.scenario.name}: ${r.scenario.title}`);
      for (const l of r.log) console.log(l);
    }
    process.exitCode = results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await prom.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
