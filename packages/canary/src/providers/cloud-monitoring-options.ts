// The options of Cloud Monitoring metrics: each metric's measure (or raw filter), and the project,
// revisions and credentials they share (top-level `cloudMonitoring`).
import { envNameOption, formatDuration, isPlainObject, oneOfOption, patternOption, requiredOption, showValue, UserError, urlOption } from '@shipfleet/core';
import { GOOGLE_TOKEN_URL } from '@shipfleet/android';
import { CloudMonitoringMeasure, CloudMonitoringSource, MetricSpec } from '../metrics';
import { positiveDuration } from '../option-values';
import type { CanaryOptions, CloudMonitoringSettings, NormalizedCanaryOptions } from '../types';
import { cloudMonitoringCredentials, cloudMonitoringForRun, MIN_ALIGNMENT_PERIOD_MS, MONITORING_CREDENTIALS_WHAT } from './cloud-monitoring';
import { MetricProviderType, SourceContext } from './provider';

export const CLOUD_MONITORING_DEFAULTS = { apiUrl: 'https://monitoring.googleapis.com', tokenUrl: GOOGLE_TOKEN_URL, timeout: '10s', quantile: 0.95 } as const;

export const CLOUD_MONITORING_MEASURES: readonly CloudMonitoringMeasure[] = ['errorRate', 'latency', 'requestCount'];
const QUANTILES = [0.5, 0.95, 0.99];
const ALIGNERS = [
  'ALIGN_DELTA', 'ALIGN_RATE', 'ALIGN_INTERPOLATE', 'ALIGN_NEXT_OLDER', 'ALIGN_MIN', 'ALIGN_MAX', 'ALIGN_MEAN', 'ALIGN_COUNT', 'ALIGN_SUM', 'ALIGN_STDDEV',
  'ALIGN_COUNT_TRUE', 'ALIGN_COUNT_FALSE', 'ALIGN_FRACTION_TRUE', 'ALIGN_PERCENTILE_99', 'ALIGN_PERCENTILE_95', 'ALIGN_PERCENTILE_50', 'ALIGN_PERCENTILE_05', 'ALIGN_PERCENT_CHANGE',
] as const;
const REDUCERS = [
  'REDUCE_NONE', 'REDUCE_MEAN', 'REDUCE_MIN', 'REDUCE_MAX', 'REDUCE_SUM', 'REDUCE_STDDEV', 'REDUCE_COUNT', 'REDUCE_COUNT_TRUE', 'REDUCE_COUNT_FALSE', 'REDUCE_FRACTION_TRUE',
  'REDUCE_PERCENTILE_99', 'REDUCE_PERCENTILE_95', 'REDUCE_PERCENTILE_50', 'REDUCE_PERCENTILE_05',
] as const;

const EXAMPLE = '{"project": "acme-prod", "revisions": {"canary": "web-00042-abc", "baseline": "web-00041-xyz"}}';
const FILTER_EXAMPLE = 'metric.type = "run.googleapis.com/container/cpu/utilizations"';
// A Google Cloud project id: 6–30 lower-case letters, digits and hyphens, starting with a letter.
const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// A Cloud Run revision name: a DNS label.
const REVISION = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

