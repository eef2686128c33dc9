// OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: one block of lines per
// metric family (its samples may interleave series, in time order), timestamps in SECONDS,
// and `# EOF` at the end.
export type Labels = Record<string, string>;

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6))));

export class OpenMetricsWriter {
  private readonly families = new Map<string, { type: string; lines: string[] }>();

  private family(name: string, type: string): string[] {
    let f = this.families.get(name);
    if (!f) {
      f = { type, lines: [] };
      this.families.set(name, f);
    }
    if (f.type !== type) throw new Error(`${name} is a ${f.type}, not a ${type}`);
    return f.lines;
  }

  /** A counter sample; `name` is the family name, the sample is written as <name>_total. */
  counter(name: string, labels: Labels, seconds: number, value: number): void {
    this.family(name, 'counter').push(`${name}_total${formatLabels(labels)} ${num(value)} ${seconds}`);
  }

  gauge(name: string, labels: Labels, seconds: number, value: number): void {
    this.family(name, 'gauge').push(`${name}${formatLabels(labels)} ${num(value)} ${seconds}`);
  }

  /** A histogram sample: cumulative bucket counts by upper bound (the +Inf bucket is `count`), sum and count. */
  histogram(name: string, labels: Labels, seconds: number, buckets: [number, number][], sum: number, count: number): void {
    const lines = this.family(name, 'histogram');
    for (const [le, c] of buckets) lines.push(`${name}_bucket${formatLabels({ ...labels, le: String(le) })} ${num(c)} ${seconds}`);
    lines.push(`${name}_bucket${formatLabels({ ...labels, le: '+Inf' })} ${num(count)} ${seconds}`);
    lines.push(`${name}_sum${formatLabels(labels)} ${num(sum)} ${seconds}`);
    lines.push(`${name}_count${formatLabels(labels)} ${num(count)} ${seconds}`);
  }

  toString(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# TYPE ${name} ${f.type}`);
      for (const line of f.lines) out.push(line);
    }
    out.push('# EOF', '');
    return out.join('\n');
  }
}
