// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Deploy an image to Google Cloud Run (Admin API v2): a new revision behind a tag without traffic, then all at once, blue-green (checked at its tag URL, switched at once, the previous kept for a one-step rollback) or a canary for canary-monitor; or roll back in one update. */
export interface CloudRunDeployExecutorOptions {
  /** JSON file of these options, relative to the workspace root (inferred: the project's cloud-run.json); target options override it. */
  config?: string;
  /** deploy: a new revision (default deploy); rollback: all traffic back to the previous ready revision (or revision) in one update. */
  action?: "deploy" | "rollback";
  /** The Google Cloud project id. Required. */
  project?: string;
  /** The Cloud Run region, e.g. europe-west1. Required. */
  region?: string;
  /** The Cloud Run service (created on the first deploy). Required. */
  service?: string;
  /** The image to deploy, best by digest. Default: the digest container-image pushed for this project. */
  image?: string;
  /** Plain environment variables of the container (visible in the revision: a name that looks secret, or PORT, is refused). */
  env?: Record<string, string>;
  /** Environment variable → Secret Manager reference ("projects/p/secrets/name:3", "name:latest"); never a value. */
  secrets?: Record<string, string>;
  /** CPU limit: 1, 2, 4, "500m". */
  cpu?: string | number;
  /** Memory limit: "512Mi", "2Gi". */
  memory?: string;
  /** Requests one instance serves at once (1–1000). */
  concurrency?: number;
  /** Least instances kept warm. */
  minInstances?: number;
  /** Most instances. */
  maxInstances?: number;
  /** The identity the revision runs as (an IAM service account e-mail). */
  serviceAccount?: string;
  /** Who may reach the service. */
  ingress?: "all" | "internal" | "internal-and-cloud-load-balancing";
  /** Labels of the service and revisions; nx-project, version and commit are added. */
  labels?: Record<string, string>;
  /** The port the container listens on (Cloud Run sets $PORT to it). */
  port?: number;
  /** The revision's request timeout, up to 60m (Cloud Run's default 5m). */
  requestTimeout?: string | number;
  /** all-at-once (default all-at-once): 100 % once ready; blue-green: check the tagged revision, then switch at once; canary: stop at 0 % behind the tag for canary-monitor's cloud-run action. */
  strategy?: "all-at-once" | "blue-green" | "canary";
  /** The new revision's tag, its own URL (default rev-<short commit>, else candidate). */
  tag?: string;
  /** Part of the revision name and a label (default: the project's version). */
  version?: string;
  /** Part of the revision name and a label (default: the commit being deployed). */
  commit?: string;
  /** deploy: the new revision's name (default <service>-<version>-<short commit>); rollback: the revision to go back to (default the previous one). */
  revision?: string;
  /** strategy blue-green: {check: {path, expectStatus, maxLatency, body, attempts, spacing, timeout}, keepPrevious, postSwitchCheck}. */
  blueGreen?: Record<string, unknown>;
  /** Name of the variable holding a service-account key JSON or an external_account (workload identity federation) configuration, raw or base64. Default: application default credentials. */
  credentialsEnv?: string;
  /** The Admin API's base URL (default https://run.googleapis.com). */
  apiUrl?: string;
  /** Where a service account's JWT grant goes (default https://oauth2.googleapis.com/token). */
  tokenUrl?: string;
  /** Longest wait for each change to be served, e.g. 10m (default 10m). */
  timeout?: string | number;
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
