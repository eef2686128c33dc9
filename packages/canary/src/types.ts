// The options of a canary rollout: as a user writes them, and as the normaliser returns them.
import type { CloudRunActionSpec } from './actions/cloud-run';
import type { CommandActionSpec } from './actions/command';
import type { GooglePlayActionSpec } from './actions/google-play';
import type { KubernetesActionSpec } from './actions/kubernetes';
import type { WebhookActionSpec } from './actions/webhook';
import type { Judge } from './analyse';
import type { CloudMonitoringMeasure, DatadogAggregator, Direction, HttpMeasure, MetricSpec, PrometheusSource, SentryMeasure } from './metrics';
import type { RolloutPolicy } from './rollout';

export interface CanaryStepOptions {
  /** Percentage of traffic for the canary at this step, above 0 and at most 100, increasing from step to step. */
  weight: number;
  /** Least time at this weight before it may be promoted (default: the `pause` option). */
  pause?: string | number;
}

export interface CanaryMetricOptions {
  /** Unique name, shown in the timeline ("error-rate"). */
  name: string;
  /** prometheus (default), http or sentry. */
  provider?: 'prometheus' | 'http' | 'sentry' | 'cloud-monitoring' | 'datadog';

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
  /** http: what to read from the samples: errorRate, availability (0–1) or latency (ms); sentry: crashFreeSessions or crashFreeUsers (0–1). */
  measure?: HttpMeasure | SentryMeasure | CloudMonitoringMeasure;
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

  /** cloud-monitoring: a raw monitoring filter instead of a measure; the revision's clause is added. */
  filter?: string;
  /** cloud-monitoring filter: the per-series aligner (ALIGN_DELTA, ALIGN_PERCENTILE_95…). */
  aligner?: string;
  /** cloud-monitoring filter: the cross-series reducer (default REDUCE_SUM). */
  reducer?: string;
  /** datadog query: how its points over the window make the value, avg (default), sum, min, max or last. */
  aggregator?: DatadogAggregator;

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
  /** Comparison: a canary on the good side of this value always passes (default: a tenth of an upper success threshold). */
  floor?: number;
  /** Comparison: how much worse than the stable version counts as worse: "+20%" (default), "+50ms", "+0.5pp", "+0.002", or a fraction (0.2). */
  tolerance?: string | number;
  /** What the values are in, for absolute tolerances: ms (default for durations), s, ratio (default for "pp"), percent. */
  unit?: 'ms' | 's' | 'ratio' | 'percent';
}

export type CanaryActionOptions =
  | {
      type: 'command';
      setWeight: string[];
      promote?: string[];
      rollback?: string[];
      /** Folder the commands run in, relative to the workspace root (default: the project root). */
      cwd?: string;
      /** Environment variables for the commands. */
      envVars?: Record<string, string>;
      /** @deprecated the old name of `envVars`. */
      env?: Record<string, string>;
      timeout?: string | number;
    }
  | { type: 'webhook'; url: string; tokenEnv?: string; timeout?: string | number }
  | { type: 'kubernetes'; mode: 'ingress-nginx'; ingress: string; namespace?: string }
  | { type: 'kubernetes'; mode: 'replicas'; canary: string; stable: string; replicas: number; namespace?: string }
  | { type: 'cloud-run'; project: string; region: string; service: string; revision?: string; credentialsEnv?: string; apiUrl?: string; tokenUrl?: string; timeout?: string | number };

