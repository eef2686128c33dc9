// The part of Cloud Monitoring's filter syntax the stand-in understands: comparisons of
// metric.type, resource.type and metric/resource labels with = or != and a quoted string, joined
// with AND, in parentheses or not. Anything else is an INVALID_ARGUMENT, as an unparsable filter is.
import { RawSeries } from './series';

interface Comparison {
  field: string;
  negate: boolean;
  value: string;
}

export class FilterError extends Error {}

const TOKEN = /\s*(?:(\()|(\))|(!=|=)|"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w.]*(?:\."[^"]+")?))/y;

type Token = { kind: '(' | ')' | 'op' | 'string' | 'word'; text: string };

function tokens(filter: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < filter.length) {
    if (/^\s*$/.test(filter.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(filter);
    if (!m) throw new FilterError(`unexpected character at ${at}: ${filter.slice(at, at + 10)}`);
    if (m[1]) out.push({ kind: '(', text: '(' });
    else if (m[2]) out.push({ kind: ')', text: ')' });
    else if (m[3]) out.push({ kind: 'op', text: m[3] });
    else if (m[4] !== undefined) out.push({ kind: 'string', text: m[4].replace(/\\(.)/g, '$1') });
    else out.push({ kind: 'word', text: m[5] });
  }
  return out;
}

/** The comparisons of a filter, which must all hold. */
export function parseFilter(filter: string): Comparison[] {
  const list = tokens(filter);
  const out: Comparison[] = [];
  let depth = 0;
  let expectTerm = true;
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    if (expectTerm) {
      if (t.kind === '(') {
        depth++;
        continue;
      }
      const [op, value] = [list[i + 1], list[i + 2]];
      if (t.kind !== 'word' || op?.kind !== 'op' || value?.kind !== 'string') throw new FilterError(`expected a comparison such as metric.type = "…" at "${t.text}"`);
      out.push({ field: t.text.replace(/\."([^"]+)"$/, '.$1'), negate: op.text === '!=', value: value.text });
      i += 2;
      expectTerm = false;
      continue;
    }
    if (t.kind === ')') {
      if (--depth < 0) throw new FilterError('a ")" closes nothing');
    } else if (t.kind === 'word' && t.text === 'AND') expectTerm = true;
    else if (t.kind === 'word' && (t.text === 'OR' || t.text === 'NOT')) throw new FilterError(`${t.text} is not supported by this stand-in`);
    else throw new FilterError(`expected AND at "${t.text}"`);
  }
  if (expectTerm || depth !== 0) throw new FilterError('the filter ends early');
  return out;
}

/** The value a field names on a series (metric.labels.x, metric.label.x, resource.labels.x…), or undefined for an unknown field. */
export function fieldValue(series: Pick<RawSeries, 'metric' | 'resource'>, field: string): string | undefined {
  if (field === 'metric.type') return series.metric.type;
  if (field === 'resource.type') return series.resource.type;
  const m = /^(metric|resource)\.labels?\.(\w+)$/.exec(field);
  if (!m) throw new FilterError(`the field ${field} is not known`);
  return (m[1] === 'metric' ? series.metric.labels : series.resource.labels)[m[2]] ?? '';
}

export function matches(series: RawSeries, filter: Comparison[]): boolean {
  return filter.every((c) => (fieldValue(series, c.field) === c.value) !== c.negate);
}

/** The metric type a filter must name (exactly one, with =). */
export function metricTypeOf(filter: Comparison[]): string | undefined {
  const types = filter.filter((c) => c.field === 'metric.type' && !c.negate);
  return types.length === 1 ? types[0].value : undefined;
}