function parseCloudMonitoringSource(m: Record<string, unknown>, at: string, _ctx: SourceContext): CloudMonitoringSource {
  const hasMeasure = m.measure !== undefined;
  const hasFilter = m.filter !== undefined;
  if (hasMeasure === hasFilter) {
    throw new UserError(at, 'needs either "measure" (errorRate, latency, requestCount) or a raw "filter" with its "aligner"', `Read a Cloud Run measure of the revision, e.g. {"measure": "errorRate"}, or give e.g. {"filter": ${JSON.stringify(FILTER_EXAMPLE)}, "aligner": "ALIGN_PERCENTILE_95", "reducer": "REDUCE_MEAN"}`);
  }
  if (hasMeasure) {
    const measure = oneOfOption(`${at}.measure`, m.measure, CLOUD_MONITORING_MEASURES)!;
    for (const key of ['aligner', 'reducer']) {
      if (m[key] !== undefined) throw new UserError(`${at}.${key}`, 'only applies to a raw filter', `Remove it: "measure": "${measure}" chooses its own aggregation`);
    }
    if (m.quantile !== undefined && measure !== 'latency') throw new UserError(`${at}.quantile`, 'only applies to "measure": "latency"', 'Remove it');
    const quantile = m.quantile ?? CLOUD_MONITORING_DEFAULTS.quantile;
    if (typeof quantile !== 'number' || !QUANTILES.includes(quantile)) {
      throw new UserError(`${at}.quantile`, `${showValue(quantile)} is not a percentile Cloud Monitoring computes`, `Use ${QUANTILES.join(', ')} (REDUCE_PERCENTILE_50/95/99)`);
    }
    return { provider: 'cloud-monitoring', measure, quantile };
  }
  if (typeof m.filter !== 'string' || !/\bmetric\.type\s*=\s*"[^"]+"/.test(m.filter)) {
    throw new UserError(`${at}.filter`, 'must be a monitoring filter naming one metric type', `Example: ${FILTER_EXAMPLE} (the revision's clause is added)`);
  }
  if (/revision_name/.test(m.filter)) throw new UserError(`${at}.filter`, 'selects a revision itself', 'Leave resource.labels.revision_name out: the canary\'s or the stable revision is added to the filter');
  if ((m.filter.match(/"/g) ?? []).length % 2) throw new UserError(`${at}.filter`, 'has an unclosed string', `Example: ${FILTER_EXAMPLE}`);
  if (m.quantile !== undefined) throw new UserError(`${at}.quantile`, 'only applies to "measure": "latency"', 'Choose the percentile with the aligner or reducer, e.g. ALIGN_PERCENTILE_95');
  const aligner = requiredOption(`${at}.aligner`, oneOfOption(`${at}.aligner`, m.aligner, ALIGNERS), 'Give the per-series aligner, e.g. "ALIGN_DELTA" for counts or "ALIGN_PERCENTILE_95" for distributions');
  const reducer = oneOfOption(`${at}.reducer`, m.reducer, REDUCERS, { fix: 'Leave it out for REDUCE_SUM' });
  return { provider: 'cloud-monitoring', quantile: CLOUD_MONITORING_DEFAULTS.quantile, filter: m.filter, aligner, ...(reducer ? { reducer } : {}) };
}

/** Cloud Run revisions' request counts, errors and latencies (or any filter) from Cloud Monitoring. */
export const cloudMonitoringProviderType: MetricProviderType<CloudMonitoringSource> = {
  type: 'cloud-monitoring',
  summary: 'Google Cloud Monitoring time series of Cloud Run revisions',
  name: 'Cloud Monitoring',
  checkedBeforeTraffic: true,
  keys: ['measure', 'quantile', 'filter', 'aligner', 'reducer'],
  parseSource: parseCloudMonitoringSource,
  // The stable revision is always given (cloudMonitoring.revisions.baseline).
  readsBaseline: () => true,
  create: cloudMonitoringForRun,
};

function revisionOption(option: string, value: unknown, role: string, example: string): string {
  const revision = patternOption(option, value, { pattern: REVISION, what: 'a Cloud Run revision name', example });
  return requiredOption(option, revision, `Give ${role}, e.g. "${example}" (gcloud run revisions list)`);
}

/**
 * Each value is one alignment period: the window for the value, the
 * comparison's step for the samples. Cloud Monitoring's periods are whole
 * seconds of at least 60 (comparison.lookback is Prometheus's).
 */
function periodsOption(windowMs: number, sampling: NormalizedCanaryOptions['sampling']): void {
  const periods: [string, number][] = [['window', windowMs], ...(sampling ? [['comparison.step', sampling.stepMs] as [string, number]] : [])];
  for (const [option, ms] of periods) {
    if (ms < MIN_ALIGNMENT_PERIOD_MS || ms % 1000 !== 0) {
      throw new UserError(option, `${formatDuration(ms)} is not an alignment period Cloud Monitoring accepts (whole seconds, at least 60)`, option === 'window' ? 'Use a window of at least 1m' : 'Use a step of at least 1m, and a window of at least four steps');
    }
  }
  if (sampling && windowMs % sampling.stepMs !== 0) {
    throw new UserError('window', `${formatDuration(windowMs)} is not a whole number of ${formatDuration(sampling.stepMs)} steps, the alignment period of the samples`, `Use a window of ${formatDuration(Math.ceil(windowMs / sampling.stepMs) * sampling.stepMs)}`);
  }
}

/**
 * The `cloudMonitoring` settings, read when a metric uses the provider. The
 * credentials are checked now so that a missing variable stops the run before
 * the rollout moves.
 */
export function cloudMonitoringSettings(
  raw: CanaryOptions['cloudMonitoring'] | undefined,
  metrics: MetricSpec[],
  timing: { windowMs: number; sampling?: NormalizedCanaryOptions['sampling'] },
  env: NodeJS.ProcessEnv,
): CloudMonitoringSettings | undefined {
  if (!metrics.some((m) => m.source.provider === 'cloud-monitoring')) return undefined;
  if (raw === undefined || raw === null) throw new UserError('cloudMonitoring', 'is required for cloud-monitoring metrics', `Give the project and revisions, e.g. ${EXAMPLE}`);
  if (!isPlainObject(raw)) throw new UserError('cloudMonitoring', 'must be an object', `Example: ${EXAMPLE}`);
  const project = requiredOption(
    'cloudMonitoring.project',
    patternOption('cloudMonitoring.project', raw.project, { pattern: PROJECT, what: 'a Google Cloud project id', example: 'acme-prod' }),
    'Give the id of the project the Cloud Run service runs in (gcloud config get project)',
  );
  if (!isPlainObject(raw.revisions)) throw new UserError('cloudMonitoring.revisions', 'must be an object {canary, baseline}', 'Example: {"canary": "web-00042-abc", "baseline": "web-00041-xyz"}');
  const canary = revisionOption('cloudMonitoring.revisions.canary', raw.revisions.canary, 'the revision rolling out', 'web-00042-abc');
  const baseline = revisionOption('cloudMonitoring.revisions.baseline', raw.revisions.baseline, 'the revision serving the rest of the traffic', 'web-00041-xyz');
  if (canary === baseline) throw new UserError('cloudMonitoring.revisions.baseline', `is the canary's revision too ("${canary}")`, 'Give the revision that serves the rest of the traffic');
  const credentialsEnv = envNameOption('cloudMonitoring.credentialsEnv', raw.credentialsEnv, { what: MONITORING_CREDENTIALS_WHAT });
  const credentials = cloudMonitoringCredentials(credentialsEnv, env);
  if (credentials.kind === 'missing' && !credentials.tryMetadataServer) {
    throw new UserError(
      credentialsEnv ? 'cloudMonitoring.credentialsEnv' : 'cloudMonitoring',
      credentialsEnv ? `environment variable ${credentialsEnv} is not set` : 'has no credentials: no credentialsEnv, no GOOGLE_APPLICATION_CREDENTIALS, and the metadata server is turned off',
      `Set ${credentialsEnv ?? 'credentialsEnv'} to ${MONITORING_CREDENTIALS_WHAT} (the account needs roles/monitoring.viewer)`,
    );
  }
  periodsOption(timing.windowMs, timing.sampling);
  const apiUrl = (urlOption('cloudMonitoring.apiUrl', raw.apiUrl, { example: CLOUD_MONITORING_DEFAULTS.apiUrl, allowQuery: false }) ?? CLOUD_MONITORING_DEFAULTS.apiUrl).replace(/\/+$/, '');
  const tokenUrl = urlOption('cloudMonitoring.tokenUrl', raw.tokenUrl, { example: CLOUD_MONITORING_DEFAULTS.tokenUrl, allowQuery: false }) ?? CLOUD_MONITORING_DEFAULTS.tokenUrl;
  return {
    project,
    revisions: { canary, baseline },
    ...(credentialsEnv ? { credentialsEnv } : {}),
    timeoutMs: positiveDuration('cloudMonitoring.timeout', raw.timeout, CLOUD_MONITORING_DEFAULTS.timeout, '10s'),
    apiUrl,
    tokenUrl,
  };
}
