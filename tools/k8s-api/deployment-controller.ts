// The Deployment controller: a ReplicaSet per pod template with revision numbers, rolling or
// recreating updates, status conditions and the progress deadline.
import { ControllerContext } from './controller-context';
import { controllerCreate, controllerWrite } from './controller-writes';
import { hashOf } from './generated-names';
import { Json, K8sObjectJson } from './types';
import { clone, intOrPercent, nowIso, same } from './values';

const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const HASH_LABEL = 'pod-template-hash';
/** Annotations of a Deployment not copied to its ReplicaSets. */
const SKIP_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, 'deprecated.deployment.rollback.to']);

/** What the controller remembers of a Deployment between runs. */
interface Progress {
  /** When it last made progress (ms): the progress deadline counts from there. */
  lastProgress: number;
  newRS?: string;
  /** A new ReplicaSet was just created (the next status says so). */
  created?: boolean;
  timedOut?: boolean;
  newAvailable?: number;
}

function templateWithoutHash(t: Json): Json {
  const c = clone(t) ?? {};
  if (c.metadata && c.metadata.labels) delete c.metadata.labels[HASH_LABEL];
  return c;
}

const rsRevision = (rs: K8sObjectJson): number => Number((rs.metadata.annotations || {})[REVISION] || 0);
const available = (rs: K8sObjectJson): number => (rs.status && rs.status.availableReplicas) || 0;

/** Sets a condition; its times move only when its status (or, with keepTime, its reason) changes. */
function setCondition(conditions: Json[], cond: Json, keepTime: boolean): void {
  const i = conditions.findIndex((c) => c.type === cond.type);
  const now = nowIso();
  const prev = i >= 0 ? conditions[i] : undefined;
  const next = {
    ...cond,
    lastUpdateTime: prev && keepTime && prev.status === cond.status && prev.reason === cond.reason ? prev.lastUpdateTime : now,
    lastTransitionTime: prev && prev.status === cond.status ? prev.lastTransitionTime : now,
  };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
}

export class DeploymentController {
  /** Deployment uid → progress. */
  private readonly progress = new Map<string, Progress>();

  constructor(private readonly ctx: ControllerContext) {}

