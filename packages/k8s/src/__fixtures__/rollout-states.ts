// Recorded workload states (as the API server returns them) and what `kubectl rollout status` says about each.
import { K8sObject } from '../types';

export interface RecordedState {
  name: string;
  object: K8sObject;
  done: boolean;
  message: string;
  failed?: boolean;
  reason?: string;
  skipped?: boolean;
  /** kubectl's own output differs on purpose (see rolloutStatus); it is contained in ours. */
  kubectlDiffers?: boolean;
}

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `registry:5000/${app}:1` }] } });

const deployment = (generation: number, spec: Record<string, unknown>, status: Record<string, unknown>): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'default', generation },
  spec: { selector: { matchLabels: { app: 'api' } }, template: template('api'), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, ...spec },
  status,
});

const statefulSet = (generation: number, spec: Record<string, unknown>, status: Record<string, unknown>): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'default', generation },
  spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db'), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, ...spec },
  status,
});

const daemonSet = (generation: number, spec: Record<string, unknown>, status: Record<string, unknown>): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default', generation },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent'), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } }, ...spec },
  status,
});

const timedOut = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "api-7d9c" has timed out progressing.' }];

export const RECORDED_STATES: RecordedState[] = [
  { name: 'deployment: spec change not observed yet', object: deployment(3, { replicas: 3 }, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), done: false, message: 'Waiting for deployment spec update to be observed...' },
  { name: 'deployment: new replicas being created', object: deployment(2, { replicas: 3 }, { observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3 }), done: false, message: 'Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...' },
  { name: 'deployment: old replicas pending termination', object: deployment(2, { replicas: 3 }, { observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }), done: false, message: 'Waiting for deployment "api" rollout to finish: 1 old replicas are pending termination...' },
  { name: 'deployment: maxUnavailable lets it run short, but status waits for every updated replica', object: deployment(2, { replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2, unavailableReplicas: 1 }), done: false, message: 'Waiting for deployment "api" rollout to finish: 2 of 3 updated replicas are available...' },
  { name: 'deployment: complete', object: deployment(2, { replicas: 3 }, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 }), done: true, message: 'deployment "api" successfully rolled out' },
  { name: 'deployment: scaled to zero', object: deployment(4, { replicas: 0 }, { observedGeneration: 4 }), done: true, message: 'deployment "api" successfully rolled out' },
  { name: 'deployment: progress deadline exceeded', object: deployment(2, { replicas: 3 }, { observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: timedOut }), done: false, failed: true, reason: 'ProgressDeadlineExceeded', message: 'deployment "api" exceeded its progress deadline' },
  { name: 'deployment: a deadline condition of an older generation does not count', object: deployment(3, { replicas: 3 }, { observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 3, conditions: timedOut }), done: false, message: 'Waiting for deployment spec update to be observed...' },
  { name: 'deployment: paused before rolling out', object: deployment(2, { replicas: 3, paused: true }, { observedGeneration: 2, replicas: 3, updatedReplicas: 0, availableReplicas: 3 }), done: false, failed: true, reason: 'DeploymentPaused', message: 'deployment "api" is paused and will not roll out until resumed (kubectl rollout resume deployment/api); Waiting for deployment "api" rollout to finish: 0 out of 3 new replicas have been updated...', kubectlDiffers: true },
  { name: 'deployment: paused after rolling out', object: deployment(2, { replicas: 3, paused: true }, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), done: true, message: 'deployment "api" successfully rolled out' },

  { name: 'statefulset: not observed yet (observedGeneration 0)', object: statefulSet(1, {}, {}), done: false, message: 'Waiting for statefulset spec update to be observed...' },
  { name: 'statefulset: pods not ready', object: statefulSet(2, {}, { observedGeneration: 2, replicas: 3, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'db-1', updateRevision: 'db-2' }), done: false, message: 'Waiting for 2 pods to be ready...' },
  { name: 'statefulset: partitioned roll out in progress', object: statefulSet(2, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, { observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 1, currentRevision: 'db-1', updateRevision: 'db-2' }), done: false, message: 'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...' },
  { name: 'statefulset: partitioned roll out complete', object: statefulSet(2, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, { observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 2, currentRevision: 'db-1', updateRevision: 'db-2' }), done: true, message: 'partitioned roll out complete: 2 new pods have been updated...' },
  { name: 'statefulset: rolling update in progress (no rollingUpdate block)', object: statefulSet(2, { updateStrategy: { type: 'RollingUpdate' } }, { observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 1, currentReplicas: 2, currentRevision: 'db-1', updateRevision: 'db-2' }), done: false, message: 'waiting for statefulset rolling update to complete 1 pods at revision db-2...' },
  { name: 'statefulset: rolling update complete (no rollingUpdate block)', object: statefulSet(2, { updateStrategy: { type: 'RollingUpdate' } }, { observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 3, currentRevision: 'db-2', updateRevision: 'db-2' }), done: true, message: 'statefulset rolling update complete 3 pods at revision db-2...' },
  { name: 'statefulset: OnDelete is not waited for', object: statefulSet(2, { updateStrategy: { type: 'OnDelete' } }, { observedGeneration: 1 }), done: true, skipped: true, message: 'rollout status is only available for RollingUpdate strategy type (statefulset "db" uses OnDelete): not waited for', kubectlDiffers: true },

  { name: 'daemonset: not observed yet', object: daemonSet(2, {}, { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }), done: false, message: 'Waiting for daemon set spec update to be observed...' },
  { name: 'daemonset: pods being updated', object: daemonSet(2, {}, { observedGeneration: 2, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 2 }), done: false, message: 'Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated...' },
  { name: 'daemonset: updated pods becoming available', object: daemonSet(2, {}, { observedGeneration: 2, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 }), done: false, message: 'Waiting for daemon set "agent" rollout to finish: 2 of 3 updated pods are available...' },
  { name: 'daemonset: complete', object: daemonSet(2, {}, { observedGeneration: 2, desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberReady: 3 }), done: true, message: 'daemon set "agent" successfully rolled out' },
  { name: 'daemonset: OnDelete is not waited for', object: daemonSet(2, { updateStrategy: { type: 'OnDelete' } }, { observedGeneration: 2 }), done: true, skipped: true, message: 'rollout status is only available for RollingUpdate strategy type (daemon set "agent" uses OnDelete): not waited for', kubectlDiffers: true },
];
