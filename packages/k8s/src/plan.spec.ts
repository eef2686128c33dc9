import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, runPlan } from '@shipfleet/core';
import { FakeCluster } from './__fixtures__/fake-cluster';
import { buildK8sPlan, K8sDeployOptions, KubeApiError, normalizeK8sOptions } from './index';

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
