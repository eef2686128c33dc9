// Types of the Kubernetes API stand-in: its options, scenario, recorded requests and objects.

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

export type Scenario = Required<K8sApiScenario>;

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

/**
 * A JSON value as the API server handles it. Its shape depends on the kind
 * and on what clients send, so the stand-in reads it loosely and checks at
 * run time, as the real server does.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface K8sObjectJson {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: Json };
  [field: string]: Json;
}
