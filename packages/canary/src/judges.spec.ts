import { analyse, Judge, MetricMeasurements } from './analyse';
import { compareMetric } from './judges/comparison';
import { judgeThresholds } from './judges/thresholds';
import { Tolerance, toleranceOption } from './judges/tolerance';
import { Verdict } from './judges/verdict';
import { Measurement } from './measurement';
import { MetricSpec, parseCondition } from './metrics';
import { RolloutTracker } from './rollout';

const T = Date.UTC(2024, 0, 1);
const rel = (fraction: number): Tolerance => ({ kind: 'relative', amount: fraction, text: `+${fraction * 100}%` });

function metric(name: string, extra: Partial<MetricSpec> = {}): MetricSpec {
  return {
    name,
    source: { provider: 'prometheus', query: `q_${name}{{{selector}}}`, missingAsZero: false },
    direction: 'increase',
    critical: false,
    weight: 1,
    tolerance: rel(0),
    ...extra,
  };
}

// As metricOption makes them by default: tolerance +20 %, floor a tenth of an upper success threshold.
const errorRate = metric('error-rate', { success: parseCondition('< 0.01'), failure: parseCondition('> 0.05'), floor: 0.001, tolerance: rel(0.2) });
const latency = metric('latency', { success: parseCondition('< 500'), failure: parseCondition('> 2000'), floor: 50, tolerance: rel(0.2) });
const availability = metric('availability', { success: parseCondition('> 0.999'), failure: parseCondition('< 0.95'), direction: 'decrease', tolerance: rel(0.2) });

const value = (v: number, samples?: number[]): Measurement => ({ outcome: 'value', value: v, ...(samples ? { samples } : {}), query: 'q', time: T });
const error = (e = 'Prometheus at http://x: no answer within 10000 ms'): Measurement => ({ outcome: 'error', error: e, query: 'q', time: T });
const nodata = (r = 'empty result'): Measurement => ({ outcome: 'nodata', reason: r, query: 'q', time: T });

const thresholdsOnly: Judge = { thresholds: { holdOnSharedFailure: true }, minRequests: 0 };
const comparisonOnly: Judge = { comparison: { confidence: 0.95, pass: 95, marginal: 75 }, minRequests: 0 };

