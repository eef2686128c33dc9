// Discovery answers: API groups and the resources of a group version.
import { hashOf } from './generated-names';
import { Resource } from './resources';
import { Json } from './types';

const ALL_CATEGORY = ['Pod', 'Service', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
const WITH_STATUS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'Namespace'];
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export interface ApiGroup {
  name: string;
  versions: Array<{ groupVersion: string; version: string }>;
  preferredVersion: { groupVersion: string; version: string };
}

export function discoveryGroups(resources: Resource[]): ApiGroup[] {
  const groups = new Map<string, Set<string>>();
  for (const r of resources) {
    if (!r.group) continue;
    if (!groups.has(r.group)) groups.set(r.group, new Set());
    groups.get(r.group)!.add(r.version);
  }
  return [...groups].map(([name, versions]) => {
    const vs = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: vs, preferredVersion: vs[0] };
  });
}

/** The APIResourceList of a group version, or undefined when nothing is served there. */
export function resourceList(resources: Resource[], group: string, version: string): Json {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (!rs.length) return undefined;
  const out: Json[] = [];
  for (const r of rs) {
    const categories = ALL_CATEGORY.includes(r.kind) ? { categories: ['all'] } : {};
    out.push({ name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS, ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...categories, storageVersionHash: hashOf(r.plural, 11) });
    if (WITH_STATUS.includes(r.kind)) out.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: out };
}
