import { K8sObject, ObjectRef } from './types';

/** What the deploy needs from an API server. The real one lives in cluster-client.ts; tests may pass their own. */
export interface ClusterClient {
  /** API server URL, for messages. */
  readonly server: string;
  /** Kubeconfig context in use, for messages. */
  readonly context?: string;
  /** Namespace for namespaced objects that name none and when no namespace option is set: the context's, else "default". */
  readonly defaultNamespace: string;
  /** The resource (plural name) and scope of a kind, from discovery; undefined when the server does not serve it. */
  resourceFor(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean } | undefined>;
  /** Server-side apply: PATCH with Content-Type application/apply-patch+yaml. */
  apply(obj: K8sObject, options: { fieldManager: string; force: boolean; dryRun: boolean }): Promise<K8sObject>;
  /** The object, or undefined when it does not exist. */
  get(ref: ObjectRef): Promise<K8sObject | undefined>;
  /** Objects of a kind (items get apiVersion and kind filled in); all namespaces when namespace is undefined. */
  list(apiVersion: string, kind: string, namespace: string | undefined, options?: { labelSelector?: string; fieldSelector?: string }): Promise<K8sObject[]>;
  delete(ref: ObjectRef, options: { dryRun: boolean }): Promise<void>;
  /** A JSON merge patch (Content-Type application/merge-patch+json), as `kubectl scale` and `kubectl patch --type merge` send. */
  mergePatch(ref: ObjectRef, patch: Record<string, unknown>, options: { fieldManager: string }): Promise<K8sObject>;
  /** Calls onChange whenever the object changes (a watch); returns a function that stops watching. Optional: without it the deploy polls. */
  watch?(ref: ObjectRef, onChange: () => void): Promise<() => void>;
  /** Stops watches and closes connections. */
  close?(): void;
}

/** An error answer of the API server (a metav1.Status). */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason?: string;

  constructor(status: number, message: string, reason?: string) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
  }
}
