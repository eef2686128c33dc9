import { ClusterClient } from './cluster';
import { labelSelectorToString } from './selectors';
import { getPath, K8sObject } from './types';

/** The pods a workload's selector matches (none when it has no selector). */
export async function podsOf(client: ClusterClient, workload: K8sObject): Promise<K8sObject[]> {
  const selector = labelSelectorToString(getPath(workload, ['spec', 'selector']));
  if (!selector) return [];
  return client.list('v1', 'Pod', workload.metadata.namespace, { labelSelector: selector });
}
