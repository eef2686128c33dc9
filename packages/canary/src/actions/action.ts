import { TaskContext } from '@shipfleet/core';

export type ActionKind = 'setWeight' | 'promote' | 'rollback';

/** What an action needs from the running plan. */
export interface ActionContext {
  exec: TaskContext['exec'];
  log: (line: string) => void;
  /** Masks a credential the action learns while it runs (see TaskContext.addSecret). */
  addSecret: TaskContext['addSecret'];
  signal: AbortSignal;
}

/**
 * Moves traffic between the stable version and the canary. One
 * implementation per file in this folder (command, webhook, Kubernetes).
 */
export interface TrafficAction {
  /** What the action does for a kind and weight, for dry runs. */
  describe(kind: ActionKind, weight: number): string;
  /** Sends `weight` percent of the traffic to the canary. */
  setWeight(weight: number, ctx: ActionContext): Promise<void>;
  /** The canary takes all the traffic: the rollout succeeded. */
  promote(ctx: ActionContext): Promise<void>;
  /** All traffic back to the stable version. */
  rollback(ctx: ActionContext): Promise<void>;
}
