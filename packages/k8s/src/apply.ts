import { ClusterClient, KubeApiError } from './cluster';
import { DeployIO } from './deploy-io';
import { AppliedObject, K8sDeployResult } from './deploy-result';
import { kubectlName } from './kubectl-name';
import { labelSelectorToString } from './selectors';
import { clone, describeRef, getPath, isWorkload, K8sObject, refOf } from './types';
import { currentRevision, revisionOf, semanticEqual } from './undo';

function withoutVolatile(obj: K8sObject | undefined): unknown {
  if (!obj) return undefined;
  const copy = clone(obj) as Record<string, unknown> & { metadata: Record<string, unknown> };
  delete copy.status;
  for (const key of ['resourceVersion', 'managedFields', 'generation', 'uid', 'creationTimestamp']) delete copy.metadata[key];
  return copy;
}

export function applyErrorMessage(obj: K8sObject, e: unknown, force: boolean): string {
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
 * A copy of the object placed as the API server will store it: namespaced
 * kinds get `namespace` (else the context's) when they name none, cluster
 * kinds lose a namespace. Undefined when the server does not serve the kind.
 */
export async function placeObject(client: ClusterClient, original: K8sObject, namespace: string | undefined): Promise<K8sObject | undefined> {
  const resource = await client.resourceFor(original.apiVersion, original.kind);
  if (!resource) return undefined;
  const obj = clone(original);
  if (resource.namespaced) obj.metadata.namespace = obj.metadata.namespace ?? namespace ?? client.defaultNamespace;
  else delete obj.metadata.namespace;
  return obj;
}

/** The error for a kind the API server does not serve. */
export function notServedMessage(obj: K8sObject, dryRun: boolean): string {
  return `${kubectlName(obj)}: the API server does not serve ${obj.kind} in ${obj.apiVersion}${dryRun ? ' (in a server dry run a CRD of the same manifests is not stored, so its resources cannot be checked)' : ' (is its CustomResourceDefinition installed?)'}`;
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
    const obj = await placeObject(client, original, opts.namespace);
    if (!obj) throw new Error(notServedMessage(original, opts.dryRun));
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
