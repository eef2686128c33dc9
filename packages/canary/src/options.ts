import { basename, isAbsolute, resolve } from 'path';
import { isEnvName, UserError } from '@shipfleet/core';
import { CommandActionSpec } from './actions/command';
import { KubernetesActionSpec } from './actions/kubernetes';
import { WebhookActionSpec } from './actions/webhook';
import { Judge } from './analyse';
import { formatDuration, parseDuration } from './duration';
import { conditionsOverlap, Condition, Direction, HttpMeasure, MetricSpec, MetricSource, parseCondition, PrometheusSource } from './metrics';
import { PRESETS, STEP_PRESETS } from './presets';
import { RolloutPolicy } from './rollout';
import { isLabelMatchers, Placeholder, templatePlaceholders } from './template';

export interface CanaryStepOptions {
  /** Percentage of traffic for the canary at this step, above 0 and at most 100, increasing from step to step. */
  weight: number;
  /** Least time at this weight before it may be promoted (default: the `pause` option). */
  pause?: string | number;
}

export interface CanaryMetricOptions {
  /** Unique name, shown in the timeline ("error-rate"). */
  name: string;
  /** prometheus (default) or http. */
  provider?: 'prometheus' | 'http';

  /** prometheus: a PromQL template giving one value (see template.ts for the placeholders). */
  query?: string;
  /** prometheus: a ratio numerator / denominator; a numerator with no series counts as 0. */
  numerator?: string;
  denominator?: string;
  /** prometheus: an empty result of `query` counts as 0 (a counter that has no series because nothing happened). */
  missingAsZero?: boolean;

  /** http: the canary's health endpoint. */
  url?: string;
  /** http: the stable version's, for the comparison and the shared-failure check. */
  baselineUrl?: string;
  /** http: what to read from the samples: errorRate, availability (0–1) or latency (ms). */
  measure?: HttpMeasure;
  /** http latency: the quantile (default 0.95). */
  quantile?: number;
  /** http: requests per analysis (default 10). */
  samples?: number;
  /** http: time between two requests (default 200ms). */
  spacing?: string | number;
  /** http: a request slower than this fails (default 5s). */
  timeout?: string | number;
  /** http: range of healthy status codes (default [200, 399]). */
  okStatus?: [number, number];

  /** Thresholds: healthy when the value meets it, e.g. "< 0.01". */
  success?: string;
  /** Thresholds: failed when the value meets it, e.g. "> 0.05". */
  failure?: string;

  /** Comparison: which way is worse (default from the conditions, else increase). */
  direction?: Direction;
  /** Comparison: a failed critical metric fails the analysis whatever the score. */
  critical?: boolean;
  /** Comparison: weight in the score (default 1). */
  weight?: number;
  /** Comparison: absolute floor (default: the success threshold). */
  floor?: number;
  /** Comparison: relative difference tolerated, 0.1 = 10 % (default 0.1). */
  tolerance?: number;
}

export type CanaryActionOptions =
  | { type: 'command'; setWeight: string[]; promote?: string[]; rollback?: string[]; cwd?: string; env?: Record<string, string>; timeout?: string | number }
  | { type: 'webhook'; url: string; tokenEnv?: string; timeout?: string | number }
  | { type: 'kubernetes'; mode: 'ingress-nginx'; ingress: string; namespace?: string }
  | { type: 'kubernetes'; mode: 'replicas'; canary: string; stable: string; replicas: number; namespace?: string };

