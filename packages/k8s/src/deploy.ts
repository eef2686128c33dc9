import { ClusterClient, KubeApiError } from './cluster';
import { collectFailureReasons, FailureReasons } from './reasons';
import { RolloutStatus, rolloutStatus } from './rollout-status';
import { labelSelectorToString } from './selectors';
import { clone, describeRef, getPath, isPlainObject, isWorkload, K8sObject, ObjectRef, refKey, refOf } from './types';
import { ANNOTATIONS_TO_SKIP, computeControllerRevisionUndo, computeDeploymentUndo, currentRevision, revisionOf, semanticEqual, UndoPlan } from './undo';

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
}

export function emptyResult(serverDryRun: boolean): K8sDeployResult {
  return { objects: [], applied: [], previousRevisions: {}, workloads: [], rolledBack: false, failed: false, pruned: [], serverDryRun };
}

export interface DeployIO {
  client: ClusterClient;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** How often a workload is read while waiting (watch events wake it sooner). Default 1000. */
  pollIntervalMs?: number;
  now?: () => number;
}

/** `deployment.apps/api`, kubectl's name for an object in its output. */
export function kubectlName(obj: { apiVersion: string; kind: string; name?: string; metadata?: { name?: string } }): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return `${obj.kind.toLowerCase()}${group ? `.${group}` : ''}/${obj.name ?? obj.metadata?.name}`;
}

function withoutVolatile(obj: K8sObject | undefined): unknown {
  if (!obj) return undefined;
  const copy = clone(obj) as Record<string, unknown> & { metadata: Record<string, unknown> };
  delete copy.status;
  for (const key of ['resourceVersion', 'managedFields', 'generation', 'uid', 'creationTimestamp']) delete copy.metadata[key];
  return copy;
}

function applyErrorMessage(obj: K8sObject, e: unknown, force: boolean): string {
  const name = kubectlName(obj);
  if (e instanceof KubeApiError) {
    if (e.status === 409 && !force) return `${name}: ${e.message}. Another field manager owns these fields; change them there, or set forceConflicts to take them over`;
    if (e.status === 404 && /namespaces? "?[^"]*"? not found/.test(e.message)) return `${name}: ${e.message}. Create the namespace first (add a Namespace manifest) or pick an existing one`;
    return `${name}: ${e.message} (HTTP ${e.status}${e.reason ? ` ${e.reason}` : ''})`;
  }
  return `${name}: ${(e as Error).message ?? String(e)}`;
}

/** Reads the revision a workload runs now, for undo later. */
async function recordRevision(client: ClusterClient, live: K8sObject): Promise<number | null> {
  if (live.kind === 'Deployment') {
    const own = revisionOf(live);
    if (own !== undefined) return own;
    const replicaSets = await client.list('apps/v1', 'ReplicaSet', live.metadata.namespace, { labelSelector: labelSelectorToString(getPath(live, ['spec', 'selector'])) });
    return currentRevision(live, { replicaSets }) ?? null;
  }
  const controllerRevisions = await client.list('apps/v1', 'ControllerRevision', live.metadata.namespace, { labelSelector: labelSelectorToString(getPath(live, ['spec', 'selector'])) });
  return currentRevision(live, { controllerRevisions }) ?? null;
}

/**
 * Server-side applies the objects in order (field manager, force and
 * dryRun=All as asked). Namespaced objects without a namespace get
 * `namespace` (else the context's). Records each workload's revision before
 * it changes. Returns the objects as applied (namespace filled in).
 */
