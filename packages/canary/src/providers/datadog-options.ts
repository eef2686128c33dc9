// The options of Datadog metrics: each metric's query template or ratio, and the site, version
// tags and keys they share (top-level `datadog`).
import { formatDuration, isPlainObject, oneOfOption, secretFromEnv, showValue, UserError, urlOption } from '@shipfleet/core';
import { DatadogAggregator, DatadogSource, MetricSpec } from '../metrics';
import { positiveDuration } from '../option-values';
import { Placeholder, templatePlaceholders } from '../template';
import type { CanaryOptions, DatadogSettings, NormalizedCanaryOptions } from '../types';
import { datadogForRun } from './datadog';
import { MetricProviderType, SourceContext } from './provider';

export const DATADOG_DEFAULTS = { site: 'datadoghq.com', apiKeyEnv: 'DD_API_KEY', appKeyEnv: 'DD_APP_KEY', timeout: '10s', aggregator: 'avg' } as const;

/** Datadog sites, each answering at https://api.<site>. */
export const DATADOG_SITES = ['datadoghq.com', 'us3.datadoghq.com', 'us5.datadoghq.com', 'datadoghq.eu', 'ap1.datadoghq.com', 'ap2.datadoghq.com', 'uk1.datadoghq.com', 'ddog-gov.com', 'us2.ddog-gov.com'] as const;

const AGGREGATORS: readonly DatadogAggregator[] = ['avg', 'sum', 'min', 'max', 'last'];
const QUERY_EXAMPLE = 'sum:trace.http.request.errors{service:web,{{selector}}}.as_count().rollup(sum, {{interval}})';
const EXAMPLE = '{"site": "datadoghq.eu", "tags": {"canary": "version:2.1.0", "baseline": "version:2.0.9"}}';
// Tag filters as written inside a query's braces: key:value (or a bare tag), "!" to exclude, "*" wildcards, comma-separated.
const TAG = String.raw`\s*!?[A-Za-z*][\w.:/*-]*\s*`;
const TAGS = new RegExp(`^${TAG}(?:,${TAG})*$`);

function templateOption(option: string, value: unknown): Set<Placeholder> {
  if (typeof value !== 'string' || !value.trim()) throw new UserError(option, 'must be a Datadog query template', `Example: ${QUERY_EXAMPLE}`);
  const r = templatePlaceholders(value);
  if ('problem' in r) throw new UserError(option, r.problem, `Example: ${QUERY_EXAMPLE}`);
  return r.used;
}

const usesSelector = (s: DatadogSource) => [s.query, s.numerator, s.denominator].some((t) => t !== undefined && /\{\{\s*selector\s*\}\}/.test(t));

function parseDatadogSource(m: Record<string, unknown>, at: string, ctx: SourceContext): DatadogSource {
  const hasQuery = m.query !== undefined;
  const hasRatio = m.numerator !== undefined || m.denominator !== undefined;
  if (hasQuery === hasRatio) {
    throw new UserError(at, 'needs either "query", or "numerator" and "denominator"', 'Give one Datadog query that yields the metric, or a ratio such as errors / hits');
  }
  const templates = hasQuery ? { query: m.query } : { numerator: m.numerator, denominator: m.denominator };
  for (const [key, value] of Object.entries(templates)) {
    if (value === undefined) throw new UserError(`${at}.${key}`, 'is required with a ratio', 'Give both numerator and denominator');
    const used = templateOption(`${at}.${key}`, value);
    if (!used.has('selector') && !used.has('canary')) {
      throw new UserError(`${at}.${key}`, 'does not select the canary: it uses neither {{selector}} nor {{canary}}', `Put the version's tags in the braces: ${QUERY_EXAMPLE}`);
    }
    if (ctx.comparison && !used.has('selector')) {
      throw new UserError(`${at}.${key}`, 'must use {{selector}} for the baseline comparison, which runs it once for the canary and once for the stable version', `Example: ${QUERY_EXAMPLE}`);
    }
  }
  if (hasRatio && m.aggregator !== undefined) throw new UserError(`${at}.aggregator`, 'does not apply to a ratio', 'Remove it: a ratio is the sum of the numerator\'s points over the sum of the denominator\'s');
  const aggregator = oneOfOption(`${at}.aggregator`, m.aggregator, AGGREGATORS, { fix: 'Use sum for counts, avg (the default), max or min for gauges and percentiles, or last' }) ?? DATADOG_DEFAULTS.aggregator;
  return { provider: 'datadog', ...(templates as { query?: string; numerator?: string; denominator?: string }), aggregator };
}

