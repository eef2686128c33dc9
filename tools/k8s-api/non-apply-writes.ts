import { ApiError, notFound } from './api-error';
import { getAt, leafPaths } from './field-paths';
import { managedFieldsOf, recordOwnership } from './field-ownership';
import { checkNamespace, finalize } from './finalize-write';
import { gv, Resource } from './resources';
import { WriteResult } from './server-side-apply';
import { ObjectStore } from './store';
import { K8sObjectJson } from './types';
import { invalid } from './validation';
import { clone, same } from './values';

/**
 * A non-apply write (create, replace, merge/JSON patch) by `manager`: it
 * takes over the fields it changed. On the `status` subresource only the
 * status is written.
 */
export function update(
  store: ObjectStore,
  r: Resource,
  namespace: string | undefined,
  name: string,
  next: K8sObjectJson,
  opts: { manager?: string; dryRun: boolean; create?: boolean; subresource?: string },
): WriteResult {
  const { manager, dryRun, create, subresource } = opts;
  checkNamespace(store, r, namespace);
  const key = store.keyOf(r, namespace, name);
  const live = store.objects.get(key);
  if (create && live) throw new ApiError(409, 'AlreadyExists', `${r.plural}${r.group ? `.${r.group}` : ''} "${name}" already exists`, { name, group: r.group, kind: r.plural });
  if (!create && !live) throw notFound(r, name);
  next.metadata = next.metadata || {};
  next.metadata.name = name;
  if (r.namespaced) next.metadata.namespace = namespace;
  if (subresource === 'status') {
    const out = clone(live!);
    out.status = clone(next.status);
    if (dryRun) return { object: out, created: false };
    return { object: store.put(r, out, 'MODIFIED'), created: false };
  }
  if (live) next.status = clone(live.status);
  const problem = invalid(r, next, live);
  if (problem) throw new ApiError(422, 'Invalid', `${r.kind} "${name}" is invalid: ${problem}`);
  const changed = leafPaths(next).filter((p) => !live || !same(getAt(live, p), getAt(next, p)));
  const table = dryRun ? store.ownership.scratchCopy(key) : store.ownership.table(key);
  if (manager) recordOwnership(table, `${manager}|Update`, manager, 'Update', gv(r), changed, true, next);
  finalize(r, next, live, managedFieldsOf(table, gv(r)));
  if (dryRun) return { object: next, created: !live };
  return { object: store.put(r, next, live ? 'MODIFIED' : 'ADDED'), created: !live };
}
