import { basename, resolve } from 'path';
import { consoleLogger, formatDuration, isPlainObject, showValue, UserError } from '@shipfleet/core';
import { ActionParseContext } from './actions/action-type';
import { COMMAND_ACTION_DEFAULTS } from './actions/command-options';
import { trafficActionType } from './actions/registry';
import { WEBHOOK_ACTION_DEFAULTS } from './actions/webhook-options';
import { Judge } from './analyse';
import { METRIC_DEFAULTS, metricOption } from './metric-options';
import { MetricSpec } from './metrics';
import { notifyOption } from './notify';
import { durationOr, numberInside, numberOr, positiveDuration, wholeNumberOr } from './option-values';
import { resolvePreset } from './presets';
import { cloudMonitoringSettings } from './providers/cloud-monitoring-options';
import { datadogSettings } from './providers/datadog-options';
import { prometheusSettings, PROMETHEUS_DEFAULTS } from './providers/prometheus-options';
import { readsBaseline } from './providers/registry';
import { sentrySettings } from './providers/sentry-options';
import { RolloutPolicy } from './rollout';
import { stepsOption } from './steps';
import type { ActionSpec, CanaryOptions, NormalizeContext, NormalizedCanaryOptions } from './types';

/**
 * What canary-monitor uses for a top-level option left out (after the preset
 * and the config file). Its schema.json states them in the descriptions, not as
 * `default`s: Nx would fill those in and override the preset and canary.json.
 */
export const CANARY_MONITOR_DEFAULTS = {
  steps: 'standard',
  pause: '5m',
  interval: '1m',
  initialDelay: 0,
  failureLimit: 0,
  consecutiveErrorLimit: 4,
  inconclusiveLimit: 10,
  minRequests: 50,
} as const;

/** Defaults of the settings inside options: the comparison, metrics, prometheus and actions. */
export const DEFAULTS = {
  confidence: 0.95,
  pass: 95,
  marginal: 75,
  step: '15s',
  scrapeInterval: '15s',
  minSamples: 4,
  tolerance: METRIC_DEFAULTS.tolerance,
  prometheusTimeout: PROMETHEUS_DEFAULTS.timeout,
  commandTimeout: COMMAND_ACTION_DEFAULTS.timeout,
  webhookTimeout: WEBHOOK_ACTION_DEFAULTS.timeout,
} as const;

/** Samples per version the comparison's test needs at least: 4 against 4 can reach p = 1/70 < 0.05. */
const MIN_SAMPLES = DEFAULTS.minSamples;

const FULL_EXAMPLE = '{"preset": "slo-1pct-500ms", "prometheus": {"url": "https://prometheus.example.com"}, …}';

/** A point in time (RFC 3339, or Unix seconds) in ms since the epoch. */
function timeOption(option: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.round(value * 1000);
  if (typeof value === 'string') {
    if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
      const ms = Date.parse(value);
      if (Number.isFinite(ms)) return ms;
    }
  }
  throw new UserError(option, `${showValue(value)} is not a time`, 'Give an RFC 3339 time such as "2024-01-01T00:05:00Z", or Unix seconds');
}