  run(d: K8sObjectJson): void {
    const { store, events } = this.ctx;
    const write = (obj: K8sObjectJson, mutate: (copy: K8sObjectJson) => void) => controllerWrite(store, obj, mutate);
    const replicas = d.spec.replicas ?? 1;
    const owned = store.ownedBy(d, 'ReplicaSet');
    let newRS: K8sObjectJson | undefined = owned
      .filter((rs) => same(templateWithoutHash(rs.spec.template), templateWithoutHash(d.spec.template)))
      .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)))[0];
    const maxRevision = owned.reduce((m, rs) => Math.max(m, rsRevision(rs)), 0);
    const state = this.progress.get(d.metadata.uid) || { lastProgress: Date.now() };
    this.progress.set(d.metadata.uid, state);
    const paused = d.spec.paused === true;
    let progressed = false;
    const desiredAnnotations = () => {
      const a: Record<string, string> = {};
      for (const [k, v] of Object.entries<string>(d.metadata.annotations || {})) if (!SKIP_ANNOTATIONS.has(k)) a[k] = v;
      return a;
    };
    const surge = d.spec.strategy.type === 'RollingUpdate' ? intOrPercent(d.spec.strategy.rollingUpdate.maxSurge, replicas, true) : 0;
    if (!paused) {
      if (!newRS) {
        const hash = hashOf({ template: templateWithoutHash(d.spec.template), n: owned.length });
        const template = clone(d.spec.template);
        template.metadata = template.metadata || {};
        template.metadata.labels = { ...(template.metadata.labels || {}), [HASH_LABEL]: hash };
        newRS = controllerCreate(store, 'ReplicaSet', {
          metadata: {
            name: `${d.metadata.name}-${hash}`,
            namespace: d.metadata.namespace,
            labels: template.metadata.labels,
            annotations: { ...desiredAnnotations(), [DESIRED_REPLICAS]: String(replicas), [MAX_REPLICAS]: String(replicas + surge), [REVISION]: String(maxRevision + 1) },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
          },
          spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds || 0, selector: { ...clone(d.spec.selector), matchLabels: { ...(d.spec.selector.matchLabels || {}), [HASH_LABEL]: hash } }, template },
        });
        state.newRS = newRS.metadata.name;
        state.created = true;
        state.lastProgress = Date.now();
        state.timedOut = false;
        progressed = true;
      } else if (rsRevision(newRS) < maxRevision) {
        // Rolled back (or back to an older template): that ReplicaSet becomes the newest revision.
        const old = rsRevision(newRS);
        newRS = write(newRS, (x) => {
          const history = x.metadata.annotations[REVISION_HISTORY] ? `${x.metadata.annotations[REVISION_HISTORY]},${old}` : String(old);
          x.metadata.annotations = { ...x.metadata.annotations, ...desiredAnnotations(), [REVISION]: String(maxRevision + 1), [REVISION_HISTORY]: history };
        });
        state.lastProgress = Date.now();
        state.timedOut = false;
        progressed = true;
      } else if (state.newRS !== newRS.metadata.name) {
        state.newRS = newRS.metadata.name;
      }
      const current = newRS;
      const olds = store.ownedBy(d, 'ReplicaSet').filter((rs) => rs.metadata.uid !== current.metadata.uid);
      const scale = (rs: K8sObjectJson, n: number) => {
        if ((rs.spec.replicas ?? 0) === n) return rs;
        const from = rs.spec.replicas ?? 0;
        events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${n > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${n}`);
        // Replicas moving from old to new (or a scale of the Deployment) is progress, as DeploymentProgressing counts it.
        state.lastProgress = Date.now();
        progressed = true;
        return write(rs, (x) => {
          x.spec.replicas = n;
          x.metadata.annotations = { ...x.metadata.annotations, [DESIRED_REPLICAS]: String(replicas), [MAX_REPLICAS]: String(replicas + surge) };
        });
      };
      if (d.spec.strategy.type === 'Recreate') {
        for (const rs of olds) scale(rs, 0);
        const oldPods = olds.reduce((n, rs) => n + store.ownedBy(rs, 'Pod').length, 0);
        if (!oldPods) newRS = scale(newRS, replicas);
      } else {
        newRS = this.rollingUpdate(d, newRS, olds, replicas, surge, scale);
      }
      if (newRS && available(newRS) > (state.newAvailable || 0)) {
        state.lastProgress = Date.now();
        progressed = true;
      }
      state.newAvailable = newRS ? available(newRS) : 0;
    }
    this.writeStatus(d, newRS, state, replicas, paused, progressed);
  }

  /** Scales the new ReplicaSet up within replicas + maxSurge and the old ones down while keeping replicas - maxUnavailable available. */
  private rollingUpdate(d: K8sObjectJson, newRS: K8sObjectJson, olds: K8sObjectJson[], replicas: number, surge: number, scale: (rs: K8sObjectJson, n: number) => K8sObjectJson): K8sObjectJson {
    const { store } = this.ctx;
    let maxUnavailable = intOrPercent(d.spec.strategy.rollingUpdate.maxUnavailable, replicas, false);
    if (surge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    const total = [newRS, ...olds].reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const newCount = newRS.spec.replicas ?? 0;
    if (newCount > replicas) newRS = scale(newRS, replicas);
    else if (newCount < replicas) {
      const room = replicas + surge - total;
      if (room > 0) newRS = scale(newRS, Math.min(replicas, newCount + room));
    }
    const minAvailable = replicas - maxUnavailable;
    const allPods = [newRS, ...olds].reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const newUnavailable = (newRS.spec.replicas ?? 0) - available(newRS);
    let maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown > 0) {
      // Unhealthy old pods go first.
      for (const rs of olds) {
        const unhealthy = Math.min((rs.spec.replicas ?? 0) - available(rs), maxScaledDown);
        if (unhealthy > 0) {
          scale(rs, (rs.spec.replicas ?? 0) - unhealthy);
          maxScaledDown -= unhealthy;
        }
      }
      const newUid = newRS.metadata.uid;
      const current = store
        .ownedBy(d, 'ReplicaSet')
        .filter((rs) => rs.metadata.uid !== newUid)
        .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
      const availableAll = store.ownedBy(d, 'ReplicaSet').reduce((n, rs) => n + available(rs), 0);
      let canRemove = availableAll - minAvailable;
      for (const rs of current) {
        if (canRemove <= 0) break;
        const n = Math.min(rs.spec.replicas ?? 0, canRemove);
        if (n > 0) {
          scale(rs, (rs.spec.replicas ?? 0) - n);
          canRemove -= n;
        }
      }
    }
    return newRS;
  }

  /**
   * Status counts and the Available and Progressing conditions (with the progress deadline). As in the
   * deployment controller's DeploymentTimedOut, a Deployment whose last rollout completed
   * (NewReplicaSetAvailable) does not time out: scaling it up again is not a stalled rollout.
   */
  private writeStatus(d: K8sObjectJson, newRS: K8sObjectJson | undefined, state: Progress, replicas: number, paused: boolean, progressed: boolean): void {
    const { store, scenario, events } = this.ctx;
    const all = store.ownedBy(d, 'ReplicaSet');
    const fresh = newRS ? all.find((rs) => rs.metadata.uid === newRS.metadata.uid) : undefined;
    const sum = (f: (rs: K8sObjectJson) => number) => all.reduce((n, rs) => n + f(rs), 0);
    const statusReplicas = sum((rs) => (rs.status && rs.status.replicas) || 0);
    const updated = fresh ? (fresh.status && fresh.status.replicas) || 0 : 0;
    const ready = sum((rs) => (rs.status && rs.status.readyReplicas) || 0);
    const avail = sum(available);
    const maxUnavailableNow = d.spec.strategy.type === 'RollingUpdate' ? intOrPercent(d.spec.strategy.rollingUpdate.maxUnavailable, replicas, false) : 0;
    const complete = fresh && updated === replicas && statusReplicas === replicas && avail >= replicas && (fresh.spec.replicas ?? 0) === replicas;
    const deadlineMs = (d.spec.progressDeadlineSeconds ?? 600) * 1000 * scenario.deadlineFactor;
    d = store.find('Deployment', d.metadata.namespace, d.metadata.name) || d;
    const name = d.metadata.name;
    controllerWrite(store, d, (x) => {
      if (fresh && !paused) x.metadata.annotations = { ...(x.metadata.annotations || {}), [REVISION]: String(rsRevision(fresh)) };
      const conditions = clone((x.status && x.status.conditions) || []);
      setCondition(
        conditions,
        avail >= replicas - maxUnavailableNow
          ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
          : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
        true,
      );
      const rsName = fresh ? fresh.metadata.name : `${name}`;
      if (paused) {
        setCondition(conditions, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, true);
      } else if (complete) {
        setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, true);
        state.timedOut = false;
      } else if (state.timedOut || (Date.now() - state.lastProgress > deadlineMs && !hasReason(conditions, 'NewReplicaSetAvailable'))) {
        if (!state.timedOut) events.record(d, 'Warning', 'ProgressDeadlineExceeded', `Deployment "${name}" has timed out progressing.`);
        state.timedOut = true;
        setCondition(conditions, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }, true);
      } else if (state.created) {
        state.created = false;
        setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsName}"` }, false);
      } else if (progressed) {
        setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` }, false);
      }
      x.status = {
        observedGeneration: x.metadata.generation,
        replicas: statusReplicas,
        updatedReplicas: updated,
        readyReplicas: ready,
        availableReplicas: avail,
        unavailableReplicas: Math.max(0, replicas - avail),
        conditions,
      };
      for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (!x.status[k]) delete x.status[k];
    });
  }
}

function hasReason(conditions: Array<{ type: string; reason?: string }>, reason: string): boolean {
  return conditions.some((c) => c.type === 'Progressing' && c.reason === reason);
}
