import { MASK } from '@shipfleet/core';
import { stringify } from 'yaml';
import { applyErrorMessage, notServedMessage, placeObject } from './apply';
import { DeployIO } from './deploy-io';
import { kubectlName } from './kubectl-name';
import { unifiedDiff } from './line-diff';
import { clone, getPath, isPlainObject, K8sObject, refOf } from './types';

/** What the apply would do to one object. */
export interface ObjectDiff {
  /** `deployment.apps/api (namespace shop)` */
  object: string;
  change: 'new' | 'changed' | 'unchanged';
  /** The unified diff, live against after the apply; empty when unchanged. */
  lines: string[];
}

// Left out of the comparison, as kubectl diff leaves them out: the server sets them on every write.
const SERVER_SET_METADATA = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp'];
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
}

/** The object as compared: without status and the metadata the server sets on each write, keys sorted (as kubectl prints them). */
export function comparable(obj: K8sObject): K8sObject {
  const copy = clone(obj);
  delete copy.status;
  for (const key of SERVER_SET_METADATA) delete copy.metadata?.[key];
  return sortKeys(copy) as K8sObject;
}

/**
 * Masks the values of one map on both sides (only `keys`, when given): ***
 * when alike, *** (before) / *** (after) when they differ, as kubectl diff does.
 */
function maskPair(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined, keys?: string[]): void {
  for (const key of keys ?? new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])) {
    const b = before?.[key];
    const a = after?.[key];
    const differ = b !== undefined && a !== undefined && JSON.stringify(b) !== JSON.stringify(a);
    if (before && b !== undefined) before[key] = differ ? `${MASK} (before)` : MASK;
    if (after && a !== undefined) after[key] = differ ? `${MASK} (after)` : MASK;
  }
}

/** Replaces a Secret's data and stringData values (and the last-applied annotation that repeats them) on both sides, in place. */
export function maskSecretPair(before: K8sObject | undefined, after: K8sObject | undefined): void {
  if ((after ?? before)?.kind !== 'Secret') return;
  const map = (obj: K8sObject | undefined, path: string[]) => {
    const value = getPath(obj, path);
    return isPlainObject(value) ? value : undefined;
  };
  for (const field of ['data', 'stringData']) maskPair(map(before, [field]), map(after, [field]));
  maskPair(map(before, ['metadata', 'annotations']), map(after, ['metadata', 'annotations']), [LAST_APPLIED]);
}

const toYaml = (obj: K8sObject) => stringify(obj, { lineWidth: 0, aliasDuplicateObjects: false });

/** A CustomResourceDefinition among the objects that serves this kind: then it is new along with its CRD. */
function definingCrd(obj: K8sObject, objects: K8sObject[]): K8sObject | undefined {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return objects.find((o) => o.kind === 'CustomResourceDefinition' && getPath(o, ['spec', 'group']) === group && getPath(o, ['spec', 'names', 'kind']) === obj.kind);
}

/** The diff of one object: `before` is the live object (undefined when new), `after` what the server dry run returned. */
export function diffObject(name: string, before: K8sObject | undefined, after: K8sObject): ObjectDiff {
  const live = before && comparable(before);
  const next = comparable(after);
  maskSecretPair(live, next);
  const lines = unifiedDiff(live ? toYaml(live) : '', toYaml(next), { old: live ? `${name} live` : '/dev/null', next: `${name} after apply` });
  return { object: name, change: !live ? 'new' : lines.length ? 'changed' : 'unchanged', lines };
}

/**
 * What applying the objects would change, without changing anything: each
 * object is server-side applied with dryRun=All (same field manager and
 * force as the real apply, so defaults, admission and field ownership are
 * the server's), compared with the live object, and logged as a unified
 * diff. Secret values are masked on both sides.
 */
export async function diffObjects(io: DeployIO, objects: K8sObject[], opts: { fieldManager: string; force: boolean; namespace?: string }): Promise<ObjectDiff[]> {
  const { client } = io;
  const out: ObjectDiff[] = [];
  for (const original of objects) {
    if (io.signal?.aborted) throw new Error('interrupted');
    const placed = await placeObject(client, original, opts.namespace);
    let diff: ObjectDiff;
    if (!placed) {
      const crd = definingCrd(original, objects);
      if (!crd) throw new Error(notServedMessage(original, true));
      // Its CRD is not stored by a dry run, so the server cannot check it: shown as rendered.
      const obj = clone(original);
      if (getPath(crd, ['spec', 'scope']) === 'Namespaced') obj.metadata.namespace = obj.metadata.namespace ?? opts.namespace ?? client.defaultNamespace;
      diff = diffObject(describe(obj), undefined, obj);
      io.log(`${diff.object}: new, with its CustomResourceDefinition (shown as rendered: the server cannot check it before the CRD exists)`);
    } else {
      const before = await client.get(refOf(placed));
      let after: K8sObject;
      try {
        after = await client.apply(placed, { fieldManager: opts.fieldManager, force: opts.force, dryRun: true });
      } catch (e) {
        throw new Error(applyErrorMessage(placed, e, opts.force));
      }
      diff = diffObject(describe(placed), before, after);
    }
    if (diff.change === 'unchanged') io.log(`${diff.object} unchanged`);
    else for (const line of diff.lines) io.log(line);
    out.push(diff);
  }
  return out;
}

const describe = (obj: K8sObject) => `${kubectlName(obj)}${obj.metadata.namespace ? ` (namespace ${obj.metadata.namespace})` : ''}`;

/** `1 changed, 2 unchanged, 1 new` */
export function diffSummary(diffs: ObjectDiff[]): string {
  return (['changed', 'unchanged', 'new'] as const).map((c) => `${diffs.filter((d) => d.change === c).length} ${c}`).join(', ');
}
