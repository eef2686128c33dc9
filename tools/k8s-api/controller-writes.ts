// Writes done by the controllers and the kubelet: no field ownership, no managedFields.
import { randomUUID } from 'crypto';
import { applyDefaults } from './defaults';
import { hasSpec } from './finalize-write';
import { gv } from './resources';
import { ObjectStore } from './store';
import { K8sObjectJson } from './types';
import { clone, isObj, nowIso, same } from './values';

/** Creates an object of `kind` with server-set metadata and defaults. */
export function controllerCreate(store: ObjectStore, kind: string, obj: Omit<K8sObjectJson, 'apiVersion' | 'kind'> & Partial<K8sObjectJson>): K8sObjectJson {
  const r = store.resources.byKind(kind)!;
  const created = obj as K8sObjectJson;
  created.apiVersion = gv(r);
  created.kind = r.kind;
  created.metadata.uid = randomUUID();
  created.metadata.creationTimestamp = nowIso();
  if (hasSpec(r.kind) && r.kind !== 'Pod') created.metadata.generation = 1;
  if (isObj(created.spec)) applyDefaults(created);
  return store.put(r, created, 'ADDED');
}

/** Stores a changed copy of `obj` when `mutate` changes anything (a spec change bumps the generation); returns what is stored. */
export function controllerWrite(store: ObjectStore, obj: K8sObjectJson, mutate: (copy: K8sObjectJson) => void): K8sObjectJson {
  const r = store.resources.byKind(obj.kind)!;
  const before = JSON.stringify(obj);
  const copy = clone(obj);
  mutate(copy);
  if (JSON.stringify(copy) === before) return obj;
  if (!same(obj.spec, copy.spec) && copy.metadata.generation !== undefined) copy.metadata.generation = (obj.metadata.generation || 1) + 1;
  return store.put(r, copy, 'MODIFIED');
}