describe('thresholds judge', () => {
  const judge = { holdOnSharedFailure: true };
  it('passes, fails or is inconclusive by the success and failure conditions', () => {
    expect(judgeThresholds(errorRate, value(0.002), undefined, judge).verdict).toBe('pass');
    expect(judgeThresholds(errorRate, value(0.03), undefined, judge).verdict).toBe('inconclusive');
    const failed = judgeThresholds(errorRate, value(0.08), value(0.001), judge);
    expect(failed).toMatchObject({ verdict: 'fail', reason: 'canary 0.08 meets the failure condition "> 0.05" (stable 0.001)' });
    expect(judgeThresholds(availability, value(0.9), undefined, judge).verdict).toBe('fail');
    expect(judgeThresholds(availability, value(0.9995), undefined, judge).verdict).toBe('pass');
  });

  it('holds when the canary is no worse than the stable version (a shared outage), by the values and the tolerance', () => {
    const shared = judgeThresholds(errorRate, value(0.15), value(0.14), judge);
    expect(shared.verdict).toBe('inconclusive');
    expect(shared.reason).toBe('canary 0.15 meets the failure condition "> 0.05", but the stable version is degraded too (0.14), within the tolerance +20%: a shared problem, not blamed on the canary');
    // The stable version under the line by noise still shares the problem: 0.06 is within 20 % of 0.0525.
    expect(judgeThresholds(errorRate, value(0.06), value(0.0525), judge).verdict).toBe('inconclusive');
    // Both past the line, the canary three times worse: the canary's own problem.
    expect(judgeThresholds(errorRate, value(0.3), value(0.1), judge).verdict).toBe('fail');
    expect(judgeThresholds(errorRate, value(0.15), value(0.14), { holdOnSharedFailure: false }).verdict).toBe('fail');
    // A stable version that cannot be read proves nothing: the canary still fails.
    expect(judgeThresholds(errorRate, value(0.15), error(), judge).verdict).toBe('fail');
  });

  it('takes "shared" from the comparison when it judged the metric, not from the stable version crossing the line', () => {
    const canary = value(0.069, [0.05, 0.09, 0.06, 0.075]);
    const stable = value(0.0475, [0.05, 0.045, 0.048, 0.047]);
    const compared = compareMetric(errorRate, canary, stable, { confidence: 0.95, pass: 95, marginal: 75 });
    expect(compared.verdict).toBe('pass');
    const r = judgeThresholds(errorRate, canary, stable, judge, compared);
    expect(r.verdict).toBe('inconclusive');
    expect(r.reason).toMatch(/^canary 0.069 meets the failure condition "> 0.05", but the stable version is degraded too \(0.0475\) and the comparison finds the canary no worse \(canary 0.069 vs baseline 0.0475 \(\+45.26%, tolerance \+20%\), Mann-Whitney U=\d+ over 4\+4 samples, p=[\d.]+: not significantly worse\)/);
    // The comparison found it worse: a failure, even though the values alone would share it.
    const worse = compareMetric(errorRate, value(0.16, [0.16, 0.17, 0.16, 0.165]), value(0.115, [0.11, 0.12, 0.11, 0.115]), { confidence: 0.95, pass: 95, marginal: 75 });
    expect(worse.verdict).toBe('fail');
    expect(judgeThresholds(errorRate, value(0.16), value(0.115), judge, worse).verdict).toBe('fail');
    // A healthy stable version shares nothing: a canary spike the samples cannot show as significant yet still fails.
    const early = compareMetric(errorRate, value(0.06, [0.0004, 0.0003, 0.12, 0.0002]), value(0.0005, [0.0005, 0.0004, 0.0006, 0.0005]), { confidence: 0.95, pass: 95, marginal: 75 });
    expect(early.verdict).toBe('pass');
    expect(judgeThresholds(errorRate, value(0.06), value(0.0005), judge, early)).toMatchObject({ verdict: 'fail', reason: 'canary 0.06 meets the failure condition "> 0.05" (stable 0.0005)' });
  });

  it('passes a metric with only a failure condition unless it fails', () => {
    const onlyFailure = metric('x', { failure: parseCondition('>= 3') });
    expect(judgeThresholds(onlyFailure, value(2.9), undefined, judge).verdict).toBe('pass');
    expect(judgeThresholds(onlyFailure, value(3), undefined, judge).verdict).toBe('fail');
  });

  it('passes errors and missing data through without judging them', () => {
    expect(judgeThresholds(errorRate, error('HTTP 503'), undefined, judge)).toMatchObject({ verdict: 'error', reason: 'canary: HTTP 503' });
    expect(judgeThresholds(errorRate, nodata('NaN (0/0: no requests in the window?)'), undefined, judge)).toMatchObject({ verdict: 'nodata' });
  });
});