/** The comparison judge and its range sampling, when `comparison` is on. */
function comparisonOption(raw: CanaryOptions['comparison'], windowMs: number): { comparison?: Judge['comparison']; sampling?: NormalizedCanaryOptions['sampling'] } {
  if (raw === undefined || raw === null || raw === false) return {};
  if (raw !== true && !isPlainObject(raw)) throw new UserError('comparison', 'must be true or an object of settings', 'Example: {"confidence": 0.95, "pass": 95, "marginal": 75}');
  const c = raw === true ? {} : raw;
  const pass = numberOr('comparison.pass', c.pass, DEFAULTS.pass, 0, 100);
  const marginal = numberOr('comparison.marginal', c.marginal, DEFAULTS.marginal, 0, 100);
  if (marginal > pass) throw new UserError('comparison.marginal', `${marginal} is above the pass score ${pass}`, 'Scores below marginal fail and scores from pass up pass: marginal must not exceed pass');
  const confidence = numberInside('comparison.confidence', c.confidence, DEFAULTS.confidence, 0.5, 1);
  // Each sample's range must hold two scrapes even when it excludes its start (Prometheus 3 does,
  // 2.x does not): with one, rate() and increase() give nothing and the sample is lost. Samples do
  // not overlap by default (the test assumes independent samples), so the step follows the lookback.
  const scrapeMs = positiveDuration('comparison.scrapeInterval', c.scrapeInterval, DEFAULTS.scrapeInterval, '15s');
  const minLookbackMs = 2 * scrapeMs;
  const given = (v: unknown) => v !== undefined && v !== null;
  const stepMs = given(c.step) ? positiveDuration('comparison.step', c.step, DEFAULTS.step, '30s') : Math.max(durationOr('comparison.step', DEFAULTS.step, DEFAULTS.step, '30s'), minLookbackMs);
  const lookbackMs = given(c.lookback) ? positiveDuration('comparison.lookback', c.lookback, stepMs / 1000, '30s') : Math.max(stepMs, minLookbackMs);
  if (lookbackMs < minLookbackMs) {
    throw new UserError(
      'comparison.lookback',
      `${formatDuration(lookbackMs)} holds fewer than 2 scrapes of ${formatDuration(scrapeMs)} when a range excludes its start (as Prometheus 3 does): rate() and increase() would give nothing`,
      `Use at least ${formatDuration(minLookbackMs)}, or leave it out (it is then the larger of the step and twice the scrape interval)`,
    );
  }
  // The test needs at least MIN_SAMPLES per version: a window too short for them is widened for the samples.
  const rangeMs = Math.max(windowMs, MIN_SAMPLES * stepMs);
  return { comparison: { confidence, pass, marginal }, sampling: { stepMs, lookbackMs, scrapeMs, rangeMs } };
}

function actionOption(raw: unknown, ctx: ActionParseContext): ActionSpec {
  if (raw === undefined || raw === null) {
    throw new UserError('action', 'is required', 'Say how traffic moves: {"type": "command", "setWeight": ["./set-weight.sh", "{{weight}}"]}, {"type": "webhook", "url": "…"} or {"type": "kubernetes", …}');
  }
  if (!isPlainObject(raw)) throw new UserError('action', 'must be an object', 'Example: {"type": "webhook", "url": "https://deploy.example.com/canary"}');
  return trafficActionType(raw.type).parse(raw, ctx);
}

function holdOnSharedFailureOption(raw: CanaryOptions['thresholds'], canCheckBaseline: boolean): boolean {
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) throw new UserError('thresholds', 'must be an object', 'Example: {"holdOnSharedFailure": true}');
  const hold = raw?.holdOnSharedFailure ?? canCheckBaseline;
  if (typeof hold !== 'boolean') throw new UserError('thresholds.holdOnSharedFailure', 'must be true or false', 'Leave it out to check the stable version whenever a baseline is known');
  if (hold && !canCheckBaseline) {
    throw new UserError('thresholds.holdOnSharedFailure', 'needs the stable version: selectors.baseline used by a query (or a baselineUrl)', 'Give selectors.baseline, or set it to false');
  }
  return hold;
}

/**
 * Validates the options of a canary rollout; each problem is a UserError
 * naming the option. The options of each metric provider and traffic action
 * are checked by the provider or action itself (providers/, actions/).
 */
