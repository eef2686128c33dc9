import { cleanupStep, displayUrl, errorMessage, formatDuration, Plan, secretFromEnv, startProgress, Step, TaskContext, taskStep } from '@shipfleet/core';
import { ActionContext, ActionKind, TrafficAction } from './actions/action';
import { PatchObject } from './actions/kubernetes';
import { createTrafficAction } from './actions/registry';
import { AnalysisInput, analyse, MetricMeasurements } from './analyse';
import { Clock, systemClock, throwIfAborted, virtualClock } from './clock';
import { describeMeasurement, Version } from './measurement';
import { MetricSpec } from './metrics';
import { notifyWebhook } from './notify';
import { MetricProvider } from './providers/provider';
import { METRIC_PROVIDERS, readsBaseline } from './providers/registry';
import { RollbackCause, RolloutTracker } from './rollout';
import { ActionEvent, compactTimeline, formatEntry, TimelineEntry } from './timeline';
import type { NormalizedCanaryOptions } from './types';

export interface CanaryDeps {
  /** Where tokenEnv, notify.webhookEnv and the like are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Time and waits (default: the system clock, or a virtual clock from evaluationTime when it is set). */
  clock?: Clock;
  /** Kubernetes actions: applies one partial object to the cluster (server-side apply). */
  patchObject?: PatchObject;
  /** Replaces the action built from the options. */
  action?: TrafficAction;
  /** Replaces the providers built from the options. */
  providers?: Partial<Record<MetricSpec['source']['provider'], MetricProvider>>;
}

/** Filled in while the plan runs. */
export interface CanaryRunResult {
  /** Set when the run ends: promoted (success) or rolled back (failure or interruption). */
  outcome?: 'promoted' | 'rolled back';
  reason?: string;
  /** Rolled back: the canary was worse (regression), nothing was decided in time (inconclusive), the metric source kept failing, the run was interrupted, or a step failed (error). */
  cause?: RollbackCause | 'interrupted' | 'error';
  /** The canary's weight as last set. */
  weight: number;
  /** Every analysis: values, queries, verdict, decision. */
  timeline: TimelineEntry[];
  /** Every traffic move attempted. */
  actions: ActionEvent[];
}

