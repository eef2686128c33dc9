// The options Prometheus metrics read: each metric's query or ratio, and the server, the
// selectors and the request count they share.
import { booleanOption, isLoopbackHost, isPlainObject, requiredOption, secretFromEnv, showValue, UserError, urlOption } from '@shipfleet/core';
import { MetricSpec, PrometheusSource } from '../metrics';
import { positiveDuration } from '../option-values';
import { isLabelMatchers, Placeholder, templatePlaceholders } from '../template';
import type { CanaryOptions, PrometheusSettings, Selectors } from '../types';
import { prometheusForRun } from './prometheus';
import { MetricProviderType, SourceContext } from './provider';

export const PROMETHEUS_DEFAULTS = { timeout: '10s' } as const;

const QUERY_EXAMPLE = 'sum(rate(http_requests_total{{{selector}},code=~"5.."}[{{interval}}]))';
const REQUEST_COUNT_EXAMPLE = 'sum(increase(http_requests_total{{{selector}}}[{{interval}}]))';

/** The placeholders of a PromQL template, or a UserError naming the option. */
function templateOption(option: string, value: unknown, example: string): Set<Placeholder> {
  if (typeof value !== 'string' || !value.trim()) throw new UserError(option, 'must be a PromQL query template', `Example: ${example}`);
  const r = templatePlaceholders(value);
  if ('problem' in r) throw new UserError(option, r.problem, `Example: ${example}`);
  return r.used;
}

const usesSelector = (s: PrometheusSource) => [s.query, s.numerator, s.denominator].some((t) => t !== undefined && /\{\{\s*selector\s*\}\}/.test(t));

function parsePrometheusSource(m: Record<string, unknown>, at: string, ctx: SourceContext): PrometheusSource {
  const hasQuery = m.query !== undefined;
  const hasRatio = m.numerator !== undefined || m.denominator !== undefined;
  if (hasQuery === hasRatio) {
    throw new UserError(at, 'needs either "query", or "numerator" and "denominator"', 'Give one query that yields the metric, or a ratio such as errors / requests');
  }
  const templates = hasQuery ? { query: m.query } : { numerator: m.numerator, denominator: m.denominator };
  for (const [key, value] of Object.entries(templates)) {
    if (value === undefined) throw new UserError(`${at}.${key}`, 'is required with a ratio', 'Give both numerator and denominator');
    const used = templateOption(`${at}.${key}`, value, QUERY_EXAMPLE);
    if (!used.has('selector') && !used.has('canary')) {
      throw new UserError(`${at}.${key}`, 'does not select the canary: it uses neither {{selector}} nor {{canary}}', `Put the version's label matchers in: ${QUERY_EXAMPLE}`);
    }
    if (ctx.comparison && !used.has('selector')) {
      throw new UserError(`${at}.${key}`, 'must use {{selector}} for the baseline comparison, which runs it once for the canary and once for the stable version', `Example: ${QUERY_EXAMPLE}`);
    }
  }
  const missingAsZero = booleanOption(`${at}.missingAsZero`, m.missingAsZero, { fix: 'Leave it out for false' }) ?? false;
  return { provider: 'prometheus', ...(templates as { query?: string; numerator?: string; denominator?: string }), missingAsZero };
}

/** Metrics read from Prometheus with PromQL templates. */
export const prometheusProviderType: MetricProviderType<PrometheusSource> = {
  type: 'prometheus',
  summary: 'PromQL over the HTTP API',
  name: 'Prometheus',
  checkedBeforeTraffic: true,
  keys: ['query', 'numerator', 'denominator', 'missingAsZero'],
  parseSource: parsePrometheusSource,
  readsBaseline: (source, selectors) => !!selectors.baseline && usesSelector(source),
  create: prometheusForRun,
};