/** Options as a user writes them (an Nx target's options, or a script's). */
export interface CanaryOptions {
  /** Defaults from a named preset ("seed-000"); every option given here wins over it. */
  preset?: string;
  /** Name of the canary in messages and webhook bodies (default: the project folder's name). */
  name?: string;
  /** The stages: a list of {weight, pause}, or a preset name (standard: 5, 25, 50, 100; cautious; fast). */
  steps?: CanaryStepOptions[] | string;
  /** Pause of steps that give none (default 5m). */
  pause?: string | number;
  /** Time between two analyses (default 1m). */
  interval?: string | number;
  /** Lookback of each analysis, {{interval}} of the queries (default: interval). */
  window?: string | number;
  /** Wait before the first analysis of the rollout (default 0). */
  initialDelay?: string | number;
  /** Longest a step may last without a passing analysis; then it rolls back (default: longest pause + 10 intervals). */
  deadline?: string | number;
  /** Failed analyses tolerated over the rollout, counted cumulatively (default 0). */
  failureLimit?: number;
  /** Metric-source errors tolerated in a row (default 4). */
  consecutiveErrorLimit?: number;
  /** Inconclusive analyses tolerated since the last pass in a step (default 10). */
  inconclusiveLimit?: number;
  /** PromQL template of the canary's request count in the window; with minRequests, low traffic is no data. */
  requestCount?: string;
  /** Fewest canary requests in the window for an analysis to count (default 50 when requestCount is set). */
  minRequests?: number;
  /** Evaluate queries at this time (RFC 3339 or Unix seconds) instead of now, advancing by the waits without waiting: replays a recorded history. */
  evaluationTime?: string | number;
  prometheus?: { url: string; timeout?: string | number; tokenEnv?: string };
  /** Label matchers of each version, without braces: {"canary": "app=\"web\",version=\"canary\""}. */
  selectors?: { canary?: string; baseline?: string };
  metrics?: CanaryMetricOptions[];
  /** Thresholds judge settings (on whenever a metric has success/failure). */
  thresholds?: { holdOnSharedFailure?: boolean };
  /** Baseline comparison: true, or its settings; off by default. */
  comparison?: boolean | { confidence?: number; pass?: number; marginal?: number; step?: string | number; lookback?: string | number };
  /** How traffic is moved. */
  action?: CanaryActionOptions;
  /** Slack-compatible notifications: the name of the environment variable holding the webhook URL. */
  notify?: { webhookEnv: string };
}

export type ActionSpec = CommandActionSpec | WebhookActionSpec | KubernetesActionSpec;

export interface NormalizedCanaryOptions {
  preset?: string;
  name: string;
  steps: { weight: number; pauseMs: number }[];
  intervalMs: number;
  windowMs: number;
  initialDelayMs: number;
  deadlineMs: number;
  policy: RolloutPolicy;
  judge: Judge;
  /** Range samples of the comparison (when on). */
  sampling?: { stepMs: number; lookbackMs: number };
  requestCount?: PrometheusSource;
  metrics: MetricSpec[];
  prometheus?: { url: string; timeoutMs: number; tokenEnv?: string };
  selectors: { canary?: string; baseline?: string };
  /** ms since the epoch. */
  evaluationTime?: number;
  action: ActionSpec;
  notify?: { webhookEnv: string };
}

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

/** Defaults of the settings inside options: comparison, metrics, prometheus and actions. */
export const DEFAULTS = {
  confidence: 0.95,
  pass: 95,
  marginal: 75,
  step: '15s',
  tolerance: 0.1,
  prometheusTimeout: '10s',
  commandTimeout: '60s',
  webhookTimeout: '10s',
} as const;

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MEASURES: HttpMeasure[] = ['errorRate', 'availability', 'latency'];
const DIRECTIONS: Direction[] = ['increase', 'decrease', 'either'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function duration(option: string, value: unknown, fallback: string | number | undefined, example: string): number | undefined {
  const raw = value ?? fallback;
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms === undefined) throw new UserError(option, `${JSON.stringify(raw)} is not a duration`, `Write it like "${example}" (units ms, s, m, h), or give a number of seconds`);
  return ms;
}

function positiveDuration(option: string, value: unknown, fallback: string | number | undefined, example: string): number {
  const ms = duration(option, value, fallback, example)!;
  if (ms <= 0) throw new UserError(option, 'must be longer than 0', `Give e.g. "${example}"`);
  return ms;
}

function wholeNumber(option: string, value: unknown, fallback: number, min = 0): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UserError(option, `${JSON.stringify(v)} is not a whole number of at least ${min}`, `Leave it out for ${fallback}`);
  return v;
}

function numberIn(option: string, value: unknown, fallback: number, min: number, max: number, openMin = false, openMax = false): number {
  const v = value ?? fallback;
  const ok = typeof v === 'number' && Number.isFinite(v) && (openMin ? v > min : v >= min) && (openMax ? v < max : v <= max);
  if (!ok) throw new UserError(option, `${JSON.stringify(v)} is not a number from ${min} to ${max}${openMin || openMax ? ' (exclusive)' : ''}`, `Leave it out for ${fallback}`);
  return v as number;
}

function httpUrl(option: string, value: unknown, example: string): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new UserError(option, `${JSON.stringify(value)} is not an http(s) URL`, `Give a full URL such as ${example}`);
  }
  if (parsed.username || parsed.password) throw new UserError(option, 'must not contain a user name or password', 'Pass credentials through a tokenEnv option instead');
  return value as string;
}

