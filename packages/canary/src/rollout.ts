import { formatDuration } from '@shipfleet/core';
import { Verdict } from './judges/verdict';

export interface RolloutPolicy {
  /**
   * Failed analyses tolerated over the whole rollout; one more rolls back.
   * Counted cumulatively, not consecutively: a canary that fails every other
   * analysis (a flapping regression) never strings two failures together, so
   * a consecutive count would let it through every step; a cumulative count
   * rolls it back once its failures add up, while a passing analysis in
   * between cannot wipe out the evidence. Argo Rollouts' failureLimit and
   * Flagger's threshold count the same way.
   */
  failureLimit: number;
  /**
   * Analyses in a row whose metric source failed (down, 5xx, timeout) that are
   * tolerated; one more rolls back, failing safe. Counted consecutively: an
   * answer of any kind shows the source is back, and the canary was never
   * judged during the outage.
   */
  consecutiveErrorLimit: number;
  /**
   * Inconclusive analyses since the last passing one within a step that are
   * tolerated; one more rolls back. A pass resets it: a canary that keeps
   * coming back to healthy is not pushed out by noise between the thresholds.
   */
  inconclusiveLimit: number;
}

/** What the monitor does after an analysis: next step, stay (pause not over), hold (no verdict yet), roll back. */
export type StepAction = 'promote' | 'wait' | 'hold' | 'rollback';

/**
 * Why a rollout was rolled back: the canary was worse (regression), nothing
 * could be decided in time (inconclusive: a problem shared with the stable
 * version, values between the thresholds, or no data), or the metric source
 * kept failing (metric-source).
 */
export type RollbackCause = 'regression' | 'inconclusive' | 'metric-source';

export interface StepDecision {
  action: StepAction;
  reason: string;
  /** Rollbacks: why, in one word. */
  cause?: RollbackCause;
}

export interface StepTiming {
  /** The step's pause has elapsed since its weight was set. */
  pauseOver: boolean;
  /** The step has lasted as long as the deadline allows. */
  deadlineReached: boolean;
  deadlineMs: number;
}

/**
 * Turns each analysis's verdict into the rollout's next move, keeping the
 * counts the limits apply to. No data never rolls back by itself: only the
 * step deadline ends a wait for data.
 */
export class RolloutTracker {
  failures = 0;
  consecutiveErrors = 0;
  inconclusive = 0;

  constructor(readonly policy: RolloutPolicy) {}

  /** A new step: the inconclusive count starts over (failures carry over: it is the same canary). */
  startStep(): void {
    this.inconclusive = 0;
  }

  record(analysis: { verdict: Verdict; reason: string }, timing: StepTiming): StepDecision {
    const p = this.policy;
    const { reason } = analysis;
    let decision: StepDecision;
    if (analysis.verdict !== 'error') this.consecutiveErrors = 0;
    switch (analysis.verdict) {
      case 'fail':
        this.failures++;
        decision = this.failures > p.failureLimit
          ? { action: 'rollback', cause: 'regression', reason: `failed analysis ${this.failures} of the rollout (failureLimit ${p.failureLimit}): ${reason}` }
          : { action: 'hold', reason: `failed analysis ${this.failures} of ${p.failureLimit} tolerated: ${reason}` };
        break;
      case 'error':
        this.consecutiveErrors++;
        decision = this.consecutiveErrors > p.consecutiveErrorLimit
          ? { action: 'rollback', cause: 'metric-source', reason: `the metric source failed ${this.consecutiveErrors} analyses in a row (consecutiveErrorLimit ${p.consecutiveErrorLimit}), failing safe: ${reason}` }
          : { action: 'hold', reason: `metric source error ${this.consecutiveErrors} of ${p.consecutiveErrorLimit} tolerated in a row, retrying at the next interval: ${reason}` };
        break;
      case 'nodata':
        decision = { action: 'hold', reason: `no data, waiting: ${reason}` };
        break;
      case 'inconclusive':
        this.inconclusive++;
        decision = this.inconclusive > p.inconclusiveLimit
          ? { action: 'rollback', cause: 'inconclusive', reason: `inconclusive: ${this.inconclusive} inconclusive analyses since the last pass (inconclusiveLimit ${p.inconclusiveLimit}): ${reason}` }
          : { action: 'hold', reason: `inconclusive ${this.inconclusive} of ${p.inconclusiveLimit} tolerated: ${reason}` };
        break;
      case 'pass':
        this.inconclusive = 0;
        decision = timing.pauseOver ? { action: 'promote', reason } : { action: 'wait', reason: `${reason}; staying until the pause is over` };
        break;
    }
    if (decision.action !== 'promote' && decision.action !== 'rollback' && timing.deadlineReached) {
      // Past the deadline the canary is blamed only when an analysis found it worse; otherwise the rollout ends inconclusive.
      const cause: RollbackCause = analysis.verdict === 'error' ? 'metric-source' : this.failures > 0 ? 'regression' : 'inconclusive';
      const why = cause === 'inconclusive' ? 'inconclusive: ' : '';
      const blame = cause === 'inconclusive' ? ', and no analysis found the canary worse than the stable version' : '';
      return { action: 'rollback', cause, reason: `${why}no passing analysis within the step deadline of ${formatDuration(timing.deadlineMs)}${blame}; last: ${decision.reason}` };
    }
    return decision;
  }
}