describe('baseline comparison judge', () => {
  const judge = { confidence: 0.95, pass: 95, marginal: 75 };
  it('passes a canary within the floor whatever the baseline does', () => {
    const r = compareMetric(errorRate, value(0.0008, [0.001, 0.001, 0.0005, 0.0007]), value(0, [0, 0, 0, 0]), judge);
    expect(r).toMatchObject({ verdict: 'pass', reason: 'canary 0.0008 is within the floor 0.001' });
  });

  it('fails a canary that is significantly worse beyond the tolerance, even one the thresholds pass', () => {
    // p95 about 2.7 times the stable's, both far under the 500 ms success threshold.
    const r = compareMetric(latency, value(265.5, [262, 270, 259, 268]), value(98, [97, 99, 98.5, 96]), judge);
    expect(r.verdict).toBe('fail');
    expect(r.pValue).toBeCloseTo(1 / 70, 10);
    expect(r.reason).toBe('canary 265.5 vs baseline 98 (+170.9%, tolerance +20%), Mann-Whitney U=16 over 4+4 samples, p=0.01429 < 0.05: the canary is worse');
  });

  it('does not blame the canary for a problem the baseline shares', () => {
    const r = compareMetric(errorRate, value(0.15, [0.14, 0.16, 0.15, 0.15]), value(0.15, [0.15, 0.15, 0.16, 0.14]), judge);
    expect(r.verdict).toBe('pass');
    expect(r.reason).toContain('within the tolerance');
  });

  it('needs both: significance over the samples and a difference beyond the tolerance', () => {
    // Worse in every sample, but by 5 %: within the +20 % tolerance.
    const within = compareMetric(latency, value(1050, [1050, 1049, 1051, 1050]), value(1000, [1000, 999, 1001, 1000]), judge);
    expect(within).toMatchObject({ verdict: 'pass' });
    expect(within.reason).toContain('+5%, tolerance +20%');
    // Errors in only two of four samples: beyond the tolerance in value, not significant: not failed on it.
    expect(compareMetric(errorRate, value(0.03, [0, 0.06, 0, 0.06]), value(0, [0, 0, 0, 0]), judge)).toMatchObject({ verdict: 'pass', reason: expect.stringContaining('not significantly worse') });
    // With errors in every sample it is significant: it fails.
    expect(compareMetric(errorRate, value(0.05, [0.05, 0.04, 0.06, 0.05]), value(0, [0, 0, 0, 0]), judge).verdict).toBe('fail');
  });

  it('does not blame the canary for a handful of errors, however significant their samples look', () => {
    // One error in each of four 30 s samples at a 0.05 % stable rate: 4 errors where 0.6 are predicted.
    const few = { ...value(0.0033, [0.0035, 0.0033, 0.0033, 0.0034]), counts: { events: 4, total: 1200 } };
    const r = compareMetric(errorRate, few, value(0.0005, [0.0004, 0.0007, 0.0005, 0.0004]), judge);
    expect(r.verdict).toBe('pass');
    expect(r.reason).toContain('but 4 events of 1200 where the stable rate predicts 0.6: fewer than 5 more, too few to blame the canary');
    // Twelve errors where 0.6 are predicted: the canary's.
    const many = { ...value(0.01, [0.011, 0.009, 0.01, 0.01]), counts: { events: 12, total: 1200 } };
    expect(compareMetric(errorRate, many, value(0.0005, [0.0004, 0.0007, 0.0005, 0.0004]), judge).verdict).toBe('fail');
  });

  it('tests the bad direction only, beyond the tolerance', () => {
    // Availability: lower is worse. A clearly higher canary is not worse.
    const better = compareMetric(availability, value(1, [1, 1, 1, 1]), value(0.7, [0.7, 0.71, 0.7, 0.72]), judge);
    expect(better.verdict).toBe('pass');
    const worse = compareMetric(availability, value(0.7, [0.7, 0.71, 0.7, 0.72]), value(1, [1, 1, 1, 1]), judge);
    expect(worse.verdict).toBe('fail');
  });

  it('takes absolute tolerances in the metric\'s unit', () => {
    const ms = { ...latency, tolerance: toleranceOption('tolerance', '+50ms', 'ms') };
    expect(compareMetric(ms, value(140, [139, 141, 140, 140]), value(100, [100, 99, 101, 100]), judge).verdict).toBe('pass');
    expect(compareMetric(ms, value(160, [159, 161, 160, 160]), value(100, [100, 99, 101, 100]), judge).verdict).toBe('fail');
    const pp = { ...errorRate, tolerance: toleranceOption('tolerance', '+0.5pp', undefined) };
    expect(compareMetric(pp, value(0.012, [0.012, 0.011, 0.013, 0.012]), value(0.01, [0.01, 0.01, 0.009, 0.01]), judge).verdict).toBe('pass');
    expect(compareMetric(pp, value(0.02, [0.02, 0.021, 0.019, 0.02]), value(0.01, [0.01, 0.01, 0.009, 0.01]), judge)).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('(+0.01, tolerance +0.5pp)') });
  });

  it('has no data without samples or without a baseline', () => {
    expect(compareMetric(latency, value(900), value(240), judge).verdict).toBe('nodata');
    expect(compareMetric(latency, value(900, [900, 900, 900, 900]), nodata(), judge).verdict).toBe('nodata');
    expect(compareMetric(latency, value(900, [900, 900, 900, 900]), error(), judge).verdict).toBe('error');
  });
});