function envName(option: string, value: unknown, env: NodeJS.ProcessEnv, what: string): string {
  if (typeof value !== 'string' || !isEnvName(value)) {
    throw new UserError(option, `${JSON.stringify(value)} is not an environment variable name`, `Give the NAME of the variable that holds ${what}, never the value itself`);
  }
  if (!env[value]) throw new UserError(option, `environment variable ${value} is not set`, `Set ${value} from your CI secret store`);
  return value;
}

/** Placeholders of a template, or a UserError naming the option. */
function checkTemplate(option: string, value: unknown, example: string): Set<Placeholder> {
  if (typeof value !== 'string' || !value.trim()) throw new UserError(option, 'must be a PromQL query template', `Example: ${example}`);
  const r = templatePlaceholders(value);
  if ('problem' in r) throw new UserError(option, r.problem, `Example: ${example}`);
  return r.used;
}

function parseTime(option: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.round(value * 1000);
  if (typeof value === 'string') {
    if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
      const ms = Date.parse(value);
      if (Number.isFinite(ms)) return ms;
    }
  }
  throw new UserError(option, `${JSON.stringify(value)} is not a time`, 'Give an RFC 3339 time such as "2024-01-01T00:05:00Z", or Unix seconds');
}

function normalizeSteps(raw: CanaryOptions, defaultPauseMs: number): { weight: number; pauseMs: number }[] {
  const steps = raw.steps ?? CANARY_MONITOR_DEFAULTS.steps;
  if (typeof steps === 'string') {
    const weights = STEP_PRESETS[steps];
    if (!weights) throw new UserError('steps', `"${steps}" is not a steps preset`, `Use one of ${Object.keys(STEP_PRESETS).join(', ')}, or a list such as [{"weight": 10, "pause": "5m"}, {"weight": 100}]`);
    return weights.map((weight) => ({ weight, pauseMs: defaultPauseMs }));
  }
  if (!Array.isArray(steps) || !steps.length) throw new UserError('steps', 'must be a non-empty list of {weight, pause} or a preset name', 'Example: [{"weight": 5, "pause": "5m"}, {"weight": 50, "pause": "10m"}, {"weight": 100}]');
  let previous = 0;
  return steps.map((step, i) => {
    const option = `steps[${i}]`;
    if (!isPlainObject(step)) throw new UserError(option, 'must be an object {weight, pause}', 'Example: {"weight": 25, "pause": "5m"}');
    const { weight } = step;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 100) {
      throw new UserError(`${option}.weight`, `${JSON.stringify(weight)} is not a percentage above 0 and at most 100`, 'Give the share of traffic for the canary at this step, e.g. 25');
    }
    if (weight <= previous) throw new UserError(`${option}.weight`, `${weight} does not increase on the previous step's ${previous}`, 'List the steps with increasing weights, e.g. 5, 25, 50, 100');
    previous = weight;
    const pauseMs = duration(`${option}.pause`, step.pause, undefined, '5m') ?? defaultPauseMs;
    return { weight, pauseMs };
  });
}

function normalizeCondition(option: string, value: unknown): Condition | undefined {
  if (value === undefined) return undefined;
  const c = parseCondition(value);
  if (!c) throw new UserError(option, `${JSON.stringify(value)} is not a condition`, 'Write an operator and a number, e.g. "< 0.01" or ">= 0.999" (operators <, <=, >, >=)');
  return c;
}

interface MetricContext {
  comparison: boolean;
}