export async function applyObjects(
  io: DeployIO,
  objects: K8sObject[],
  opts: { fieldManager: string; force: boolean; dryRun: boolean; namespace?: string },
  result: K8sDeployResult,
): Promise<K8sObject[]> {
  const { client } = io;
  const out: K8sObject[] = [];
  for (const original of objects) {
    if (io.signal?.aborted) throw new Error('interrupted');
    const obj = clone(original);
    const resource = await client.resourceFor(obj.apiVersion, obj.kind);
    if (!resource) {
      throw new Error(`${kubectlName(obj)}: the API server does not serve ${obj.kind} in ${obj.apiVersion}${opts.dryRun ? ' (in a server dry run a CRD of the same manifests is not stored, so its resources cannot be checked)' : ' (is its CustomResourceDefinition installed?)'}`);
    }
    if (resource.namespaced) obj.metadata.namespace = obj.metadata.namespace ?? opts.namespace ?? client.defaultNamespace;
    else delete obj.metadata.namespace;
    const ref = refOf(obj);
    const before = await client.get(ref);
    if (isWorkload(obj)) {
      const previous = before ? await recordRevision(client, before) : null;
      result.previousRevisions[describeRef(obj)] = previous;
      result.workloads.push({ workload: describeRef(obj), ref, previousRevision: previous, state: 'applied' });
    }
    let after: K8sObject;
    try {
      after = await client.apply(obj, { fieldManager: opts.fieldManager, force: opts.force, dryRun: opts.dryRun });
    } catch (e) {
      throw new Error(applyErrorMessage(obj, e, opts.force));
    }
    const action: AppliedObject['action'] = !before ? 'created' : semanticEqual(withoutVolatile(before), withoutVolatile(after)) ? 'unchanged' : 'configured';
    io.log(`${kubectlName(obj)} ${action}${opts.dryRun ? ' (server dry run)' : ''}`);
    result.applied.push({ object: kubectlName(obj), ref, action });
    out.push(obj);
  }
  return out;
}

