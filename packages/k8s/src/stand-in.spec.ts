// Deploys against the Kubernetes API stand-in (tools/k8s-api), each in a child process:
// @kubernetes/client-node is an ES module that jest cannot load, but Node does.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { K8sApi, startK8sApi } from '../../../tools/k8s-api/server';
import { RECORDED_STATES } from './__fixtures__/rollout-states';
import { deployInChild, kubectl, KUBECTL, requireKubectl, sleep, tmp, writeApp } from './__fixtures__/stand-in';
import { rolloutStatus } from './rollout-status';

jest.setTimeout(90_000);

const IMAGE = 'registry:5000/api';
let api: K8sApi;

beforeEach(async () => {
  // 600 s (the default progressDeadlineSeconds) becomes 3 s.
  api = await startK8sApi({ scenario: { deadlineFactor: 0.005 } });
});
afterEach(async () => {
  await api.close();
});

const deploy = (projectRoot: string, options: Record<string, unknown> = {}, extra: { planDryRun?: boolean } = {}) =>
  deployInChild({ projectRoot, options: { manifests: ['k8s'], kubeconfig: api.kubeconfigPath, timeoutSeconds: 30, ...options }, ...extra });

const liveImage = () => api.get('Deployment', 'default', 'api')?.spec.template.spec.containers[0].image;

async function deployGood(dir: string, tag = '1.0.0', options: Record<string, unknown> = {}) {
  const r = await deploy(dir, { images: { [IMAGE]: tag }, ...options });
  expect(r.out.report?.status).toBe('succeeded');
  return r;
}

