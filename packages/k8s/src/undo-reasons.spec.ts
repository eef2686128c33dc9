import { collectFailureReasons, computeControllerRevisionUndo, computeDeploymentUndo, currentRevision, equalIgnoreHash, K8sObject, rolloutStatus, undoObject } from './index';

const UID = 'dep-uid';
const template = (image: string, extra: Record<string, string> = {}) => ({
  metadata: { labels: { app: 'api', ...extra } },
  spec: { containers: [{ name: 'api', image, imagePullPolicy: 'IfNotPresent' }], restartPolicy: 'Always' },
});

const deployment = (image: string, extra: Partial<K8sObject['metadata']> = {}, spec: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop', uid: UID, annotations: { 'deployment.kubernetes.io/revision': '3', 'shipfleet.dev/commit': 'new' }, ...extra },
  spec: { replicas: 3, selector: { matchLabels: { app: 'api' } }, template: template(image), ...spec },
});

const replicaSet = (name: string, revision: number, image: string, annotations: Record<string, string> = {}, owner = UID): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name,
    namespace: 'shop',
    uid: `${name}-uid`,
    creationTimestamp: `2024-01-0${revision}T00:00:00Z`,
    labels: { app: 'api', 'pod-template-hash': name.split('-')[1] },
    annotations: { 'deployment.kubernetes.io/revision': String(revision), 'deployment.kubernetes.io/desired-replicas': '3', ...annotations },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: owner, controller: true }],
  },
  spec: { replicas: 0, template: template(image, { 'pod-template-hash': name.split('-')[1] }) },
});

describe('computeDeploymentUndo (kubectl rollout undo)', () => {
  const sets = [
    replicaSet('api-aaa', 1, 'registry:5000/api:1'),
    replicaSet('api-bbb', 2, 'registry:5000/api:2', { 'shipfleet.dev/commit': 'old', 'kubernetes.io/change-cause': 'deploy 2' }),
    replicaSet('api-ccc', 3, 'registry:5000/api:bad'),
    replicaSet('other-ddd', 9, 'registry:5000/other:1', {}, 'someone-else'),
  ];

  it('takes the second-newest revision by default, drops the pod-template-hash label, and copies the ReplicaSet annotations', () => {
    const undo = computeDeploymentUndo(deployment('registry:5000/api:bad'), sets);
    expect(undo).toEqual({
      action: 'rollback',
      toRevision: 2,
      template: template('registry:5000/api:2'),
      annotations: { 'deployment.kubernetes.io/revision': '3', 'shipfleet.dev/commit': 'old', 'kubernetes.io/change-cause': 'deploy 2' },
      source: 'replicaset/api-bbb',
    });
  });

  it('goes to a given revision, and says so when it does not exist', () => {
    expect(computeDeploymentUndo(deployment('registry:5000/api:bad'), sets, 1)).toMatchObject({ action: 'rollback', toRevision: 1, source: 'replicaset/api-aaa' });
    expect(computeDeploymentUndo(deployment('registry:5000/api:bad'), sets, 7)).toEqual({ action: 'error', message: 'unable to find specified revision 7 in history' });
    expect(computeDeploymentUndo(deployment('registry:5000/api:bad'), sets, 9)).toEqual({ action: 'error', message: 'unable to find specified revision 9 in history' });
  });

  it('skips when the template already matches, refuses a paused deployment, and needs history', () => {
    expect(computeDeploymentUndo(deployment('registry:5000/api:2'), sets, 2)).toEqual({ action: 'skip', toRevision: 2, message: 'skipped rollback (current template already matches revision 2)' });
    expect(computeDeploymentUndo(deployment('registry:5000/api:bad', {}, { paused: true }), sets)).toEqual({ action: 'error', message: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/api' and try again" });
    expect(computeDeploymentUndo(deployment('registry:5000/api:1'), [sets[0]])).toEqual({ action: 'error', message: 'no rollout history found for deployment "api"' });
  });

  it('compares templates ignoring the hash label and empty fields, as the API server does', () => {
    expect(equalIgnoreHash(template('a:1', { 'pod-template-hash': 'x' }), { ...template('a:1'), spec: { ...template('a:1').spec, volumes: [], nodeSelector: {} } })).toBe(true);
    expect(equalIgnoreHash(template('a:1'), template('a:2'))).toBe(false);
  });

  it('builds the object to apply: what was applied, with the old template and annotations (not the revision bookkeeping)', () => {
    const applied = deployment('registry:5000/api:bad', { annotations: { 'shipfleet.dev/commit': 'new', team: 'pay' } });
    const undo = computeDeploymentUndo(deployment('registry:5000/api:bad'), sets);
    if (undo.action !== 'rollback') throw new Error('expected a rollback');
    const obj = undoObject(applied, undo);
    expect(obj.metadata.annotations).toEqual({ 'shipfleet.dev/commit': 'old', team: 'pay', 'kubernetes.io/change-cause': 'deploy 2' });
    expect((obj.spec as { template: unknown; replicas: number }).template).toEqual(template('registry:5000/api:2'));
    expect((obj.spec as { replicas: number }).replicas).toBe(3);
  });

  it('reads the current revision from the annotation, else from the matching ReplicaSet', () => {
    expect(currentRevision(deployment('x'), {})).toBe(3);
    const noAnnotation = deployment('registry:5000/api:2', { annotations: {} });
    expect(currentRevision(noAnnotation, { replicaSets: sets })).toBe(2);
  });
});

describe('computeControllerRevisionUndo (StatefulSet and DaemonSet)', () => {
  const sts: K8sObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop', uid: 'sts-uid' }, spec: { selector: { matchLabels: { app: 'db' } }, template: template('db:bad') } };
  const revision = (n: number, image: string): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: `db-${n}`, namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-uid', controller: true }] },
    data: { spec: { template: { ...template(image), $patch: 'replace' } } },
    revision: n,
  });

  it('restores the second-highest revision by default, or the one asked for', () => {
    const history = [revision(3, 'db:bad'), revision(1, 'db:1'), revision(2, 'db:2')];
    expect(computeControllerRevisionUndo(sts, history)).toEqual({ action: 'rollback', toRevision: 2, template: template('db:2'), source: 'controllerrevision/db-2' });
    expect(computeControllerRevisionUndo(sts, history, 1)).toMatchObject({ action: 'rollback', toRevision: 1 });
    expect(computeControllerRevisionUndo(sts, history, 3)).toEqual({ action: 'skip', toRevision: 3, message: 'skipped rollback (current template already matches revision 3)' });
    expect(computeControllerRevisionUndo(sts, [revision(1, 'db:bad')])).toEqual({ action: 'error', message: 'no last revision to roll back to' });
    expect(currentRevision(sts, { controllerRevisions: history })).toBe(3);
  });
});

