/** The counts behind a ratio: `events` (errors) of `total` (requests). */
export interface EventCounts {
  events: number;
  total: number;
}

/** Which side of the comparison a measurement is of. */
export type Version = 'canary' | 'baseline';

interface MeasurementBase {
  /** The query (or request) exactly as sent, placeholders resolved. */
  query: string;
  /** Evaluation time, ms since the epoch. */
  time: number;
}

/**
 * One reading of one metric for one version. The three outcomes stay distinct
 * because they call for different responses:
 * - value: the metric was read; the judges decide whether it passes;
 * - error: the metric source failed (down, 5xx, timeout, a malformed answer):
 *   nothing is known about the canary; hold and retry, fail safe at the limit;
 * - nodata: the source answered but there is nothing to judge (no series,
 *   NaN from 0/0, too few requests): hold, never roll back on it.
 */
export type Measurement =
  | (MeasurementBase & {
      outcome: 'value';
      /** The metric over the analysis window. */
      value: number;
      /** Values over the window at the sample step (range query, or HTTP samples), for the baseline comparison. */
      samples?: number[];
      /** How the value was arrived at when it is not the plain query result ("no 5xx series: counted as 0"). */
      note?: string;
      /** A ratio of counts (errors / requests) over the window: its two counts. */
      counts?: EventCounts;
    })
  | (MeasurementBase & { outcome: 'error'; error: string })
  | (MeasurementBase & { outcome: 'nodata'; reason: string });

export const isValue = (m: Measurement | undefined): m is Extract<Measurement, { outcome: 'value' }> => m?.outcome === 'value';

/** A number as the timeline shows it: at most 4 significant digits, no exponent for usual magnitudes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export function describeMeasurement(m: Measurement): string {
  switch (m.outcome) {
    case 'value':
      return `${formatNumber(m.value)}${m.samples ? ` (samples ${m.samples.map(formatNumber).join(', ') || 'none'})` : ''}${m.note ? ` [${m.note}]` : ''}`;
    case 'error':
      return `error: ${m.error}`;
    case 'nodata':
      return `no data: ${m.reason}`;
  }
}
