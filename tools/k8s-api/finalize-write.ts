// What every client write goes through before it is stored: server-set metadata, defaults, generation.
import { randomUUID } from 'crypto';
import { ApiError } from './api-error';
import { applyDefaults } from './defaults';
import { gv, Resource } from './resources';
import { ObjectStore } from './store';
import { Json, K8sObjectJson } from './types';
import { clone, isObj, nowIso, same } from './values';

const WITHOUT_SPEC = ['ConfigMap', 'Secret', 'Event', 'ServiceAccount', 'Endpoints', 'ControllerRevision', 'ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding'];
const SPEC_REQUIRED = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'Service', 'Namespace'];
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

/** Whether a kind has a spec (and so a metadata.generation). */
export const hasSpec = (kind: string): boolean => !WITHOUT_SPEC.includes(kind);

/** Finishes a write: metadata, Secret stringData, defaults, generation, managedFields. */
export function finalize(r: Resource, next: K8sObjectJson, live: K8sObjectJson | undefined, managedFields: Json[] | undefined): K8sObjectJson {
  next.apiVersion = gv(r);
  next.kind = r.kind;
  next.metadata = next.metadata || {};
  if (r.kind === 'Secret' && isObj(next.stringData)) {
    next.data = next.data || {};
    for (const [k, v] of Object.entries(next.stringData)) next.data[k] = Buffer.from(String(v)).toString('base64');
    delete next.stringData;
  }
  if (hasSpec(r.kind) && !isObj(next.spec) && SPEC_REQUIRED.includes(r.kind)) next.spec = {};
  if (isObj(next.spec)) applyDefaults(next);
  next.metadata.uid = live ? live.metadata.uid : randomUUID();
  next.metadata.creationTimestamp = live ? live.metadata.creationTimestamp : nowIso();
  if (hasSpec(r.kind) && r.kind !== 'Pod' && r.kind !== 'Namespace') {
    const prevGen = live ? live.metadata.generation || 1 : 0;
    next.metadata.generation = !live ? 1 : same(live.spec, next.spec) ? prevGen : prevGen + 1;
  } else {
    delete next.metadata.generation;
  }
  if (live && live.status !== undefined && next.status === undefined) next.status = clone(live.status);
  if (!live && WORKLOAD_KINDS.includes(r.kind)) next.status = next.status || {};
  if (r.kind === 'Namespace') next.status = { phase: 'Active' };
  if (managedFields) next.metadata.managedFields = managedFields;
  else delete next.metadata.managedFields;
  next.metadata.resourceVersion = live ? live.metadata.resourceVersion : undefined;
  return next;
}

/** Writing into a namespace that does not exist is a 404, as on a real cluster. */
export function checkNamespace(store: ObjectStore, r: Resource, namespace: string | undefined): void {
  if (!r.namespaced) return;
  const nsRes = store.resources.byKind('Namespace')!;
  if (!store.objects.has(store.keyOf(nsRes, '', namespace!))) throw new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
}