/** Metrics read from Datadog with query templates. */
export const datadogProviderType: MetricProviderType<DatadogSource> = {
  type: 'datadog',
  summary: 'Datadog metric queries (/api/v1/query)',
  name: 'Datadog',
  checkedBeforeTraffic: true,
  keys: ['query', 'numerator', 'denominator', 'aggregator'],
  parseSource: parseDatadogSource,
  // datadog.tags.baseline is always given; a template reads it through {{selector}}.
  readsBaseline: (source) => usesSelector(source),
  create: datadogForRun,
};

function tagsOption(option: string, value: unknown, example: string): string {
  if (value === undefined || value === null) throw new UserError(option, 'is required', `Give the tags that select this version's series, e.g. "${example}"`);
  if (typeof value !== 'string' || !TAGS.test(value)) {
    throw new UserError(option, `${showValue(value)} is not a list of Datadog tag filters`, `Write key:value tags without braces, separated by commas, e.g. "${example}"`);
  }
  return value.trim();
}

function urlOf(raw: Record<string, unknown>): string {
  if (raw.url !== undefined && raw.site !== undefined) throw new UserError('datadog.url', 'and datadog.site are both given', 'Give the site, or a full API URL (a proxy, a test server), not both');
  const url = urlOption('datadog.url', raw.url, { example: 'https://api.datadoghq.com', allowQuery: false });
  if (url) return url.replace(/\/+$/, '');
  const site = oneOfOption('datadog.site', raw.site, DATADOG_SITES, { fix: `Use your site as in the Datadog docs' site selector (${DATADOG_SITES.join(', ')}), or give a full API URL in datadog.url` }) ?? DATADOG_DEFAULTS.site;
  return `https://api.${site}`;
}

/** The rollup step and window must be whole seconds: Datadog's query API counts in seconds. */
function periodsOption(windowMs: number, sampling: NormalizedCanaryOptions['sampling']): void {
  const stepMs = sampling?.stepMs ?? windowMs;
  for (const [option, ms] of [['window', windowMs], ['comparison.step', stepMs]] as const) {
    if (ms % 1000 !== 0) throw new UserError(option, `${formatDuration(ms)} is not a whole number of seconds, the resolution of Datadog's rollups`, 'Give it in whole seconds, e.g. 1m or 15s');
  }
  if (windowMs % stepMs !== 0) {
    throw new UserError('window', `${formatDuration(windowMs)} is not a whole number of ${formatDuration(stepMs)} steps, the rollup of the samples`, `Use a window of ${formatDuration(Math.ceil(windowMs / stepMs) * stepMs)}`);
  }
}

/**
 * The `datadog` settings, read when a metric uses the provider. The keys are
 * checked now so that a missing one stops the run before the rollout moves.
 */
export function datadogSettings(
  raw: CanaryOptions['datadog'] | undefined,
  metrics: MetricSpec[],
  timing: { windowMs: number; sampling?: NormalizedCanaryOptions['sampling'] },
  env: NodeJS.ProcessEnv,
): DatadogSettings | undefined {
  if (!metrics.some((m) => m.source.provider === 'datadog')) return undefined;
  if (raw === undefined || raw === null) throw new UserError('datadog', 'is required for Datadog metrics', `Give the version tags (and the site), e.g. ${EXAMPLE}`);
  if (!isPlainObject(raw)) throw new UserError('datadog', 'must be an object', `Example: ${EXAMPLE}`);
  const url = urlOf(raw);
  if (!isPlainObject(raw.tags)) throw new UserError('datadog.tags', 'must be an object {canary, baseline}', 'Example: {"canary": "service:web,version:2.1.0", "baseline": "service:web,version:2.0.9"}');
  const canary = tagsOption('datadog.tags.canary', raw.tags.canary, 'version:2.1.0');
  const baseline = tagsOption('datadog.tags.baseline', raw.tags.baseline, 'version:2.0.9');
  if (canary === baseline) throw new UserError('datadog.tags.baseline', `selects the same series as the canary ("${canary}")`, 'Give the tags of the stable version');
  const apiKeyEnv = (raw.apiKeyEnv ?? DATADOG_DEFAULTS.apiKeyEnv) as string;
  const appKeyEnv = (raw.appKeyEnv ?? DATADOG_DEFAULTS.appKeyEnv) as string;
  secretFromEnv('datadog.apiKeyEnv', apiKeyEnv, { env, what: 'a Datadog API key' });
  secretFromEnv('datadog.appKeyEnv', appKeyEnv, { env, what: 'a Datadog application key with the timeseries_query permission' });
  periodsOption(timing.windowMs, timing.sampling);
  return {
    url,
    tags: { canary, baseline },
    apiKeyEnv,
    appKeyEnv,
    timeoutMs: positiveDuration('datadog.timeout', raw.timeout, DATADOG_DEFAULTS.timeout, '10s'),
  };
}
