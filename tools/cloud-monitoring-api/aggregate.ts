// Alignment and reduction as timeSeries.list documents them (google/monitoring/v3/common.proto,
// Aggregation): each series' points are grouped into alignment periods that end at
// interval.endTime, endTime - period, …; the per-series aligner turns each period into one point;
// the cross-series reducer then combines the aligned series of each group (groupByFields).
import { fieldValue } from './filter';
import { addTo, Distribution, distributionPercentile, emptyDistribution, RawSeries } from './series';

export class AggregationError extends Error {}

export interface Aggregation {
  periodMs?: number;
  aligner: string;
  reducer: string;
  groupBy: string[];
}

export interface OutPoint {
  start: number;
  end: number;
  value: number | Distribution;
}

export interface OutSeries {
  metric: RawSeries['metric'];
  resource: RawSeries['resource'];
  metricKind: 'DELTA' | 'GAUGE';
  valueType: 'INT64' | 'DOUBLE' | 'DISTRIBUTION';
  unit: string;
  /** Newest first, as the API returns them. */
  points: OutPoint[];
}

const PERCENTILES: Record<string, number> = { '99': 0.99, '95': 0.95, '50': 0.5, '05': 0.05 };
const percentileOf = (name: string) => PERCENTILES[/_PERCENTILE_(\d\d)$/.exec(name)?.[1] ?? ''];

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const merged = (values: Distribution[]) => values.reduce((d, v) => addTo(d, v), emptyDistribution());
const invalid = (what: string, s: { metricKind: string; valueType: string }) =>
  new AggregationError(`The ${what} cannot be applied to metrics with kind ${s.metricKind} and value type ${s.valueType}.`);

/** One period of one series, aligned: its value, type and kind, or undefined when the period holds no point. */
function alignPeriod(s: RawSeries, values: (number | Distribution)[], aligner: string, periodMs: number): { value: number | Distribution; valueType: OutSeries['valueType']; kind: OutSeries['metricKind'] } | undefined {
  if (!values.length) return undefined;
  const q = percentileOf(aligner);
  if (s.valueType === 'DISTRIBUTION') {
    const d = merged(values as Distribution[]);
    if (aligner === 'ALIGN_DELTA' || aligner === 'ALIGN_SUM') return { value: d, valueType: 'DISTRIBUTION', kind: 'DELTA' };
    if (q !== undefined) return { value: distributionPercentile(d, q), valueType: 'DOUBLE', kind: 'GAUGE' };
    throw invalid(`aligner ${aligner}`, s);
  }
  const nums = values as number[];
  const sum = nums.reduce((a, b) => a + b, 0);
  switch (aligner) {
    case 'ALIGN_DELTA':
    case 'ALIGN_SUM':
      return { value: sum, valueType: 'INT64', kind: 'DELTA' };
    case 'ALIGN_RATE':
      return { value: sum / (periodMs / 1000), valueType: 'DOUBLE', kind: 'GAUGE' };
    case 'ALIGN_MEAN':
      return { value: sum / nums.length, valueType: 'DOUBLE', kind: 'GAUGE' };
    case 'ALIGN_MAX':
      return { value: Math.max(...nums), valueType: 'INT64', kind: 'GAUGE' };
    case 'ALIGN_MIN':
      return { value: Math.min(...nums), valueType: 'INT64', kind: 'GAUGE' };
    case 'ALIGN_COUNT':
      return { value: nums.length, valueType: 'INT64', kind: 'GAUGE' };
    default:
      throw invalid(`aligner ${aligner}`, s);
  }
}

