import { getPath, isPlainObject, K8sObject, num } from './types';

/**
 * The state of one workload's rollout, by the rules of `kubectl rollout
 * status` (k8s.io/kubectl polymorphichelpers StatusViewer), with the same
 * messages (without kubectl's trailing newline).
 */
export interface RolloutStatus {
  /** The rollout is complete (or cannot be waited for: see `skipped`). */
  done: boolean;
  message: string;
  /** The rollout will not complete without intervention. */
  failed?: boolean;
  /** Why it failed: ProgressDeadlineExceeded or DeploymentPaused. */
  reason?: string;
  /** Not waited for: an update strategy other than RollingUpdate, or a kind without rollout status. */
  skipped?: boolean;
  /** kubectl's "(Warning: …)" suffix, from the workload's pods, when there is one. */
  warning?: string;
}

/** Waiting reasons kubectl adds to the message as a warning. */
export const WARNING_WAITING_REASONS = ['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError'];

const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';

function condition(obj: K8sObject, type: string): Record<string, unknown> | undefined {
  const conditions = getPath(obj, ['status', 'conditions']);
  if (!Array.isArray(conditions)) return undefined;
  return conditions.find((c) => isPlainObject(c) && c.type === type) as Record<string, unknown> | undefined;
}

/** The first warning kubectl would print for these pods: unschedulable, or a container waiting for a bad reason. */
export function podWarning(pods: K8sObject[]): string | undefined {
  for (const pod of pods) {
    const conditions = getPath(pod, ['status', 'conditions']);
    if (Array.isArray(conditions)) {
      for (const c of conditions) {
        if (isPlainObject(c) && c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable') return String(c.message ?? '');
      }
    }
    const statuses = getPath(pod, ['status', 'containerStatuses']);
    if (Array.isArray(statuses)) {
      for (const s of statuses) {
        const waiting = getPath(s, ['state', 'waiting']);
        if (isPlainObject(waiting) && WARNING_WAITING_REASONS.includes(String(waiting.reason))) return `${waiting.reason} - ${waiting.message ?? ''}`;
      }
    }
  }
  return undefined;
}

function waiting(message: string, pods: K8sObject[] | undefined): RolloutStatus {
  const warning = pods ? podWarning(pods) : undefined;
  return { done: false, message: warning !== undefined ? `${message} (Warning: ${warning})` : message, ...(warning !== undefined ? { warning } : {}) };
}

const optionalNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function deploymentStatus(d: K8sObject, pods?: K8sObject[]): RolloutStatus {
  const name = d.metadata.name;
  const spec = (d.spec ?? {}) as Record<string, unknown>;
  const status = (d.status ?? {}) as Record<string, unknown>;
  if (num(d.metadata.generation) <= num(status.observedGeneration)) {
    const progressing = condition(d, 'Progressing');
    if (progressing && progressing.reason === TIMED_OUT_REASON) {
      return { done: false, failed: true, reason: TIMED_OUT_REASON, message: `deployment "${name}" exceeded its progress deadline` };
    }
    const replicas = optionalNumber(spec.replicas);
    const updated = num(status.updatedReplicas);
    let pending: RolloutStatus | undefined;
    if (replicas !== undefined && updated < replicas) {
      pending = waiting(`Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`, pods);
    } else if (num(status.replicas) > updated) {
      pending = waiting(`Waiting for deployment "${name}" rollout to finish: ${num(status.replicas) - updated} old replicas are pending termination...`, pods);
    } else if (num(status.availableReplicas) < updated) {
      pending = waiting(`Waiting for deployment "${name}" rollout to finish: ${num(status.availableReplicas)} of ${updated} updated replicas are available...`, pods);
    }
    if (!pending) return { done: true, message: `deployment "${name}" successfully rolled out` };
    // kubectl would wait for ever: a paused deployment does not roll out until it is resumed.
    if (spec.paused === true) {
      return { ...pending, failed: true, reason: 'DeploymentPaused', message: `deployment "${name}" is paused and will not roll out until resumed (kubectl rollout resume deployment/${name}); ${pending.message}` };
    }
    return pending;
  }
  return waiting('Waiting for deployment spec update to be observed...', pods);
}

function strategyType(obj: K8sObject, field: 'updateStrategy'): string {
  // The API server defaults the type to RollingUpdate.
  return String(getPath(obj, ['spec', field, 'type']) ?? 'RollingUpdate');
}

function daemonSetStatus(ds: K8sObject): RolloutStatus {
  const name = ds.metadata.name;
  if (strategyType(ds, 'updateStrategy') !== 'RollingUpdate') {
    return { done: true, skipped: true, message: `rollout status is only available for RollingUpdate strategy type (daemon set "${name}" uses ${strategyType(ds, 'updateStrategy')}): not waited for` };
  }
  const status = (ds.status ?? {}) as Record<string, unknown>;
  if (num(ds.metadata.generation) <= num(status.observedGeneration)) {
    const desired = num(status.desiredNumberScheduled);
    if (num(status.updatedNumberScheduled) < desired) {
      return { done: false, message: `Waiting for daemon set "${name}" rollout to finish: ${num(status.updatedNumberScheduled)} out of ${desired} new pods have been updated...` };
    }
    if (num(status.numberAvailable) < desired) {
      return { done: false, message: `Waiting for daemon set "${name}" rollout to finish: ${num(status.numberAvailable)} of ${desired} updated pods are available...` };
    }
    return { done: true, message: `daemon set "${name}" successfully rolled out` };
  }
  return { done: false, message: 'Waiting for daemon set spec update to be observed...' };
}

function statefulSetStatus(sts: K8sObject): RolloutStatus {
  const name = sts.metadata.name;
  if (strategyType(sts, 'updateStrategy') !== 'RollingUpdate') {
    return { done: true, skipped: true, message: `rollout status is only available for RollingUpdate strategy type (statefulset "${name}" uses ${strategyType(sts, 'updateStrategy')}): not waited for` };
  }
  const spec = (sts.spec ?? {}) as Record<string, unknown>;
  const status = (sts.status ?? {}) as Record<string, unknown>;
  const observed = num(status.observedGeneration);
  if (observed === 0 || num(sts.metadata.generation) > observed) {
    return { done: false, message: 'Waiting for statefulset spec update to be observed...' };
  }
  const replicas = optionalNumber(spec.replicas);
  if (replicas !== undefined && num(status.readyReplicas) < replicas) {
    return { done: false, message: `Waiting for ${replicas - num(status.readyReplicas)} pods to be ready...` };
  }
  const rollingUpdate = getPath(spec, ['updateStrategy', 'rollingUpdate']);
  if (isPlainObject(rollingUpdate)) {
    const partition = optionalNumber(rollingUpdate.partition);
    if (replicas !== undefined && partition !== undefined && num(status.updatedReplicas) < replicas - partition) {
      return { done: false, message: `Waiting for partitioned roll out to finish: ${num(status.updatedReplicas)} out of ${replicas - partition} new pods have been updated...` };
    }
    return { done: true, message: `partitioned roll out complete: ${num(status.updatedReplicas)} new pods have been updated...` };
  }
  if (status.updateRevision !== status.currentRevision) {
    return { done: false, message: `waiting for statefulset rolling update to complete ${num(status.updatedReplicas)} pods at revision ${status.updateRevision}...` };
  }
  return { done: true, message: `statefulset rolling update complete ${num(status.currentReplicas)} pods at revision ${status.currentRevision}...` };
}

/**
 * Whether a Deployment, StatefulSet or DaemonSet has finished rolling out,
 * from the object as the API server returns it. `pods` (the workload's pods)
 * adds kubectl's warning to Deployment messages. One deliberate addition to
 * kubectl: a paused Deployment that has not rolled out is reported as failed
 * (reason DeploymentPaused) instead of being waited for until the timeout.
 */
export function rolloutStatus(obj: K8sObject, opts: { pods?: K8sObject[] } = {}): RolloutStatus {
  switch (obj.kind) {
    case 'Deployment':
      return deploymentStatus(obj, opts.pods);
    case 'DaemonSet':
      return daemonSetStatus(obj);
    case 'StatefulSet':
      return statefulSetStatus(obj);
    default:
      return { done: true, skipped: true, message: `${obj.kind} "${obj.metadata?.name}" has no rollout status` };
  }
}
