import { clone, describeRef, getPath, isPlainObject, K8sObject } from './types';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export function isDns1123Label(s: string): boolean {
  return typeof s === 'string' && s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return typeof s === 'string' && s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** A label or annotation key: `[prefix/]name`, prefix a DNS subdomain, name at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || !key) return 'is empty';
  const parts = key.split('/');
  if (parts.length > 2) return 'has more than one "/"';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return `prefix "${prefix}" is not a DNS subdomain (lowercase letters, digits, "-" and ".")`;
  if (name.length > 63) return 'name part is longer than 63 characters';
  if (!QUALIFIED_NAME.test(name)) return 'name part must start and end with a letter or digit and hold only letters, digits, "-", "_" and "."';
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  if (value === '') return undefined;
  if (value.length > 63) return 'is longer than 63 characters';
  if (!QUALIFIED_NAME.test(value)) return 'must start and end with a letter or digit and hold only letters, digits, "-", "_" and "."';
  return undefined;
}

/** Kinds that live outside namespaces (the built-in ones; others are asked of the API server). */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding',
  'StorageClass', 'PriorityClass', 'IngressClass', 'RuntimeClass', 'APIService', 'CSIDriver', 'CSINode',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'VolumeAttachment', 'CertificateSigningRequest', 'FlowSchema',
  'PriorityLevelConfiguration', 'ComponentStatus', 'GatewayClass', 'ClusterIssuer',
]);

/** Built-in namespaced kinds (so the namespace can be set before the API server is asked). */
export const NAMESPACED_KINDS = new Set([
  'Pod', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolumeClaim', 'Endpoints', 'Event',
  'LimitRange', 'ResourceQuota', 'ReplicationController', 'PodTemplate', 'Deployment', 'StatefulSet',
  'DaemonSet', 'ReplicaSet', 'ControllerRevision', 'Job', 'CronJob', 'Ingress', 'NetworkPolicy',
  'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'EndpointSlice', 'Lease',
]);

/** The pod templates of a workload (where common labels also go), by kind. */
function podTemplates(obj: K8sObject): Array<{ template: Record<string, unknown>; selector?: Record<string, unknown> }> {
  const spec = obj.spec;
  if (!isPlainObject(spec)) return [];
  if (obj.kind === 'CronJob') {
    const jobSpec = getPath(spec, ['jobTemplate', 'spec']);
    const t = getPath(jobSpec, ['template']);
    return isPlainObject(t) ? [{ template: t, selector: getPath(jobSpec, ['selector']) as Record<string, unknown> | undefined }] : [];
  }
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job'].includes(obj.kind) && isPlainObject(spec.template)) {
    return [{ template: spec.template, selector: spec.selector as Record<string, unknown> | undefined }];
  }
  return [];
}

export interface CommonMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * Adds labels and annotations to every object's metadata, and the labels to
 * the pod templates of workloads (so pods carry them), never to selectors: a
 * label a selector already matches on keeps its value. Returns copies.
 */
export function addCommonMetadata(objects: K8sObject[], common: CommonMetadata): K8sObject[] {
  const labels = common.labels ?? {};
  const annotations = common.annotations ?? {};
  return objects.map((o) => {
    const copy = clone(o);
    copy.metadata = copy.metadata ?? {};
    if (Object.keys(labels).length) copy.metadata.labels = { ...(copy.metadata.labels ?? {}), ...labels };
    if (Object.keys(annotations).length) copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), ...annotations };
    if (Object.keys(labels).length) {
      for (const { template, selector } of podTemplates(copy)) {
        const matchLabels = (isPlainObject(selector) && isPlainObject(selector.matchLabels) ? selector.matchLabels : copy.kind === 'ReplicationController' ? selector ?? {} : {}) as Record<string, string>;
        const meta = (isPlainObject(template.metadata) ? template.metadata : (template.metadata = {})) as { labels?: Record<string, string> };
        const next = { ...(meta.labels ?? {}) };
        for (const [k, v] of Object.entries(labels)) if (!(k in matchLabels)) next[k] = v;
        meta.labels = next;
      }
    }
    return copy;
  });
}

/**
 * Puts namespaced objects without a namespace into `namespace`, like
 * `kubectl apply -n`. An object that names another namespace is an error, as
 * with kubectl. Kinds the function does not know are left for the API server's
 * discovery to decide.
 */
export function applyNamespace(objects: K8sObject[], namespace: string | undefined): { objects: K8sObject[]; problems: string[] } {
  const problems: string[] = [];
  const out = objects.map((o) => {
    const copy = clone(o);
    if (CLUSTER_SCOPED_KINDS.has(copy.kind)) return copy;
    const ns = copy.metadata.namespace;
    if (namespace && ns && ns !== namespace) problems.push(`${describeRef(copy)} names namespace "${ns}", not "${namespace}"`);
    else if (namespace && !ns && NAMESPACED_KINDS.has(copy.kind)) copy.metadata.namespace = namespace;
    return copy;
  });
  return { objects: out, problems };
}