function normalizeMetric(raw: unknown, i: number, ctx: MetricContext): MetricSpec {
  const at = `metrics[${i}]`;
  if (!isPlainObject(raw)) throw new UserError(at, 'must be an object', 'Example: {"name": "error-rate", "numerator": "…", "denominator": "…", "failure": "> 0.05"}');
  const m = raw as Partial<CanaryMetricOptions>;
  if (typeof m.name !== 'string' || !NAME.test(m.name)) {
    throw new UserError(`${at}.name`, `${JSON.stringify(m.name)} is not a metric name`, 'Use letters, digits, - _ and ., starting with a letter, e.g. "error-rate"');
  }
  const provider = m.provider ?? 'prometheus';
  if (provider !== 'prometheus' && provider !== 'http') {
    throw new UserError(`${at}.provider`, `"${String(provider)}" is not a metric provider`, 'Use prometheus (PromQL over the HTTP API) or http (a health endpoint the monitor samples)');
  }

  let source: MetricSource;
  if (provider === 'prometheus') {
    for (const key of ['url', 'baselineUrl', 'measure'] as const) {
      if (m[key] !== undefined) throw new UserError(`${at}.${key}`, 'only applies to the http provider', 'Remove it, or set "provider": "http"');
    }
    const hasQuery = m.query !== undefined;
    const hasRatio = m.numerator !== undefined || m.denominator !== undefined;
    if (hasQuery === hasRatio) {
      throw new UserError(at, 'needs either "query", or "numerator" and "denominator"', 'Give one query that yields the metric, or a ratio such as errors / requests');
    }
    const example = 'sum(rate(http_requests_total{{{selector}},code=~"5.."}[{{interval}}]))';
    const templates = hasQuery ? { query: m.query } : { numerator: m.numerator, denominator: m.denominator };
    for (const [key, value] of Object.entries(templates)) {
      if (value === undefined) throw new UserError(`${at}.${key}`, 'is required with a ratio', 'Give both numerator and denominator');
      const used = checkTemplate(`${at}.${key}`, value, example);
      if (!used.has('selector') && !used.has('canary')) {
        throw new UserError(`${at}.${key}`, 'does not select the canary: it uses neither {{selector}} nor {{canary}}', `Put the version's label matchers in: ${example}`);
      }
      if (ctx.comparison && !used.has('selector')) {
        throw new UserError(`${at}.${key}`, 'must use {{selector}} for the baseline comparison, which runs it once for the canary and once for the stable version', `Example: ${example}`);
      }
    }
    if (m.missingAsZero !== undefined && typeof m.missingAsZero !== 'boolean') throw new UserError(`${at}.missingAsZero`, 'must be true or false', 'Leave it out for false');
    source = { provider: 'prometheus', ...templates, missingAsZero: m.missingAsZero ?? false } as PrometheusSource;
  } else {
    for (const key of ['query', 'numerator', 'denominator', 'missingAsZero'] as const) {
      if (m[key] !== undefined) throw new UserError(`${at}.${key}`, 'only applies to the prometheus provider', 'Remove it; the http provider reads status and latency from its own requests');
    }
    const url = httpUrl(`${at}.url`, m.url, 'https://canary.example.com/healthz');
    const baselineUrl = m.baselineUrl === undefined ? undefined : httpUrl(`${at}.baselineUrl`, m.baselineUrl, 'https://stable.example.com/healthz');
    if (!MEASURES.includes(m.measure as HttpMeasure)) {
      throw new UserError(`${at}.measure`, `${JSON.stringify(m.measure)} is not something the http provider measures`, `Use one of ${MEASURES.join(', ')}`);
    }
    if (ctx.comparison && !baselineUrl) throw new UserError(`${at}.baselineUrl`, 'is required for the baseline comparison', "Give the stable version's health endpoint");
    const okStatus = m.okStatus ?? [200, 399];
    if (!Array.isArray(okStatus) || okStatus.length !== 2 || !okStatus.every((s) => Number.isInteger(s) && s >= 100 && s <= 599) || okStatus[0] > okStatus[1]) {
      throw new UserError(`${at}.okStatus`, `${JSON.stringify(okStatus)} is not a range of status codes`, 'Give [lowest, highest], e.g. [200, 299]');
    }
    source = {
      provider: 'http',
      url,
      baselineUrl,
      measure: m.measure as HttpMeasure,
      quantile: numberIn(`${at}.quantile`, m.quantile, 0.95, 0, 1, true, true),
      samples: wholeNumber(`${at}.samples`, m.samples, 10, 1),
      spacingMs: duration(`${at}.spacing`, m.spacing, '200ms', '200ms')!,
      timeoutMs: positiveDuration(`${at}.timeout`, m.timeout, '5s', '5s'),
      okStatus: [okStatus[0], okStatus[1]],
    };
  }

  const success = normalizeCondition(`${at}.success`, m.success);
  const failure = normalizeCondition(`${at}.failure`, m.failure);
  if (success && failure && conditionsOverlap(success, failure)) {
    throw new UserError(`${at}.failure`, `"${failure.text}" overlaps the success condition "${success.text}": a value could be healthy and failing at once`, 'Make one an upper and the other a lower bound that do not meet, e.g. success "< 0.01", failure "> 0.05"');
  }
  if (!success && !failure && !ctx.comparison) {
    throw new UserError(at, `metric "${m.name}" has no success or failure condition and the baseline comparison is off: nothing would judge it`, 'Add "failure" (and "success"), e.g. "failure": "> 0.05", or turn on "comparison"');
  }
  if (m.direction !== undefined && !DIRECTIONS.includes(m.direction)) {
    throw new UserError(`${at}.direction`, `"${String(m.direction)}" is not a direction`, 'Use increase (higher is worse: errors, latency), decrease (lower is worse: availability) or either');
  }
  const upper = (c?: Condition) => c && (c.op === '<' || c.op === '<=');
  const direction: Direction = m.direction ?? (failure ? (upper(failure) ? 'decrease' : 'increase') : success ? (upper(success) ? 'increase' : 'decrease') : 'increase');
  if (m.critical !== undefined && typeof m.critical !== 'boolean') throw new UserError(`${at}.critical`, 'must be true or false', 'Leave it out for false');
  const weight = m.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) throw new UserError(`${at}.weight`, `${JSON.stringify(weight)} is not a positive number`, 'Leave it out for 1');
  if (m.floor !== undefined && (typeof m.floor !== 'number' || !Number.isFinite(m.floor))) throw new UserError(`${at}.floor`, `${JSON.stringify(m.floor)} is not a number`, 'Give the value on the good side of which the canary always passes, e.g. 0.01');
  const tolerance = numberIn(`${at}.tolerance`, m.tolerance, DEFAULTS.tolerance, 0, 10);
  return { name: m.name, source, success, failure, direction, critical: m.critical ?? false, weight, floor: m.floor ?? success?.value, tolerance };
}

