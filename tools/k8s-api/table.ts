import { Resource } from './resources';
import { Json, K8sObjectJson } from './types';

type Column = [name: string, type: 'string' | 'integer', format: string];

const age = (o: K8sObjectJson): string => {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(o.metadata.creationTimestamp)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
};
const st = (o: K8sObjectJson): Json => o.status || {};

/** The columns kubectl prints for a kind, and each object's cells. */
function columnsOf(kind: string): { columns: Column[]; cells: (o: K8sObjectJson) => Json[] } {
  switch (kind) {
    case 'Deployment':
      return {
        columns: [['Name', 'string', 'name'], ['Ready', 'string', ''], ['Up-to-date', 'integer', ''], ['Available', 'integer', ''], ['Age', 'string', '']],
        cells: (o) => [o.metadata.name, `${st(o).readyReplicas || 0}/${o.spec.replicas ?? 1}`, st(o).updatedReplicas || 0, st(o).availableReplicas || 0, age(o)],
      };
    case 'ReplicaSet':
      return {
        columns: [['Name', 'string', 'name'], ['Desired', 'integer', ''], ['Current', 'integer', ''], ['Ready', 'integer', ''], ['Age', 'string', '']],
        cells: (o) => [o.metadata.name, o.spec.replicas ?? 1, st(o).replicas || 0, st(o).readyReplicas || 0, age(o)],
      };
    case 'Pod':
      return {
        columns: [['Name', 'string', 'name'], ['Ready', 'string', ''], ['Status', 'string', ''], ['Restarts', 'integer', ''], ['Age', 'string', '']],
        cells: (o) => {
          const cs: Json[] = st(o).containerStatuses || [];
          const waiting = cs.map((c) => c.state && c.state.waiting && c.state.waiting.reason).find(Boolean);
          return [o.metadata.name, `${cs.filter((c) => c.ready).length}/${(o.spec.containers || []).length}`, waiting || st(o).phase || 'Pending', cs.reduce((n, c) => n + (c.restartCount || 0), 0), age(o)];
        },
      };
    case 'StatefulSet':
      return {
        columns: [['Name', 'string', 'name'], ['Ready', 'string', ''], ['Age', 'string', '']],
        cells: (o) => [o.metadata.name, `${st(o).readyReplicas || 0}/${o.spec.replicas ?? 1}`, age(o)],
      };
    case 'DaemonSet':
      return {
        columns: [['Name', 'string', 'name'], ['Desired', 'integer', ''], ['Current', 'integer', ''], ['Ready', 'integer', ''], ['Up-to-date', 'integer', ''], ['Available', 'integer', ''], ['Age', 'string', '']],
        cells: (o) => [o.metadata.name, st(o).desiredNumberScheduled || 0, st(o).currentNumberScheduled || 0, st(o).numberReady || 0, st(o).updatedNumberScheduled || 0, st(o).numberAvailable || 0, age(o)],
      };
    default:
      return { columns: [['Name', 'string', 'name'], ['Age', 'string', '']], cells: (o) => [o.metadata.name, age(o)] };
  }
}

/** A meta.k8s.io/v1 Table, as kubectl asks for it when printing. */
export function toTable(r: Resource, items: K8sObjectJson[], listRv: string | number): Json {
  const { columns, cells } = columnsOf(r.kind);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(listRv) },
    columnDefinitions: columns.map(([name, type, format]) => ({ name, type, format, description: name, priority: 0 })),
    rows: items.map((o) => ({ cells: cells(o), object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } })),
  };
}
