import { ComparisonJudge, compareMetric, comparisonScore } from './judges/comparison';
import { judgeThresholds, ThresholdsJudge } from './judges/thresholds';
import { MetricVerdict, strongest, Verdict } from './judges/verdict';
import { formatNumber, isValue, Measurement } from './measurement';
import { MetricSpec } from './metrics';

export interface Judge {
  /** Success and failure conditions per metric (metrics that have them). */
  thresholds?: ThresholdsJudge;
  /** Canary against baseline, scored. */
  comparison?: ComparisonJudge;
  /** Below this many canary requests in the window nothing is judged (no data): low traffic never rolls back. */
  minRequests: number;
}

export interface MetricMeasurements {
  metric: MetricSpec;
  canary: Measurement;
  baseline?: Measurement;
}

export interface AnalysisInput {
  metrics: MetricMeasurements[];
  /** The canary's request count in the window, when a request-count query is configured. */
  requests?: Measurement;
}

/** The outcome of one analysis, with the reason and every value it rests on. */
export interface Decision {
  verdict: Verdict;
  reason: string;
  metrics: MetricVerdict[];
  /** Baseline comparison score, 0–100. */
  score?: number;
  requests?: Measurement;
}

const hasThresholds = (m: MetricSpec) => m.success !== undefined || m.failure !== undefined;

/**
 * The pure core: measurements in, decision out. Each configured judge gives
 * per-metric verdicts; the analysis takes the strongest of them in the order
 * fail > error > nodata > inconclusive > pass, with the comparison's score
 * deciding its own part (a failed critical metric, or a score below marginal,
 * fails; a score below pass is inconclusive).
 */
export function analyse(input: AnalysisInput, judge: Judge): Decision {
  if (!judge.thresholds && !judge.comparison) throw new Error('analyse needs a judge: thresholds, comparison or both');
  const { requests } = input;
  if (judge.minRequests > 0 && requests) {
    if (requests.outcome === 'error') {
      return { verdict: 'error', reason: `the request count could not be read: ${requests.error}`, metrics: notJudged(input, judge, 'error', 'request count unreadable'), requests };
    }
    const count = isValue(requests) ? requests.value : 0;
    if (count < judge.minRequests) {
      const why = `too few canary requests in the window: ${formatNumber(count)} < ${judge.minRequests}`;
      return { verdict: 'nodata', reason: why, metrics: notJudged(input, judge, 'nodata', why), requests };
    }
  }

  const verdicts: MetricVerdict[] = [];
  const parts: { verdict: Verdict; reason: string }[] = [];

  // The comparison judges first: its verdict per metric also says whether a threshold failure is shared.
  const compared = judge.comparison ? input.metrics.map((m) => compareMetric(m.metric, m.canary, m.baseline, judge.comparison!)) : undefined;

  if (judge.thresholds) {
    const judged = input.metrics
      .map((m, i) => ({ m, compared: compared?.[i] }))
      .filter(({ m }) => hasThresholds(m.metric))
      .map(({ m, compared: c }) => judgeThresholds(m.metric, m.canary, m.baseline, judge.thresholds!, c));
    verdicts.push(...judged);
    const v = strongest(judged.map((j) => j.verdict));
    parts.push({ verdict: v, reason: v === 'pass' ? `thresholds: ${judged.length === 1 ? 'the metric passes' : `all ${judged.length} metrics pass`}` : summarise(judged, v) });
  }

  let score: number | undefined;
  if (judge.comparison && compared) {
    const c = judge.comparison;
    const judged = compared;
    verdicts.push(...judged);
    score = comparisonScore(judged, input.metrics.map((m) => m.metric));
    const critical = judged.filter((j) => j.verdict === 'fail' && input.metrics.find((m) => m.metric.name === j.metric)?.metric.critical);
    const scored = score === undefined ? '' : `score ${formatNumber(score)} (pass ${c.pass}, marginal ${c.marginal})`;
    if (critical.length) {
      parts.push({ verdict: 'fail', reason: `critical metric failed the comparison: ${summarise(critical, 'fail')}` });
    } else if (score !== undefined && score < c.marginal) {
      parts.push({ verdict: 'fail', reason: `${scored}: ${summarise(judged, 'fail')}` });
    } else {
      const rest = strongest(judged.map((j) => (j.verdict === 'fail' ? 'pass' : j.verdict)));
      if (rest !== 'pass') parts.push({ verdict: rest, reason: summarise(judged, rest) });
      else if (score !== undefined && score < c.pass) parts.push({ verdict: 'inconclusive', reason: `${scored} is marginal: ${summarise(judged, 'fail')}` });
      else parts.push({ verdict: 'pass', reason: `comparison ${scored || 'passed'}` });
    }
  }

  const verdict = strongest(parts.map((p) => p.verdict));
  const reason = parts.filter((p) => p.verdict === verdict).map((p) => p.reason).join('; ');
  return { verdict, reason, metrics: verdicts, ...(score !== undefined ? { score } : {}), ...(requests ? { requests } : {}) };
}

function notJudged(input: AnalysisInput, judge: Judge, verdict: 'nodata' | 'error', why: string): MetricVerdict[] {
  const by = judge.thresholds ? ('thresholds' as const) : ('comparison' as const);
  return input.metrics.map((m) => ({ metric: m.metric.name, judge: by, verdict, reason: `not judged: ${why}`, canary: m.canary, baseline: m.baseline }));
}

function summarise(judged: MetricVerdict[], verdict: Verdict): string {
  const matching = judged.filter((j) => j.verdict === verdict);
  if (!matching.length) return verdict === 'pass' ? 'all metrics pass' : `no metric is ${verdict}`;
  return matching.map((j) => `${j.metric}: ${j.reason}`).join('; ');
}
