import type { TrafficAction } from './action';
import type { PatchObject } from './kubernetes';

/** What an action's options are checked against. */
export interface ActionParseContext {
  /** Absolute. */
  workspaceRoot: string;
  /** Absolute. */
  projectRoot: string;
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
}

/** What an action is built from for a run. */
export interface ActionRun {
  /** The canary's name. */
  canary: string;
  env: NodeJS.ProcessEnv;
  /** Kubernetes actions: applies one partial object to the cluster. */
  patchObject?: PatchObject;
}

/**
 * One kind of traffic action, as the registry (registry.ts) lists it: the
 * options it reads and checks, and how it is built for a run.
 */
export interface TrafficActionType<S extends { type: string }> {
  readonly type: S['type'];
  /** An example of its options, for messages. */
  readonly example: string;
  /** Checks `action` of this type; each problem is a UserError naming "action.<key>". */
  parse(action: Record<string, unknown>, ctx: ActionParseContext): S;
  /** The action of a run, and the secret values it holds (to mask in output). */
  create(spec: S, run: ActionRun): { action: TrafficAction; secrets: string[] };
}