/** Resolves sleep early when woken (a watch event) or when the signal aborts. */
class Waker {
  private wakeUp?: () => void;
  private pending = false;

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending || signal?.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

export interface WaitResult {
  ref: ObjectRef;
  outcome: 'done' | 'failed' | 'timeout' | 'cancelled';
  status: RolloutStatus;
  object?: K8sObject;
}

async function podsOf(client: ClusterClient, workload: K8sObject): Promise<K8sObject[]> {
  const selector = labelSelectorToString(getPath(workload, ['spec', 'selector']));
  if (!selector) return [];
  return client.list('v1', 'Pod', workload.metadata.namespace, { labelSelector: selector });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for one workload by the rules of `kubectl rollout status`, logging each new status line. */
async function waitOne(io: DeployIO, ref: ObjectRef, deadline: number, signal: AbortSignal): Promise<WaitResult> {
  const now = io.now ?? Date.now;
  const poll = io.pollIntervalMs ?? 1000;
  const waker = new Waker();
  let stopWatch: () => void = () => undefined;
  if (io.client.watch) {
    try {
      stopWatch = await io.client.watch(ref, () => waker.wake());
    } catch {
      // Polling alone will do.
    }
  }
  const name = describeRef(ref);
  let status: RolloutStatus = { done: false, message: 'not read yet' };
  let object: K8sObject | undefined;
  let last = '';
  try {
    for (;;) {
      if (signal.aborted) return { ref, outcome: 'cancelled', status, object };
      const readAt = now();
      let read: K8sObject | undefined;
      try {
        read = await io.client.get(ref);
      } catch (e) {
        // A dropped connection or an API server restart: keep trying until the deadline, as kubectl's watch does.
        status = { done: false, message: `cannot read ${name}: ${(e as Error).message}` };
        if (status.message !== last) {
          io.log(`${name}: ${status.message} (retrying)`);
          last = status.message;
        }
        const remaining = deadline - now();
        if (remaining <= 0) return { ref, outcome: 'timeout', status, object };
        await waker.sleep(Math.min(poll, remaining), signal);
        continue;
      }
      if (!read) return { ref, outcome: 'failed', status: { done: false, failed: true, reason: 'NotFound', message: `${name} no longer exists` } };
      object = read;
      status = rolloutStatus(object);
      if (!status.done && !status.failed && object.kind === 'Deployment') {
        try {
          status = rolloutStatus(object, { pods: await podsOf(io.client, object) });
        } catch {
          // The warning is a nicety; the status stands without it.
        }
      }
      if (status.message !== last) {
        io.log(`${name}: ${status.message}`);
        last = status.message;
      }
      if (status.done) return { ref, outcome: 'done', status, object };
      if (status.failed) return { ref, outcome: 'failed', status, object };
      const remaining = deadline - now();
      if (remaining <= 0) return { ref, outcome: 'timeout', status, object };
      await waker.sleep(Math.min(poll, remaining), signal);
      // Watch events come in bursts: read at most every 100 ms.
      const since = now() - readAt;
      if (since < 100 && !signal.aborted) await sleep(100 - since);
    }
  } finally {
    stopWatch();
  }
}

/**
 * Waits for all the workloads at once, until each has rolled out, one has
 * failed (the others are then no longer waited for) or the time is up.
 */
export async function waitForRollouts(io: DeployIO, refs: ObjectRef[], timeoutMs: number): Promise<WaitResult[]> {
  const now = io.now ?? Date.now;
  const deadline = now() + timeoutMs;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.all(
      refs.map(async (ref) => {
        const r = await waitOne(io, ref, deadline, stop.signal);
        if (r.outcome === 'failed') stop.abort();
        return r;
      }),
    );
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
  }
}

/** Lists what tells why a workload did not roll out: its pods, ReplicaSets and the namespace's events. */
export async function gatherReasons(client: ClusterClient, workload: K8sObject, status: RolloutStatus): Promise<FailureReasons> {
  const ns = workload.metadata.namespace;
  const selector = labelSelectorToString(getPath(workload, ['spec', 'selector']));
  const safely = async (f: () => Promise<K8sObject[]>) => {
    try {
      return await f();
    } catch {
      return [];
    }
  };
  const [pods, replicaSets, events] = await Promise.all([
    safely(() => podsOf(client, workload)),
    workload.kind === 'Deployment' ? safely(() => client.list('apps/v1', 'ReplicaSet', ns, { labelSelector: selector })) : Promise.resolve([]),
    safely(() => client.list('v1', 'Event', ns)),
  ]);
  return collectFailureReasons(workload, { status, pods, replicaSets, events });
}

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

export interface WaitStepOptions {
  timeoutSeconds: number;
  rollbackOnFailure: boolean;
  fieldManager: string;
}

/**
 * Waits for every workload; when one fails or the time runs out, collects
 * the reasons, undoes every workload this deploy changed (unless
 * rollbackOnFailure is off), waits for the undo, and throws an Error that
 * names the workload, what happened and why.
 */
export async function waitAndRollback(io: DeployIO, applied: K8sObject[], opts: WaitStepOptions, result: K8sDeployResult): Promise<void> {
  const workloads = applied.filter(isWorkload);
  const outcome = (ref: ObjectRef) => {
    let o = result.workloads.find((w) => refKey(w.ref) === refKey(ref));
    if (!o) {
      o = { workload: describeRef(ref), ref, previousRevision: null, state: 'applied' };
      result.workloads.push(o);
    }
    return o;
  };
  if (!workloads.length) {
    io.log('no Deployment, StatefulSet or DaemonSet to wait for');
    return;
  }
  const timeoutMs = opts.timeoutSeconds * 1000;
  const results = await waitForRollouts(io, workloads.map(refOf), timeoutMs);
  if (io.signal?.aborted) throw new Error('interrupted');
  for (const r of results) {
    const o = outcome(r.ref);
    o.message = r.status.message;
    o.state = r.outcome === 'done' ? (r.status.skipped ? 'skipped' : 'rolled-out') : r.outcome === 'failed' ? 'failed' : 'not-completed';
  }
  const failures = results.filter((r) => r.outcome === 'failed' || r.outcome === 'timeout');
  if (!failures.length) return;

  for (const f of failures) {
    const o = outcome(f.ref);
    const reasons = f.object ? await gatherReasons(io.client, f.object, f.status) : { summary: f.status.message, details: [] };
    o.reason = f.outcome === 'timeout' ? `${reasons.summary} (not complete after ${opts.timeoutSeconds}s: ${f.status.message})` : reasons.summary;
    o.details = reasons.details;
    io.log(`${o.workload} did not roll out: ${o.reason}`);
    for (const d of reasons.details) io.log(`  ${d}`);
  }

  const failedKeys = new Set(failures.map((f) => refKey(f.ref)));
  const notRolledBack = new Map<string, string>();
  const rolledBack: Array<{ ref: ObjectRef; toRevision: number }> = [];
  if (!opts.rollbackOnFailure) {
    for (const f of failures) notRolledBack.set(refKey(f.ref), 'left as it is: rollbackOnFailure is off');
  } else {
    for (const obj of workloads) {
      const ref = refOf(obj);
      const o = outcome(ref);
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
        await io.client.apply(undoObject(obj, undo), { fieldManager: opts.fieldManager, force: true, dryRun: false });
      } catch (e) {
        notRolledBack.set(key, `the rollback failed: ${e instanceof KubeApiError ? e.message : (e as Error).message}`);
        continue;
      }
      o.rolledBackTo = undo.toRevision;
      rolledBack.push({ ref, toRevision: undo.toRevision });
      if (live?.kind === 'StatefulSet') await releaseStuckPods(io, live);
    }
  }

