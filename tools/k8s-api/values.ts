import { Json } from './types';

export const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

export const isObj = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Now, to the second, as the API server writes timestamps. */
export const nowIso = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Stable JSON: keys sorted, null/empty maps/empty lists dropped (as the API server treats them). */
export function canonical(v: Json): Json {
  if (Array.isArray(v)) {
    const items = v.map(canonical);
    return items.length ? items : undefined;
  }
  if (isObj(v)) {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical(v[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null ? undefined : v;
}

/** Equal once canonical: key order, nulls and empty maps or lists do not count. */
export const same = (a: Json, b: Json): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Reads `maxSurge`/`maxUnavailable` (an int or a percentage) against a replica count. */
export function intOrPercent(v: Json, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? ''));
  if (!m) return Number(v) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
