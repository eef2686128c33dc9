// The non-apply patch types: RFC 7386 merge patch and RFC 6902 JSON patch.
import { clone, isObj, same } from './values';
import { Json } from './types';

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  const out = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries<Json>(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** An operation that cannot be applied; `code` is the HTTP status to answer. */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** RFC 6902 JSON patch (add, remove, replace, test, copy, move). */
export function jsonPatch(target: Json, ops: JsonPatchOp[]): Json {
  let doc = clone(target);
  const parse = (p: string) => p.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const parentOf = (p: string): [Json, string] => {
    const parts = parse(p);
    let cur = doc;
    for (const k of parts.slice(0, -1)) {
      cur = Array.isArray(cur) ? cur[Number(k)] : cur?.[k];
      if (cur === undefined || cur === null) throw new PatchError(`path ${p} does not exist`, 422);
    }
    return [cur, parts[parts.length - 1]];
  };
  const applyOne = (op: JsonPatchOp) => {
    const [parent, key] = parentOf(op.path);
    if (op.op === 'test') {
      const cur = Array.isArray(parent) ? parent[Number(key)] : parent[key];
      if (!same(cur, op.value)) throw new PatchError(`test failed at ${op.path}`, 422);
    } else if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (op.op === 'add') {
      if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, clone(op.value));
      else parent[key] = clone(op.value);
    } else if (op.op === 'replace') {
      if (Array.isArray(parent)) parent[Number(key)] = clone(op.value);
      else parent[key] = clone(op.value);
    }
  };
  for (const op of ops) {
    if (op.path === '' && (op.op === 'replace' || op.op === 'add')) {
      doc = clone(op.value);
      continue;
    }
    if (op.op === 'copy' || op.op === 'move') {
      const [fp, fk] = parentOf(op.from!);
      const value = clone(Array.isArray(fp) ? fp[Number(fk)] : fp[fk]);
      if (op.op === 'move') {
        if (Array.isArray(fp)) fp.splice(Number(fk), 1);
        else delete fp[fk];
      }
      applyOne({ op: 'add', path: op.path, value });
      continue;
    }
    applyOne(op);
  }
  return doc;
}
