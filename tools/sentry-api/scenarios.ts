// Canary rollouts of a mobile release judged by its crash-free sessions in Sentry, replayed in
// virtual time against the stand-in: the scenario suite's canary is the new release, its stable
// version the release it replaces.
import { Logger, runPlan } from '@shipfleet/core';
import { buildCanaryPlan, CanaryOptions, normalizeCanaryOptions, TimelineEntry, TrafficAction } from '../../packages/canary/src';
import { recordingAction, REPLAY_START, Scenario } from '../prometheus/scenarios';
import { SentryApiStandIn } from './server';

export const SENTRY_TOKEN_ENV = 'SENTRY_AUTH_TOKEN';

/**
 * A staged rollout checked every minute over the last two (four 30 s samples
 * per release for the comparison), on the crash-free rate of sessions:
 * healthy above 99.5 %, failed below 98 %, and worse than the old release only
 * beyond half a percentage point.
 */
export function sentryScenarioOptions(s: Scenario, sentry: SentryApiStandIn, extra: Partial<CanaryOptions> = {}): CanaryOptions {
  const { canary, baseline } = sentry.releases(s.name);
  return {
    name: s.name,
    steps: [{ weight: 5 }, { weight: 25 }, { weight: 50 }, { weight: 100 }],
    pause: '2m',
    interval: '1m',
    window: '2m',
    comparison: { step: '30s' },
    metrics: [{ name: 'crash-free-sessions', provider: 'sentry', measure: 'crashFreeSessions', success: '> 0.995', failure: '< 0.98', tolerance: '+0.5pp' }],
    sentry: { url: sentry.url, organization: sentry.organization, project: sentry.projectId, environment: sentry.environment, release: canary, baselineRelease: baseline, tokenEnv: SENTRY_TOKEN_ENV },
    evaluationTime: REPLAY_START,
    // Replaced by a recording action unless the caller passes its own.
    action: { type: 'command', setWeight: ['true', '{{weight}}'] },
    ...extra,
  };
}

export interface SentryReplay {
  outcome?: 'promoted' | 'rolled back';
  reason?: string;
  timeline: TimelineEntry[];
  /** The recording action's moves (empty when the options' own action ran). */
  calls: { kind: string; weight: number }[];
  /** Every line the run printed (masked like any run's output). */
  log: string[];
  status: string;
}

/** Replays one scenario through the whole plan (runner included) in virtual time. */
export async function runSentryScenario(s: Scenario, sentry: SentryApiStandIn, options: { extra?: Partial<CanaryOptions>; env?: NodeJS.ProcessEnv; record?: boolean } = {}): Promise<SentryReplay> {
  const env = { [SENTRY_TOKEN_ENV]: sentry.token, ...options.env };
  const o = normalizeCanaryOptions(sentryScenarioOptions(s, sentry, options.extra), `/srv/${s.name}`, env);
  const recorder = options.record === false ? undefined : recordingAction();
  const { plan, result, secrets } = buildCanaryPlan(o, { env, ...(recorder ? { action: recorder as TrafficAction } : {}) });
  const log: string[] = [];
  const logger: Logger = { info: (l) => log.push(l), warn: (l) => log.push(l), error: (l) => log.push(l) };
  const report = await runPlan(plan, { logger, secrets, handleSignals: false, printSummary: true, stepSummaryFile: '/dev/null' });
  return { outcome: result.outcome, reason: result.reason, timeline: result.timeline, calls: recorder?.calls ?? [], log, status: report.status };
}