function selectorsOption(raw: unknown): Selectors {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new UserError('selectors', 'must be an object {canary, baseline}', 'Example: {"canary": "app=\\"web\\",version=\\"canary\\"", "baseline": "app=\\"web\\",version=\\"stable\\""}');
  const selectors: Selectors = {};
  for (const key of ['canary', 'baseline'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !isLabelMatchers(v)) {
      throw new UserError(`selectors.${key}`, `${showValue(v)} is not a list of PromQL label matchers`, `Write matchers without braces, e.g. app="web",version="${key === 'canary' ? 'canary' : 'stable'}"`);
    }
    selectors[key] = v;
  }
  return selectors;
}

function serverOption(raw: unknown, env: NodeJS.ProcessEnv): PrometheusSettings {
  if (!isPlainObject(raw) || raw.url === undefined) throw new UserError('prometheus.url', 'is required for Prometheus metrics', 'Give the server\'s base URL, e.g. {"url": "https://prometheus.example.com"}');
  // Plain http to another machine (an in-cluster Prometheus service) only when asked for, and never with a token.
  const allowHttp = booleanOption('prometheus.allowHttp', raw.allowHttp) ?? false;
  const url = requiredOption('prometheus.url', urlOption('prometheus.url', raw.url, { example: 'https://prometheus.example.com', allowQuery: false, allowHttp }), 'Give the server\'s base URL');
  // Checked now so that a missing token stops the run before any traffic moves.
  const token = secretFromEnv('prometheus.tokenEnv', raw.tokenEnv, { env, what: 'the Prometheus bearer token' });
  if (token && url.startsWith('http:') && !isLoopbackHost(new URL(url).hostname)) {
    throw new UserError('prometheus.tokenEnv', 'would send the bearer token over plain http to another machine', 'Use an https URL for a server that needs a token');
  }
  return {
    url: url.replace(/\/+$/, ''),
    timeoutMs: positiveDuration('prometheus.timeout', raw.timeout, PROMETHEUS_DEFAULTS.timeout, '10s'),
    ...(token ? { tokenEnv: raw.tokenEnv as string } : {}),
  };
}

/**
 * The options Prometheus metrics share: the server (needed as soon as a metric
 * or the request count queries it), the selectors and the request count.
 */
export function prometheusSettings(raw: CanaryOptions, metrics: MetricSpec[], comparison: boolean, env: NodeJS.ProcessEnv): { prometheus?: PrometheusSettings; selectors: Selectors; requestCount?: PrometheusSource } {
  let requestCount: PrometheusSource | undefined;
  if (raw.requestCount !== undefined) {
    const used = templateOption('requestCount', raw.requestCount, REQUEST_COUNT_EXAMPLE);
    if (!used.has('selector') && !used.has('canary')) throw new UserError('requestCount', 'does not select the canary: it uses neither {{selector}} nor {{canary}}', `Example: ${REQUEST_COUNT_EXAMPLE}`);
    requestCount = { provider: 'prometheus', query: raw.requestCount, missingAsZero: true };
  }
  const metricSources = metrics.map((m) => m.source).filter((s): s is PrometheusSource => s.provider === 'prometheus');
  const sources = [...metricSources, ...(requestCount ? [requestCount] : [])];
  const prometheus = sources.length ? serverOption(raw.prometheus, env) : undefined;

  const selectors = selectorsOption(raw.selectors);
  if (prometheus && !selectors.canary) throw new UserError('selectors.canary', 'is required for Prometheus metrics', 'Give the label matchers of the canary\'s series, e.g. app="web",version="canary"');
  const templates = sources.flatMap((s) => [s.query, s.numerator, s.denominator]).filter((t): t is string => !!t);
  if (templates.some((t) => /\{\{\s*baseline\s*\}\}/.test(t)) && !selectors.baseline) {
    throw new UserError('selectors.baseline', 'is required: a query uses {{baseline}}', 'Give the label matchers of the stable version, e.g. app="web",version="stable"');
  }
  if (comparison && metricSources.length && !selectors.baseline) {
    throw new UserError('selectors.baseline', 'is required for the baseline comparison', 'Give the label matchers of the stable version, e.g. app="web",version="stable"');
  }
  return { prometheus, selectors, requestCount };
}