export interface CanaryPlanResult {
  plan: Plan;
  result: CanaryRunResult;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

type ProviderName = MetricSpec['source']['provider'];

/** The providers the metrics use, from the registry unless injected, and the secrets they hold. */
function buildProviders(o: NormalizedCanaryOptions, measured: MetricSpec[], deps: CanaryDeps, env: NodeJS.ProcessEnv, clock: Clock) {
  const providers: Partial<Record<ProviderName, MetricProvider>> = {};
  const secrets: string[] = [];
  for (const type of new Set(measured.map((m) => m.source.provider))) {
    const injected = deps.providers?.[type];
    const made = injected ? undefined : METRIC_PROVIDERS[type].create({ options: o, env, clock });
    providers[type] = injected ?? made?.provider;
    secrets.push(...(made?.secrets ?? []));
  }
  return { providers, secrets };
}

/**
 * The plan of a canary rollout: a check of the metric sources, one task per
 * step (set the weight, then analyse every interval until the step is
 * promoted or rolled back), a final promotion, and a cleanup registered
 * first that rolls the canary back unless it was promoted: after a rollback
 * decision, after any failure, and on SIGINT/SIGTERM.
 */
export function buildCanaryPlan(o: NormalizedCanaryOptions, deps: CanaryDeps = {}): CanaryPlanResult {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? (o.evaluationTime !== undefined ? virtualClock(o.evaluationTime) : systemClock);
  const built = deps.action ? { action: deps.action, secrets: [] } : createTrafficAction(o.action, { canary: o.name, env, patchObject: deps.patchObject });
  const action = built.action;
  const notifyUrl = secretFromEnv('notify.webhookEnv', o.notify?.webhookEnv, { env, what: 'the notification webhook URL' });
  const withBaseline = !!o.judge.comparison || !!o.judge.thresholds?.holdOnSharedFailure;
  const withSamples = !!o.judge.comparison;
  const requestMetric: MetricSpec | undefined = o.requestCount
    ? { name: 'requests', source: o.requestCount, direction: 'increase', critical: false, weight: 1, tolerance: { kind: 'absolute', amount: 0, text: '+0' } }
    : undefined;
  const measured = [...(requestMetric ? [requestMetric] : []), ...o.metrics];
  const { providers, secrets: providerSecrets } = buildProviders(o, measured, deps, env, clock);
  const secrets = [...built.secrets, ...providerSecrets, ...(notifyUrl?.mask ?? [])];
  const provider = (m: MetricSpec) => {
    const p = providers[m.source.provider];
    if (!p) throw new Error(`no ${m.source.provider} provider configured`);
    return p;
  };
  const measuresBaseline = (m: MetricSpec) => withBaseline && readsBaseline(m.source, o.selectors);

  const result: CanaryRunResult = { weight: 0, timeline: [], actions: [] };
  const tracker = new RolloutTracker(o.policy);
  // touched: a traffic move was attempted; moving: the weight of a move not yet confirmed;
  // signal: the running step's, to tell an interruption from a failure.
  const state: { touched: boolean; moving?: number; reason?: string; cause?: CanaryRunResult['cause']; chain: Promise<unknown>; signal?: AbortSignal } = { touched: false, chain: Promise.resolve() };
  const interrupted = () => (state.moving !== undefined ? `interrupted while moving traffic to ${state.moving}%` : `interrupted at ${result.weight}%`);

  /** Traffic moves run one at a time: a rollback waits for a move still in flight, so it is always the last word. */
  const move = (kind: ActionKind, weight: number, ctx: ActionContext, inCleanup = false): Promise<void> => {
    const run = async () => {
      if (!inCleanup) throwIfAborted(ctx.signal);
      state.touched = true;
      state.moving = weight;
      const at = iso(clock.now());
      try {
        if (kind === 'setWeight') await action.setWeight(weight, ctx);
        else await action[kind](ctx);
        result.actions.push({ at, kind, weight, ok: true });
        result.weight = weight;
        state.moving = undefined;
      } catch (err) {
        result.actions.push({ at, kind, weight, ok: false, error: errorMessage(err) });
        throw err;
      }
    };
    const pending = state.chain.then(run);
    state.chain = pending.catch(() => undefined);
    return pending;
  };
  const actionContext = (ctx: TaskContext): ActionContext => ({ exec: ctx.exec, log: ctx.log, addSecret: ctx.addSecret, signal: ctx.signal });
  const notify = async (ctx: TaskContext, text: string) => {
    if (!notifyUrl) return;
    const problem = await notifyWebhook(notifyUrl.text, text);
    ctx.log(problem ? `notification not sent: ${problem}` : 'notification sent');
  };

  const measure = (m: MetricSpec, version: Version, time: number, signal: AbortSignal, samples = withSamples) =>
    provider(m).measure(m, { version, time, withSamples: samples, signal });

  const measureAll = async (time: number, signal: AbortSignal): Promise<AnalysisInput> => {
    const [requests, metrics] = await Promise.all([
      requestMetric ? measure(requestMetric, 'canary', time, signal, false) : Promise.resolve(undefined),
      Promise.all(
        o.metrics.map(async (metric): Promise<MetricMeasurements> => {
          const [canary, baseline] = await Promise.all([
            measure(metric, 'canary', time, signal),
            measuresBaseline(metric) ? measure(metric, 'baseline', time, signal) : Promise.resolve(undefined),
          ]);
          return { metric, canary, ...(baseline ? { baseline } : {}) };
        }),
      ),
    ]);
    return { metrics, ...(requests ? { requests } : {}) };
  };

  const n = o.steps.length;
  const weights = o.steps.map((s) => s.weight);
  const judges = [o.judge.thresholds ? `thresholds${o.judge.thresholds.holdOnSharedFailure ? ' (a failure the stable version shares holds)' : ''}` : '', o.judge.comparison ? `baseline comparison (Mann-Whitney at ${o.judge.comparison.confidence}, pass ${o.judge.comparison.pass}, marginal ${o.judge.comparison.marginal})` : '']
    .filter(Boolean)
    .join(' and ');
  const policyText = `hold on no data${o.judge.minRequests ? ` (or fewer than ${o.judge.minRequests} canary requests)` : ''}, on inconclusive analyses (up to ${o.policy.inconclusiveLimit} since the last pass) and on metric-source errors (up to ${o.policy.consecutiveErrorLimit} in a row); roll back on failed analysis ${o.policy.failureLimit + 1} of the rollout, or when the step has lasted ${formatDuration(o.deadlineMs)} without passing`;

  const queries = () =>
    measured.map((m) => {
      const p = providers[m.source.provider];
      const canary = p ? p.describe(m, 'canary') : '?';
      const baseline = p && measuresBaseline(m) ? `; stable: ${p.describe(m, 'baseline')}` : '';
      return `${m.name}: canary: ${canary}${baseline}`;
    }).join(' | ');

  const steps: Step[] = [
    cleanupStep('Roll back the canary unless it was promoted', {
      kind: 'task',
      description: `when the rollout did not end promoted (a rollback decision, a failure, SIGINT/SIGTERM) and traffic was moved: ${action.describe('rollback', 0)}${notifyUrl ? `; notify $${o.notify!.webhookEnv}` : ''}`,
      run: async (ctx) => {
        if (result.outcome === 'promoted') return ctx.log('promoted: nothing to roll back');
        if (!state.touched) return ctx.log('no traffic was moved: nothing to roll back');
        // The step may still be unwinding from an interruption: its signal tells.
        const reason = state.reason ?? (state.signal?.aborted ? interrupted() : 'the run stopped before a decision');
        ctx.log(`rolling back: ${reason}`);
        await move('rollback', 0, actionContext(ctx), true);
        result.outcome = 'rolled back';
        result.reason = reason;
        result.cause = state.cause ?? (state.signal?.aborted ? 'interrupted' : 'error');
        ctx.setOutput('decision', 'rolled back');
        ctx.setOutput('cause', result.cause);
        ctx.setOutput('reason', reason);
        ctx.setOutput('weight', '0');
        await notify(ctx, `:rotating_light: Canary ${o.name} rolled back: ${reason}`);
      },
    }),
  ];

  // Every source that can be read without side effects is read once before traffic moves.
  const checked = measured.filter((m) => METRIC_PROVIDERS[m.source.provider].checkedBeforeTraffic && providers[m.source.provider]);
  if (checked.length) {
    const sources = [...new Set(checked.map((m) => m.source.provider))].map((type) =>
      type === 'prometheus' ? `Prometheus at ${o.prometheus ? displayUrl(o.prometheus.url).replace(/\/+$/, '') : '(injected)'}` : METRIC_PROVIDERS[type].name,
    );
    steps.push(
      taskStep(
        `Check ${sources.join(', ')} and every query`,
        `runs each query once before any traffic moves; an unreachable source or a query it rejects stops the rollout here. ${queries()}`,
        async (ctx) => {
          const time = clock.now();
          for (const m of checked) {
            const versions: Version[] = measuresBaseline(m) ? ['canary', 'baseline'] : ['canary'];
            for (const version of versions) {
              const r = await measure(m, version, time, ctx.signal, false);
              if (r.outcome === 'error') throw new Error(`${m.name} (${version}): ${r.error}; query: ${r.query}`);
              ctx.log(`${m.name} (${version === 'baseline' ? 'stable' : version}) at ${iso(time)}: ${describeMeasurement(r)} ← ${r.query}`);
            }
          }
        },
      ),
    );
  }

  o.steps.forEach((step, i) => {
    steps.push(
      taskStep(
        `Step ${i + 1}/${n}: ${step.weight}% of traffic to the canary`,
        `${action.describe('setWeight', step.weight)}; ${i === 0 && o.initialDelayMs ? `wait ${formatDuration(o.initialDelayMs)}, then ` : ''}every ${formatDuration(o.intervalMs)} judge the last ${formatDuration(o.windowMs)} with ${judges}; ${step.pauseMs ? `move on once ${formatDuration(step.pauseMs)} have passed and an analysis passes` : 'move on at the first passing analysis'}; ${policyText}`,
        async (ctx) => {
          state.signal = ctx.signal;
          // The live step and weight: a redrawn line on a terminal, otherwise a line per analysis at most every few seconds.
          const live = startProgress(ctx.log, { label: `step ${i + 1}/${n} at ${step.weight}%`, now: () => clock.now() });
          try {
            live.note('moving traffic');
            await move('setWeight', step.weight, actionContext(ctx));
            ctx.log(`${step.weight}% of traffic to the canary`);
            live.note('waiting for the first analysis');
            tracker.startStep();
            if (i === 0 && o.initialDelayMs) {
              ctx.log(`waiting ${formatDuration(o.initialDelayMs)} before the first analysis`);
              await clock.sleep(o.initialDelayMs, ctx.signal);
            }
            const started = clock.now();
            for (;;) {
              await clock.sleep(o.intervalMs, ctx.signal);
              const at = clock.now();
              const input = await measureAll(at, ctx.signal);
              throwIfAborted(ctx.signal);
              const decision = analyse(input, o.judge);
              const elapsedMs = at - started;
              const next = tracker.record(decision, { pauseOver: elapsedMs >= step.pauseMs, deadlineReached: elapsedMs >= o.deadlineMs, deadlineMs: o.deadlineMs });
              const entry: TimelineEntry = { step: i + 1, weight: step.weight, at: iso(at), elapsedMs, decision, action: next.action, reason: next.reason };
              result.timeline.push(entry);
              for (const line of formatEntry(entry, result.timeline.length)) ctx.log(line);
              live.note(`analysis ${result.timeline.length}: ${decision.verdict} → ${next.action} (${formatDuration(elapsedMs)} into the step${step.pauseMs ? `, pause ${formatDuration(step.pauseMs)}` : ''})`);
              ctx.setOutput('analyses', String(result.timeline.length));
              ctx.setOutput('timeline', compactTimeline(result.timeline));
              if (next.action === 'rollback') {
                state.reason = `at ${step.weight}% (${iso(at)}): ${next.reason}`;
                state.cause = next.cause;
                throw new Error(`roll back decided ${state.reason}`);
              }
              if (next.action === 'promote') return;
            }
          } catch (err) {
            state.reason ??= ctx.signal.aborted ? interrupted() : `at ${result.weight}%: ${errorMessage(err)}`;
            throw err;
          } finally {
            live.end();
          }
        },
      ),
    );
  });

  steps.push(
    taskStep('Promote the canary', `every step passed: ${action.describe('promote', 100)}${notifyUrl ? `; notify $${o.notify!.webhookEnv}` : ''}`, async (ctx) => {
      state.signal = ctx.signal;
      try {
        await move('promote', 100, actionContext(ctx));
      } catch (err) {
        state.reason ??= ctx.signal.aborted ? 'interrupted while promoting' : `promotion failed: ${errorMessage(err)}`;
        throw err;
      }
      result.outcome = 'promoted';
      result.reason = `all ${n} steps passed (${weights.join(' → ')}%)`;
      ctx.setOutput('decision', 'promoted');
      ctx.setOutput('reason', result.reason);
      ctx.setOutput('weight', '100');
      await notify(ctx, `:white_check_mark: Canary ${o.name} promoted: ${result.reason}`);
    }),
  );

  return { plan: { title: `Canary rollout of ${o.name}: ${weights.join(' → ')}%`, steps }, result, secrets };
}