describe('analyse', () => {
  const healthy: MetricMeasurements[] = [
    { metric: errorRate, canary: value(0.002, [0, 0.002, 0.004, 0.002]), baseline: value(0.001, [0.001, 0, 0.002, 0.001]) },
    { metric: latency, canary: value(240, [240, 238, 243, 241]), baseline: value(235, [236, 233, 238, 235]) },
    { metric: availability, canary: value(1, [1, 1, 1, 1]), baseline: value(1, [1, 1, 1, 1]) },
  ];
  const both: Judge = { ...thresholdsOnly, ...comparisonOnly, minRequests: 50 };

  it('passes a healthy canary with both judges and reports every value', () => {
    const d = analyse({ metrics: healthy, requests: value(600) }, both);
    expect(d.verdict).toBe('pass');
    expect(d.score).toBe(100);
    expect(d.metrics).toHaveLength(6);
    expect(d.metrics.every((m) => m.canary.query === 'q')).toBe(true);
    expect(d.requests).toEqual(value(600));
  });

  it('treats low traffic as no data, never as a failure', () => {
    const erroring = [{ metric: errorRate, canary: value(1 / 12), baseline: value(0.001) }];
    const d = analyse({ metrics: erroring, requests: value(12) }, both);
    expect(d).toMatchObject({ verdict: 'nodata', reason: 'too few canary requests in the window: 12 < 50' });
    expect(analyse({ metrics: erroring, requests: nodata() }, both).verdict).toBe('nodata');
    expect(analyse({ metrics: erroring, requests: error() }, both).verdict).toBe('error');
  });

  it('ranks fail over error over no data over inconclusive over pass', () => {
    const at = (...canaries: Measurement[]): Verdict =>
      analyse({ metrics: canaries.map((canary, i) => ({ metric: [errorRate, latency, availability][i], canary })) }, thresholdsOnly).verdict;
    expect(at(value(0.08), error(), nodata())).toBe('fail');
    expect(at(value(0.03), error(), nodata())).toBe('error');
    expect(at(value(0.03), value(100), nodata())).toBe('nodata');
    expect(at(value(0.03), value(100), value(1))).toBe('inconclusive');
    expect(at(value(0.001), value(100), value(1))).toBe('pass');
  });

  it('scores the comparison: weights, marginal, critical metrics', () => {
    const slow = { metric: latency, canary: value(900, [880, 910, 940, 900]), baseline: value(240, [238, 241, 243, 240]) };
    const ok = (m: MetricSpec) => ({ metric: m, canary: value(0.001, [0, 0, 0, 0]), baseline: value(0.001, [0, 0, 0, 0]) });
    const extra = (n: number) => Array.from({ length: n }, (_, i) => ok(metric(`m${i}`, { floor: 0.01 })));
    // One failed metric of three: score 66.7 < marginal 75: fail.
    expect(analyse({ metrics: [slow, ...extra(2)] }, comparisonOnly)).toMatchObject({ verdict: 'fail' });
    // One of five: score 80, between marginal and pass: inconclusive.
    const marginal = analyse({ metrics: [slow, ...extra(4)] }, comparisonOnly);
    expect(marginal).toMatchObject({ verdict: 'inconclusive', score: 80 });
    // One of twenty: 95: passes despite the failed metric.
    expect(analyse({ metrics: [slow, ...extra(19)] }, comparisonOnly)).toMatchObject({ verdict: 'pass', score: 95 });
    // Unless it is critical.
    const critical = analyse({ metrics: [{ ...slow, metric: { ...latency, critical: true } }, ...extra(19)] }, comparisonOnly);
    expect(critical.verdict).toBe('fail');
    expect(critical.reason).toContain('critical metric failed');
    // Weights: the slow metric weighs as much as the four others together: 50.
    expect(analyse({ metrics: [{ ...slow, metric: { ...latency, weight: 4 } }, ...extra(4)] }, comparisonOnly).score).toBe(50);
  });

  it('holds on a shared outage with both judges', () => {
    const shared = [
      { metric: errorRate, canary: value(0.15, [0.14, 0.16, 0.15, 0.15]), baseline: value(0.15, [0.15, 0.15, 0.16, 0.14]) },
      ...healthy.slice(1),
    ];
    const d = analyse({ metrics: shared, requests: value(600) }, both);
    expect(d.verdict).toBe('inconclusive');
    expect(d.score).toBe(100);
  });
});

