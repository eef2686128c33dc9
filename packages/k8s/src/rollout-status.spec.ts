import { RECORDED_STATES } from './__fixtures__/rollout-states';
import { K8sObject, podWarning, rolloutStatus } from './index';

describe('rolloutStatus (the rules of kubectl rollout status)', () => {
  it.each(RECORDED_STATES.map((s) => [s.name, s] as const))('%s', (_name, state) => {
    const status = rolloutStatus(state.object);
    expect(status.message).toBe(state.message);
    expect(status.done).toBe(state.done);
    expect(!!status.failed).toBe(!!state.failed);
    expect(status.reason).toBe(state.reason);
    expect(!!status.skipped).toBe(!!state.skipped);
  });

  it('adds kubectl\'s warning from the pods of a deployment that is still rolling out', () => {
    const rolling = RECORDED_STATES.find((s) => s.name === 'deployment: new replicas being created')!.object;
    const pod = (name: string, status: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, status });
    const healthy = pod('api-1', { containerStatuses: [{ name: 'api', ready: true, state: { running: {} } }] });
    const pulling = pod('api-2', { containerStatuses: [{ name: 'api', ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry:5000/api:bad"' } } }] });
    const starting = pod('api-3', { containerStatuses: [{ name: 'api', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }] });
    const unschedulable = pod('api-4', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }] });

    const withWarning = rolloutStatus(rolling, { pods: [healthy, starting, pulling] });
    expect(withWarning.message).toBe('Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated... (Warning: ImagePullBackOff - Back-off pulling image "registry:5000/api:bad")');
    expect(withWarning.warning).toBe('ImagePullBackOff - Back-off pulling image "registry:5000/api:bad"');
    expect(rolloutStatus(rolling, { pods: [healthy, starting] }).message).toBe('Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...');
    expect(podWarning([unschedulable, pulling])).toBe('0/3 nodes are available: 3 Insufficient memory.');
    // A finished rollout gets no warning, whatever the pods say.
    const done = RECORDED_STATES.find((s) => s.name === 'deployment: complete')!.object;
    expect(rolloutStatus(done, { pods: [pulling] }).message).toBe('deployment "api" successfully rolled out');
  });

  it('treats a missing updateStrategy type as RollingUpdate (the API server\'s default) and other kinds as nothing to wait for', () => {
    const sts = structuredClone(RECORDED_STATES.find((s) => s.name === 'statefulset: pods not ready')!.object);
    delete (sts.spec as { updateStrategy?: unknown }).updateStrategy;
    expect(rolloutStatus(sts).message).toBe('Waiting for 2 pods to be ready...');
    expect(rolloutStatus({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toMatchObject({ done: true, skipped: true });
  });
});