describe('k8s deploy against the API stand-in', () => {
  it('rolls out a healthy image: server-side apply as shipfleet with the bearer token, live progress, revisions', async () => {
    const dir = writeApp(tmp('healthy'));
    const first = await deployGood(dir, '1.0.0');
    expect(first.out.result?.applied).toEqual([{ object: 'deployment.apps/api', action: 'created', ref: expect.anything() }]);
    expect(first.out.result?.previousRevisions).toEqual({ 'deployment/api': null });

    const second = await deployGood(dir, '1.1.0', { version: '1.1.0', commit: 'a1b2c3d', project: 'api' });
    expect(liveImage()).toBe(`${IMAGE}:1.1.0`);
    const live = api.get('Deployment', 'default', 'api')!;
    expect(live.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '2', 'shipfleet.dev/commit': 'a1b2c3d' });
    expect(live.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': '1.1.0', 'shipfleet.dev/project': 'api' });
    expect(live.spec.template.metadata.labels).toEqual({ app: 'api', 'app.kubernetes.io/version': '1.1.0', 'shipfleet.dev/project': 'api' });
    expect(live.status).toMatchObject({ updatedReplicas: 3, availableReplicas: 3, replicas: 3 });
    expect(live.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`)).toEqual(['shipfleet/Apply']);
    expect(second.out.result?.previousRevisions).toEqual({ 'deployment/api': 1 });
    expect(second.out.result?.workloads[0]).toMatchObject({ workload: 'deployment/api', state: 'rolled-out' });

    const lines = second.out.lines.join('\n');
    expect(lines).toContain('deployment/api api: registry:5000/api:1.0.0 → registry:5000/api:1.1.0');
    expect(lines).toContain('deployment.apps/api configured');
    expect(lines).toMatch(/deployment\/api: Waiting for deployment "api" rollout to finish: \d out of 3 new replicas have been updated\.\.\./);
    // The rollout's progress: status lines (at most one per 25 ms here, 5 s by default), the last with how long it took.
    expect(lines).toMatch(/deployment\/api: deployment "api" successfully rolled out · \d+m?s/);

    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(2);
    for (const p of patches) {
      expect(p).toMatchObject({ path: '/apis/apps/v1/namespaces/default/deployments/api', contentType: 'application/apply-patch+yaml', query: { fieldManager: 'shipfleet', force: 'false' }, status: expect.any(Number) });
      expect(p.query.dryRun).toBeUndefined();
    }
    expect(api.requests.every((r) => r.user === 'token')).toBe(true);
    expect(api.requests.some((r) => r.query.watch === 'true' && r.query.fieldSelector === 'metadata.name=api')).toBe(true);
  });

  it('rolls a bad image back to the previous revision, waits for it, and fails naming the workload and the reason', async () => {
    const dir = writeApp(tmp('bad'));
    await deployGood(dir, '1.0.0');
    const r = await deploy(dir, { images: { [IMAGE]: 'bad' } });
    expect(r.out.report?.status).toBe('failed');
    expect(r.out.report?.error).toMatch(/^Step "Wait for rollouts \(deployment\/api\)" failed: deployment\/api rolled back to revision 1: container api: (ImagePullBackOff: Back-off pulling image "registry:5000\/api:bad"|ErrImagePull: .*registry:5000\/api:bad.*not found); ProgressDeadlineExceeded: ReplicaSet "api-[a-z0-9]+" has timed out progressing\.$/);
    expect(liveImage()).toBe(`${IMAGE}:1.0.0`);
    expect(api.get('Deployment', 'default', 'api')!.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(r.out.result).toMatchObject({ rolledBack: true, failed: true });
    expect(r.out.result?.workloads[0]).toMatchObject({ state: 'rolled-back', previousRevision: 1, rolledBackTo: 1 });
    expect(r.out.result?.workloads[0].details).toEqual(expect.arrayContaining([expect.stringMatching(/^event Failed: Failed to pull image "registry:5000\/api:bad": .*not found$/)]));
    const lines = r.out.lines.join('\n');
    expect(lines).toMatch(/\(Warning: (ImagePullBackOff|ErrImagePull) - /);
    expect(lines).toContain('deployment/api: rolling back to revision 1 (pod template of replicaset/api-');
    expect(r.out.report?.outputs['deployment/api']).toBe('rolled back to revision 1');

    // The undo was applied as shipfleet: the next deploy meets no field conflict.
    await deployGood(dir, '1.0.1');
    expect(liveImage()).toBe(`${IMAGE}:1.0.1`);
  });

  it('reports a crash loop with its restarts when the time runs out', async () => {
    const dir = writeApp(tmp('crash'));
    await deployGood(dir, '1.0.0');
    const r = await deploy(dir, { images: { [IMAGE]: 'crash' }, timeoutSeconds: 2 });
    expect(r.out.report?.status).toBe('failed');
    expect(r.out.result?.reason).toMatch(/^deployment\/api rolled back to revision 1: container api: CrashLoopBackOff: back-off \S+ restarting failed container=api pod=api-\S+ \(restarted \d+ times?, last exit code 1\) \(not complete after 2s: Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated\.\.\. \(Warning: CrashLoopBackOff - /);
    expect(liveImage()).toBe(`${IMAGE}:1.0.0`);
  });

  it('reports an exceeded progress deadline when pods never become ready', async () => {
    const dir = writeApp(tmp('slow'));
    await deployGood(dir, '1.0.0');
    const r = await deploy(dir, { images: { [IMAGE]: 'slow' } });
    expect(r.out.result?.reason).toMatch(/^deployment\/api rolled back to revision 1: container api: running but not ready; ProgressDeadlineExceeded: ReplicaSet "api-\w+" has timed out progressing\.$/);
    expect(r.out.result?.workloads[0].details).toEqual(expect.arrayContaining(['event Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503']));
    expect(r.out.lines.join('\n')).toContain('deployment/api: deployment "api" exceeded its progress deadline');
    expect(liveImage()).toBe(`${IMAGE}:1.0.0`);
  });

  it('with rollbackOnFailure false leaves the failed rollout in place and fails', async () => {
    const dir = writeApp(tmp('norollback'));
    await deployGood(dir, '1.0.0');
    const r = await deploy(dir, { images: { [IMAGE]: 'bad' }, rollbackOnFailure: false });
    expect(r.out.result?.reason).toMatch(/^deployment\/api did not roll out \(left as it is: rollbackOnFailure is off\): container api: (ImagePullBackOff|ErrImagePull)/);
    expect(r.out.result?.rolledBack).toBe(false);
    expect(liveImage()).toBe(`${IMAGE}:bad`);
  });

  it('a server dry run sends dryRun=All and changes nothing', async () => {
    const dir = writeApp(tmp('serverdry'));
    await deployGood(dir, '1.0.0');
    const before = JSON.stringify(api.get('Deployment', 'default', 'api'));
    const rsBefore = api.list('ReplicaSet', 'default').length;
    writeApp(dir, { configMaps: ['new-config'] });
    const since = api.requests.length;
    const r = await deploy(dir, { images: { [IMAGE]: '2.0.0' }, serverDryRun: true });
    expect(r.out.report?.status).toBe('succeeded');
    expect(r.out.report?.steps.map((s) => s.title)).toEqual(['Render manifests (2 objects)', 'Apply 2 objects (server-side, field manager shipfleet, server dry run)']);
    await sleep(300);
    expect(JSON.stringify(api.get('Deployment', 'default', 'api'))).toBe(before);
    expect(api.get('ConfigMap', 'default', 'new-config')).toBeUndefined();
    expect(api.list('ReplicaSet', 'default')).toHaveLength(rsBefore);
    const patches = api.requests.slice(since).filter((q) => q.method === 'PATCH');
    expect(patches.map((p) => p.query.dryRun)).toEqual(['All', 'All']);
    expect(r.out.lines.join('\n')).toContain('deployment.apps/api configured (server dry run)');
    expect(r.out.lines.join('\n')).toContain('configmap/new-config created (server dry run)');
  });

  it('never prints a Secret\'s data: not in the plan dry run, the run, the summary, nor after a failure', async () => {
    const secret = 'Sup3r-S3cret-DB-Passw0rd';
    const dir = writeApp(tmp('secret'), { secret });
    const outputs: string[] = [];
    const dry = await deploy(dir, { images: { [IMAGE]: '1.0.0' } }, { planDryRun: true });
    expect(dry.out.report?.status).toBe('dry-run');
    expect(dry.out.lines.join('\n')).toContain('DB_PASSWORD: "***"');
    outputs.push(dry.stdout, dry.stderr);
    const ok = await deploy(dir, { images: { [IMAGE]: '1.0.0' } });
    expect(ok.out.report?.status).toBe('succeeded');
    outputs.push(ok.stdout, ok.stderr);
    const failed = await deploy(dir, { images: { [IMAGE]: 'bad' } });
    expect(failed.out.report?.status).toBe('failed');
    outputs.push(failed.stdout, failed.stderr);
    // The API server did get it.
    const stored = api.get('Secret', 'default', 'api-secrets')!;
    expect(Buffer.from(stored.data.DB_PASSWORD, 'base64').toString()).toBe(secret);
    expect(Buffer.from(stored.data.API_KEY, 'base64').toString()).toBe(`key-${secret}`);
    for (const text of outputs) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(secret).toString('base64'));
      expect(text).not.toContain(Buffer.from(`key-${secret}`).toString('base64'));
      expect(text).not.toContain(api.token);
    }
  });

  it('refuses to take fields another manager owns unless forceConflicts is set', async () => {
    const dir = writeApp(tmp('conflict'), { replicas: 3 });
    api.preload({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: `${IMAGE}:1.0.0` }] } } } }, 'kubectl-edit');
    const r = await deploy(dir);
    expect(r.out.report?.error).toBe('Step "Apply 1 object (server-side, field manager shipfleet)" failed: deployment.apps/api: Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas. Another field manager owns these fields; change them there, or set forceConflicts to take them over');
    expect(api.get('Deployment', 'default', 'api')!.spec.replicas).toBe(2);
    const forced = await deploy(dir, { forceConflicts: true });
    expect(forced.out.report?.status).toBe('succeeded');
    expect(api.get('Deployment', 'default', 'api')!.spec.replicas).toBe(3);
    expect(api.requests.filter((q) => q.method === 'PATCH').map((q) => q.query.force)).toEqual(['false', 'true']);
  });

  it('applies namespaces first and says clearly when a namespace does not exist', async () => {
    const dir = writeApp(tmp('namespace'));
    const missing = await deploy(dir, { namespace: 'shop' });
    expect(missing.out.report?.error).toContain('deployment.apps/api: namespaces "shop" not found. Create the namespace first (add a Namespace manifest) or pick an existing one');
    writeApp(dir, { extra: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n' });
    const ok = await deploy(dir, { namespace: 'shop' });
    expect(ok.out.report?.status).toBe('succeeded');
    expect(ok.out.result?.applied.map((a) => a.object)).toEqual(['namespace/shop', 'deployment.apps/api']);
    expect(api.get('Deployment', 'shop', 'api')).toBeDefined();
  });

  it('waits for StatefulSets and DaemonSets too, and undoes a StatefulSet through its ControllerRevisions', async () => {
    const dir = tmp('sts');
    mkdirSync(join(dir, 'k8s'));
    writeFileSync(
      join(dir, 'k8s', 'workloads.yaml'),
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: 'registry:5000/db:1'}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: 'registry:5000/agent:1'}]}
`,
    );
    const first = await deploy(dir, { images: { 'registry:5000/db': '1', 'registry:5000/agent': '1' } });
    expect(first.out.report?.status).toBe('succeeded');
    const lines = first.out.lines.join('\n');
    expect(lines).toContain('statefulset/db: partitioned roll out complete: 2 new pods have been updated...');
    expect(lines).toContain('daemonset/agent: daemon set "agent" successfully rolled out');
    const second = await deploy(dir, { images: { 'registry:5000/db': '2', 'registry:5000/agent': '2' } });
    expect(second.out.report?.status).toBe('succeeded');
    expect(second.out.result?.previousRevisions).toEqual({ 'statefulset/db': 1, 'daemonset/agent': 1 });

    const bad = await deploy(dir, { images: { 'registry:5000/db': 'bad', 'registry:5000/agent': '2' }, timeoutSeconds: 4 });
    expect(bad.out.result?.reason).toMatch(/^statefulset\/db rolled back to revision 2: container db: (ImagePullBackOff|ErrImagePull)/);
    expect(bad.out.lines.join('\n')).toMatch(/statefulset\/db: deleting pod db-1 \(failed revision, not ready\)/);
    expect(api.get('StatefulSet', 'default', 'db')!.spec.template.spec.containers[0].image).toBe('registry:5000/db:2');
    expect(api.get('DaemonSet', 'default', 'agent')!.spec.template.spec.containers[0].image).toBe('registry:5000/agent:2');
    expect(bad.out.result?.workloads.map((w) => `${w.workload} ${w.state}`)).toEqual(['statefulset/db rolled-back', 'daemonset/agent rolled-out']);
  });

  it('rolls back every workload the deploy changed when one of them fails', async () => {
    const dir = writeApp(tmp('together'), {
      extra: `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: 'registry:5000/web:1'}]}\n`,
    });
    expect((await deploy(dir, { images: { [IMAGE]: '1', 'registry:5000/web': '1' } })).out.report?.status).toBe('succeeded');
    const r = await deploy(dir, { images: { [IMAGE]: 'bad', 'registry:5000/web': '2' } });
    expect(r.out.result?.reason).toMatch(/^deployment\/api rolled back to revision 1: .*; deployment\/web also rolled back to revision 1$/);
    expect(api.get('Deployment', 'default', 'web')!.spec.template.spec.containers[0].image).toBe('registry:5000/web:1');
  });

  it('prunes objects that left the manifests, only those it applied with the selector\'s labels', async () => {
    const dir = writeApp(tmp('prune'), { configMaps: ['keep', 'drop'] });
    await deployGood(dir, '1.0.0', { project: 'api', prune: true });
    api.preload({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'by-hand', namespace: 'default', labels: { 'shipfleet.dev/project': 'api' } }, data: {} }, 'kubectl-client-side-apply');
    writeApp(dir, { configMaps: ['keep'] });
    const r = await deployGood(dir, '1.0.0', { project: 'api', prune: true });
    expect(r.out.result?.pruned).toEqual(['default/configmap/drop']);
    expect(api.get('ConfigMap', 'default', 'drop')).toBeUndefined();
    expect(api.get('ConfigMap', 'default', 'keep')).toBeDefined();
    expect(api.get('ConfigMap', 'default', 'by-hand')).toBeDefined();
  });
});

