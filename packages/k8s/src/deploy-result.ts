import { describeRef, ObjectRef, refKey } from './types';

/** What happened to one object in the apply. */
export interface AppliedObject {
  /** `deployment.apps/api`, as kubectl names it. */
  object: string;
  ref: ObjectRef;
  action: 'created' | 'configured' | 'unchanged';
}

/** What happened to one Deployment, StatefulSet or DaemonSet. */
export interface WorkloadOutcome {
  /** `deployment/api` */
  workload: string;
  ref: ObjectRef;
  /** The revision it ran before this deploy; null when it did not exist (or had no revision yet). */
  previousRevision: number | null;
  state: 'applied' | 'rolled-out' | 'skipped' | 'failed' | 'not-completed' | 'rolled-back' | 'rollback-incomplete';
  /** The last rollout status message. */
  message?: string;
  /** Why it did not roll out (one line). */
  reason?: string;
  /** Every reason found (containers, events, conditions). */
  details?: string[];
  rolledBackTo?: number;
}

/** The outcome of a deploy, filled in while the plan runs. */
export interface K8sDeployResult {
  /** Rendered objects in apply order (`deployment/api`). */
  objects: string[];
  applied: AppliedObject[];
  /** `deployment/api` → revision before the deploy (null: new). */
  previousRevisions: Record<string, number | null>;
  workloads: WorkloadOutcome[];
  rolledBack: boolean;
  failed: boolean;
  /** The error the deploy failed with. */
  reason?: string;
  pruned: string[];
  serverDryRun: boolean;
  /** A blue-green deploy or rollback: the Services, the colour deployed (or switched back to) and whether traffic went to it. */
  blueGreen?: { activeService: string; previewService: string; color: 'blue' | 'green'; previousColor?: 'blue' | 'green'; switched: boolean };
  /** With `diff`: what the apply would do to each object (nothing was applied). */
  diff?: Array<{ object: string; change: 'new' | 'changed' | 'unchanged' }>;
}

export function emptyResult(serverDryRun: boolean): K8sDeployResult {
  return { objects: [], applied: [], previousRevisions: {}, workloads: [], rolledBack: false, failed: false, pruned: [], serverDryRun };
}

/** The outcome recorded for a workload, added when the apply did not record one. */
export function workloadOutcome(result: K8sDeployResult, ref: ObjectRef): WorkloadOutcome {
  let o = result.workloads.find((w) => refKey(w.ref) === refKey(ref));
  if (!o) {
    o = { workload: describeRef(ref), ref, previousRevision: null, state: 'applied' };
    result.workloads.push(o);
  }
  return o;
}
