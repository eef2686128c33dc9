import { isPlainObject } from '@shipfleet/core';

// The core check, re-exported for the modules that read Kubernetes JSON.
export { isPlainObject };

/** A Kubernetes object as plain JSON (what the API server sends and accepts). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: K8sMetadata;
  [field: string]: unknown;
}

export interface K8sMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  managedFields?: Array<{ manager?: string; operation?: string; apiVersion?: string; time?: string; fieldsType?: string; fieldsV1?: unknown }>;
  [field: string]: unknown;
}

/** Where an object lives: enough to read it back. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Where a rendered object came from, for messages. */
export interface ManifestObject {
  object: K8sObject;
  /** file (and document index) it was read from */
  source: string;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function isWorkload(obj: { kind?: string; apiVersion?: string }): boolean {
  return (WORKLOAD_KINDS as readonly string[]).includes(obj.kind ?? '') && /^(apps|extensions)\//.test(obj.apiVersion ?? '');
}

export function refOf(obj: K8sObject): ObjectRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name ?? '', namespace: obj.metadata?.namespace };
}

/** `deployment/api` (kubectl's short form), with the namespace when asked. */
export function describeRef(ref: { kind: string; name?: string; namespace?: string; metadata?: { name?: string; namespace?: string } }, withNamespace = false): string {
  const name = ref.name ?? ref.metadata?.name ?? '';
  const ns = ref.namespace ?? ref.metadata?.namespace;
  return `${withNamespace && ns ? `${ns}/` : ''}${ref.kind.toLowerCase()}/${name}`;
}

export function refKey(ref: ObjectRef): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Reads a nested field without throwing on missing parents. */
export function getPath(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
