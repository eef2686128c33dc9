// The part of Datadog's metric query language the stand-in evaluates:
//   [<space aggregator>:]<metric>{<scope>}[ by {<tags>}][.as_count()|.as_rate()][.rollup(<aggregator>[, <seconds>])][ * or / <number>]
// Scope: * or comma-separated tags (AND), "!" to exclude, "*" wildcards in values. Space
// aggregators avg, sum, min, max; for distributions also p50, p75, p90, p95, p99 and count.

export class QueryError extends Error {}

export interface MetricQuery {
  space: string;
  metric: string;
  scope: { tag: string; negate: boolean }[];
  by: string[];
  modifier?: 'as_count' | 'as_rate';
  rollup?: { method: string; seconds?: number };
  /** A scalar the values are multiplied by ("… * 1000", "… / 60"). */
  scale: number;
}

const SPACE = ['avg', 'sum', 'min', 'max', 'count', 'p50', 'p75', 'p90', 'p95', 'p99'];
const ROLLUP = ['avg', 'sum', 'min', 'max', 'count'];
const QUERY = /^\s*(?:([a-z0-9]+):)?([A-Za-z][\w.]*)\{([^{}]*)\}(?:\s*by\s*\{([^{}]*)\})?((?:\.\w+\([^()]*\))*)(?:\s*([*/])\s*(\d+(?:\.\d+)?))?\s*$/;

/** Datadog's parse error: the rule that did not match and where. */
function parseError(query: string, at: number, rule: string): QueryError {
  return new QueryError(`Error parsing query: \n unable to parse ${query}: Rule '${rule}' didn't match at '${query.slice(at, at + 20)}' (line 1, column ${at + 1}).`);
}

export function parseQuery(query: string): MetricQuery {
  const m = QUERY.exec(query);
  if (!m) {
    const brace = query.indexOf('{');
    throw parseError(query, brace < 0 ? query.length : brace, brace < 0 ? 'metric_expr' : 'scope_expr');
  }
  const [, space = 'avg', metric, scopeText, byText, functions, op, operand] = m;
  if (!SPACE.includes(space)) throw parseError(query, 0, 'aggregator');
  const scope =
    scopeText.trim() === '*'
      ? []
      : scopeText.split(',').map((t) => {
          const tag = t.trim();
          if (!/^!?[A-Za-z*][\w.:/*-]*$/.test(tag)) throw parseError(query, query.indexOf(t), 'scope_expr');
          return { tag: tag.replace(/^!/, ''), negate: tag.startsWith('!') };
        });
  const by = byText ? byText.split(',').map((t) => t.trim()).filter(Boolean) : [];
  const q: MetricQuery = { space, metric, scope, by, scale: op === undefined ? 1 : op === '*' ? Number(operand) : 1 / Number(operand) };
  for (const [, name, args] of functions.matchAll(/\.(\w+)\(([^()]*)\)/g)) {
    if (name === 'as_count' || name === 'as_rate') q.modifier = name;
    else if (name === 'rollup') {
      const parts = args.split(',').map((a) => a.trim()).filter(Boolean);
      const method = parts[0];
      const seconds = parts[1] === undefined ? undefined : Number(parts[1]);
      if (!ROLLUP.includes(method) || (seconds !== undefined && !(Number.isInteger(seconds) && seconds > 0)) || parts.length > 2) throw parseError(query, query.indexOf('.rollup'), 'rollup');
      q.rollup = { method, ...(seconds !== undefined ? { seconds } : {}) };
    } else throw parseError(query, query.indexOf(`.${name}`), 'function');
  }
  return q;
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);

/** Whether a series with these tags is in the scope. */
export function inScope(tags: string[], scope: MetricQuery['scope']): boolean {
  return scope.every(({ tag, negate }) => tags.some((t) => wildcard(tag).test(t)) !== negate);
}
