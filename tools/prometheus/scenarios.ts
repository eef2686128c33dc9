// The canary scenario suite: metric histories with known right answers, written as OpenMetrics
// for promtool, and a runner that replays a canary rollout against them on a real Prometheus.
//
// Every series carries `scenario`, `seed` (the noise draw), `align` (the scrape phase) and `version`
// (canary | stable): request counters http_requests_total{code="200"|"500"}, the latency histogram
// http_request_duration_seconds and the `up` gauge, scraped every 15 s. Traffic is simulated per 5 s
// tick; a draw's noise does not depend on the scrape phase, so the two phases of a seed are the same
// traffic scraped at different instants: align="0" puts samples on the evaluation grid (a range
// that includes its start, as Prometheus 2.x does, holds one sample more), align="5" 5 s later (a
// range then holds one sample fewer, as Prometheus 3, which excludes the start, would see it).
// The rollout uses the slo-1pct-500ms preset (a check every 30 s over the last minute; steps
// 5 → 25 → 50 → 100 %, 2 minutes each) with the baseline comparison on, and replays from
// REPLAY_START in virtual time.
import { Logger, runPlan } from '@shipfleet/core';
import {
  ActionContext,
  buildCanaryPlan,
  CanaryOptions,
  normalizeCanaryOptions,
  TimelineEntry,
  TrafficAction,
} from '../../packages/canary/src';
import { OpenMetricsWriter } from './openmetrics';

/** 2024-01-01T00:00:00Z: far more than 3 hours old, on a 2-hour block boundary. */
export const HISTORY_START = 1_704_067_200;
/** Ten minutes of history before the rollout starts, so every window has data. */
export const REPLAY_START = HISTORY_START + 600;
export const HISTORY_END = REPLAY_START + 40 * 60;
/** The traffic simulation's tick, seconds. */
export const RESOLUTION = 5;
/** How often the simulated Prometheus scrapes, seconds. */
export const SCRAPE_INTERVAL = 15;
const BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What one version serves during the 5 s that end at a tick. */
export interface Tick {
  rps: number;
  errorRate: number;
  /** Median latency; latencies are log-normal around it (p95 ≈ 1.78 × median). */
  medianMs: number;
  /** Errors added in this tick on top of errorRate. */
  extraErrors?: number;
}

/**
 * promote: without any hold; hold-then-promote: some analysis holds first; rollback: the canary is
 * found worse after the regression starts; inconclusive: rolled back at the step deadline without
 * blaming the canary (a shared problem that outlasts the deadline).
 */
export type Expected = 'promote' | 'hold-then-promote' | 'rollback' | 'inconclusive';

export interface Scenario {
  name: string;
  title: string;
  expected: Expected;
  /** Seconds after REPLAY_START at which the regression starts (rollback scenarios). */
  regressionAt?: number;
  /** Rollback scenarios: analysis intervals from the regression within which it must be caught (default 2). */
  detectWithin?: number;
  /** The traffic at second t after REPLAY_START (negative: before the rollout); undefined: no sample at all. */
  tick(version: 'canary' | 'stable', t: number): Tick | undefined;
  /** Seconds after REPLAY_START at which the canary's counters restart from 0 (a pod restart). */
  canaryResetAt?: number;
}

const STABLE: Tick = { rps: 90, errorRate: 0.0005, medianMs: 120 };
const CANARY: Tick = { rps: 10, errorRate: 0.0005, medianMs: 125 };
const base = (v: 'canary' | 'stable') => (v === 'canary' ? CANARY : STABLE);
/**
 * Intervals within which a regression that only the comparison sees is caught: its samples (30 s
 * each with 15 s scrapes, 4 of them, so 2 minutes) must all show it.
 */
const COMPARISON_DETECTION = 4;
/** Minute number since `from`, for t > from (the tick at t covers (t-5, t]). */
const minuteSince = (t: number, from: number) => Math.floor((t - from - 1) / 60);