describe('with a real kubectl', () => {
  const home = tmp('kubectl-home');

  beforeAll(async () => {
    await requireKubectl(home);
  });

  it(`renders a kustomization with \`${KUBECTL} kustomize\` and applies the result`, async () => {
    const dir = tmp('kustomize');
    writeApp(dir);
    mkdirSync(join(dir, 'overlay'));
    writeFileSync(join(dir, 'k8s', 'kustomization.yaml'), 'resources:\n- app.yaml\n');
    // `bases` for a folder: the kustomize built into kubectl 1.20 knows no other way (newer ones still accept it).
    writeFileSync(join(dir, 'overlay', 'kustomization.yaml'), 'bases:\n- ../k8s\ncommonLabels:\n  tier: backend\nnamePrefix: prod-\n');
    const r = await deployInChild({ projectRoot: dir, options: { manifests: 'overlay', kubeconfig: api.kubeconfigPath, kubectl: KUBECTL, images: { [IMAGE]: '3.0.0' }, timeoutSeconds: 30 } });
    expect(r.out.report?.status).toBe('succeeded');
    const live = api.get('Deployment', 'default', 'prod-api')!;
    expect(live.metadata.labels.tier).toBe('backend');
    expect(live.spec.template.spec.containers[0].image).toBe(`${IMAGE}:3.0.0`);
  });

  it('reads the stand-in\'s objects back (kubectl get, rollout status, rollout history)', async () => {
    await api.close();
    api = await startK8sApi({ allowAnonymous: true, scenario: { deadlineFactor: 0.005 } });
    const dir = writeApp(tmp('readback'));
    await deployGood(dir, '4.2.0');
    const json = await kubectl(['--kubeconfig', api.kubeconfigPath, 'get', 'deployments', '-o', 'json'], home);
    expect(json.code).toBe(0);
    const list = JSON.parse(json.stdout);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'api' }, status: { availableReplicas: 3 } });
    expect(list.items[0].spec.template.spec.containers[0].image).toBe(`${IMAGE}:4.2.0`);
    const table = await kubectl(['--kubeconfig', api.kubeconfigPath, 'get', 'deploy,rs,pods'], home);
    expect(table.stdout).toMatch(/deployment\.apps\/api\s+3\/3\s+3\s+3/);
    expect(table.stdout).toMatch(/pod\/api-\w+-\w+\s+1\/1\s+Running\s+0/);
    const status = await kubectl(['--kubeconfig', api.kubeconfigPath, 'rollout', 'status', 'deployment/api', '--timeout=20s'], home);
    expect(status.stdout.trim()).toBe('deployment "api" successfully rolled out');
    await deployGood(dir, '4.3.0');
    const history = await kubectl(['--kubeconfig', api.kubeconfigPath, 'rollout', 'history', 'deployment/api'], home);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\s+1\s+<none>\s+2\s+<none>/);
    const undo = await kubectl(['--kubeconfig', api.kubeconfigPath, 'rollout', 'undo', 'deployment/api'], home);
    expect(undo.stdout.trim()).toBe('deployment.apps/api rolled back');
    expect(liveImage()).toBe(`${IMAGE}:4.2.0`);
    expect(api.requests.filter((q) => q.user === 'anonymous').length).toBeGreaterThan(0);
  });

  it('--diff: a changed image is a one-line change, the rest unchanged or new, Secret values never shown, and nothing changes (kubectl get agrees)', async () => {
    await api.close();
    api = await startK8sApi({ allowAnonymous: true, scenario: { deadlineFactor: 0.005 } });
    const secret = 'Diff-S3cret-Never-Shown-77';
    const dir = writeApp(tmp('diff'), { secret, configMaps: ['settings'] });
    await deployGood(dir, '1.0.0');
    await sleep(300);
    const read = async () => {
      const r = await kubectl(['--kubeconfig', api.kubeconfigPath, 'get', 'deployments,replicasets,secrets,configmaps', '-o', 'json'], home);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout).items as Array<{ kind: string; metadata: { name: string; resourceVersion: string } }>).map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
    };
    const before = await read();
    const deploymentBefore = JSON.stringify(api.get('Deployment', 'default', 'api'));
    writeApp(dir, { secret, configMaps: ['settings', 'extra'] });
    const since = api.requests.length;

    const r = await deploy(dir, { images: { [IMAGE]: '1.1.0' }, diff: true });
    expect(r.out.report?.status).toBe('succeeded');
    expect(r.out.report?.steps.map((s) => s.title)).toEqual(['Render manifests (4 objects)', 'Diff 4 objects against the cluster (server dry run, field manager shipfleet)']);
    expect(r.out.result?.diff).toEqual([
      { object: 'secret/api-secrets (namespace default)', change: 'unchanged' },
      { object: 'configmap/settings (namespace default)', change: 'unchanged' },
      { object: 'configmap/extra (namespace default)', change: 'new' },
      { object: 'deployment.apps/api (namespace default)', change: 'changed' },
    ]);
    expect(r.out.report?.outputs.diff).toBe('1 changed, 2 unchanged, 1 new');
    const lines = r.out.lines.map((l) => l.replace(/^ {2}│ /, ''));
    const hunk = lines.slice(lines.indexOf('--- deployment.apps/api (namespace default) live'), lines.indexOf('diff: 1 changed, 2 unchanged, 1 new'));
    expect(hunk.filter((l) => /^[-+](?![-+]{2} )/.test(l))).toEqual([`-        - image: ${IMAGE}:1.0.0`, `+        - image: ${IMAGE}:1.1.0`]);
    expect(lines).toContain('secret/api-secrets (namespace default) unchanged');
    expect(lines).toContain('+++ configmap/extra (namespace default) after apply');
    const patches = api.requests.slice(since).filter((q) => q.method !== 'GET');
    expect(patches.map((q) => `${q.method} ${q.query.dryRun} ${q.query.fieldManager} ${q.query.force}`)).toEqual(Array(4).fill('PATCH All shipfleet false'));

    await sleep(300);
    expect(JSON.stringify(api.get('Deployment', 'default', 'api'))).toBe(deploymentBefore);
    expect(await read()).toEqual(before);
    expect((await kubectl(['--kubeconfig', api.kubeconfigPath, 'get', 'configmap', 'extra'], home)).stderr).toContain('configmaps "extra" not found');
    for (const text of [r.stdout, r.stderr]) {
      for (const hidden of [secret, Buffer.from(secret).toString('base64'), `key-${secret}`, Buffer.from(`key-${secret}`).toString('base64')]) expect(text).not.toContain(hidden);
      for (const left of ['managedFields', 'resourceVersion', 'generation:', 'uid:', 'creationTimestamp', 'status:']) expect(text).not.toContain(left);
    }
  });

  it('agrees with kubectl rollout status on every recorded state', async () => {
    await api.close();
    api = await startK8sApi({ allowAnonymous: true, scenario: { controllers: false } });
    for (const state of RECORDED_STATES) {
      api.setObject(state.object as never);
      const r = await kubectl(['--kubeconfig', api.kubeconfigPath, 'rollout', 'status', `${state.object.kind.toLowerCase()}/${state.object.metadata.name}`, '--watch=false'], home);
      const theirs = (r.stdout || r.stderr).trim().replace(/^error: /, '');
      const ours = rolloutStatus(state.object);
      const label = `${state.name}: kubectl said ${JSON.stringify(theirs)} (exit ${r.code}), we say ${JSON.stringify(ours.message)}`;
      if (state.kubectlDiffers) expect([label, ours.message.includes(theirs)]).toEqual([label, true]);
      else expect([label, ours.message]).toEqual([label, theirs]);
      // kubectl exits non-zero exactly when the rollout failed or cannot be waited for.
      expect([label, r.code !== 0]).toEqual([label, !!ours.failed && !state.kubectlDiffers || !!ours.skipped]);
    }
  });
});