export function normalizeCanaryOptions(rawInput: Partial<CanaryOptions>, projectRoot: string, env: NodeJS.ProcessEnv = process.env, context: NormalizeContext = {}): NormalizedCanaryOptions {
  if (!isPlainObject(rawInput)) throw new UserError('options', 'must be an object', `Pass the options as a map, e.g. ${FULL_EXAMPLE}`);
  const warn = context.warn ?? ((message: string) => consoleLogger.warn(message));
  let raw: CanaryOptions = rawInput;
  let preset: string | undefined;
  if (rawInput.preset !== undefined && rawInput.preset !== null) {
    const resolved = resolvePreset(rawInput.preset, warn);
    preset = resolved.name;
    raw = { ...resolved.options, ...Object.fromEntries(Object.entries(rawInput).filter(([, v]) => v !== undefined)), preset };
  }

  const name = raw.name ?? basename(resolve(projectRoot));
  if (typeof name !== 'string' || !name.trim()) throw new UserError('name', 'must be a non-empty string', 'Leave it out for the project folder\'s name');

  const defaultPauseMs = durationOr('pause', raw.pause, CANARY_MONITOR_DEFAULTS.pause, '5m');
  const steps = stepsOption(raw.steps ?? CANARY_MONITOR_DEFAULTS.steps, defaultPauseMs);
  const intervalMs = positiveDuration('interval', raw.interval, CANARY_MONITOR_DEFAULTS.interval, '1m');
  const windowMs = positiveDuration('window', raw.window, intervalMs / 1000, '1m');
  const initialDelayMs = durationOr('initialDelay', raw.initialDelay, CANARY_MONITOR_DEFAULTS.initialDelay, '2m');
  const longestPause = Math.max(...steps.map((s) => s.pauseMs));
  const deadlineMs = durationOr('deadline', raw.deadline, (longestPause + 10 * intervalMs) / 1000, '10m');
  if (deadlineMs < longestPause + intervalMs) {
    throw new UserError('deadline', `${formatDuration(deadlineMs)} leaves no time for an analysis after the longest pause (${formatDuration(longestPause)}) at one every ${formatDuration(intervalMs)}`, `Give at least ${formatDuration(longestPause + intervalMs)}, or shorten the pauses`);
  }

  const policy: RolloutPolicy = {
    failureLimit: wholeNumberOr('failureLimit', raw.failureLimit, CANARY_MONITOR_DEFAULTS.failureLimit),
    consecutiveErrorLimit: wholeNumberOr('consecutiveErrorLimit', raw.consecutiveErrorLimit, CANARY_MONITOR_DEFAULTS.consecutiveErrorLimit),
    inconclusiveLimit: wholeNumberOr('inconclusiveLimit', raw.inconclusiveLimit, CANARY_MONITOR_DEFAULTS.inconclusiveLimit),
  };
  const { comparison, sampling } = comparisonOption(raw.comparison, windowMs);

  if (!Array.isArray(raw.metrics) || !raw.metrics.length) {
    throw new UserError('metrics', 'must list at least one metric', 'Use "preset": "slo-1pct-500ms" for error rate, latency and availability, or give e.g. [{"name": "error-rate", "numerator": "…", "denominator": "…", "failure": "> 0.05"}]');
  }
  const metrics: MetricSpec[] = raw.metrics.map((m, i) => metricOption(m, i, !!comparison));
  metrics.forEach((m, i) => {
    if (metrics.findIndex((other) => other.name === m.name) < i) throw new UserError(`metrics[${i}].name`, `"${m.name}" is used by another metric`, 'Give each metric its own name');
  });

  const { prometheus, selectors, requestCount } = prometheusSettings(raw, metrics, !!comparison, env);
  const sentry = sentrySettings(raw.sentry, metrics, { windowMs, sampling }, env);
  const cloudMonitoring = cloudMonitoringSettings(raw.cloudMonitoring, metrics, { windowMs, sampling }, env);
  const datadog = datadogSettings(raw.datadog, metrics, { windowMs, sampling }, env);
  if (raw.minRequests !== undefined && raw.minRequests !== 0 && !requestCount && metrics.some((m) => m.source.provider === 'prometheus')) {
    throw new UserError('minRequests', 'needs a requestCount query to count the canary\'s requests', 'Add "requestCount": "sum(increase(http_requests_total{{{selector}}}[{{interval}}]))"');
  }
  const minRequests = requestCount ? wholeNumberOr('minRequests', raw.minRequests, CANARY_MONITOR_DEFAULTS.minRequests) : 0;

  // The thresholds judge: on when a metric has conditions.
  const holdOnSharedFailure = holdOnSharedFailureOption(raw.thresholds, metrics.some((m) => readsBaseline(m.source, selectors)));
  const thresholds = metrics.some((m) => m.success || m.failure) ? { holdOnSharedFailure } : undefined;

  const workspaceRoot = resolve(context.workspaceRoot ?? projectRoot);
  return {
    ...(preset ? { preset } : {}),
    name,
    steps,
    intervalMs,
    windowMs,
    initialDelayMs,
    deadlineMs,
    policy,
    judge: { thresholds, comparison, minRequests },
    sampling,
    requestCount,
    metrics,
    prometheus,
    ...(sentry ? { sentry } : {}),
    ...(cloudMonitoring ? { cloudMonitoring } : {}),
    ...(datadog ? { datadog } : {}),
    selectors,
    evaluationTime: timeOption('evaluationTime', raw.evaluationTime),
    action: actionOption(raw.action, { workspaceRoot, projectRoot: resolve(workspaceRoot, projectRoot), env, warn }),
    notify: notifyOption(raw.notify, env),
  };
}
