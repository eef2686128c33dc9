import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, runPlan } from '@shipfleet/core';
import { FakeCluster } from './__fixtures__/fake-cluster';
import { buildK8sPlan, K8sDeployOptions, KubeApiError, normalizeK8sOptions, previewKustomization } from './index';

const SECRET_VALUE = 'p4ss-w0rd-never-shown';
const KUSTOMIZE_SECRET = 'kustomize-secret-value-77';

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: registry:5000/api:1.0.0
---
apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  password: ${Buffer.from(SECRET_VALUE).toString('base64')}
stringData:
  url: postgres://app:${SECRET_VALUE}@db:5432/app
`;

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://k8s.example.com:6443'}}]
contexts: [{name: prod, context: {cluster: c, user: u}}]
current-context: prod
users: [{name: u, user: {token: kube-token-0123456789}}]
`;

function workspace(manifests = MANIFESTS) {
  const root = mkdtempSync(join(tmpdir(), 'shipfleet-k8s-plan-'));
  mkdirSync(join(root, 'k8s'));
  writeFileSync(join(root, 'k8s', 'app.yaml'), manifests);
  writeFileSync(join(root, 'kubeconfig'), KUBECONFIG);
  return root;
}

async function run(options: Partial<K8sDeployOptions>, cluster: FakeCluster, root = workspace(), runOptions: { dryRun?: boolean; planJson?: string } = {}) {
  const normalized = normalizeK8sOptions({ manifests: ['k8s'], kubeconfig: 'kubeconfig', ...options } as K8sDeployOptions, root, { HOME: root });
  const { plan, result } = buildK8sPlan(normalized, { connect: () => cluster, pollIntervalMs: 10 });
  const { logger, text } = memoryLogger();
  const report = await runPlan(plan, { logger, secrets: normalized.secrets, handleSignals: false, ...runOptions });
  return { report, result, text: text(), plan, normalized };
}

