import { K8sObject } from './types';

/**
 * Apply order: what others depend on goes first. Namespaces (everything
 * else lives in them), CRDs (custom resources need them), cluster policy and
 * identity, config and secrets (pods mount them), storage, services (so DNS
 * exists when pods start), workloads, autoscalers, ingress and routes, then
 * webhooks and API services (which would otherwise intercept the objects
 * above), then unknown kinds (custom resources, whose CRDs are in by then).
 */
export const APPLY_ORDER: string[][] = [
  ['Namespace'],
  ['CustomResourceDefinition'],
  ['PriorityClass', 'StorageClass', 'IngressClass', 'RuntimeClass', 'GatewayClass'],
  ['ResourceQuota', 'LimitRange', 'NetworkPolicy', 'PodDisruptionBudget'],
  ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  ['Secret', 'ConfigMap'],
  ['PersistentVolume', 'PersistentVolumeClaim'],
  ['Service', 'Endpoints', 'EndpointSlice'],
  ['Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'],
  ['HorizontalPodAutoscaler'],
  ['Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute'],
  ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService'],
];

const RANK = new Map<string, number>(APPLY_ORDER.flatMap((kinds, i) => kinds.map((k) => [k, i] as [string, number])));

export function applyRank(kind: string): number {
  return RANK.get(kind) ?? APPLY_ORDER.length;
}

/** Sorts objects into apply order; objects of the same rank keep their input order. */
export function orderForApply<T extends K8sObject | { object: K8sObject }>(items: T[]): T[] {
  const kindOf = (x: T) => ('object' in x && x.object && typeof (x as { object: K8sObject }).object.kind === 'string' ? (x as { object: K8sObject }).object.kind : (x as K8sObject).kind);
  return items
    .map((item, index) => ({ item, index, rank: applyRank(kindOf(item)) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((x) => x.item);
}