describe('collectFailureReasons', () => {
  const dep = { ...deployment('registry:5000/api:bad'), status: { observedGeneration: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "api-ccc" has timed out progressing.' }] } };
  const newRs = replicaSet('api-ccc', 3, 'registry:5000/api:bad');
  const oldRs = replicaSet('api-bbb', 2, 'registry:5000/api:2');
  const pod = (name: string, hash: string, owner: string, status: Record<string, unknown>): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: 'api', 'pod-template-hash': hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `${owner}-uid`, controller: true }] },
    status,
  });
  const pulling = (name: string) => pod(name, 'ccc', 'api-ccc', { containerStatuses: [{ name: 'api', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry:5000/api:bad"' } } }] });
  const oldPod = pod('api-bbb-1', 'bbb', 'api-bbb', { containerStatuses: [{ name: 'api', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff', message: 'old crash' } } }] });
  const event = (involved: string, kind: string, type: string, reason: string, message: string, at: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved}.1`, namespace: 'shop' },
    involvedObject: { kind, name: involved, namespace: 'shop' },
    type,
    reason,
    message,
    lastTimestamp: at,
  });

  it('names the container reason of the new revision\'s pods first, then the deadline, and lists warning events', () => {
    const status = rolloutStatus(dep);
    const r = collectFailureReasons(dep, {
      status: { ...status, failed: true, reason: 'ProgressDeadlineExceeded', message: 'deployment "api" exceeded its progress deadline' },
      pods: [pulling('api-ccc-1'), pulling('api-ccc-2'), oldPod],
      replicaSets: [oldRs, newRs],
      events: [
        event('api-ccc-1', 'Pod', 'Warning', 'Failed', 'Failed to pull image "registry:5000/api:bad": not found', '2024-01-01T00:00:02Z'),
        event('api-ccc-1', 'Pod', 'Normal', 'Pulling', 'Pulling image', '2024-01-01T00:00:01Z'),
        event('unrelated', 'Pod', 'Warning', 'Failed', 'not ours', '2024-01-01T00:00:03Z'),
      ],
    });
    expect(r.summary).toBe('container api: ImagePullBackOff: Back-off pulling image "registry:5000/api:bad" (2 pods); ProgressDeadlineExceeded: ReplicaSet "api-ccc" has timed out progressing.');
    expect(r.details).toEqual([
      'container api: ImagePullBackOff: Back-off pulling image "registry:5000/api:bad" (2 pods)',
      'event Failed: Failed to pull image "registry:5000/api:bad": not found',
      'ProgressDeadlineExceeded: ReplicaSet "api-ccc" has timed out progressing.',
    ]);
  });

  it('reports crash loops with restart counts and last exit codes, init containers, scheduling, and readiness', () => {
    const crash = pod('api-ccc-1', 'ccc', 'api-ccc', {
      initContainerStatuses: [{ name: 'migrate', ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } }],
      containerStatuses: [
        { name: 'api', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=api pod=api-ccc-1_shop(u)' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } },
        { name: 'proxy', ready: false, restartCount: 0, state: { running: { startedAt: 'x' } } },
      ],
      conditions: [{ type: 'PodScheduled', status: 'True' }],
    });
    const unscheduled = pod('api-ccc-2', 'ccc', 'api-ccc', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }] });
    const r = collectFailureReasons(dep, { pods: [crash, unscheduled], replicaSets: [newRs] });
    expect(r.details.slice(0, 4)).toEqual([
      'init container migrate: terminated: Error (exit code 2)',
      'container api: CrashLoopBackOff: back-off 40s restarting failed container=api pod=api-ccc-1_shop(u) (restarted 4 times, last exit code 1)',
      'container proxy: running but not ready',
      'pod api-ccc-2: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.',
    ]);
  });

  it('falls back to events, then conditions, then the status message', () => {
    const bare = deployment('x');
    const withEvent = collectFailureReasons(bare, { events: [event('api', 'Deployment', 'Warning', 'FailedCreate', 'quota exceeded', 't')] });
    expect(withEvent.summary).toBe('event FailedCreate: quota exceeded');
    expect(collectFailureReasons(bare, { status: { done: false, message: 'Waiting for deployment spec update to be observed...' } }).summary).toBe('Waiting for deployment spec update to be observed...');
  });
});