describe('RolloutTracker', () => {
  const timing = { pauseOver: true, deadlineReached: false, deadlineMs: 600_000 };
  const run = (tracker: RolloutTracker, verdicts: Verdict[], t = timing) => verdicts.map((verdict) => tracker.record({ verdict, reason: verdict }, t).action);

  it('counts failures cumulatively: a flapping canary is rolled back once its failures add up', () => {
    const tracker = new RolloutTracker({ failureLimit: 1, consecutiveErrorLimit: 4, inconclusiveLimit: 3 });
    // fail, pass, fail: never two in a row, yet two failures: rolled back at the second.
    expect(run(tracker, ['fail', 'pass', 'fail'])).toEqual(['hold', 'promote', 'rollback']);
    // With failureLimit 0 the first failure rolls back.
    expect(run(new RolloutTracker({ failureLimit: 0, consecutiveErrorLimit: 4, inconclusiveLimit: 3 }), ['fail'])).toEqual(['rollback']);
  });

  it('counts failures across steps: it is the same canary', () => {
    const tracker = new RolloutTracker({ failureLimit: 1, consecutiveErrorLimit: 4, inconclusiveLimit: 3 });
    expect(run(tracker, ['fail', 'pass'])).toEqual(['hold', 'promote']);
    tracker.startStep();
    expect(run(tracker, ['fail'])).toEqual(['rollback']);
  });

  it('fails safe after too many source errors in a row; any answer resets the count', () => {
    const tracker = new RolloutTracker({ failureLimit: 0, consecutiveErrorLimit: 2, inconclusiveLimit: 3 });
    expect(run(tracker, ['error', 'error', 'nodata', 'error', 'error', 'error'])).toEqual(['hold', 'hold', 'hold', 'hold', 'hold', 'rollback']);
    const last = new RolloutTracker({ failureLimit: 0, consecutiveErrorLimit: 0, inconclusiveLimit: 3 }).record({ verdict: 'error', reason: 'HTTP 503' }, timing);
    expect(last.reason).toContain('failing safe: HTTP 503');
  });

  it('never rolls back on missing data until the step deadline', () => {
    const tracker = new RolloutTracker({ failureLimit: 0, consecutiveErrorLimit: 0, inconclusiveLimit: 0 });
    expect(run(tracker, Array(50).fill('nodata'))).toEqual(Array(50).fill('hold'));
    const late = tracker.record({ verdict: 'nodata', reason: 'empty result' }, { ...timing, deadlineReached: true });
    expect(late).toEqual({
      action: 'rollback',
      cause: 'inconclusive',
      reason: 'inconclusive: no passing analysis within the step deadline of 10m, and no analysis found the canary worse than the stable version; last: no data, waiting: empty result',
    });
  });

  it('blames the canary at the deadline only when an analysis found it worse', () => {
    const policy = { failureLimit: 1, consecutiveErrorLimit: 4, inconclusiveLimit: 20 };
    const failedOnce = new RolloutTracker(policy);
    failedOnce.record({ verdict: 'fail', reason: 'worse' }, timing);
    expect(failedOnce.record({ verdict: 'inconclusive', reason: 'shared' }, { ...timing, deadlineReached: true })).toMatchObject({ action: 'rollback', cause: 'regression' });
    const sourceDown = new RolloutTracker(policy).record({ verdict: 'error', reason: 'HTTP 503' }, { ...timing, deadlineReached: true });
    expect(sourceDown).toMatchObject({ action: 'rollback', cause: 'metric-source' });
    expect(new RolloutTracker(policy).record({ verdict: 'fail', reason: 'x' }, timing).cause).toBeUndefined();
    expect(new RolloutTracker({ ...policy, failureLimit: 0 }).record({ verdict: 'fail', reason: 'x' }, timing)).toMatchObject({ action: 'rollback', cause: 'regression' });
  });

  it('tolerates inconclusive analyses up to the limit; a pass starts the count over', () => {
    const tracker = new RolloutTracker({ failureLimit: 0, consecutiveErrorLimit: 4, inconclusiveLimit: 2 });
    expect(run(tracker, ['inconclusive', 'inconclusive', 'pass', 'inconclusive', 'inconclusive', 'inconclusive'], { ...timing, pauseOver: false })).toEqual([
      'hold',
      'hold',
      'wait',
      'hold',
      'hold',
      'rollback',
    ]);
  });

  it('waits for the pause before promoting, and promotes a pass even at the deadline', () => {
    const tracker = new RolloutTracker({ failureLimit: 0, consecutiveErrorLimit: 4, inconclusiveLimit: 2 });
    expect(tracker.record({ verdict: 'pass', reason: 'ok' }, { ...timing, pauseOver: false }).action).toBe('wait');
    expect(tracker.record({ verdict: 'pass', reason: 'ok' }, { ...timing, deadlineReached: true }).action).toBe('promote');
  });
});
