import { isObj } from './values';
import { Json } from './types';

type Labels = Record<string, string>;

/** A `labelSelector` query parameter (`a=b,c!=d,e in (f,g),!h,i`) as a test on labels. */
export function parseSelector(text: string | undefined): (labels: Labels | undefined) => boolean {
  if (!text) return () => true;
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  parts.push(cur.trim());
  const has = (l: Labels, k: string) => Object.prototype.hasOwnProperty.call(l, k);
  const tests = parts.filter(Boolean).map((p): ((l: Labels) => boolean) => {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(p))) {
      const [, k, op, v] = m;
      return op === '!=' ? (l) => !has(l, k) || l[k] !== v : (l) => has(l, k) && l[k] === v;
    }
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(p))) {
      const [, k, op, list] = m;
      const vals = list.split(',').map((s) => s.trim());
      return op === 'in' ? (l) => has(l, k) && vals.includes(l[k]) : (l) => !has(l, k) || !vals.includes(l[k]);
    }
    if ((m = /^!\s*(\S+)$/.exec(p))) {
      const key = m[1];
      return (l) => !has(l, key);
    }
    return (l) => has(l, p);
  });
  return (labels) => tests.every((t) => t(labels || {}));
}

/** A `fieldSelector` query parameter (`metadata.name=api,involvedObject.name!=x`) as a test on objects. */
export function parseFieldSelector(text: string | undefined): (obj: Json) => boolean {
  if (!text) return () => true;
  const tests = text
    .split(',')
    .filter(Boolean)
    .map((p): ((o: Json) => boolean) => {
      const m = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(p.trim());
      if (!m) return () => true;
      const [, field, op, value] = m;
      const get = (obj: Json) => field.split('.').reduce((o: Json, k) => (isObj(o) ? o[k] : undefined), obj);
      return op === '!=' ? (o) => String(get(o) ?? '') !== value : (o) => String(get(o) ?? '') === value;
    });
  return (obj) => tests.every((t) => t(obj));
}

/** Whether a workload's `spec.selector` (matchLabels, matchExpressions) matches labels. */
export function selectorMatches(selector: Json, labels: Labels | undefined): boolean {
  if (!isObj(selector)) return false;
  const l: Labels = labels || {};
  for (const [k, v] of Object.entries(selector.matchLabels || {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions || []) {
    const present = Object.prototype.hasOwnProperty.call(l, e.key);
    if (e.operator === 'In' && (!present || !(e.values || []).includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && present && (e.values || []).includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !present) return false;
    if (e.operator === 'DoesNotExist' && present) return false;
  }
  return true;
}
