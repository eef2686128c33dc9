import { ClusterClient } from './cluster';
import { collectFailureReasons, FailureReasons } from './reasons';
import { RolloutStatus } from './rollout-status';
import { labelSelectorToString } from './selectors';
import { getPath, K8sObject } from './types';
import { podsOf } from './workload-pods';

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
