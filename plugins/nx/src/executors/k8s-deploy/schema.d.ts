// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Apply manifests with server-side apply (field manager shipfleet), wait like kubectl rollout status, and undo to the previous revision when a rollout does not complete. */
export interface K8sDeployExecutorOptions {
  /** Manifest files/folders (multi-document YAML) or a kustomization folder, relative to the workspace root ({projectRoot} and {workspaceRoot} are replaced). Default: {projectRoot}/k8s; inferred: the project's k8s or deploy folder. */
  manifests?: string | string[];
  /** Image name (no tag) → tag or sha256 digest, set on every matching container; on the command line as a string: --images=registry.example.com/api=1.4.2,registry.example.com/worker@sha256:<64 hex>. */
  images?: Record<string, string> | string;
  /** Image references to set, added to images: --image=registry.example.com/api:1.4.2 or --image=registry.example.com/api@sha256:<64 hex>; repeat the flag (or separate with commas) for several. */
  image?: string[];
  /** Namespace for namespaced objects that name none. */
  namespace?: string;
  /** Labels added to every object and pod template. */
  labels?: Record<string, string>;
  /** Annotations added to every object. */
  annotations?: Record<string, string>;
  /** Version label app.kubernetes.io/version (default: the project's package.json version). */
  version?: string;
  /** Commit annotation shipfleet.dev/commit (default: git HEAD). */
  commit?: string;
  /** Project label shipfleet.dev/project (default: the Nx project). */
  project?: string;
  /** Kubeconfig file, relative to the workspace root (default: KUBECONFIG, else ~/.kube/config, else in-cluster). */
  kubeconfig?: string;
  /** Kubeconfig context (default: its current-context). */
  context?: string;
  /** How long to wait for the rollouts, and again for a rollback: a duration such as "5m" or "90s", or a number of seconds (default 5m). */
  timeout?: string | number;
  /**
   * Deprecated: the old name of timeout (seconds).
   * @deprecated use timeout
   */
  timeoutSeconds?: number;
  /**
   * Apply with dryRun=All: the API server validates, nothing is stored.
   * @default false
   */
  serverDryRun?: boolean;
  /**
   * Take over fields another field manager owns.
   * @default false
   */
  forceConflicts?: boolean;
  /**
   * After a successful rollout, delete objects with the project label that the manifests no longer hold.
   * @default false
   */
  prune?: boolean;
  /** Label selector of what prune may delete (default shipfleet.dev/project=<project>). */
  pruneSelector?: string;
  /**
   * Undo workloads that do not roll out.
   * @default true
   */
  rollbackOnFailure?: boolean;
  /**
   * Show what the apply would change (server-side dry run of each object, unified diff against the live object, Secret values masked) and change nothing. Succeeds whether or not there are differences.
   * @default false
   */
  diff?: boolean;
  /**
   * kubectl binary used to render a kustomization: a name on PATH, or a path relative to the workspace root.
   * @default "kubectl"
   */
  kubectl?: string;
  /** rolling (default rolling): apply and wait, undoing a rollout that fails; blue-green: the Deployment as <name>-blue and <name>-green, the new colour checked behind previewService, then activeService's selector switched to it at once. */
  strategy?: "rolling" | "blue-green";
  /** deploy (default deploy); rollback (strategy blue-green): activeService back to the other colour in one switch, that colour scaled up first if a deploy had scaled it to 0. */
  action?: "deploy" | "rollback";
  /** strategy blue-green: {check: {path, expectStatus, maxLatency, body, attempts, spacing, timeout}, keepPrevious, postSwitchCheck}. */
  blueGreen?: Record<string, unknown>;
  /** strategy blue-green: the Service users reach, whose selector is switched between the colours (default: the Service of the manifests that selects the Deployment). */
  activeService?: string;
  /** strategy blue-green: the Service that selects the new colour before the switch (default <activeService>-preview; created unless the manifests hold it). */
  previewService?: string;
  /** strategy blue-green: where the deploy reaches the preview Service for the check, a URL template with {service}, {namespace}, {color}, {port}, e.g. https://{service}.preview.example.com (default: the host of an Ingress of the manifests for previewService; inside the cluster http://{service}.{namespace}.svc.cluster.local:{port}). */
  previewUrl?: string;
  /**
   * Print the rendered manifests (secrets masked) and the plan; run nothing.
   * @default false
   */
  dryRun?: boolean;
  /** Write the plan (secrets masked) as JSON to this file. */
  planJson?: string;
  /** Append every line of the run (secrets masked) to this file. */
  logFile?: string;
}
