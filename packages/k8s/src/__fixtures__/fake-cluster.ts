// An in-memory ClusterClient for jest: applies store objects; workloads roll out at once unless told otherwise.
import { ClusterClient, KubeApiError } from '../cluster';
import { K8sObject, ObjectRef } from '../types';

const SCOPES: Record<string, { name: string; namespaced: boolean }> = {
  Namespace: { name: 'namespaces', namespaced: false },
  ConfigMap: { name: 'configmaps', namespaced: true },
  Secret: { name: 'secrets', namespaced: true },
  Service: { name: 'services', namespaced: true },
  Deployment: { name: 'deployments', namespaced: true },
  StatefulSet: { name: 'statefulsets', namespaced: true },
  DaemonSet: { name: 'daemonsets', namespaced: true },
  ReplicaSet: { name: 'replicasets', namespaced: true },
  ControllerRevision: { name: 'controllerrevisions', namespaced: true },
  Pod: { name: 'pods', namespaced: true },
  Event: { name: 'events', namespaced: true },
};

export class FakeCluster implements ClusterClient {
  readonly server = 'https://fake.example.com';
  readonly context = 'fake';
  readonly defaultNamespace = 'default';
  readonly objects = new Map<string, K8sObject>();
  readonly calls: string[] = [];
  /** name → what happens to that workload after apply */
  behaviour: Record<string, 'ok' | 'deadline'> = {};
  /** name → error the apply of that object fails with */
  applyErrors: Record<string, KubeApiError> = {};
  closed = false;
  /** The next n reads of an object after it was applied fail like a dropped connection. */
  failReadsAfterApply = 0;
  private applied = new Set<string>();

  private key(ref: { kind: string; namespace?: string; name: string }) {
    return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
  }

  async resourceFor(_apiVersion: string, kind: string) {
    return SCOPES[kind];
  }

  async apply(obj: K8sObject, options: { fieldManager: string; force: boolean; dryRun: boolean }) {
    this.calls.push(`apply ${obj.kind}/${obj.metadata.name}${options.dryRun ? ' dryRun' : ''}${options.force ? ' force' : ''}`);
    const error = this.applyErrors[obj.metadata.name!];
    if (error) throw error;
    const live = this.objects.get(this.key({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name! }));
    const next: K8sObject = JSON.parse(JSON.stringify(obj));
    next.metadata.uid = live?.metadata.uid ?? `${obj.metadata.name}-uid`;
    next.metadata.resourceVersion = String(Math.random());
    next.metadata.managedFields = [{ manager: options.fieldManager, operation: 'Apply' }];
    const generation = (live?.metadata.generation ?? 0) + 1;
    next.metadata.generation = generation;
    if (obj.kind === 'Deployment') {
      const replicas = (obj.spec as { replicas?: number }).replicas ?? 1;
      const failing = this.behaviour[obj.metadata.name!] === 'deadline';
      next.status = failing
        ? { observedGeneration: generation, replicas, updatedReplicas: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' }] }
        : { observedGeneration: generation, replicas, updatedReplicas: replicas, availableReplicas: replicas };
    }
    if (!options.dryRun) this.objects.set(this.key({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name! }), next);
    this.applied.add(this.key({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name! }));
    return next;
  }

  async get(ref: ObjectRef) {
    if (this.failReadsAfterApply > 0 && this.applied.has(this.key(ref))) {
      this.failReadsAfterApply--;
      throw new Error('socket hang up');
    }
    return this.objects.get(this.key(ref));
  }

  async list(_apiVersion: string, kind: string, namespace: string | undefined, options: { labelSelector?: string } = {}) {
    const [k, v] = (options.labelSelector ?? '').split('=');
    return [...this.objects.values()].filter((o) => o.kind === kind && (!namespace || o.metadata.namespace === namespace) && (!k || o.metadata.labels?.[k] === v));
  }

  async delete(ref: ObjectRef, options: { dryRun: boolean }) {
    this.calls.push(`delete ${ref.kind}/${ref.name}${options.dryRun ? ' dryRun' : ''}`);
    if (!options.dryRun) this.objects.delete(this.key(ref));
  }

  async mergePatch(ref: ObjectRef, patch: Record<string, unknown>, options: { fieldManager: string }) {
    this.calls.push(`patch ${ref.kind}/${ref.name} ${JSON.stringify(patch)}${options.fieldManager ? '' : ' (no field manager)'}`);
    const live = this.objects.get(this.key(ref));
    if (!live) throw new KubeApiError(404, `${ref.kind.toLowerCase()}s "${ref.name}" not found`, 'NotFound');
    const merge = (into: Record<string, unknown>, from: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(from)) {
        if (v === null) delete into[k];
        else if (v && typeof v === 'object' && !Array.isArray(v) && into[k] && typeof into[k] === 'object') merge(into[k] as Record<string, unknown>, v as Record<string, unknown>);
        else into[k] = JSON.parse(JSON.stringify(v));
      }
    };
    merge(live as unknown as Record<string, unknown>, patch);
    if (live.kind === 'Deployment') {
      const replicas = (live.spec as { replicas?: number }).replicas ?? 1;
      live.metadata.generation = (live.metadata.generation ?? 0) + 1;
      live.status = { observedGeneration: live.metadata.generation, replicas, updatedReplicas: replicas, availableReplicas: replicas, readyReplicas: replicas };
    }
    return live;
  }

  close() {
    this.closed = true;
  }
}
