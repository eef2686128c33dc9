// Types of the Kubernetes API stand-in (server.js), for TypeScript tests.

export type PodBehaviour = 'ok' | 'bad' | 'crash' | 'slow' | 'unschedulable';

export interface K8sApiScenario {
  /** Image (or image name without tag) → behaviour of the containers that run it. Otherwise the tag decides (:bad, :crash, :slow, :unschedulable), else `default`. */
  images?: Record<string, PodBehaviour>;
  default?: PodBehaviour;
  /** A healthy container is running and ready this long after its pod is created (default 200). */
  readyAfterMs?: number;
  /** A bad image fails to pull (ErrImagePull) this long after the pod is created, then backs off (default 150). */
  pullFailAfterMs?: number;
  /** A crashing container restarts this often (default 250). */
  restartEveryMs?: number;
  /** progressDeadlineSeconds × this is the deadline in seconds (default 0.01: 600 s → 6 s). */
  deadlineFactor?: number;
  /** false: no controller or kubelet runs; objects keep the state they are given (default true). */
  controllers?: boolean;
  /** Nodes a DaemonSet runs on (default 2). */
  nodes?: number;
  /** How often the controllers run, in ms (default 50). */
  tickMs?: number;
}

export interface K8sApiOptions {
  port?: number;
  host?: string;
  /** The accepted bearer token (default DEFAULT_TOKEN). */
  token?: string;
  /** Answer requests without an Authorization header (kubectl sends credentials only over TLS). Wrong tokens are refused either way. */
  allowAnonymous?: boolean;
  scenario?: K8sApiScenario;
}

export interface RecordedRequest {
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  accept?: string;
  userAgent?: string;
  /** 'token' (the bearer token), 'anonymous' (no Authorization header) or 'invalid'. */
  user?: 'token' | 'anonymous' | 'invalid';
  body?: string;
  status?: number;
}

export interface K8sObjectJson {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: any };
  [field: string]: any;
}

export interface K8sApi {
  url: string;
  token: string;
  /** A kubeconfig for this server (context "stand-in", bearer token), written at start. */
  kubeconfigPath: string;
  writeKubeconfig(file: string, options?: { context?: string; namespace?: string; user?: string }): string;
  /** Every stored object, by `${group}/${plural}/${namespace}/${name}`. */
  objects: Map<string, K8sObjectJson>;
  requests: RecordedRequest[];
  scenario: Required<K8sApiScenario>;
  get(kind: string, namespace: string | undefined, name: string): K8sObjectJson | undefined;
  list(kind: string, namespace?: string): K8sObjectJson[];
  /** Stores an object as if `manager` had server-side applied it (force). */
  seed(obj: K8sObjectJson, manager?: string): K8sObjectJson;
  /** Stores an object exactly as given (generation, status and all). */
  setObject(obj: K8sObjectJson): K8sObjectJson;
  setScenario(scenario: K8sApiScenario): void;
  /** Runs the controllers once, now. */
  tick(): void;
  close(): Promise<void>;
}

export const DEFAULT_TOKEN: string;
export function startK8sApi(options?: K8sApiOptions): Promise<K8sApi>;
export function parseYaml(text: string): unknown;
