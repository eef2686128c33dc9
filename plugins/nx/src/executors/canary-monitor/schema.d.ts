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
  /** Metrics with a Prometheus query (or numerator/denominator) or an HTTP endpoint, and success/failure conditions. */
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
    /** Lookback of each sample (default: step). */
    lookback?: string | number;
  };
  /** How weights are set: {type: command, setWeight (argv with {{weight}}), promote, rollback, cwd (relative to the workspace root), envVars, timeout} | {type: webhook, url, tokenEnv, timeout} | {type: kubernetes, mode: ingress-nginx|replicas, …} | {type: google-play, packageName, track, serviceAccountKeyEnv, apiUrl, tokenUrl}. */
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
