import { isPlainObject } from './types';

const has = (l: Record<string, string>, key: string) => Object.prototype.hasOwnProperty.call(l, key);

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

/** A LabelSelector (matchLabels + matchExpressions) as the `labelSelector` query string. */
export function labelSelectorToString(selector: unknown): string {
  if (!isPlainObject(selector)) return '';
  const parts: string[] = [];
  if (isPlainObject(selector.matchLabels)) {
    for (const [k, v] of Object.entries(selector.matchLabels).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${v}`);
  }
  if (Array.isArray(selector.matchExpressions)) {
    for (const e of selector.matchExpressions as Requirement[]) {
      const values = [...(e.values ?? [])].sort().join(',');
      switch (e.operator) {
        case 'In': parts.push(`${e.key} in (${values})`); break;
        case 'NotIn': parts.push(`${e.key} notin (${values})`); break;
        case 'Exists': parts.push(e.key); break;
        case 'DoesNotExist': parts.push(`!${e.key}`); break;
      }
    }
  }
  return parts.join(',');
}

/** Whether labels satisfy a LabelSelector object. An empty selector matches everything. */
export function selectorMatches(selector: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isPlainObject(selector)) return false;
  const l = labels ?? {};
  if (isPlainObject(selector.matchLabels)) {
    for (const [k, v] of Object.entries(selector.matchLabels)) if (l[k] !== v) return false;
  }
  if (Array.isArray(selector.matchExpressions)) {
    for (const e of selector.matchExpressions as Requirement[]) {
      const present = has(l, e.key);
      switch (e.operator) {
        case 'In': if (!present || !(e.values ?? []).includes(l[e.key])) return false; break;
        case 'NotIn': if (present && (e.values ?? []).includes(l[e.key])) return false; break;
        case 'Exists': if (!present) return false; break;
        case 'DoesNotExist': if (present) return false; break;
        default: return false;
      }
    }
  }
  return true;
}

/**
 * Parses a label selector string (`a=b,c!=d,e in (x,y),f,!g`) into a
 * matcher; returns an error message for malformed input.
 */
export function parseLabelSelector(text: string): { matches: (labels: Record<string, string> | undefined) => boolean } | { error: string } {
  const tests: Array<(l: Record<string, string>) => boolean> = [];
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
  const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) return { error: 'has an empty requirement' };
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^(\S+?)\s*(==|!=|=)\s*(\S*)$/))) {
      const [, key, op, value] = m;
      if (!KEY.test(key) || !VALUE.test(value)) return { error: `"${p}" is not a valid requirement` };
      tests.push(op === '!=' ? (l) => !has(l, key) || l[key] !== value : (l) => has(l, key) && l[key] === value);
    } else if ((m = p.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const [, key, op, list] = m;
      const values = list.split(',').map((v) => v.trim());
      if (!KEY.test(key) || values.some((v) => !VALUE.test(v))) return { error: `"${p}" is not a valid requirement` };
      tests.push(op === 'in' ? (l) => has(l, key) && values.includes(l[key]) : (l) => !has(l, key) || !values.includes(l[key]));
    } else if ((m = p.match(/^!\s*(\S+)$/))) {
      const key = m[1];
      if (!KEY.test(key)) return { error: `"${p}" is not a valid requirement` };
      tests.push((l) => !has(l, key));
    } else if (KEY.test(p)) {
      tests.push((l) => has(l, p));
    } else {
      return { error: `"${p}" is not a valid requirement` };
    }
  }
  return { matches: (labels) => tests.every((t) => t(labels ?? {})) };
}