describe('buildK8sPlan', () => {
  it('a plan dry run shows the steps and the rendered manifests with Secret values masked, and runs nothing', async () => {
    const cluster = new FakeCluster();
    const root = workspace();
    const planJson = join(root, 'plan.json');
    const { report, text } = await run({ images: { 'registry:5000/api': '1.1.0' }, namespace: 'shop', version: '1.1.0' }, cluster, root, { dryRun: true, planJson });
    expect(report.status).toBe('dry-run');
    expect(cluster.calls).toEqual([]);
    expect(text).toContain('Plan: k8s-deploy 3 objects to prod (4 steps)');
    expect(text).toContain('1. [task] Render manifests (3 objects)');
    expect(text).toContain('images: registry:5000/api → 1.1.0');
    expect(text).toContain('deployment/api api: registry:5000/api:1.0.0 → registry:5000/api:1.1.0');
    expect(text).toContain('image: registry:5000/api:1.1.0');
    expect(text).toContain('app.kubernetes.io/version: 1.1.0');
    expect(text).toContain('password: "***"');
    expect(text).toContain('3. [task] Apply 3 objects (server-side, field manager shipfleet)');
    expect(text).toContain('to https://k8s.example.com:6443 (context prod, kubeconfig');
    expect(text).toContain('PATCH each object, Content-Type application/apply-patch+yaml, ?fieldManager=shipfleet&force=false');
    expect(text).toMatch(/1\. namespace\/shop\s+2\. shop\/secret\/db\s+3\. shop\/deployment\/api/);
    expect(text).toContain('4. [task] Wait for rollouts (deployment/api)');
    expect(text).toContain('up to 300s');
    for (const out of [text, readFileSync(planJson, 'utf8')]) {
      expect(out).not.toContain(SECRET_VALUE);
      expect(out).not.toContain(Buffer.from(SECRET_VALUE).toString('base64'));
      expect(out).not.toContain('kube-token-0123456789');
    }
  });

  it('applies in order, waits, and records what it did', async () => {
    const cluster = new FakeCluster();
    const { report, result, text } = await run({ namespace: 'shop' }, cluster);
    expect(report.status).toBe('succeeded');
    expect(cluster.calls).toEqual(['apply Namespace/shop', 'apply Secret/db', 'apply Deployment/api']);
    expect(result.applied.map((a) => `${a.object} ${a.action}`)).toEqual(['namespace/shop created', 'secret/db created', 'deployment.apps/api created']);
    expect(result.workloads).toEqual([expect.objectContaining({ workload: 'deployment/api', previousRevision: null, state: 'rolled-out' })]);
    expect(text).toContain('deployment/api: deployment "api" successfully rolled out');
    expect(report.outputs['deployment/api']).toBe('rolled out');
    expect(cluster.closed).toBe(true);
    expect(text).not.toContain(SECRET_VALUE);
  });

  it('keeps waiting through failed reads of a workload', async () => {
    const cluster = new FakeCluster();
    cluster.failReadsAfterApply = 2;
    const { report, text } = await run({}, cluster);
    expect(report.status).toBe('succeeded');
    expect(text).toContain('deployment/api: cannot read deployment/api: socket hang up (retrying)');
    expect(text).toContain('deployment/api: deployment "api" successfully rolled out');
  });

  it('a server dry run applies with dryRun and does not wait', async () => {
    const cluster = new FakeCluster();
    const { report, plan, result, text } = await run({ serverDryRun: true }, cluster);
    expect(report.status).toBe('succeeded');
    expect(plan.steps.map((s) => s.title)).toEqual(['Render manifests (3 objects)', 'Close connections to the API server', 'Apply 3 objects (server-side, field manager shipfleet, server dry run)']);
    expect(cluster.calls).toEqual(['apply Namespace/shop dryRun', 'apply Secret/db dryRun', 'apply Deployment/api dryRun']);
    expect(cluster.objects.size).toBe(0);
    expect(result.serverDryRun).toBe(true);
    expect(text).toContain('deployment.apps/api created (server dry run)');
  });

  it('a new workload that fails cannot be rolled back and says so', async () => {
    const cluster = new FakeCluster();
    cluster.behaviour.api = 'deadline';
    const { report, result } = await run({}, cluster);
    expect(report.status).toBe('failed');
    expect(report.error).toBe('Step "Wait for rollouts (deployment/api)" failed: deployment/api did not roll out (it had no earlier revision to roll back to): ProgressDeadlineExceeded: ReplicaSet "x" has timed out progressing.');
    expect(result).toMatchObject({ failed: true, rolledBack: false });
  });

  it('a field conflict names forceConflicts', async () => {
    const cluster = new FakeCluster();
    cluster.applyErrors.api = new KubeApiError(409, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas', 'Conflict');
    const { report } = await run({}, cluster);
    expect(report.error).toBe('Step "Apply 3 objects (server-side, field manager shipfleet)" failed: deployment.apps/api: Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas. Another field manager owns these fields; change them there, or set forceConflicts to take them over');
  });

  it('prunes only objects it applied before that match the selector and are gone from the manifests', async () => {
    const cluster = new FakeCluster();
    const label = { 'shipfleet.dev/project': 'api' };
    const managed = (name: string, manager: string, labels = label) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', labels, managedFields: [{ manager, operation: 'Apply' }] } });
    cluster.objects.set('ConfigMap/shop/old', managed('old', 'shipfleet'));
    cluster.objects.set('ConfigMap/shop/by-hand', managed('by-hand', 'kubectl-client-side-apply'));
    cluster.objects.set('ConfigMap/shop/other-project', managed('other-project', 'shipfleet', { 'shipfleet.dev/project': 'web' }));
    const { report, result, text } = await run({ namespace: 'shop', project: 'api', prune: true }, cluster);
    expect(report.status).toBe('succeeded');
    expect(result.pruned).toEqual(['shop/configmap/old']);
    expect(cluster.calls).toContain('delete ConfigMap/old');
    expect([...cluster.objects.keys()]).toEqual(expect.arrayContaining(['ConfigMap/shop/by-hand', 'ConfigMap/shop/other-project']));
    expect(text).toContain('configmap/old pruned');
  });

  it('renders a kustomization with kubectl kustomize when the plan runs, and masks the Secret values it holds', async () => {
    const root = workspace();
    const dir = join(root, 'overlay');
    mkdirSync(dir);
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [../k8s/app.yaml]\n');
    writeFileSync(
      join(dir, 'rendered.yaml'),
      `apiVersion: v1\nkind: Secret\nmetadata: {name: extra}\ndata:\n  key: ${Buffer.from(KUSTOMIZE_SECRET).toString('base64')}\n---\n${MANIFESTS.split('---\n').slice(1).join('---\n')}`,
    );
    const cluster = new FakeCluster();
    cluster.applyErrors.extra = new KubeApiError(422, `Secret "extra" is invalid: data[key]: Invalid value: "${KUSTOMIZE_SECRET}"`, 'Invalid');
    const kubectl = join(__dirname, '__fixtures__', 'fake-kubectl.js');
    const normalized = normalizeK8sOptions({ manifests: 'overlay', kubeconfig: 'kubeconfig', kubectl, images: { 'registry:5000/api': '2.0.0' } }, root, { HOME: root });
    expect(normalized.rendered).toBeUndefined();
    const { plan } = buildK8sPlan(normalized, { connect: () => cluster });
    expect(plan.steps[0]).toMatchObject({ title: `Render kustomization ${dir}` });
    expect((plan.steps[0] as { description: string }).description).toContain(`$ ${kubectl} kustomize ${dir}   (run when the plan runs; output captured, never printed)`);

    const { logger, text } = memoryLogger();
    const report = await runPlan(plan, { logger, secrets: normalized.secrets, handleSignals: false });
    expect(report.status).toBe('failed');
    expect(text()).toContain('deployment/api api: registry:5000/api:1.0.0 → registry:5000/api:2.0.0');
    expect(text()).toContain('Secret "extra" is invalid: data[key]: Invalid value: "***"');
    expect(text()).not.toContain(KUSTOMIZE_SECRET);
    expect(JSON.stringify(report)).not.toContain(KUSTOMIZE_SECRET);
  });

  it('a kustomization that kubectl cannot render fails the render step with kubectl\'s message', async () => {
    const root = workspace();
    mkdirSync(join(root, 'broken'));
    writeFileSync(join(root, 'broken', 'kustomization.yaml'), 'resources: []\n');
    const normalized = normalizeK8sOptions({ manifests: 'broken', kubeconfig: 'kubeconfig', kubectl: join(__dirname, '__fixtures__', 'fake-kubectl.js') }, root, { HOME: root });
    const { plan } = buildK8sPlan(normalized, { connect: () => new FakeCluster() });
    const { logger } = memoryLogger();
    const report = await runPlan(plan, { logger, handleSignals: false, printSummary: false });
    expect(report.error).toMatch(/Render kustomization .* failed: .*fake-kubectl.js kustomize .*broken exited with code 1: error: unable to find one of 'kustomization.yaml'/);
  });
});

describe('a kustomization in a plan dry run', () => {
  const kustomizeWorkspace = () => {
    const root = workspace();
    const dir = join(root, 'overlay');
    mkdirSync(dir);
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [../k8s/app.yaml]\n');
    writeFileSync(join(dir, 'rendered.yaml'), `apiVersion: v1\nkind: Secret\nmetadata: {name: extra}\ndata:\n  key: ${Buffer.from(KUSTOMIZE_SECRET).toString('base64')}\n---\n${MANIFESTS.split('---\n').slice(1).join('---\n')}`);
    return { root, dir };
  };
  const fakeKubectl = join(__dirname, '__fixtures__', 'fake-kubectl.js');

  it('is rendered for the plan (kubectl kustomize only reads files) and shown like manifest files, Secret values masked', async () => {
    const { root, dir } = kustomizeWorkspace();
    const normalized = normalizeK8sOptions({ manifests: 'overlay', kubeconfig: 'kubeconfig', kubectl: fakeKubectl, images: { 'registry:5000/api': '2.0.0' }, dryRun: true }, root, { HOME: root, PATH: process.env.PATH });
    const previewed = await previewKustomization(normalized, { env: { HOME: root, PATH: process.env.PATH }, warn: (m) => { throw new Error(m); } });
    expect(previewed.secrets).toEqual(expect.arrayContaining([KUSTOMIZE_SECRET, SECRET_VALUE]));
    const cluster = new FakeCluster();
    const { plan } = buildK8sPlan(previewed, { connect: () => cluster });
    const { logger, text } = memoryLogger();
    const planJson = join(root, 'plan.json');
    const report = await runPlan(plan, { logger, secrets: previewed.secrets, handleSignals: false, dryRun: true, planJson });
    expect(report.status).toBe('dry-run');
    expect(cluster.calls).toEqual([]);
    const out = text();
    expect(out).toContain(`$ ${fakeKubectl} kustomize ${dir}   (rendered for this dry run: 3 objects; rendered again when the plan runs)`);
    expect(out).toContain('deployment/api api: registry:5000/api:1.0.0 → registry:5000/api:2.0.0');
    expect(out).toContain('Rendered manifests (Secret values masked):');
    expect(out).toContain('key: "***"');
    expect(out).toContain('Apply 3 objects (server-side, field manager shipfleet)');
    expect(out).toContain('Wait for rollouts (deployment/api)');
    for (const shown of [out, readFileSync(planJson, 'utf8')]) {
      expect(shown).not.toContain(KUSTOMIZE_SECRET);
      expect(shown).not.toContain(Buffer.from(KUSTOMIZE_SECRET).toString('base64'));
      expect(shown).not.toContain(SECRET_VALUE);
    }
  });

  it('renders with the real kubectl: a secretGenerator\'s values are masked', async () => {
    const root = workspace();
    const dir = join(root, 'gen');
    mkdirSync(dir);
    writeFileSync(join(dir, 'app.yaml'), MANIFESTS);
    writeFileSync(join(dir, 'kustomization.yaml'), `resources: [app.yaml]\nnamePrefix: prod-\nsecretGenerator:\n- name: generated\n  literals: [token=${KUSTOMIZE_SECRET}]\n`);
    const normalized = normalizeK8sOptions({ manifests: 'gen', kubeconfig: 'kubeconfig', dryRun: true }, root, { HOME: root, PATH: process.env.PATH });
    const previewed = await previewKustomization(normalized, { env: { HOME: root, PATH: process.env.PATH }, warn: (m) => { throw new Error(m); } });
    expect(previewed.rendered!.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/shop', 'Secret/prod-db', expect.stringMatching(/^Secret\/prod-generated-\w+$/), 'Deployment/prod-api']);
    expect(previewed.rendered!.yaml).toContain('token: "***"');
    expect(previewed.rendered!.yaml).not.toContain(Buffer.from(KUSTOMIZE_SECRET).toString('base64'));
    expect(previewed.secrets).toEqual(expect.arrayContaining([KUSTOMIZE_SECRET]));
  });

  it('without kubectl: a warning and the plan says it renders at run time', async () => {
    const { root, dir } = kustomizeWorkspace();
    const env = { HOME: root, PATH: join(root, 'no-bin') };
    const normalized = normalizeK8sOptions({ manifests: 'overlay', kubeconfig: 'kubeconfig', dryRun: true }, root, env);
    const warnings: string[] = [];
    const previewed = await previewKustomization(normalized, { env, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([`kubectl is not on PATH: the kustomization in ${dir} is not rendered in this dry run (a real run needs kubectl)`]);
    expect(previewed).toBe(normalized);
    const { plan } = buildK8sPlan(previewed, { connect: () => new FakeCluster() });
    expect((plan.steps[0] as { description: string }).description).toContain(`$ kubectl kustomize ${dir}   (run when the plan runs; output captured, never printed)`);
  });

  it('one kubectl cannot render is an error naming manifests, as in a real run', async () => {
    const root = workspace();
    mkdirSync(join(root, 'broken'));
    writeFileSync(join(root, 'broken', 'kustomization.yaml'), 'resources: []\n');
    const normalized = normalizeK8sOptions({ manifests: 'broken', kubeconfig: 'kubeconfig', kubectl: fakeKubectl, dryRun: true }, root, { HOME: root });
    await expect(previewKustomization(normalized, { warn: () => undefined })).rejects.toMatchObject({
      name: 'UserError',
      option: 'manifests',
      message: expect.stringMatching(/^Option "manifests": .*fake-kubectl.js kustomize .*broken exited with code 1: error: unable to find one of 'kustomization.yaml'.*\. Fix the kustomization in /),
    });
  });

  it('manifest files are left as they are', async () => {
    const normalized = normalizeK8sOptions({ manifests: 'k8s', kubeconfig: 'kubeconfig', dryRun: true }, workspace(), {});
    expect(await previewKustomization(normalized, { warn: () => undefined })).toBe(normalized);
  });
});

describe('diff', () => {
  it('server-side dry-runs each object, prints a unified diff per object and a summary, and changes nothing', async () => {
    const cluster = new FakeCluster();
    const root = workspace();
    expect((await run({ namespace: 'shop', images: { 'registry:5000/api': '1.0.0' } }, cluster, root)).report.status).toBe('succeeded');
    const stored = JSON.stringify([...cluster.objects.entries()]);
    cluster.calls.length = 0;
    writeFileSync(join(root, 'k8s', 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: fast}\n');

    const { report, result, text, plan } = await run({ namespace: 'shop', images: { 'registry:5000/api': '1.1.0' }, diff: true }, cluster, root);
    expect(report.status).toBe('succeeded');
    expect(plan.title).toBe('k8s-deploy --diff 4 objects against prod');
    expect(plan.steps.map((s) => s.title)).toEqual(['Render manifests (4 objects)', 'Close connections to the API server', 'Diff 4 objects against the cluster (server dry run, field manager shipfleet)']);
    expect(cluster.calls).toEqual(['apply Namespace/shop dryRun', 'apply Secret/db dryRun', 'apply ConfigMap/settings dryRun', 'apply Deployment/api dryRun']);
    expect(JSON.stringify([...cluster.objects.entries()])).toBe(stored);
    expect(result.diff).toEqual([
      { object: 'namespace/shop', change: 'unchanged' },
      { object: 'secret/db (namespace shop)', change: 'unchanged' },
      { object: 'configmap/settings (namespace shop)', change: 'new' },
      { object: 'deployment.apps/api (namespace shop)', change: 'changed' },
    ]);
    expect(report.outputs.diff).toBe('1 changed, 2 unchanged, 1 new');
    const out = text;
    expect(out).toContain('namespace/shop unchanged');
    expect(out).toMatch(/--- deployment\.apps\/api \(namespace shop\) live\n.*\+\+\+ deployment\.apps\/api \(namespace shop\) after apply\n.*@@ -14,5 \+14,5 @@\n(.*\n){3}.*│ -        - image: registry:5000\/api:1\.0\.0\n.*│ \+        - image: registry:5000\/api:1\.1\.0\n.*│            name: api\n/);
    // The image line changed, and the new ConfigMap was added whole: nothing else differs.
    expect(out.match(/│ [-+](?![-+]{2} )/g)).toHaveLength(2 + 7);
    expect(out).toMatch(/--- \/dev\/null\n.*\+\+\+ configmap\/settings \(namespace shop\) after apply\n.*@@ -0,0 \+1,\d+ @@\n.*│ \+apiVersion: v1\n.*│ \+data:\n.*│ \+  mode: fast/);
    expect(out).toContain('diff: 1 changed, 2 unchanged, 1 new');
    for (const hidden of ['managedFields', 'resourceVersion', 'generation', 'uid:', 'status:', SECRET_VALUE, Buffer.from(SECRET_VALUE).toString('base64')]) expect(out).not.toContain(hidden);
  });

  it('masks a Secret\'s values on both sides, marking a changed one before and after', async () => {
    const cluster = new FakeCluster();
    const root = workspace();
    await run({ namespace: 'shop' }, cluster, root);
    const changedSecret = 'an0ther-s3cret-value';
    writeFileSync(join(root, 'k8s', 'app.yaml'), MANIFESTS.replace(Buffer.from(SECRET_VALUE).toString('base64'), Buffer.from(changedSecret).toString('base64')));
    const { report, text } = await run({ namespace: 'shop', diff: true }, cluster, root);
    expect(report.outputs.diff).toBe('1 changed, 2 unchanged, 0 new');
    expect(text).toContain('│ -  password: "*** (before)"');
    expect(text).toContain('│ +  password: "*** (after)"');
    for (const hidden of [SECRET_VALUE, changedSecret, Buffer.from(SECRET_VALUE).toString('base64'), Buffer.from(changedSecret).toString('base64')]) expect(text).not.toContain(hidden);
  });

  it('a conflict in the server dry run fails like the apply would, naming forceConflicts', async () => {
    const cluster = new FakeCluster();
    cluster.applyErrors.api = new KubeApiError(409, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas', 'Conflict');
    const { report } = await run({ diff: true }, cluster);
    expect(report.error).toMatch(/deployment\.apps\/api: Apply failed with 1 conflict: .*set forceConflicts to take them over$/);
  });
});
