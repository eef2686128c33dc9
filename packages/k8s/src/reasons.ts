import { RolloutStatus } from './rollout-status';
import { controlledBy, findNewReplicaSet, POD_TEMPLATE_HASH_LABEL } from './undo';
import { getPath, isPlainObject, K8sObject, num } from './types';

/** Why a rollout did not complete, most telling first. */
export interface FailureReasons {
  /** One line for the error message: the first pod reason, then the workload's own failure. */
  summary: string;
  /** Every reason found: containers, scheduling, warning events, conditions. */
  details: string[];
}

/** Waiting reasons of a container that is merely starting. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

function containerReasons(pod: K8sObject): string[] {
  const out: string[] = [];
  const lists: Array<[string, string]> = [['initContainerStatuses', 'init container'], ['containerStatuses', 'container']];
  for (const [field, label] of lists) {
    const statuses = getPath(pod, ['status', field]);
    if (!Array.isArray(statuses)) continue;
    for (const s of statuses) {
      if (!isPlainObject(s)) continue;
      const restarts = num(s.restartCount);
      const lastExit = getPath(s, ['lastState', 'terminated', 'exitCode']);
      const extra = [
        restarts > 0 ? `restarted ${restarts} time${restarts === 1 ? '' : 's'}` : '',
        typeof lastExit === 'number' ? `last exit code ${lastExit}` : '',
      ].filter(Boolean).join(', ');
      const suffix = extra ? ` (${extra})` : '';
      const waiting = getPath(s, ['state', 'waiting']);
      const terminated = getPath(s, ['state', 'terminated']);
      if (isPlainObject(waiting) && waiting.reason && !STARTING.has(String(waiting.reason))) {
        out.push(`${label} ${s.name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}${suffix}`);
      } else if (isPlainObject(terminated) && num(terminated.exitCode) !== 0) {
        out.push(`${label} ${s.name}: terminated: ${terminated.reason ?? 'Error'} (exit code ${terminated.exitCode})${terminated.message ? `: ${terminated.message}` : ''}`);
      } else if (label === 'container' && isPlainObject(getPath(s, ['state', 'running'])) && s.ready === false) {
        out.push(`${label} ${s.name}: running but not ready${suffix}`);
      }
    }
  }
  const conditions = getPath(pod, ['status', 'conditions']);
  if (Array.isArray(conditions)) {
    for (const c of conditions) {
      if (isPlainObject(c) && c.type === 'PodScheduled' && c.status === 'False') out.push(`pod ${pod.metadata.name}: ${c.reason ?? 'not scheduled'}${c.message ? `: ${c.message}` : ''}`);
    }
  }
  return out;
}

/** The pods of the revision being rolled out (all the workload's pods when that cannot be told). */
export function podsOfNewRevision(workload: K8sObject, pods: K8sObject[], replicaSets: K8sObject[] = []): K8sObject[] {
  if (workload.kind === 'Deployment') {
    const rs = findNewReplicaSet(workload, replicaSets);
    const hash = rs?.metadata.labels?.[POD_TEMPLATE_HASH_LABEL];
    if (rs && hash) {
      const owned = controlledBy(rs, pods);
      const mine = (owned.length ? owned : pods).filter((p) => p.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === hash);
      if (mine.length) return mine;
    }
    return pods;
  }
  const updateRevision = getPath(workload, ['status', 'updateRevision']);
  if (workload.kind === 'StatefulSet' && typeof updateRevision === 'string') {
    const mine = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === updateRevision);
    if (mine.length) return mine;
  }
  return pods;
}

function eventTime(e: K8sObject): string {
  return String(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '');
}

/**
 * Collects why a workload's rollout did not complete: container waiting
 * reasons (ImagePullBackOff, CrashLoopBackOff, …) with their messages,
 * restart counts and last exit codes, scheduling failures, warning events
 * about the workload, its ReplicaSets and pods, and its Progressing condition.
 */
export function collectFailureReasons(
  workload: K8sObject,
  input: { status?: RolloutStatus; pods?: K8sObject[]; replicaSets?: K8sObject[]; events?: K8sObject[] },
): FailureReasons {
  const pods = podsOfNewRevision(workload, input.pods ?? [], input.replicaSets ?? []);
  const counts = new Map<string, number>();
  for (const pod of pods) for (const r of containerReasons(pod)) counts.set(r, (counts.get(r) ?? 0) + 1);
  const podReasons = [...counts].map(([r, n]) => (n > 1 ? `${r} (${n} pods)` : r));

  const related = new Set<string>([`${workload.kind}/${workload.metadata.name}`]);
  for (const rs of controlledBy(workload, input.replicaSets ?? [])) related.add(`ReplicaSet/${rs.metadata.name}`);
  for (const pod of input.pods ?? []) related.add(`Pod/${pod.metadata.name}`);
  const seen = new Set<string>();
  const eventReasons: string[] = [];
  for (const e of [...(input.events ?? [])].sort((a, b) => eventTime(b).localeCompare(eventTime(a)))) {
    const involved = (e.involvedObject ?? e.regarding) as { kind?: string; name?: string; namespace?: string } | undefined;
    if (!involved || !related.has(`${involved.kind}/${involved.name}`)) continue;
    if (e.type !== 'Warning') continue;
    if (involved.namespace && workload.metadata.namespace && involved.namespace !== workload.metadata.namespace) continue;
    const text = `event ${e.reason}: ${String(e.message ?? e.note ?? '').trim()}`;
    if (seen.has(text)) continue;
    seen.add(text);
    eventReasons.push(text);
  }

  const conditionReasons: string[] = [];
  const conditions = getPath(workload, ['status', 'conditions']);
  if (Array.isArray(conditions)) {
    for (const c of conditions) {
      if (isPlainObject(c) && c.status === 'False' && c.reason) conditionReasons.push(`${c.reason}${c.message ? `: ${c.message}` : ''}`);
    }
  }

  const summaryParts: string[] = [];
  if (podReasons.length) summaryParts.push(podReasons[0]);
  else if (eventReasons.length) summaryParts.push(eventReasons[0]);
  if (input.status?.failed && input.status.reason) {
    const cond = conditionReasons.find((c) => c.startsWith(input.status!.reason!));
    summaryParts.push(cond ?? `${input.status.reason}: ${input.status.message}`);
  }
  if (!summaryParts.length) summaryParts.push(conditionReasons[0] ?? input.status?.message ?? 'the rollout did not complete');
  return { summary: summaryParts.join('; '), details: [...podReasons, ...eventReasons, ...conditionReasons] };
}
