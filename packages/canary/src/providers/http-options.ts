// The options of a metric the monitor measures by sampling a health endpoint itself.
import { oneOfOption, requiredOption, showValue, UserError, urlOption } from '@shipfleet/core';
import { HttpMeasure, HttpSource } from '../metrics';
import { durationOr, numberInside, positiveDuration, wholeNumberOr } from '../option-values';
import { httpForRun } from './http';
import { MetricProviderType, SourceContext } from './provider';

export const HTTP_METRIC_DEFAULTS = { quantile: 0.95, samples: 10, spacing: '200ms', timeout: '5s', okStatus: [200, 399] } as const;

const MEASURES: readonly HttpMeasure[] = ['errorRate', 'availability', 'latency'];

function okStatusOption(option: string, value: unknown): [number, number] {
  const range = value ?? HTTP_METRIC_DEFAULTS.okStatus;
  const valid = Array.isArray(range) && range.length === 2 && range.every((s) => Number.isInteger(s) && s >= 100 && s <= 599) && range[0] <= range[1];
  if (!valid) throw new UserError(option, `${showValue(range)} is not a range of status codes`, 'Give [lowest, highest], e.g. [200, 299]');
  return [range[0], range[1]];
}

function parseHttpSource(m: Record<string, unknown>, at: string, ctx: SourceContext): HttpSource {
  const url = requiredOption(`${at}.url`, urlOption(`${at}.url`, m.url, { example: 'https://canary.example.com/healthz' }), "Give the canary's health endpoint, e.g. https://canary.example.com/healthz");
  const baselineUrl = urlOption(`${at}.baselineUrl`, m.baselineUrl, { example: 'https://stable.example.com/healthz' });
  const measure = requiredOption(`${at}.measure`, oneOfOption(`${at}.measure`, m.measure, MEASURES), `Say what to read from the samples: one of ${MEASURES.join(', ')}`);
  if (ctx.comparison && !baselineUrl) throw new UserError(`${at}.baselineUrl`, 'is required for the baseline comparison', "Give the stable version's health endpoint");
  return {
    provider: 'http',
    url,
    baselineUrl,
    measure,
    quantile: numberInside(`${at}.quantile`, m.quantile, HTTP_METRIC_DEFAULTS.quantile, 0, 1),
    samples: wholeNumberOr(`${at}.samples`, m.samples, HTTP_METRIC_DEFAULTS.samples, 1),
    spacingMs: durationOr(`${at}.spacing`, m.spacing, HTTP_METRIC_DEFAULTS.spacing, '200ms'),
    timeoutMs: positiveDuration(`${at}.timeout`, m.timeout, HTTP_METRIC_DEFAULTS.timeout, '5s'),
    okStatus: okStatusOption(`${at}.okStatus`, m.okStatus),
  };
}

/** A health endpoint the monitor samples: status and latency of its own requests. */
export const httpProviderType: MetricProviderType<HttpSource> = {
  type: 'http',
  summary: 'a health endpoint the monitor samples',
  name: 'health endpoints',
  checkedBeforeTraffic: false,
  keys: ['url', 'baselineUrl', 'measure', 'quantile', 'samples', 'spacing', 'timeout', 'okStatus'],
  parseSource: parseHttpSource,
  readsBaseline: (source) => !!source.baselineUrl,
  create: httpForRun,
};
