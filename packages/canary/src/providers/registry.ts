import { showValue, UserError } from '@shipfleet/core';
import type { MetricSource } from '../metrics';
import type { Selectors } from '../types';
import { cloudMonitoringProviderType } from './cloud-monitoring-options';
import { datadogProviderType } from './datadog-options';
import { httpProviderType } from './http-options';
import { prometheusProviderType } from './prometheus-options';
import { MetricProviderType } from './provider';
import { sentryProviderType } from './sentry-options';

type ProviderTypes = { [K in MetricSource['provider']]: MetricProviderType<Extract<MetricSource, { provider: K }>> };

/** Every metric provider, by the `provider` a metric names. A new provider is one more entry. */
export const METRIC_PROVIDERS: ProviderTypes = {
  prometheus: prometheusProviderType,
  http: httpProviderType,
  sentry: sentryProviderType,
  'cloud-monitoring': cloudMonitoringProviderType,
  datadog: datadogProviderType,
};

export const DEFAULT_METRIC_PROVIDER: MetricSource['provider'] = 'prometheus';

/** The provider a metric names (`option` is "metrics[2].provider"), or a UserError listing them. */
export function metricProviderType(option: string, type: unknown): MetricProviderType {
  const found = typeof type === 'string' && Object.hasOwn(METRIC_PROVIDERS, type) ? METRIC_PROVIDERS[type as MetricSource['provider']] : undefined;
  if (!found) {
    const known = Object.values(METRIC_PROVIDERS).map((p) => `${p.type} (${p.summary})`).join(', ');
    throw new UserError(option, `${showValue(type)} is not a metric provider`, `Use one of ${known}`);
  }
  return found as MetricProviderType;
}

/** Whether a metric's stable version can be measured too. */
export function readsBaseline(source: MetricSource, selectors: Selectors): boolean {
  return (METRIC_PROVIDERS[source.provider] as MetricProviderType).readsBaseline(source, selectors);
}
