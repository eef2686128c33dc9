import { ClusterClient, KubeApiError } from './cluster';
import { DeployIO } from './deploy-io';
import { K8sDeployResult, workloadOutcome } from './deploy-result';
import { labelSelectorToString } from './selectors';
import { clone, describeRef, getPath, isPlainObject, K8sObject, ObjectRef, refKey, refOf } from './types';
import { ANNOTATIONS_TO_SKIP, computeControllerRevisionUndo, computeDeploymentUndo, UndoPlan } from './undo';
import { podsOf } from './workload-pods';

/** The undo of one workload, computed like `kubectl rollout undo --to-revision=<revision>`. */
export async function computeUndo(client: ClusterClient, live: K8sObject, toRevision: number): Promise<UndoPlan> {
  const selector = labelSelectorToString(getPath(live, ['spec', 'selector']));
  if (live.kind === 'Deployment') {
    const replicaSets = await client.list('apps/v1', 'ReplicaSet', live.metadata.namespace, { labelSelector: selector });
    return computeDeploymentUndo(live, replicaSets, toRevision);
  }
  const revisions = await client.list('apps/v1', 'ControllerRevision', live.metadata.namespace, { labelSelector: selector });
  return computeControllerRevisionUndo(live, revisions, toRevision);
}

/**
 * The object to server-side apply for an undo: what this deploy applied,
 * with the pod template of the earlier revision (and, for a Deployment, that
 * ReplicaSet's annotations except the revision bookkeeping ones). Applying it
 * as the same field manager, rather than patching as another one, keeps the
 * next deploy free of field conflicts.
 */
export function undoObject(applied: K8sObject, undo: Extract<UndoPlan, { action: 'rollback' }>): K8sObject {
  const obj = clone(applied);
  const spec = (isPlainObject(obj.spec) ? obj.spec : (obj.spec = {})) as Record<string, unknown>;
  spec.template = clone(undo.template);
  if (undo.annotations) {
    const annotations = { ...(obj.metadata.annotations ?? {}) };
    for (const [k, v] of Object.entries(undo.annotations)) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
    obj.metadata.annotations = annotations;
  }
  return obj;
}

const isReady = (pod: K8sObject) => {
  const conditions = getPath(pod, ['status', 'conditions']);
  return Array.isArray(conditions) && conditions.some((c) => isPlainObject(c) && c.type === 'Ready' && c.status === 'True');
};

/**
 * A StatefulSet does not replace a pod of the failed revision that never
 * became ready, so an undo alone stays stuck (the "forced rollback" of the
 * StatefulSet documentation): those pods are deleted so the controller
 * recreates them from the restored template.
 */
async function releaseStuckPods(io: DeployIO, failed: K8sObject): Promise<void> {
  const badRevision = getPath(failed, ['status', 'updateRevision']);
  if (typeof badRevision !== 'string' || badRevision === getPath(failed, ['status', 'currentRevision'])) return;
  let pods: K8sObject[];
  try {
    pods = await podsOf(io.client, failed);
  } catch {
    return;
  }
  for (const pod of pods) {
    if (pod.metadata.labels?.['controller-revision-hash'] !== badRevision || isReady(pod)) continue;
    io.log(`${describeRef(failed)}: deleting pod ${pod.metadata.name} (failed revision, not ready): a StatefulSet does not replace it by itself`);
    try {
      await io.client.delete({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, namespace: pod.metadata.namespace }, { dryRun: false });
    } catch (e) {
      io.log(`${describeRef(failed)}: could not delete pod ${pod.metadata.name}: ${(e as Error).message}`);
    }
  }
}

export interface RollbackOutcome {
  /** The workloads whose undo was applied, and the revision each went back to. */
  rolledBack: Array<{ ref: ObjectRef; toRevision: number }>;
  /** refKey of a failed workload → why it was not rolled back. */
  notRolledBack: Map<string, string>;
}

/**
 * Undoes every workload this deploy changed (those that failed and those
 * that rolled out), by server-side applying the earlier pod template as
 * `fieldManager`. Workloads that were new, or whose template this deploy did
 * not change, are left alone.
 */
export async function rollBackWorkloads(io: DeployIO, workloads: K8sObject[], failedKeys: Set<string>, fieldManager: string, result: K8sDeployResult): Promise<RollbackOutcome> {
  const notRolledBack = new Map<string, string>();
  const rolledBack: RollbackOutcome['rolledBack'] = [];
  for (const obj of workloads) {
    const ref = refOf(obj);
    const o = workloadOutcome(result, ref);
    const key = refKey(ref);
    if (o.previousRevision === null) {
      if (failedKeys.has(key)) notRolledBack.set(key, 'it had no earlier revision to roll back to');
      continue;
    }
    let live: K8sObject | undefined;
    let undo: UndoPlan;
    try {
      live = await io.client.get(ref);
      undo = live ? await computeUndo(io.client, live, o.previousRevision) : { action: 'error', message: 'it no longer exists' };
    } catch (e) {
      undo = { action: 'error', message: (e as Error).message };
    }
    if (undo.action === 'skip') {
      if (failedKeys.has(key)) notRolledBack.set(key, `not rolled back: this deploy did not change its pod template (revision ${undo.toRevision})`);
      continue;
    }
    if (undo.action === 'error') {
      if (failedKeys.has(key)) notRolledBack.set(key, `not rolled back: ${undo.message}`);
      else io.log(`${o.workload}: not rolled back: ${undo.message}`);
      continue;
    }
    io.log(`${o.workload}: rolling back to revision ${undo.toRevision} (pod template of ${undo.source})`);
    try {
      await io.client.apply(undoObject(obj, undo), { fieldManager, force: true, dryRun: false });
    } catch (e) {
      notRolledBack.set(key, `the rollback failed: ${e instanceof KubeApiError ? e.message : (e as Error).message}`);
      continue;
    }
    o.rolledBackTo = undo.toRevision;
    rolledBack.push({ ref, toRevision: undo.toRevision });
    if (live?.kind === 'StatefulSet') await releaseStuckPods(io, live);
  }
  return { rolledBack, notRolledBack };
}
