import { DeployIO } from './deploy-io';
import { K8sDeployResult } from './deploy-result';
import { kubectlName } from './kubectl-name';
import { describeRef, K8sObject, refKey, refOf } from './types';

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
