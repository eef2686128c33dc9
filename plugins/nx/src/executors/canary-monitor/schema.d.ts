// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Progressive rollout judged by real metrics (Prometheus, HTTP): set each step's weight, analyse, and promote, hold or roll back on its own. Succeeds when promoted, fails when rolled back. */
export interface CanaryMonitorExecutorOptions {
  /** JSON file of canary options, relative to the workspace root, e.g. {projectRoot}/canary.json (inferred from the project's canary.json); target options override it. */
  config?: string;
  /** slo-1pct-500ms: healthy under 1% errors, a p95 under 500 ms and over 99.9% available; failing over 5% errors, over 2 s or under 95%; 10-minute limit per step. Its earlier name still works, with a warning. */
  preset?: string;
  /** Name of the canary in messages and webhook bodies (default: the project folder's name). */
  name?: string;
  /** The stages: a list of {weight, pause}, or a preset name: standard (5, 25, 50, 100), cautious or fast (default standard). */
  steps?: {
    /** Percentage of traffic for the canary, above 0 and at most 100, increasing from step to step. */
    weight?: number;
    /** Least time at this weight before it may be promoted (default: the pause option). */
    pause?: string | number;
  }[] | string;
  /** Pause of the steps that give none, e.g. 5m or seconds (default 5m). */
  pause?: string | number;
  /** Time between two analyses, e.g. 1m or seconds (default 1m). */
  interval?: string | number;
  /** Lookback of each analysis, the {{interval}} of the queries (default: interval). */
  window?: string | number;
  /** Wait before the first analysis of the rollout (default 0). */
  initialDelay?: string | number;
  /** Longest a step may last without a passing analysis; then it rolls back (default: the longest pause + 10 intervals). */
  deadline?: string | number;
  /** Failed analyses tolerated over the rollout, counted cumulatively (default 0). */
  failureLimit?: number;
  /** Metric-source errors tolerated in a row (default 4). */
  consecutiveErrorLimit?: number;
  /** Inconclusive analyses tolerated since the last pass in a step (default 10). */
  inconclusiveLimit?: number;
  /** PromQL template of the canary's request count in the window; with minRequests, low traffic counts as no data. */
  requestCount?: string;
  /** Fewest canary requests in the window for an analysis to count (default 50 when requestCount is set). */
  minRequests?: number;
  /** Replay recorded metrics: evaluate queries at this time (RFC 3339 or Unix seconds) instead of now, without waiting. */
  evaluationTime?: string | number;
  /** Metrics with a Prometheus query (or numerator/denominator) or an HTTP endpoint, success/failure conditions and, for the comparison, tolerance ("+20%" default, "+50ms", "+0.5pp"), floor, unit, direction, weight, critical. */
  metrics?: Record<string, unknown>[];
  /** The Prometheus server the metrics query: {url, timeout, tokenEnv, allowHttp}. */
  prometheus?: {
    /** Base URL of the Prometheus server: https, or http to this machine; no credentials (use tokenEnv). */
    url?: string;
    /** Timeout of each query attempt, e.g. 10s (default 10s). */
    timeout?: string | number;
    /** Name of the env var holding a bearer token (secret). */
    tokenEnv?: string;
    /** Allow plain http to another machine (e.g. an in-cluster http://prometheus.monitoring:9090); never together with tokenEnv (default false). */
    allowHttp?: boolean;
  };
  /** Google Cloud Monitoring for cloud-monitoring metrics: {project, revisions, credentialsEnv, timeout}. */
  cloudMonitoring?: {
    /** Google Cloud project id the Cloud Run service runs in. */
    project?: string;
    /** Cloud Run revision names of each version: {canary, baseline}. */
    revisions?: {
      /** The Cloud Run revision rolling out. */
      canary?: string;
      /** The revision serving the rest of the traffic. */
      baseline?: string;
    };
    /** Name of the env var holding a service-account key JSON or an external_account (workload identity federation) configuration, as is or base64 (secret); default: application default credentials. */
    credentialsEnv?: string;
    /** Timeout of each query attempt, e.g. 10s (default 10s). */
    timeout?: string | number;
    /** Base URL of the Monitoring API (default https://monitoring.googleapis.com). */
    apiUrl?: string;
    /** Where a service account's JWT grant goes (default https://oauth2.googleapis.com/token). */
    tokenUrl?: string;
  };
  /** Datadog for datadog metrics: {site or url, tags, apiKeyEnv, appKeyEnv, timeout}. */
  datadog?: {
    /** Datadog site: datadoghq.com (default), us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com. */
    site?: string;
    /** Full API base URL instead of a site (a proxy); https, or http to this machine. */
    url?: string;
    /** Tags of each version: {{selector}} in the queries. */
    tags?: {
      /** Tag filters of the canary, without braces, e.g. service:web,version:2.1.0. */
      canary?: string;
      /** Tag filters of the stable version. */
      baseline?: string;
    };
    /** Name of the env var holding the API key (secret; default DD_API_KEY). */
    apiKeyEnv?: string;
    /** Name of the env var holding the application key (secret; default DD_APP_KEY). */
    appKeyEnv?: string;
    /** Timeout of each query attempt, e.g. 10s (default 10s). */
    timeout?: string | number;
  };
  /** Sentry release health for provider "sentry" metrics: {url, organization, project, environment, release, baselineRelease, tokenEnv, timeout, minSessions}. */
  sentry?: {
    /** Base URL of Sentry: https, or http to this machine (default https://sentry.io). */
    url?: string;
    /** Organization slug. */
    organization?: string;
    /** Numeric project id (Project Settings > General). */
    project?: string | number;
    /** Only sessions of this environment, e.g. production (default: all). */
    environment?: string;
    /** The release rolling out, as the Sentry SDK reports it, e.g. com.acme.app@1.5.0+150 (the canary). */
    release?: string;
    /** The release it replaces, e.g. com.acme.app@1.4.0+140 (the baseline). */
    baselineRelease?: string;
    /** Name of the env var holding an auth token with org:read (secret; default SENTRY_AUTH_TOKEN). */
    tokenEnv?: string;
    /** Timeout of each request attempt, e.g. 10s (default 10s). */
    timeout?: string | number;
    /** Fewest sessions of a release in the window for a value; fewer is no data, never a rollback (default 50). */
    minSessions?: number;
  };
  /** {canary, baseline} label selectors substituted into queries. */
  selectors?: {
    /** Label matchers of the canary's series, without braces. */
    canary?: string;
    /** Label matchers of the stable version's series, without braces. */
    baseline?: string;
  };
  /** Thresholds judge settings (on whenever a metric has success/failure): {holdOnSharedFailure}. */
  thresholds?: {
    /** Hold instead of failing when the stable version fails too (default: on when a baseline is known). */
    holdOnSharedFailure?: boolean;
  };
  /** Compare canary against baseline (Mann-Whitney U): true or {confidence, pass, marginal, step, lookback}. */
  comparison?: boolean | {
    /** Confidence of the Mann-Whitney U test (default 0.95). */
    confidence?: number;
    /** Score from which the canary passes (default 95). */
    pass?: number;
    /** Score below which it fails (default 75). */
    marginal?: number;
    /** Sampling step of the range queries (default 15s). */
    step?: string | number;
    /** Lookback of each sample (default: the larger of the step and twice scrapeInterval). */
    lookback?: string | number;
    /** How often Prometheus scrapes the metrics (default 15s): each sample's lookback holds at least two scrapes. */
    scrapeInterval?: string | number;
  };
  /** How weights are set: {type: command, setWeight (argv with {{weight}}), promote, rollback, cwd (relative to the workspace root), envVars, timeout} | {type: webhook, url, tokenEnv, timeout} | {type: kubernetes, mode: ingress-nginx|replicas, …} | {type: google-play, packageName, track, serviceAccountKeyEnv, apiUrl, tokenUrl} | {type: cloud-run, project, region, service, revision, credentialsEnv, apiUrl, tokenUrl, timeout}. */
  action?: Record<string, unknown>;
  /** {webhookEnv}: Slack-compatible notification webhook URL from an env var. */
  notify?: {
    /** Name of the env var holding the webhook URL (secret): https, or http to this machine. */
    webhookEnv?: string;
  };
  /** Kubernetes actions: kubeconfig file, relative to the workspace root (default KUBECONFIG, ~/.kube/config). */
  kubeconfig?: string;
  /** Kubernetes actions: kubeconfig context. */
  context?: string;
  /**
   * Print the plan and run nothing.
   * @default false
   */
  dryRun?: boolean;
  /** Write the plan (secrets masked) as JSON to this file. */
  planJson?: string;
  /** Append every line of the run (secrets masked) to this file. */
  logFile?: string;
}
