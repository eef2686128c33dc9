import { Resource } from './resources';
import { selectorMatches } from './selectors';
import { K8sObjectJson } from './types';
import { isObj, same } from './values';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

/** A problem the real API server would refuse the object for (422), or undefined. */
export function invalid(r: Resource, obj: K8sObjectJson, live: K8sObjectJson | undefined): string | undefined {
  const name = obj.metadata.name;
  if (!name) return 'metadata.name: Required value: name or generateName is required';
  const dns = r.kind === 'Namespace' || r.kind === 'Service' ? /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ : /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  if (!r.custom && !/:/.test(name) && !dns.test(name) && r.kind !== 'Event') return `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 name must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
  if (WORKLOAD_KINDS.includes(r.kind)) {
    const sel = obj.spec && obj.spec.selector;
    if (!isObj(sel)) return 'spec.selector: Required value';
    const labels = obj.spec.template && obj.spec.template.metadata && obj.spec.template.metadata.labels;
    if (!selectorMatches(sel, labels)) return `spec.template.metadata.labels: Invalid value: ${JSON.stringify(labels || {})}: \`selector\` does not match template \`labels\``;
    if (live && !same(live.spec && live.spec.selector, sel)) return `spec.selector: Invalid value: ${JSON.stringify(sel)}: field is immutable`;
    const containers = obj.spec.template && obj.spec.template.spec && obj.spec.template.spec.containers;
    if (!Array.isArray(containers) || !containers.length) return 'spec.template.spec.containers: Required value';
    for (const c of containers) if (!c.image) return `spec.template.spec.containers[${c.name}].image: Required value`;
  }
  return undefined;
}