/** Options as a user writes them (an Nx target's options, or a script's). */
export interface CanaryOptions {
  /** Defaults from a named preset ("slo-1pct-500ms"); every option given here wins over it. */
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
  prometheus?: { url: string; timeout?: string | number; tokenEnv?: string; allowHttp?: boolean };
  /** Sentry release health (sentry metrics): the organization and project, the new release and the one it replaces. */
  /** Google Cloud Monitoring (cloud-monitoring metrics): the project, and the Cloud Run revisions of each version. */
  cloudMonitoring?: { project: string; revisions: { canary: string; baseline: string }; credentialsEnv?: string; timeout?: string | number; apiUrl?: string; tokenUrl?: string };
  /** Datadog (datadog metrics): the site, the tags of each version, and the keys by env var name. */
  datadog?: { site?: string; url?: string; tags: { canary: string; baseline: string }; apiKeyEnv?: string; appKeyEnv?: string; timeout?: string | number };
  sentry?: { url?: string; organization?: string; project?: string | number; environment?: string; release?: string; baselineRelease?: string; tokenEnv?: string; timeout?: string | number; minSessions?: number };
  /** Label matchers of each version, without braces: {"canary": "app=\"web\",version=\"canary\""}. */
  selectors?: { canary?: string; baseline?: string };
  metrics?: CanaryMetricOptions[];
  /** Thresholds judge settings (on whenever a metric has success/failure). */
  thresholds?: { holdOnSharedFailure?: boolean };
  /** Baseline comparison: true, or its settings; off by default. */
  comparison?: boolean | { confidence?: number; pass?: number; marginal?: number; step?: string | number; lookback?: string | number; scrapeInterval?: string | number };
  /** How traffic is moved. */
  action?: CanaryActionOptions;
  /** Slack-compatible notifications: the name of the environment variable holding the webhook URL. */
  notify?: { webhookEnv: string };
}

export type ActionSpec = CommandActionSpec | WebhookActionSpec | KubernetesActionSpec | GooglePlayActionSpec | CloudRunActionSpec;

/** The Prometheus server the metrics query. */
export interface PrometheusSettings {
  /** Base URL, without a trailing slash. */
  url: string;
  timeoutMs: number;
  /** Name of the environment variable holding a bearer token. */
  tokenEnv?: string;
}

/** The Sentry organization and releases the sentry metrics read. */
/** The Google Cloud project and Cloud Run revisions the cloud-monitoring metrics read. */
export interface CloudMonitoringSettings {
  project: string;
  /** The revision rolling out, and the one serving the rest of the traffic. */
  revisions: { canary: string; baseline: string };
  /** Name of the environment variable holding a service-account key or external_account JSON (else application default credentials). */
  credentialsEnv?: string;
  timeoutMs: number;
  /** Base URL of the Monitoring API, without a trailing slash. */
  apiUrl: string;
  /** Where a service account's JWT grant goes. */
  tokenUrl: string;
}

/** The Datadog site and version tags the datadog metrics read. */
export interface DatadogSettings {
  /** API base URL, without a trailing slash (https://api.datadoghq.com). */
  url: string;
  /** Tag filters of each version, without braces: "service:web,version:2.1.0". */
  tags: { canary: string; baseline: string };
  apiKeyEnv: string;
  appKeyEnv: string;
  timeoutMs: number;
}

export interface SentrySettings {
  /** Base URL, without a trailing slash (https://sentry.io). */
  url: string;
  organization: string;
  /** Numeric project id. */
  project: string;
  environment?: string;
  /** The release rolling out (the canary) and the one it replaces (the baseline). */
  release: string;
  baselineRelease: string;
  /** Name of the environment variable holding the auth token. */
  tokenEnv: string;
  timeoutMs: number;
  /** Fewer sessions of a release in the window are no data. */
  minSessions: number;
}

/** Label matchers of each version, without braces. */
export interface Selectors {
  canary?: string;
  baseline?: string;
}

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
  sampling?: {
    stepMs: number;
    /** Each sample covers this much time ({{interval}} of the range queries). */
    lookbackMs: number;
    scrapeMs: number;
    /** The samples cover (time - rangeMs, time]: the window, widened to hold enough samples. */
    rangeMs: number;
  };
  requestCount?: PrometheusSource;
  metrics: MetricSpec[];
  prometheus?: PrometheusSettings;
  sentry?: SentrySettings;
  cloudMonitoring?: CloudMonitoringSettings;
  datadog?: DatadogSettings;
  selectors: Selectors;
  /** ms since the epoch. */
  evaluationTime?: number;
  action: ActionSpec;
  notify?: { webhookEnv: string };
}

/** Where the normaliser resolves paths and reports deprecations. */
export interface NormalizeContext {
  /** Relative paths (action.cwd) are read against it (default: the project root). */
  workspaceRoot?: string;
  /** Told about deprecated option names and values (default: stderr). */
  warn?: (message: string) => void;
}