function normalizeAction(raw: unknown, projectRoot: string, env: NodeJS.ProcessEnv): ActionSpec {
  if (raw === undefined) {
    throw new UserError('action', 'is required', 'Say how traffic moves: {"type": "command", "setWeight": ["./set-weight.sh", "{{weight}}"]}, {"type": "webhook", "url": "…"} or {"type": "kubernetes", …}');
  }
  if (!isPlainObject(raw)) throw new UserError('action', 'must be an object', 'Example: {"type": "webhook", "url": "https://deploy.example.com/canary"}');
  const a = raw as Record<string, unknown>;
  switch (a.type) {
    case 'command': {
      const argv = (key: string, required: boolean): string[] | undefined => {
        const v = a[key];
        if (v === undefined && !required) return undefined;
        if (!Array.isArray(v) || !v.length || !v.every((x) => typeof x === 'string') || !v[0]) {
          throw new UserError(`action.${key}`, 'must be a command as a list of arguments', 'Example: ["kubectl", "annotate", "--overwrite", "ingress/web-canary", "nginx.ingress.kubernetes.io/canary-weight={{weight}}"] (no shell: one argument per element)');
        }
        for (const arg of v as string[]) {
          const rest = arg.replace(/\{\{\s*weight\s*\}\}/g, '');
          if (rest.includes('{{') || rest.includes('}}')) throw new UserError(`action.${key}`, `"${arg}" has a placeholder other than {{weight}}`, 'Only {{weight}} (the percentage, 0–100) is filled in');
        }
        return v as string[];
      };
      const setWeight = argv('setWeight', true)!;
      if (!setWeight.some((arg) => /\{\{\s*weight\s*\}\}/.test(arg))) {
        throw new UserError('action.setWeight', 'never uses {{weight}}', 'Put {{weight}} where the command takes the percentage, e.g. ["./set-weight.sh", "{{weight}}"]');
      }
      const cwd = a.cwd === undefined ? undefined : typeof a.cwd === 'string' ? (isAbsolute(a.cwd) ? a.cwd : resolve(projectRoot, a.cwd)) : undefined;
      if (a.cwd !== undefined && cwd === undefined) throw new UserError('action.cwd', 'must be a path', 'Give a folder, absolute or relative to the project root');
      const cmdEnv = a.env ?? {};
      if (!isPlainObject(cmdEnv) || !Object.entries(cmdEnv).every(([k, v]) => isEnvName(k) && typeof v === 'string')) {
        throw new UserError('action.env', 'must be a map of variable names to string values', 'Example: {"KUBECONFIG": "/etc/kube/config"}');
      }
      return {
        type: 'command',
        setWeight,
        promote: argv('promote', false),
        rollback: argv('rollback', false),
        cwd: cwd ?? projectRoot,
        env: cmdEnv as Record<string, string>,
        timeoutMs: positiveDuration('action.timeout', a.timeout, DEFAULTS.commandTimeout, '60s'),
      };
    }
    case 'webhook':
      return {
        type: 'webhook',
        url: httpUrl('action.url', a.url, 'https://deploy.example.com/canary'),
        tokenEnv: a.tokenEnv === undefined ? undefined : envName('action.tokenEnv', a.tokenEnv, env, 'the bearer token'),
        timeoutMs: positiveDuration('action.timeout', a.timeout, DEFAULTS.webhookTimeout, '10s'),
      };
    case 'kubernetes': {
      const name = (key: string) => {
        const v = a[key];
        if (typeof v !== 'string' || !DNS_NAME.test(v) || v.length > 253) throw new UserError(`action.${key}`, `${JSON.stringify(v)} is not a Kubernetes object name`, 'Give the name as in metadata.name (lowercase letters, digits, - and .)');
        return v;
      };
      const namespace = a.namespace;
      if (namespace !== undefined && (typeof namespace !== 'string' || !DNS_LABEL.test(namespace))) {
        throw new UserError('action.namespace', `${JSON.stringify(namespace)} is not a namespace name`, 'Leave it out for the context\'s namespace');
      }
      if (a.mode === 'ingress-nginx') return { type: 'kubernetes', mode: 'ingress-nginx', ingress: name('ingress'), namespace };
      if (a.mode === 'replicas') {
        const canary = name('canary');
        const stable = name('stable');
        if (canary === stable) throw new UserError('action.stable', 'names the same Deployment as action.canary', 'The canary and the stable version are two Deployments behind one Service');
        if (a.replicas === undefined) throw new UserError('action.replicas', 'is required', 'Give the replicas of canary and stable together, e.g. 10: a weight of 25 runs 3 canary and 7 stable replicas');
        const replicas = wholeNumber('action.replicas', a.replicas, 10, 2);
        return { type: 'kubernetes', mode: 'replicas', canary, stable, replicas, namespace };
      }
      throw new UserError('action.mode', `${JSON.stringify(a.mode)} is not a Kubernetes traffic mode`, 'Use ingress-nginx (canary-weight annotation on a canary Ingress) or replicas (the ratio of canary to stable replicas)');
    }
    default:
      throw new UserError('action.type', `${JSON.stringify(a.type)} is not an action type`, 'Use command, webhook or kubernetes');
  }
}

