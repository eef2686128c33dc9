// The resource types served: the built-in ones and those of every CustomResourceDefinition stored.
import { K8sObjectJson } from './types';

export interface Resource {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Served for a CustomResourceDefinition. */
  custom: boolean;
}

type BuiltinResource = [group: string, version: string, plural: string, singular: string, kind: string, namespaced: boolean, shortNames: string[]];

const BUILTIN_RESOURCES: BuiltinResource[] = [
  ['', 'v1', 'namespaces', 'namespace', 'Namespace', false, ['ns']],
  ['', 'v1', 'pods', 'pod', 'Pod', true, ['po']],
  ['', 'v1', 'services', 'service', 'Service', true, ['svc']],
  ['', 'v1', 'configmaps', 'configmap', 'ConfigMap', true, ['cm']],
  ['', 'v1', 'secrets', 'secret', 'Secret', true, []],
  ['', 'v1', 'events', 'event', 'Event', true, ['ev']],
  ['', 'v1', 'serviceaccounts', 'serviceaccount', 'ServiceAccount', true, ['sa']],
  ['', 'v1', 'persistentvolumeclaims', 'persistentvolumeclaim', 'PersistentVolumeClaim', true, ['pvc']],
  ['', 'v1', 'endpoints', 'endpoints', 'Endpoints', true, ['ep']],
  ['', 'v1', 'nodes', 'node', 'Node', false, ['no']],
  ['apps', 'v1', 'deployments', 'deployment', 'Deployment', true, ['deploy']],
  ['apps', 'v1', 'statefulsets', 'statefulset', 'StatefulSet', true, ['sts']],
  ['apps', 'v1', 'daemonsets', 'daemonset', 'DaemonSet', true, ['ds']],
  ['apps', 'v1', 'replicasets', 'replicaset', 'ReplicaSet', true, ['rs']],
  ['apps', 'v1', 'controllerrevisions', 'controllerrevision', 'ControllerRevision', true, []],
  ['batch', 'v1', 'jobs', 'job', 'Job', true, []],
  ['batch', 'v1', 'cronjobs', 'cronjob', 'CronJob', true, ['cj']],
  ['networking.k8s.io', 'v1', 'ingresses', 'ingress', 'Ingress', true, ['ing']],
  ['networking.k8s.io', 'v1', 'networkpolicies', 'networkpolicy', 'NetworkPolicy', true, ['netpol']],
  ['networking.k8s.io', 'v1', 'ingressclasses', 'ingressclass', 'IngressClass', false, []],
  ['policy', 'v1', 'poddisruptionbudgets', 'poddisruptionbudget', 'PodDisruptionBudget', true, ['pdb']],
  ['autoscaling', 'v2', 'horizontalpodautoscalers', 'horizontalpodautoscaler', 'HorizontalPodAutoscaler', true, ['hpa']],
  ['rbac.authorization.k8s.io', 'v1', 'roles', 'role', 'Role', true, []],
  ['rbac.authorization.k8s.io', 'v1', 'rolebindings', 'rolebinding', 'RoleBinding', true, []],
  ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'clusterrole', 'ClusterRole', false, []],
  ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'clusterrolebinding', 'ClusterRoleBinding', false, []],
  ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'customresourcedefinition', 'CustomResourceDefinition', false, ['crd', 'crds']],
];

/** `apps/v1`, or `v1` for the core group. */
export const gv = (r: Resource): string => (r.group ? `${r.group}/${r.version}` : r.version);

export class ResourceRegistry {
  readonly all: Resource[] = [];

  constructor() {
    for (const [group, version, plural, singular, kind, namespaced, shortNames] of BUILTIN_RESOURCES) this.add({ group, version, plural, singular, kind, namespaced, shortNames, custom: false });
  }

  add(r: Resource): void {
    if (this.all.some((x) => x.group === r.group && x.version === r.version && x.plural === r.plural)) return;
    this.all.push(r);
  }

  /** The resource of a kind, in `apiVersion` when it is served there. */
  byKind(kind: string, apiVersion?: string): Resource | undefined {
    return this.all.find((r) => r.kind === kind && (!apiVersion || gv(r) === apiVersion)) || this.all.find((r) => r.kind === kind);
  }

  find(group: string, version: string, plural: string): Resource | undefined {
    return this.all.find((r) => r.group === group && r.version === version && r.plural === plural);
  }

  /** The resource of a store key (`${group}/${plural}/…`). */
  ofKey(key: string): Resource | undefined {
    const [group, plural] = key.split('/');
    return this.all.find((r) => r.group === group && r.plural === plural);
  }

  /** Serves the kinds of a CustomResourceDefinition, in each of its served versions. */
  registerCrd(crd: K8sObjectJson): void {
    const spec = crd.spec || {};
    const names = spec.names || {};
    for (const v of spec.versions || []) {
      if (v.served === false) continue;
      this.add({
        group: spec.group,
        version: v.name,
        plural: names.plural,
        singular: names.singular || String(names.kind || '').toLowerCase(),
        kind: names.kind,
        namespaced: spec.scope !== 'Cluster',
        shortNames: names.shortNames || [],
        custom: true,
      });
    }
  }
}