  let undoResults: WaitResult[] = [];
  if (rolledBack.length) {
    result.rolledBack = true;
    undoResults = await waitForRollouts(io, rolledBack.map((r) => r.ref), timeoutMs);
    if (io.signal?.aborted) throw new Error('interrupted');
  }
  const undoResult = (ref: ObjectRef) => undoResults.find((u) => refKey(u.ref) === refKey(ref));

  const parts: string[] = [];
  for (const f of failures) {
    const key = refKey(f.ref);
    const o = outcome(f.ref);
    const u = undoResult(f.ref);
    if (u && u.outcome === 'done') {
      o.state = 'rolled-back';
      parts.push(`${o.workload} rolled back to revision ${o.rolledBackTo}: ${o.reason}`);
    } else if (u) {
      o.state = 'rollback-incomplete';
      parts.push(`${o.workload} rolled back to revision ${o.rolledBackTo}, but that rollout did not complete either (${u.status.message}): ${o.reason}`);
    } else {
      parts.push(`${o.workload} did not roll out (${notRolledBack.get(key) ?? 'not rolled back'}): ${o.reason}`);
    }
  }
  for (const r of rolledBack) {
    if (failedKeys.has(refKey(r.ref))) continue;
    const o = outcome(r.ref);
    const u = undoResult(r.ref);
    o.state = u?.outcome === 'done' ? 'rolled-back' : 'rollback-incomplete';
    parts.push(`${o.workload} also rolled back to revision ${r.toRevision}${u?.outcome === 'done' ? '' : ` (not complete: ${u?.status.message})`}`);
  }
  result.failed = true;
  result.reason = parts.join('; ');
  throw new Error(result.reason);
}

/** Kinds prune may delete (namespaced only; PersistentVolumeClaims and Namespaces are never pruned). */
export const PRUNE_KINDS: Array<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
];

/**
 * Deletes objects that match the selector, were server-side applied by
 * `fieldManager`, and are not among the applied objects, in the namespaces
 * the deploy touched (as `kubectl apply --prune -l` does, limited to objects
 * this tool manages).
 */
export async function pruneObjects(
  io: DeployIO,
  applied: K8sObject[],
  opts: { selector: string; fieldManager: string; dryRun: boolean },
  result: K8sDeployResult,
): Promise<void> {
  const keep = new Set(applied.map((o) => refKey(refOf(o))));
  const namespaces = [...new Set(applied.map((o) => o.metadata.namespace).filter((ns): ns is string => !!ns))];
  for (const { apiVersion, kind } of PRUNE_KINDS) {
    let resource: { namespaced: boolean } | undefined;
    try {
      resource = await io.client.resourceFor(apiVersion, kind);
    } catch {
      resource = undefined;
    }
    if (!resource?.namespaced) continue;
    for (const ns of namespaces) {
      const found = await io.client.list(apiVersion, kind, ns, { labelSelector: opts.selector });
      for (const obj of found) {
        const ref = refOf({ ...obj, apiVersion, kind });
        if (keep.has(refKey(ref))) continue;
        const managed = (obj.metadata.managedFields ?? []).some((m) => m.manager === opts.fieldManager && m.operation === 'Apply');
        if (!managed) continue;
        await io.client.delete(ref, { dryRun: opts.dryRun });
        io.log(`${kubectlName({ apiVersion, kind, name: obj.metadata.name })} pruned${opts.dryRun ? ' (server dry run)' : ''}`);
        result.pruned.push(describeRef(ref, true));
      }
    }
  }
  if (!result.pruned.length) io.log(`nothing to prune (selector ${opts.selector})`);
}
