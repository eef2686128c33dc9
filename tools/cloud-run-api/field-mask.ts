// google.protobuf.FieldMask as services.patch applies it (AIP-134): each path names a field of the
// Service, in camelCase or snake_case, possibly nested ("template.scaling"); the field is replaced by
// the body's value, or cleared when the body leaves it out. Without a mask, or with "*", every
// updatable field is replaced by the body's (a full replacement).

/** The Service fields a client may write. */
export const UPDATABLE_FIELDS = [
  'description',
  'labels',
  'annotations',
  'client',
  'clientVersion',
  'ingress',
  'launchStage',
  'binaryAuthorization',
  'template',
  'traffic',
  'scaling',
  'customAudiences',
  'invokerIamDisabled',
  'defaultUriDisabled',
] as const;

const OUTPUT_ONLY = new Set([
  'name', 'uid', 'generation', 'createTime', 'updateTime', 'deleteTime', 'expireTime', 'creator', 'lastModifier', 'observedGeneration', 'terminalCondition',
  'conditions', 'latestReadyRevision', 'latestCreatedRevision', 'trafficStatuses', 'uri', 'urls', 'satisfiesPzs', 'reconciling', 'etag',
]);

export class FieldMaskError extends Error {}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The paths of an updateMask query value, camelCase; undefined for none or "*". */
export function parseUpdateMask(mask: string | undefined): string[][] | undefined {
  if (mask === undefined || mask.trim() === '' || mask.trim() === '*') return undefined;
  return mask.split(',').map((raw) => {
    const path = raw.trim().split('.').map(camel);
    if (!path[0] || path.some((p) => !/^[A-Za-z][A-Za-z0-9]*$/.test(p))) throw new FieldMaskError(`Invalid field mask path "${raw.trim()}".`);
    if (OUTPUT_ONLY.has(path[0])) throw new FieldMaskError(`Field "${raw.trim()}" is output only and cannot be updated.`);
    if (!(UPDATABLE_FIELDS as readonly string[]).includes(path[0])) throw new FieldMaskError(`Invalid field mask path "${raw.trim()}": the Service has no field "${path[0]}".`);
    return path;
  });
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function getPath(obj: Json, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
  return cur;
}

function setPath(obj: Json, path: string[], value: unknown): void {
  let cur = obj;
  for (const p of path.slice(0, -1)) {
    if (!isObject(cur[p])) cur[p] = {};
    cur = cur[p] as Json;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = structuredClone(value);
}

/** The updatable fields after the patch: `current` with the masked fields taken from `body`. */
export function applyUpdateMask(current: Json, body: Json, paths: string[][] | undefined): Json {
  const next = structuredClone(current);
  for (const path of paths ?? UPDATABLE_FIELDS.map((f) => [f])) setPath(next, path, getPath(body, path));
  return next;
}