export const SCENARIOS: Scenario[] = [
  {
    name: 'healthy',
    title: 'healthy canary',
    expected: 'promote',
    tick: base,
  },
  {
    name: 'latency-regression',
    title: 'latency regression, errors unchanged (p95 ~0.9 s: between the thresholds, caught by the comparison)',
    expected: 'rollback',
    regressionAt: 180,
    detectWithin: COMPARISON_DETECTION,
    tick: (v, t) => (v === 'canary' && t > 180 ? { ...CANARY, medianMs: 500 } : base(v)),
  },
  {
    name: 'latency-under-thresholds',
    // p95 89 ms, not 98: a p95 right at a bucket bound (100 ms) makes histogram_quantile's estimate
    // of the small canary jump between buckets, a difference of the estimate, not of the versions.
    title: 'latency regression under the thresholds: canary p95 ~2.7 × the stable\'s (~240 ms against ~89 ms), errors unchanged',
    expected: 'rollback',
    regressionAt: 180,
    detectWithin: COMPARISON_DETECTION,
    tick: (v, t) => (v === 'canary' ? { ...CANARY, medianMs: t > 180 ? 135 : 50 } : { ...STABLE, medianMs: 50 }),
  },
  {
    name: 'error-spike',
    title: 'error spike on the canary alone (12 %)',
    expected: 'rollback',
    regressionAt: 180,
    tick: (v, t) => (v === 'canary' && t > 180 ? { ...CANARY, errorRate: 0.12 } : base(v)),
  },
  {
    name: 'shared-outage',
    title: 'the same error spike on canary and stable at once (15 % for 3 minutes)',
    expected: 'hold-then-promote',
    tick: (v, t) => (t > 120 && t <= 300 ? { ...base(v), errorRate: 0.15 } : base(v)),
  },
  {
    name: 'shared-outage-near-line',
    title: 'a shared outage at the failure line: both versions at ~6 % errors for 5 minutes (the stable one often just under 5 %)',
    expected: 'hold-then-promote',
    tick: (v, t) => (t > 120 && t <= 420 ? { ...base(v), errorRate: 0.06 } : base(v)),
  },
  {
    name: 'shared-outage-past-deadline',
    title: 'a shared outage (15 % errors on both) longer than the step deadline: rolled back as inconclusive, not blamed on the canary',
    expected: 'inconclusive',
    tick: (v, t) => (t > 60 && t <= 1200 ? { ...base(v), errorRate: 0.15 } : base(v)),
  },
  {
    name: 'low-traffic',
    title: 'low traffic (0.2 req/s) with a single error, then normal traffic',
    expected: 'hold-then-promote',
    tick: (v, t) => (v === 'canary' && t <= 240 ? { ...CANARY, rps: 0.2, errorRate: 0, extraErrors: t === 90 ? 1 : 0 } : base(v)),
  },
  {
    name: 'flapping',
    title: 'flapping canary: 9 % errors every other minute',
    expected: 'rollback',
    regressionAt: 180,
    tick: (v, t) => (v === 'canary' && t > 180 && minuteSince(t, 180) % 2 === 0 ? { ...CANARY, errorRate: 0.09 } : base(v)),
  },
  {
    name: 'flapping-shared',
    title: 'flapping on both versions between healthy and degraded (3 % errors every other minute)',
    expected: 'hold-then-promote',
    tick: (v, t) => (t > 60 && minuteSince(t, 60) % 2 === 0 ? { ...base(v), errorRate: 0.03 } : base(v)),
  },
  {
    name: 'absent-at-start',
    title: 'canary metrics absent for the first 3 minutes',
    expected: 'hold-then-promote',
    tick: (v, t) => (v === 'canary' && t <= 180 ? undefined : base(v)),
  },
  {
    name: 'counter-reset',
    title: 'canary counters reset at 3m10s (pod restart)',
    expected: 'promote',
    canaryResetAt: 190,
    tick: base,
  },
];