/** Validates the options of a canary rollout; each problem is a UserError naming the option. */
export function normalizeCanaryOptions(rawInput: Partial<CanaryOptions>, projectRoot: string, env: NodeJS.ProcessEnv = process.env): NormalizedCanaryOptions {
  if (!isPlainObject(rawInput)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"preset": "seed-000", …}');
  let raw: CanaryOptions = rawInput;
  const { preset } = rawInput;
  if (preset !== undefined) {
    const defaults = typeof preset === 'string' ? PRESETS[preset] : undefined;
    if (!defaults) throw new UserError('preset', `${JSON.stringify(preset)} is not a preset`, `Use one of ${Object.keys(PRESETS).join(', ')}, or leave it out and give the options yourself`);
    raw = { ...defaults, ...Object.fromEntries(Object.entries(rawInput).filter(([, v]) => v !== undefined)) };
  }

  const name = raw.name ?? basename(resolve(projectRoot));
  if (typeof name !== 'string' || !name.trim()) throw new UserError('name', 'must be a non-empty string', 'Leave it out for the project folder\'s name');

  const defaultPauseMs = duration('pause', raw.pause, CANARY_MONITOR_DEFAULTS.pause, '5m')!;
  const steps = normalizeSteps(raw, defaultPauseMs);
  const intervalMs = positiveDuration('interval', raw.interval, CANARY_MONITOR_DEFAULTS.interval, '1m');
  const windowMs = positiveDuration('window', raw.window, intervalMs / 1000, '1m');
  const initialDelayMs = duration('initialDelay', raw.initialDelay, CANARY_MONITOR_DEFAULTS.initialDelay, '2m')!;
  const longestPause = Math.max(...steps.map((s) => s.pauseMs));
  const deadlineMs = duration('deadline', raw.deadline, (longestPause + 10 * intervalMs) / 1000, '10m')!;
  if (deadlineMs < longestPause + intervalMs) {
    throw new UserError('deadline', `${formatDuration(deadlineMs)} leaves no time for an analysis after the longest pause (${formatDuration(longestPause)}) at one every ${formatDuration(intervalMs)}`, `Give at least ${formatDuration(longestPause + intervalMs)}, or shorten the pauses`);
  }

  const policy: RolloutPolicy = {
    failureLimit: wholeNumber('failureLimit', raw.failureLimit, CANARY_MONITOR_DEFAULTS.failureLimit),
    consecutiveErrorLimit: wholeNumber('consecutiveErrorLimit', raw.consecutiveErrorLimit, CANARY_MONITOR_DEFAULTS.consecutiveErrorLimit),
    inconclusiveLimit: wholeNumber('inconclusiveLimit', raw.inconclusiveLimit, CANARY_MONITOR_DEFAULTS.inconclusiveLimit),
  };

  // The comparison judge.
  let comparison: Judge['comparison'];
  let sampling: NormalizedCanaryOptions['sampling'];
  if (raw.comparison !== undefined && raw.comparison !== false) {
    if (raw.comparison !== true && !isPlainObject(raw.comparison)) throw new UserError('comparison', 'must be true or an object of settings', 'Example: {"confidence": 0.95, "pass": 95, "marginal": 75}');
    const c = raw.comparison === true ? {} : raw.comparison;
    const pass = numberIn('comparison.pass', c.pass, DEFAULTS.pass, 0, 100);
    const marginal = numberIn('comparison.marginal', c.marginal, DEFAULTS.marginal, 0, 100);
    if (marginal > pass) throw new UserError('comparison.marginal', `${marginal} is above the pass score ${pass}`, 'Scores below marginal fail and scores from pass up pass: marginal must not exceed pass');
    comparison = { confidence: numberIn('comparison.confidence', c.confidence, DEFAULTS.confidence, 0.5, 1, true, true), pass, marginal };
    const stepMs = positiveDuration('comparison.step', c.step, DEFAULTS.step, '15s');
    const lookbackMs = positiveDuration('comparison.lookback', c.lookback, stepMs / 1000, '15s');
    if (windowMs / stepMs < 4) {
      throw new UserError('comparison.step', `${formatDuration(stepMs)} gives ${Math.floor(windowMs / stepMs)} samples per ${formatDuration(windowMs)} window; the test needs at least 4 per version to reach 95 % confidence`, `Use a step of at most ${formatDuration(windowMs / 4)}, or a longer window`);
    }
    sampling = { stepMs, lookbackMs };
  }

  // Metrics.
  if (raw.metrics === undefined || !Array.isArray(raw.metrics) || !raw.metrics.length) {
    throw new UserError('metrics', 'must list at least one metric', 'Use "preset": "seed-000" for error rate, latency and availability, or give e.g. [{"name": "error-rate", "numerator": "…", "denominator": "…", "failure": "> 0.05"}]');
  }
  const metrics = raw.metrics.map((m, i) => normalizeMetric(m, i, { comparison: !!comparison }));
  const seen = new Set<string>();
  metrics.forEach((m, i) => {
    if (seen.has(m.name)) throw new UserError(`metrics[${i}].name`, `"${m.name}" is used by another metric`, 'Give each metric its own name');
    seen.add(m.name);
  });

  // Prometheus and selectors.
  const promMetrics = metrics.filter((m) => m.source.provider === 'prometheus');
  let requestCount: PrometheusSource | undefined;
  if (raw.requestCount !== undefined) {
    const used = checkTemplate('requestCount', raw.requestCount, 'sum(increase(http_requests_total{{{selector}}}[{{interval}}]))');
    if (!used.has('selector') && !used.has('canary')) throw new UserError('requestCount', 'does not select the canary: it uses neither {{selector}} nor {{canary}}', 'Example: sum(increase(http_requests_total{{{selector}}}[{{interval}}]))');
    requestCount = { provider: 'prometheus', query: raw.requestCount, missingAsZero: true };
  }
  if (raw.minRequests !== undefined && raw.minRequests !== 0 && !requestCount && promMetrics.length) {
    throw new UserError('minRequests', 'needs a requestCount query to count the canary\'s requests', 'Add "requestCount": "sum(increase(http_requests_total{{{selector}}}[{{interval}}]))"');
  }
  const minRequests = requestCount ? wholeNumber('minRequests', raw.minRequests, CANARY_MONITOR_DEFAULTS.minRequests) : 0;

  let prometheus: NormalizedCanaryOptions['prometheus'];
  if (promMetrics.length || requestCount) {
    const p = raw.prometheus;
    if (!isPlainObject(p) || p.url === undefined) throw new UserError('prometheus.url', 'is required for Prometheus metrics', 'Give the server\'s base URL, e.g. {"url": "http://prometheus.monitoring:9090"}');
    const url = httpUrl('prometheus.url', p.url, 'http://prometheus.monitoring:9090').replace(/\/+$/, '');
    prometheus = {
      url,
      timeoutMs: positiveDuration('prometheus.timeout', p.timeout, DEFAULTS.prometheusTimeout, '10s'),
      tokenEnv: p.tokenEnv === undefined ? undefined : envName('prometheus.tokenEnv', p.tokenEnv, env, 'the bearer token'),
    };
  }

  const selectors: NormalizedCanaryOptions['selectors'] = {};
  const sel = raw.selectors;
  if (sel !== undefined && !isPlainObject(sel)) throw new UserError('selectors', 'must be an object {canary, baseline}', 'Example: {"canary": "app=\\"web\\",version=\\"canary\\"", "baseline": "app=\\"web\\",version=\\"stable\\""}');
  for (const key of ['canary', 'baseline'] as const) {
    const v = sel?.[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !isLabelMatchers(v)) {
      throw new UserError(`selectors.${key}`, `${JSON.stringify(v)} is not a list of PromQL label matchers`, `Write matchers without braces, e.g. app="web",version="${key === 'canary' ? 'canary' : 'stable'}"`);
    }
    selectors[key] = v;
  }
  if (prometheus && !selectors.canary) throw new UserError('selectors.canary', 'is required for Prometheus metrics', 'Give the label matchers of the canary\'s series, e.g. app="web",version="canary"');
  const templates = [...promMetrics.map((m) => m.source as PrometheusSource), ...(requestCount ? [requestCount] : [])].flatMap((s) => [s.query, s.numerator, s.denominator]).filter((t): t is string => !!t);
  if (templates.some((t) => /\{\{\s*baseline\s*\}\}/.test(t)) && !selectors.baseline) {
    throw new UserError('selectors.baseline', 'is required: a query uses {{baseline}}', 'Give the label matchers of the stable version, e.g. app="web",version="stable"');
  }
  if (comparison && promMetrics.length && !selectors.baseline) {
    throw new UserError('selectors.baseline', 'is required for the baseline comparison', 'Give the label matchers of the stable version, e.g. app="web",version="stable"');
  }

  // The thresholds judge: on when a metric has conditions.
  const th = raw.thresholds;
  if (th !== undefined && !isPlainObject(th)) throw new UserError('thresholds', 'must be an object', 'Example: {"holdOnSharedFailure": true}');
  const canCheckBaseline = !!selectors.baseline || metrics.some((m) => m.source.provider === 'http' && m.source.baselineUrl);
  const holdOnSharedFailure = th?.holdOnSharedFailure ?? canCheckBaseline;
  if (typeof holdOnSharedFailure !== 'boolean') throw new UserError('thresholds.holdOnSharedFailure', 'must be true or false', 'Leave it out to check the stable version whenever a baseline is known');
  if (holdOnSharedFailure && !canCheckBaseline) {
    throw new UserError('thresholds.holdOnSharedFailure', 'needs the stable version: selectors.baseline (or a baselineUrl)', 'Give selectors.baseline, or set it to false');
  }
  const thresholds = metrics.some((m) => m.success || m.failure) ? { holdOnSharedFailure } : undefined;

  const evaluationTime = raw.evaluationTime === undefined ? undefined : parseTime('evaluationTime', raw.evaluationTime);
  const action = normalizeAction(raw.action, projectRoot, env);

  let notify: NormalizedCanaryOptions['notify'];
  if (raw.notify !== undefined) {
    if (!isPlainObject(raw.notify)) throw new UserError('notify', 'must be an object {webhookEnv}', 'Example: {"webhookEnv": "SLACK_WEBHOOK_URL"}');
    const webhookEnv = envName('notify.webhookEnv', raw.notify.webhookEnv, env, 'the Slack-compatible webhook URL');
    // The URL is a secret (it carries the webhook's token): never quoted in the message.
    if (!/^https?:\/\/[^\s/]+/.test(env[webhookEnv]!)) throw new UserError('notify.webhookEnv', `the value of ${webhookEnv} is not an http(s) URL`, 'Set it to the incoming-webhook URL, e.g. https://hooks.slack.com/services/…');
    notify = { webhookEnv };
  }

  return {
    ...(typeof preset === 'string' ? { preset } : {}),
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
    selectors,
    evaluationTime,
    action,
    notify,
  };
}
