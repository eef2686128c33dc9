// Paths to the fields of an object, as server-side apply tracks who owns them.
import { clone, isObj } from './values';
import { Json } from './types';

/** Keys from the root; an item of a named list is `name=<name>`. */
export type FieldPath = string[];

/** Lists of named items (containers, env, volumes, ports with names, …) are tracked item by item, keyed `name=<name>`. */
const isNamedList = (v: Json): boolean => Array.isArray(v) && v.length > 0 && v.every((x) => isObj(x) && typeof x.name === 'string');

const SERVER_METADATA = ['name', 'namespace', 'managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp'];

/** Leaf paths of an applied configuration; other lists are owned whole. */
export function leafPaths(obj: Json, prefix: FieldPath = [], out: FieldPath[] = []): FieldPath[] {
  for (const [k, v] of Object.entries<Json>(obj || {})) {
    if (prefix.length === 0 && (k === 'apiVersion' || k === 'kind' || k === 'status')) continue;
    if (prefix.length === 1 && prefix[0] === 'metadata' && SERVER_METADATA.includes(k)) continue;
    const p = [...prefix, k];
    if (isObj(v) && Object.keys(v).length) leafPaths(v, p, out);
    else if (isNamedList(v)) for (const item of v) leafPaths(item, [...p, `name=${item.name}`], out);
    else out.push(p);
  }
  return out;
}

export const pathKey = (p: FieldPath): string => JSON.stringify(p);

/** `.spec.template.spec.containers[name="api"].image`, as conflict messages name a field. */
export const pathText = (p: FieldPath): string => p.map((k) => (k.startsWith('name=') ? `[name=${JSON.stringify(k.slice(5))}]` : `.${k}`)).join('');

function step(cur: Json, k: string): Json {
  if (Array.isArray(cur) && k.startsWith('name=')) return cur.find((x) => isObj(x) && x.name === k.slice(5));
  return isObj(cur) ? cur[k] : undefined;
}

export function getAt(obj: Json, p: FieldPath): Json {
  let cur = obj;
  for (const k of p) {
    cur = step(cur, k);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes the field at `p`, and the maps and lists its removal leaves empty. */
export function deleteAt(obj: Json, p: FieldPath): void {
  const parents: Array<[Json, string]> = [];
  let cur = obj;
  for (const k of p.slice(0, -1)) {
    const next = step(cur, k);
    if (!isObj(next) && !Array.isArray(next)) return;
    parents.push([cur, k]);
    cur = next;
  }
  const last = p[p.length - 1];
  if (Array.isArray(cur) && last.startsWith('name=')) {
    const i = cur.findIndex((x) => isObj(x) && x.name === last.slice(5));
    if (i >= 0) cur.splice(i, 1);
  } else if (isObj(cur)) {
    delete cur[last];
  }
  for (let i = parents.length - 1; i >= 0; i--) {
    const [parent, key] = parents[i];
    const child = step(parent, key);
    const empty = (isObj(child) && !Object.keys(child).length) || (Array.isArray(child) && !child.length);
    if (!empty) break;
    if (Array.isArray(parent)) parent.splice(parent.indexOf(child), 1);
    else delete parent[key];
  }
}

/** Deep-merges maps of `patch` into `target`; lists and scalars replace. */
export function mergeInto(target: Json, patch: Json): Json {
  for (const [k, v] of Object.entries<Json>(patch)) {
    if (isObj(v) && isObj(target[k])) mergeInto(target[k], v);
    else target[k] = clone(v);
  }
  return target;
}

/** managedFields' fieldsV1 for a set of owned paths. */
export function fieldsV1(paths: FieldPath[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const p of paths) {
    let cur = out;
    for (const k of p) {
      const field = k.startsWith('name=') ? `k:${JSON.stringify({ name: k.slice(5) })}` : `f:${k}`;
      cur = cur[field] = cur[field] || {};
    }
  }
  return out;
}