function reduceValues(values: (number | Distribution)[], valueType: OutSeries['valueType'], reducer: string): { value: number | Distribution; valueType: OutSeries['valueType'] } {
  const q = percentileOf(reducer);
  if (valueType === 'DISTRIBUTION') {
    const d = merged(values as Distribution[]);
    if (reducer === 'REDUCE_SUM') return { value: d, valueType };
    if (reducer === 'REDUCE_MEAN') return { value: d.count ? d.sum / d.count : 0, valueType: 'DOUBLE' };
    if (reducer === 'REDUCE_COUNT') return { value: values.length, valueType: 'INT64' };
    if (q !== undefined) return { value: distributionPercentile(d, q), valueType: 'DOUBLE' };
    throw invalid(`reducer ${reducer}`, { metricKind: 'DELTA', valueType });
  }
  const nums = values as number[];
  switch (reducer) {
    case 'REDUCE_SUM':
      return { value: nums.reduce((a, b) => a + b, 0), valueType };
    case 'REDUCE_MEAN':
      return { value: nums.reduce((a, b) => a + b, 0) / nums.length, valueType: 'DOUBLE' };
    case 'REDUCE_MAX':
      return { value: Math.max(...nums), valueType };
    case 'REDUCE_MIN':
      return { value: Math.min(...nums), valueType };
    case 'REDUCE_COUNT':
      return { value: nums.length, valueType: 'INT64' };
    default:
      if (q !== undefined) return { value: quantile(nums, q), valueType: 'DOUBLE' };
      throw invalid(`reducer ${reducer}`, { metricKind: 'GAUGE', valueType });
  }
}

/** The series of `raw` with points in (startMs, endMs], aligned and reduced as asked. */
export function aggregate(raw: RawSeries[], startMs: number, endMs: number, agg: Aggregation): OutSeries[] {
  const inInterval = (p: { end: number }) => p.end > startMs && p.end <= endMs;
  if (agg.aligner === 'ALIGN_NONE') {
    if (agg.reducer !== 'REDUCE_NONE') throw new AggregationError('A cross-series reducer requires a per-series aligner other than ALIGN_NONE.');
    return raw
      .map((s) => ({ ...s, valueType: s.valueType, points: s.points.filter(inInterval).reverse().map((p) => ({ start: p.end - 5000, end: p.end, value: p.value })) }))
      .filter((s) => s.points.length);
  }
  const periodMs = agg.periodMs!;
  const ends: number[] = [];
  for (let e = endMs; e > startMs; e -= periodMs) ends.push(e);
  const aligned = raw
    .map((s): OutSeries => {
      const points: OutPoint[] = [];
      let valueType: OutSeries['valueType'] = 'INT64';
      let kind: OutSeries['metricKind'] = 'DELTA';
      for (const e of ends) {
        const a = alignPeriod(s, s.points.filter((p) => p.end > e - periodMs && p.end <= e).map((p) => p.value), agg.aligner, periodMs);
        if (!a) continue;
        valueType = a.valueType;
        kind = a.kind;
        points.push({ start: a.kind === 'DELTA' ? e - periodMs : e, end: e, value: a.value });
      }
      return { metric: s.metric, resource: s.resource, metricKind: kind, valueType, unit: s.unit, points };
    })
    .filter((s) => s.points.length);
  if (agg.reducer === 'REDUCE_NONE') return aligned;

  const groups = new Map<string, OutSeries[]>();
  for (const s of aligned) {
    const key = JSON.stringify([s.resource.type, ...agg.groupBy.map((f) => fieldValue(s, f))]);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((members) => {
    const first = members[0];
    const keep = (kind: 'metric' | 'resource') =>
      Object.fromEntries(agg.groupBy.map((f) => new RegExp(`^${kind}\\.labels?\\.(\\w+)$`).exec(f)?.[1]).filter((k): k is string => !!k).map((k) => [k, first[kind].labels[k] ?? '']));
    let valueType = first.valueType;
    const points: OutPoint[] = [];
    for (const e of ends) {
      const values = members.flatMap((s) => s.points.filter((p) => p.end === e).map((p) => p.value));
      if (!values.length) continue;
      const r = reduceValues(values, first.valueType, agg.reducer);
      valueType = r.valueType;
      points.push({ start: first.metricKind === 'DELTA' && r.valueType !== 'DOUBLE' ? e - periodMs : e, end: e, value: r.value });
    }
    return {
      metric: { type: first.metric.type, labels: keep('metric') },
      resource: { type: first.resource.type, labels: keep('resource') },
      metricKind: valueType === 'DOUBLE' ? 'GAUGE' : first.metricKind,
      valueType,
      unit: first.unit,
      points,
    };
  });
}