/** A small deterministic generator (mulberry32) of noise draws in [0, 1), from a starting state. */
export function noiseDraws(rngState: number): () => number {
  let a = rngState >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator's starting state for a series: a hash (FNV-1a) of its name. */
function rngStateOf(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** One noise draw of a scenario, scraped at one phase: `offset` seconds after the evaluation grid. */
export interface Draw {
  seed: number;
  offset: 0 | 5;
}

/** The draw single replays (e2e, demo) use. */
export const FIRST_DRAW: Draw = { seed: 1, offset: 0 };

/** Seeds 1..n, each scraped at both phases. */
export function drawsOf(seeds: number): Draw[] {
  return Array.from({ length: seeds }, (_, i) => [{ seed: i + 1, offset: 0 as const }, { seed: i + 1, offset: 5 as const }]).flat();
}

/** The label matchers of a scenario's version in a draw. */
export function selectorOf(s: Scenario, draw: Draw, version: 'canary' | 'stable'): string {
  return `scenario="${s.name}",seed="${draw.seed}",align="${draw.offset}",version="${version}"`;
}

/** Writes one scenario's series for some draws into `w` (the draws of a seed share its traffic). */
export function writeScenario(w: OpenMetricsWriter, s: Scenario, draws: Draw[] = [FIRST_DRAW]): void {
  const seeds = [...new Set(draws.map((d) => d.seed))];
  for (const seed of seeds) {
    const offsets = draws.filter((d) => d.seed === seed).map((d) => d.offset);
    for (const version of ['stable', 'canary'] as const) {
      const draw = noiseDraws(rngStateOf(`${s.name}/${version}/${seed}`));
      const normal = () => Math.sqrt(-2 * Math.log(1 - draw())) * Math.cos(2 * Math.PI * draw());
      let ok = 0;
      let err = 0;
      let sum = 0;
      let count = 0;
      let carry = 0;
      let buckets = BUCKETS.map(() => 0);
      let reset = false;
      let present = false;
      for (let sec = HISTORY_START; sec <= HISTORY_END; sec += RESOLUTION) {
        const t = sec - REPLAY_START;
        if (version === 'canary' && s.canaryResetAt !== undefined && !reset && t > s.canaryResetAt) {
          ok = err = sum = count = 0;
          buckets = BUCKETS.map(() => 0);
          reset = true;
        }
        const tick = s.tick(version, t);
        present = !!tick;
        if (tick) {
          // Requests in this tick: the expected number with ±10 % jitter, fractions carried over.
          carry += tick.rps * RESOLUTION * (0.9 + 0.2 * draw());
          let n = Math.floor(carry);
          carry -= n;
          let errors = 0;
          for (let i = 0; i < n; i++) if (draw() < tick.errorRate) errors++;
          if (tick.extraErrors) {
            errors += tick.extraErrors;
            n = Math.max(n, errors);
          }
          for (let i = 0; i < n; i++) {
            const seconds = (tick.medianMs / 1000) * Math.exp(0.35 * normal());
            sum += seconds;
            count++;
            BUCKETS.forEach((le, b) => {
              if (seconds <= le) buckets[b]++;
            });
          }
          ok += n - errors;
          err += errors;
        }
        // A scrape: the counters as they stand, at each phase whose instant this is.
        for (const offset of offsets) {
          if (!present || (sec - HISTORY_START - offset) % SCRAPE_INTERVAL !== 0) continue;
          const labels = { scenario: s.name, seed: String(seed), align: String(offset), version };
          w.counter('http_requests', { ...labels, code: '200' }, sec, ok);
          w.counter('http_requests', { ...labels, code: '500' }, sec, err);
          w.histogram('http_request_duration_seconds', labels, sec, BUCKETS.map((le, b) => [le, buckets[b]]), sum, count);
          w.gauge('up', labels, sec, 1);
        }
      }
    }
  }
}

/** The OpenMetrics text of scenarios in some draws. */
export function scenarioHistory(scenarios: Scenario[] = SCENARIOS, draws: Draw[] = [FIRST_DRAW]): string {
  const w = new OpenMetricsWriter();
  for (const s of scenarios) writeScenario(w, s, draws);
  return w.toString();
}

/**
 * The judges of a naive monitor, for comparison in the benchmark: the
 * preset's thresholds alone, with no request minimum, no check of the stable version
 * and no baseline comparison.
 */
export const NAIVE: Partial<CanaryOptions> = { comparison: false, thresholds: { holdOnSharedFailure: false }, minRequests: 0 };

/** The rollout options the suite replays each scenario with (`extra` wins). */
export function scenarioOptions(s: Scenario, prometheusUrl: string, extra: Partial<CanaryOptions> = {}, draw: Draw = FIRST_DRAW): CanaryOptions {
  return {
    preset: 'slo-1pct-500ms',
    name: s.name,
    prometheus: { url: prometheusUrl },
    selectors: { canary: selectorOf(s, draw, 'canary'), baseline: selectorOf(s, draw, 'stable') },
    comparison: true,
    evaluationTime: REPLAY_START,
    // Replaced by a recording action in the replay.
    action: { type: 'command', setWeight: ['true', '{{weight}}'] },
    ...extra,
  };
}

/** Records the traffic moves instead of making them. */
export function recordingAction(): TrafficAction & { calls: { kind: string; weight: number }[] } {
  const calls: { kind: string; weight: number }[] = [];
  return {
    calls,
    describe: (kind, weight) => `record ${kind} ${weight}%`,
    setWeight: async (weight: number, _ctx: ActionContext) => void calls.push({ kind: 'setWeight', weight }),
    promote: async () => void calls.push({ kind: 'promote', weight: 100 }),
    rollback: async () => void calls.push({ kind: 'rollback', weight: 0 }),
  };
}

export interface ScenarioResult {
  scenario: Scenario;
  draw: Draw;
  decision: 'promote' | 'rollback';
  /** Rollbacks: regression, inconclusive or metric-source (see RollbackCause). */
  cause?: string;
  /** Some analysis held (inconclusive, no data, source error, tolerated failure) before the end. */
  held: boolean;
  /** Rollbacks: analysis intervals from the start of the regression to the rollback decision. */
  intervalsToDetection?: number;
  /** A rollback blaming the canary where none was due, or before the regression started. */
  falseRollback: boolean;
  ok: boolean;
  problem?: string;
  analyses: number;
  timeline: TimelineEntry[];
  calls: { kind: string; weight: number }[];
  log: string[];
  reason?: string;
}

/** Replays one scenario: the full plan through the runner, in virtual time, against Prometheus. */
export async function runScenario(s: Scenario, prometheusUrl: string, extra: Partial<CanaryOptions> = {}, draw: Draw = FIRST_DRAW): Promise<ScenarioResult> {
  const o = normalizeCanaryOptions(scenarioOptions(s, prometheusUrl, extra, draw), `/srv/${s.name}`, {});
  const action = recordingAction();
  const { plan, result } = buildCanaryPlan(o, { action });
  const log: string[] = [];
  const logger: Logger = { info: (l) => log.push(l), warn: (l) => log.push(l), error: (l) => log.push(l) };
  const report = await runPlan(plan, { logger, handleSignals: false, printSummary: true, stepSummaryFile: '/dev/null' });
  if (!result.outcome) throw new Error(`scenario ${s.name}: the run ended without a decision (${report.status}: ${report.error})\n${log.join('\n')}`);

  const decision = result.outcome === 'promoted' ? 'promote' : 'rollback';
  const held = result.timeline.some((e) => e.action === 'hold');
  const last = result.timeline[result.timeline.length - 1];
  const regressionStart = s.regressionAt === undefined ? undefined : (REPLAY_START + s.regressionAt) * 1000;
  let intervalsToDetection: number | undefined;
  if (decision === 'rollback' && last && regressionStart !== undefined) {
    intervalsToDetection = (Date.parse(last.at) - regressionStart) / o.intervalMs;
  }
  const cause = result.cause;
  const blamed = decision === 'rollback' && cause !== 'inconclusive';
  const falseRollback = blamed && (s.expected !== 'rollback' || intervalsToDetection === undefined || intervalsToDetection <= 0);
  const within = s.detectWithin ?? 2;
  let problem: string | undefined;
  if (s.expected === 'rollback') {
    if (decision !== 'rollback') problem = 'expected a rollback, got a promotion';
    else if (falseRollback) problem = 'rolled back before the regression started';
    else if (cause !== 'regression') problem = `rolled back as ${cause}, not as a regression: ${result.reason}`;
    else if (intervalsToDetection! > within) problem = `rolled back ${intervalsToDetection} intervals after the regression (at most ${within} expected)`;
  } else if (s.expected === 'inconclusive') {
    if (decision !== 'rollback' || cause !== 'inconclusive') problem = `expected a rollback as inconclusive, got ${decision === 'rollback' ? `a rollback as ${cause}` : 'a promotion'}: ${result.reason}`;
  } else if (decision !== 'promote') problem = `expected ${s.expected}, got a rollback: ${result.reason}`;
  else if (s.expected === 'promote' && held) problem = 'expected a promotion without holds';
  else if (s.expected === 'hold-then-promote' && !held) problem = 'expected some analysis to hold before the promotion';
  return {
    scenario: s,
    draw,
    decision,
    cause,
    held,
    intervalsToDetection,
    falseRollback,
    ok: !problem,
    problem,
    analyses: result.timeline.length,
    timeline: result.timeline,
    calls: action.calls,
    log,
    reason: result.reason,
  };
}

/** The decision as the table shows it. */
export function describeDecision(r: ScenarioResult): string {
  if (r.decision === 'rollback') return r.cause === 'inconclusive' ? 'inconclusive' : 'rollback';
  return r.held ? 'hold-then-promote' : 'promote';
}
