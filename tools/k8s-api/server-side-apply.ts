// Server-side apply: field managers, conflicts, removal of fields a manager stops applying, dryRun=All.
import { ApiError } from './api-error';
import { deleteAt, FieldPath, getAt, leafPaths, mergeInto, pathKey, pathText } from './field-paths';
import { managedFieldsOf, recordOwnership } from './field-ownership';
import { checkNamespace, finalize } from './finalize-write';
import { gv, Resource } from './resources';
import { ObjectStore } from './store';
import { Json, K8sObjectJson } from './types';
import { invalid } from './validation';
import { clone, isObj, same } from './values';

export interface WriteResult {
  object: K8sObjectJson;
  created: boolean;
}

/** Server-side apply of `config` to r/namespace/name by `manager`. */
export function serverSideApply(store: ObjectStore, r: Resource, namespace: string | undefined, name: string, config: Json, opts: { manager?: string; force: boolean; dryRun: boolean }): WriteResult {
  const { manager, force, dryRun } = opts;
  if (!manager) throw new ApiError(400, 'BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  if (!isObj(config)) throw new ApiError(400, 'BadRequest', 'the apply patch is not an object');
  if (config.kind !== r.kind || (config.apiVersion && config.apiVersion !== gv(r))) {
    throw new ApiError(400, 'BadRequest', `the API version in the data (${config.apiVersion}) does not match the expected API version (${gv(r)})`);
  }
  const meta = config.metadata || {};
  if (meta.name !== name) throw new ApiError(400, 'BadRequest', `the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  if (r.namespaced && meta.namespace && meta.namespace !== namespace) throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  checkNamespace(store, r, namespace);
  const key = store.keyOf(r, namespace, name);
  const live = store.objects.get(key);
  const table = store.ownership.table(key);
  const managerKey = `${manager}|Apply`;
  const mine = table.get(managerKey);
  const paths = leafPaths(config);
  const conflicts: Array<{ manager: string; apiVersion: string; path: FieldPath }> = [];
  if (live) {
    for (const [mk, o] of table) {
      if (mk === managerKey) continue;
      for (const p of paths) {
        // A conflict: another manager set this field to a different value.
        if (o.paths.has(pathKey(p)) && !same(o.values.get(pathKey(p)), getAt(config, p))) conflicts.push({ manager: o.manager, apiVersion: o.apiVersion, path: p });
      }
    }
  }
  if (conflicts.length && !force) {
    const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${pathText(c.path)}`);
    const message = conflicts.length === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
    throw new ApiError(409, 'Conflict', message, { causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: pathText(c.path) })) });
  }
  const next: K8sObjectJson = live ? clone(live) : { apiVersion: gv(r), kind: r.kind, metadata: { name, ...(r.namespaced ? { namespace } : {}) } };
  delete next.metadata.managedFields;
  // Fields this manager applied before and no longer applies are removed, unless someone else owns them.
  if (mine && live) {
    const now = new Set(paths.map(pathKey));
    for (const [pk, p] of mine.paths) {
      if (now.has(pk)) continue;
      const ownedElsewhere = [...table].some(([mk, o]) => mk !== managerKey && o.paths.has(pk));
      if (!ownedElsewhere) deleteAt(next, p);
    }
  }
  mergeInto(next, config);
  if (r.namespaced) next.metadata.namespace = namespace;
  else delete next.metadata.namespace;
  const problem = invalid(r, next, live);
  if (problem) throw new ApiError(422, 'Invalid', `${r.kind} "${name}" is invalid: ${problem}`);
  if (dryRun) {
    const scratch = store.ownership.scratchCopy(key);
    recordOwnership(scratch, managerKey, manager, 'Apply', gv(r), paths, force, config);
    const out = finalize(r, next, live, managedFieldsOf(scratch, gv(r)));
    if (!live) out.metadata.resourceVersion = undefined;
    return { object: out, created: !live };
  }
  recordOwnership(table, managerKey, manager, 'Apply', gv(r), paths, force, config);
  finalize(r, next, live, store.ownership.managedFields(key, gv(r)));
  return { object: store.put(r, next, live ? 'MODIFIED' : 'ADDED'), created: !live };
}
