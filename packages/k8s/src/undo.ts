import { selectorMatches } from './selectors';
import { clone, describeRef, getPath, isPlainObject, K8sObject } from './types';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Deployment annotations kept as they are on undo (not copied from the ReplicaSet), as kubectl does. */
export const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** What undoing a workload to an earlier revision takes, computed as `kubectl rollout undo` does. */
export type UndoPlan =
  | {
      action: 'rollback';
      toRevision: number;
      /** Pod template to put back into the workload (pod-template-hash label removed). */
      template: Record<string, unknown>;
      /** Deployment annotations after the undo (Deployments only). */
      annotations?: Record<string, string>;
      /** The ReplicaSet or ControllerRevision the template comes from. */
      source: string;
    }
  | { action: 'skip'; toRevision: number; message: string }
  | { action: 'error'; message: string };

export function revisionOf(obj: K8sObject | undefined): number | undefined {
  const raw = obj?.metadata?.annotations?.[REVISION_ANNOTATION];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** Drops null, empty maps and empty lists, which the API server treats as absent. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(normalize);
    return items.length ? items : undefined;
  }
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      const n = normalize(v[key]);
      if (n !== undefined) out[key] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null ? undefined : v;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function withoutHash(template: unknown): Record<string, unknown> {
  const copy = (isPlainObject(template) ? clone(template) : {}) as Record<string, unknown>;
  const labels = getPath(copy, ['metadata', 'labels']);
  if (isPlainObject(labels)) delete labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/** Two pod templates are the same apart from the pod-template-hash label. */
export function equalIgnoreHash(t1: unknown, t2: unknown): boolean {
  return semanticEqual(withoutHash(t1), withoutHash(t2));
}

/** Objects controlled by `owner` (by controller reference; by selector when the owner has no uid yet). */
export function controlledBy(owner: K8sObject, candidates: K8sObject[]): K8sObject[] {
  const uid = owner.metadata.uid;
  const ns = owner.metadata.namespace;
  return candidates.filter((c) => {
    if (ns && c.metadata.namespace && c.metadata.namespace !== ns) return false;
    const refs = c.metadata.ownerReferences ?? [];
    if (uid) return refs.some((r) => r.controller && r.uid === uid);
    return selectorMatches(getPath(owner, ['spec', 'selector']), c.metadata.labels);
  });
}

const byCreation = (a: K8sObject, b: K8sObject) =>
  String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')) || String(a.metadata.name).localeCompare(String(b.metadata.name));

/** The ReplicaSet whose template is the Deployment's current one (the oldest such, as the controller picks it). */
export function findNewReplicaSet(deployment: K8sObject, replicaSets: K8sObject[]): K8sObject | undefined {
  const template = getPath(deployment, ['spec', 'template']);
  return controlledBy(deployment, replicaSets).sort(byCreation).find((rs) => equalIgnoreHash(getPath(rs, ['spec', 'template']), template));
}

/**
 * How `kubectl rollout undo deployment/x [--to-revision=n]` restores a
 * Deployment: the ReplicaSet of the requested revision (0: the one before
 * the latest) gives its pod template, without the pod-template-hash label,
 * and its annotations (except the revision bookkeeping ones). Refused for a
 * paused Deployment; skipped when the template already matches.
 */
export function computeDeploymentUndo(deployment: K8sObject, replicaSets: K8sObject[], toRevision = 0): UndoPlan {
  const name = deployment.metadata.name;
  if (toRevision < 0) return { action: 'error', message: `unable to find specified revision ${toRevision} in history` };
  const owned = controlledBy(deployment, replicaSets);
  let target: K8sObject | undefined;
  let targetRevision = -1;
  if (toRevision > 0) {
    target = owned.find((rs) => revisionOf(rs) === toRevision);
    if (!target) return { action: 'error', message: `unable to find specified revision ${toRevision} in history` };
    targetRevision = toRevision;
  } else {
    let latest = -1;
    let previous = -1;
    let latestRs: K8sObject | undefined;
    for (const rs of owned) {
      const v = revisionOf(rs);
      if (v === undefined) continue;
      if (v > latest) {
        previous = latest;
        target = latestRs;
        latest = v;
        latestRs = rs;
      } else if (v > previous) {
        previous = v;
        target = rs;
      }
    }
    if (!target) return { action: 'error', message: `no rollout history found for deployment "${name}"` };
    targetRevision = previous;
  }
  if (getPath(deployment, ['spec', 'paused']) === true) {
    return { action: 'error', message: `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${name}' and try again` };
  }
  const rsTemplate = getPath(target, ['spec', 'template']);
  if (equalIgnoreHash(rsTemplate, getPath(deployment, ['spec', 'template']))) {
    return { action: 'skip', toRevision: targetRevision, message: `skipped rollback (current template already matches revision ${targetRevision})` };
  }
  const annotations: Record<string, string> = {};
  const current = deployment.metadata.annotations ?? {};
  for (const key of ANNOTATIONS_TO_SKIP) if (key in current) annotations[key] = current[key];
  for (const [key, value] of Object.entries(target.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(key)) annotations[key] = value;
  return { action: 'rollback', toRevision: targetRevision, template: withoutHash(rsTemplate), annotations, source: describeRef(target) };
}

function historyTemplate(history: K8sObject): Record<string, unknown> | undefined {
  const t = getPath(history, ['data', 'spec', 'template']);
  if (!isPlainObject(t)) return undefined;
  const copy = clone(t);
  delete copy.$patch;
  return copy;
}

/** The revision number of a ControllerRevision. */
export function historyRevision(history: K8sObject): number {
  return typeof history.revision === 'number' ? history.revision : Number(history.revision ?? 0);
}

/**
 * How `kubectl rollout undo` restores a StatefulSet or DaemonSet: from its
 * ControllerRevisions (0: the second highest revision; else that revision),
 * whose data holds the pod template. Skipped when it already matches.
 */
export function computeControllerRevisionUndo(workload: K8sObject, revisions: K8sObject[], toRevision = 0): UndoPlan {
  if (toRevision < 0) return { action: 'error', message: `unable to find specified revision ${toRevision} in history` };
  const history = controlledBy(workload, revisions).sort((a, b) => historyRevision(a) - historyRevision(b));
  if (toRevision === 0 && history.length <= 1) return { action: 'error', message: 'no last revision to roll back to' };
  const target = toRevision === 0 ? history[history.length - 2] : history.find((h) => historyRevision(h) === toRevision);
  if (!target) return { action: 'error', message: `unable to find specified revision ${toRevision} in history` };
  const template = historyTemplate(target);
  if (!template) return { action: 'error', message: `${describeRef(target)} holds no pod template` };
  const revision = historyRevision(target);
  if (semanticEqual(template, getPath(workload, ['spec', 'template']))) {
    return { action: 'skip', toRevision: revision, message: `skipped rollback (current template already matches revision ${revision})` };
  }
  return { action: 'rollback', toRevision: revision, template, source: describeRef(target) };
}

/** The revision a workload runs now: the Deployment's revision annotation, or the ControllerRevision matching the template. */
export function currentRevision(workload: K8sObject, history: { replicaSets?: K8sObject[]; controllerRevisions?: K8sObject[] }): number | undefined {
  if (workload.kind === 'Deployment') {
    const own = revisionOf(workload);
    if (own !== undefined) return own;
    const rs = findNewReplicaSet(workload, history.replicaSets ?? []);
    return rs ? revisionOf(rs) : undefined;
  }
  const owned = controlledBy(workload, history.controllerRevisions ?? []);
  const template = getPath(workload, ['spec', 'template']);
  const match = owned.filter((h) => semanticEqual(historyTemplate(h), template)).sort((a, b) => historyRevision(b) - historyRevision(a))[0];
  if (match) return historyRevision(match);
  return owned.length ? Math.max(...owned.map(historyRevision)) : undefined;
}
