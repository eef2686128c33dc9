// Which field manager owns which fields of each object, for server-side apply's conflicts and managedFields.
import { fieldsV1, FieldPath, getAt, pathKey } from './field-paths';
import { Json } from './types';
import { clone, nowIso } from './values';

export interface OwnerEntry {
  manager: string;
  /** `Apply` for apply patches, `Update` for other writes. */
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  /** pathKey → path */
  paths: Map<string, FieldPath>;
  /** pathKey → the value the manager set */
  values: Map<string, Json>;
}

/** managerKey (`${manager}|${operation}`) → what that manager owns. */
export type OwnerTable = Map<string, OwnerEntry>;

export class FieldOwnership {
  /** Store key → owner table. */
  private readonly tables = new Map<string, OwnerTable>();

  table(key: string): OwnerTable {
    let table = this.tables.get(key);
    if (!table) this.tables.set(key, (table = new Map()));
    return table;
  }

  delete(key: string): void {
    this.tables.delete(key);
  }

  /** A copy of an object's table that a dry run may change. */
  scratchCopy(key: string): OwnerTable {
    return new Map([...this.table(key)].map(([k, o]) => [k, { ...o, paths: new Map(o.paths), values: new Map(o.values) }]));
  }

  /** metadata.managedFields of a stored object. */
  managedFields(key: string, apiVersion: string): Json[] | undefined {
    return managedFieldsOf(this.tables.get(key), apiVersion);
  }
}

/** metadata.managedFields for an owner table, or undefined when nobody owns a field. */
export function managedFieldsOf(table: OwnerTable | undefined, apiVersion: string): Json[] | undefined {
  if (!table) return undefined;
  const out: Json[] = [];
  for (const o of table.values()) {
    if (!o.paths.size) continue;
    out.push({ manager: o.manager, operation: o.operation, apiVersion: o.apiVersion || apiVersion, time: o.time, fieldsType: 'FieldsV1', fieldsV1: fieldsV1([...o.paths.values()]) });
  }
  return out.length ? out : undefined;
}

/**
 * Records that `manager` owns `paths`, with the values it set (from
 * `source`). An apply replaces what the manager owned; with `takeOver` the
 * other managers lose those fields.
 */
export function recordOwnership(table: OwnerTable, managerKey: string, manager: string, operation: OwnerEntry['operation'], apiVersion: string, paths: FieldPath[], takeOver: boolean, source: Json): void {
  const entry: OwnerEntry = table.get(managerKey) || { manager, operation, apiVersion, time: nowIso(), paths: new Map(), values: new Map() };
  if (operation === 'Apply') {
    entry.paths = new Map();
    entry.values = new Map();
  }
  for (const p of paths) {
    entry.paths.set(pathKey(p), p);
    entry.values.set(pathKey(p), clone(getAt(source, p)));
  }
  entry.time = nowIso();
  table.set(managerKey, entry);
  if (takeOver) {
    for (const [mk, o] of table) {
      if (mk === managerKey) continue;
      for (const p of paths) {
        o.paths.delete(pathKey(p));
        o.values.delete(pathKey(p));
      }
    }
  }
}
