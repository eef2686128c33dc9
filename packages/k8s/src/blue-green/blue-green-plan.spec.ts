// The blue-green plan in process, on the in-memory cluster: option errors, the calls each stage makes,
// secrets kept out of every output. Against the API stand-in and kubectl: blue-green-stand-in.spec.ts.
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, runPlan, UserError } from '@shipfleet/core';
import { FakeCluster } from '../__fixtures__/fake-cluster';
import { buildK8sPlan, K8sDeployOptions, normalizeK8sOptions } from '../index';

const SECRET = 'bg-db-Passw0rd-never-shown';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - {name: api, image: registry:5000/api:1.0.0}
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: 8080}]
`;
const SECRET_DOC = `apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {password: ${SECRET}}
`;
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://k8s.example.com:6443'}}]
contexts: [{name: prod, context: {cluster: c, user: u}}]
current-context: prod
users: [{name: u, user: {token: kube-token-0123456789}}]
`;

function workspace(docs: string[] = [DEPLOYMENT, SERVICE, SECRET_DOC]) {
  const root = mkdtempSync(join(tmpdir(), 'shipfleet-k8s-bg-'));
  mkdirSync(join(root, 'k8s'));
  writeFileSync(join(root, 'k8s', 'app.yaml'), docs.join('---\n'));
  writeFileSync(join(root, 'kubeconfig'), KUBECONFIG);
  return root;
}

/** The preview: 200 while `health.status` says so, with the path it was asked for recorded. */
let server: Server;
let url: string;
const health = { status: 200, paths: [] as string[] };
beforeAll(async () => {
  server = createServer((req, res) => {
    health.paths.push(req.url ?? '');
    res.writeHead(health.status).end(health.status === 200 ? 'ok' : `broken ${SECRET}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
beforeEach(() => {
  health.status = 200;
  health.paths = [];
});

const normalize = (options: Record<string, unknown>, root = workspace()) =>
  normalizeK8sOptions({ manifests: ['k8s'], kubeconfig: 'kubeconfig', strategy: 'blue-green', previewUrl: `${url}/{namespace}/{service}/{color}`, ...options } as K8sDeployOptions, root, { HOME: root });

async function run(cluster: FakeCluster, options: Record<string, unknown> = {}, run: { dryRun?: boolean; root?: string } = {}) {
  const normalized = normalize({ blueGreen: { check: { attempts: 1 }, keepPrevious: 0 }, ...options }, run.root);
  const { plan, result } = buildK8sPlan(normalized, { connect: () => cluster, pollIntervalMs: 10, blueGreenHooks: { sleep: async () => undefined } });
  const { logger, text } = memoryLogger();
  const report = await runPlan(plan, { logger, secrets: normalized.secrets, handleSignals: false, stepSummaryFile: '/dev/null', dryRun: run.dryRun });
  return { report, result, text: text(), plan };
}

const selectorOf = (cluster: FakeCluster, name = 'api') => (cluster.objects.get(`Service/default/${name}`)?.spec as { selector?: Record<string, string> } | undefined)?.selector;
const replicasOf = (cluster: FakeCluster, name: string) => (cluster.objects.get(`Deployment/default/${name}`)?.spec as { replicas?: number } | undefined)?.replicas;

describe('blue-green options', () => {
  const error = (options: Record<string, unknown>, docs?: string[]) => {
    try {
      normalize(options, docs ? workspace(docs) : undefined);
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it.each([
    [{ strategy: 'canary' }, 'Option "strategy": "canary" is not one of rolling, blue-green. Use rolling (default) or blue-green'],
    [{ strategy: 'rolling', previewUrl: undefined, blueGreen: { keepPrevious: '1m' } }, 'Option "blueGreen": applies to strategy blue-green (the strategy here is rolling). Remove it, or set "strategy": "blue-green"'],
    [{ strategy: undefined, previewUrl: undefined, action: 'rollback' }, 'Option "action": rollback switches a blue-green Service back to its other colour; the strategy here is rolling'],
    [{ action: 'undo' }, 'Option "action": "undo" is not one of deploy, rollback'],
    [{ prune: true, project: 'api' }, 'Option "prune": does not apply to strategy blue-green'],
    [{ diff: true }, 'Option "diff": does not apply to strategy blue-green'],
    [{ blueGreen: { check: { attempts: 0 } } }, 'Option "blueGreen.check.attempts"'],
    [{ blueGreen: { colour: 'blue' } }, 'Option "blueGreen.colour": is not a blue-green option'],
    [{ previewUrl: undefined }, 'Option "previewUrl": is required: the manifests hold no Ingress for the preview Service api-preview, and the deploy does not run inside the cluster. Give previewUrl'],
    [{ previewUrl: 'https://{host}.example.com' }, 'Option "previewUrl": {host} is not a placeholder. Use {service}, {namespace}, {color}, {port}'],
    [{ previewUrl: 'ftp://{service}.example.com' }, 'Option "previewUrl": "ftp://{service}.example.com" is not an http(s) URL'],
    [{ activeService: 'API' }, 'Option "activeService": "API" is not a Service name'],
    [{ activeService: 'api', previewService: 'api' }, 'Option "previewService": is the live Service api itself'],
  ])('%j → %s', (options, message) => {
    expect(error(options)).toContain(message);
  });

  it('a rollback needs no preview URL, and reads the blueGreen options of the target without using them', () => {
    expect(normalize({ action: 'rollback', previewUrl: undefined, blueGreen: { keepPrevious: '5m' } }).blueGreen).toMatchObject({ action: 'rollback', options: { keepPreviousMs: 300_000 } });
    expect(error({ action: 'rollback', blueGreen: { keepPrevious: 'soon' } })).toContain('Option "blueGreen.keepPrevious"');
  });

  it('refuses manifests a blue-green deploy cannot colour', () => {
    const worker = DEPLOYMENT.replace('name: api}', 'name: worker}');
    expect(error({}, [DEPLOYMENT, worker, SERVICE])).toContain('Option "strategy": blue-green deploys one Deployment; the manifests hold deployment/api, deployment/worker');
    expect(error({}, [DEPLOYMENT])).toContain('Option "activeService": no Service in the manifests selects the pods of deployment api');
    expect(error({ activeService: 'api' }, [DEPLOYMENT, SERVICE.replace('{app: api}', '{app: web}')])).toContain('Option "activeService": service api in the manifests does not select the pods of deployment api');
    expect(error({}, [DEPLOYMENT, SERVICE, SERVICE.replace('name: api}', 'name: api-internal}')])).toContain('several Services select deployment api: api, api-internal');
    const hpa = 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}, minReplicas: 1, maxReplicas: 3}\n';
    expect(error({}, [DEPLOYMENT, SERVICE, hpa])).toContain('horizontalpodautoscaler/api scales deployment api');
  });

  it('takes the preview URL from an Ingress of the manifests for the preview Service', () => {
    const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api-preview}
spec:
  tls: [{hosts: [preview.example.com]}]
  rules:
  - host: preview.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: api-preview, port: {number: 80}}}}]
`;
    const o = normalize({ previewUrl: undefined }, workspace([DEPLOYMENT, SERVICE, ingress]));
    expect(o.blueGreen).toMatchObject({ action: 'deploy', previewUrl: undefined });
    const { plan } = buildK8sPlan(o);
    expect(JSON.stringify(plan.steps)).toContain('check at https://preview.example.com (the Ingress of the manifests for service api-preview)');
  });
});

describe('blue-green plan on the in-memory cluster', () => {
  it('first deploy: blue, its preview Service, the check, then the live Service created selecting blue', async () => {
    const cluster = new FakeCluster();
    const { report, result, text } = await run(cluster);
    expect({ status: report.status, error: report.error }).toEqual({ status: 'succeeded', error: undefined });
    expect(cluster.calls).toEqual(['apply Secret/db', 'apply Deployment/api-blue force', 'apply Service/api-preview', 'apply Service/api']);
    expect(selectorOf(cluster)).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(selectorOf(cluster, 'api-preview')).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(cluster.objects.get('Service/default/api-preview')?.spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    expect(health.paths).toEqual(['/default/api-preview/blue/']);
    expect(result.blueGreen).toEqual({ activeService: 'api', previewService: 'api-preview', color: 'blue', switched: true });
    expect(text).toContain('Nothing was live before: nothing to retire');
  });

  it('second deploy: green beside blue, the switch, blue scaled to 0 (kept)', async () => {
    const cluster = new FakeCluster();
    await run(cluster);
    cluster.calls.length = 0;
    const { report, text } = await run(cluster, { images: { 'registry:5000/api': '1.1.0' } });
    expect(report.status).toBe('succeeded');
    expect(cluster.calls).toEqual(['apply Secret/db', 'apply Service/api', 'apply Deployment/api-green force', 'apply Service/api-preview', 'apply Service/api', 'patch Deployment/api-blue {"spec":{"replicas":0}}']);
    expect(selectorOf(cluster)).toEqual({ app: 'api', 'shipfleet.dev/color': 'green' });
    expect([replicasOf(cluster, 'api-blue'), replicasOf(cluster, 'api-green')]).toEqual([0, 2]);
    expect(text).toContain('deployment api-green deployed beside deployment api-blue');
    expect(report.outputs).toMatchObject({ color: 'green', activeColor: 'green' });
  });

  it('a failing check never switches: green back to 0, the Service still on blue; no secret in any output', async () => {
    const cluster = new FakeCluster();
    await run(cluster);
    cluster.calls.length = 0;
    health.status = 500;
    const { report, text, result } = await run(cluster, { images: { 'registry:5000/api': '1.1.0' } });
    expect(report.status).toBe('failed');
    expect(cluster.calls.slice(0, 4)).toEqual(['apply Secret/db', 'apply Service/api', 'apply Deployment/api-green force', 'apply Service/api-preview']);
    expect(cluster.calls.slice(4)).toEqual([expect.stringMatching(/^patch Deployment\/api-green \{"metadata":\{"annotations":\{"shipfleet.dev\/never-live":"[^"]+"\}\},"spec":\{"replicas":0\}\}$/)]);
    expect(selectorOf(cluster)).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(report.error).toContain('traffic stays on deployment api-blue and the new version is retired');
    expect(result.blueGreen?.switched).toBe(false);
    for (const out of [text, report.error ?? '', JSON.stringify(report)]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain('kube-token-0123456789');
    }

    // Green never passed its check: a rollback does not switch to it.
    const rollback = await run(cluster, { action: 'rollback' });
    expect(rollback.report.error).toContain('deployment api-green holds a version whose deploy failed before taking traffic');
    expect(selectorOf(cluster)).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    // The next deploy of green clears the mark.
    health.status = 200;
    expect((await run(cluster, { images: { 'registry:5000/api': '1.1.1' } })).report.status).toBe('succeeded');
    expect(cluster.objects.get('Deployment/default/api-green')?.metadata.annotations?.['shipfleet.dev/never-live']).toBeUndefined();
    expect(selectorOf(cluster)).toEqual({ app: 'api', 'shipfleet.dev/color': 'green' });
  });

  it('a live Service only the cluster holds gets its selector alone, taken over with force', async () => {
    const cluster = new FakeCluster();
    await cluster.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }], type: 'NodePort' } }, { fieldManager: 'helm', force: false, dryRun: false });
    cluster.calls.length = 0;
    const { report } = await run(cluster, { activeService: 'web' }, { root: workspace([DEPLOYMENT]) });
    expect(report.status).toBe('succeeded');
    expect(cluster.calls).toEqual(['apply Deployment/api-blue force', 'apply Service/web-preview', 'apply Service/web force']);
    expect(cluster.objects.get('Service/default/web')?.spec).toEqual({ selector: { app: 'api', 'shipfleet.dev/color': 'blue' } });
    expect(cluster.objects.get('Service/default/web-preview')?.spec).toEqual({ type: 'ClusterIP', selector: { app: 'api', 'shipfleet.dev/color': 'blue' }, ports: [{ port: 80, targetPort: 8080 }] });
  });

  it('rollback before any switch says there is nothing to roll back to, and changes nothing', async () => {
    const cluster = new FakeCluster();
    await cluster.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'default' }, spec: { selector: { app: 'api' } } }, { fieldManager: 'shipfleet', force: false, dryRun: false });
    cluster.calls.length = 0;
    const { report } = await run(cluster, { action: 'rollback' });
    expect(report.error).toContain('service api selects no colour (shipfleet.dev/color): no blue-green deploy has switched it yet, so there is nothing to roll back to');
    expect(cluster.calls).toEqual([]);
  });

  it('rollback switches to the other colour without scaling when it still runs', async () => {
    const cluster = new FakeCluster();
    await run(cluster);
    await run(cluster, { images: { 'registry:5000/api': '1.1.0' }, blueGreen: { check: { attempts: 1 }, keepPrevious: '10m' } });
    // keepPrevious 10m passes at once here (the sleep does not wait): bring blue back as if still kept.
    await cluster.mergePatch({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api-blue', namespace: 'default' }, { spec: { replicas: 2 } }, { fieldManager: 'test' });
    cluster.calls.length = 0;
    const { report, text } = await run(cluster, { action: 'rollback' });
    expect(report.status).toBe('succeeded');
    expect(cluster.calls).toEqual(['apply Service/api']);
    expect(selectorOf(cluster)).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(text).toContain('deployment api-green keeps its replicas without traffic');
  });

  it('a plan dry run lists every stage with the objects rendered in a colour, and calls nothing', async () => {
    const cluster = new FakeCluster();
    const { report, text } = await run(cluster, { blueGreen: { check: { path: '/healthz', attempts: 2 }, keepPrevious: '5m', postSwitchCheck: { url: 'https://api.example.com', attempts: 1 } } }, { dryRun: true });
    expect(report.status).toBe('dry-run');
    expect(cluster.calls).toEqual([]);
    expect(text).toContain('Plan: k8s-deploy blue-green 3 objects to prod');
    for (const stage of [
      'Render manifests (3 objects)',
      'Retire the new version unless it took the traffic',
      'Deploy the new version of deployment api behind service api beside the live one, without user traffic',
      'Wait until the new version is ready',
      'Check the new version at its preview URL, before any user sees it',
      'Switch traffic back to the previous version unless the deploy completed',
      'Switch all traffic to the new version',
      'Check the live URL after the switch',
      'Keep the previous version ready for 5m',
      'Retire the previous version',
    ]) expect(text).toContain(stage);
    expect(text).toContain('server-side apply, field manager shipfleet, force: deployment/api-<colour>');
    expect(text).toMatch(/name: api-blue[\s\S]*shipfleet\.dev\/color: blue[\s\S]*name: api-preview/);
    expect(text).toContain('server-side apply, field manager shipfleet: service/api with spec.selector shipfleet.dev/color=<new colour>');
    expect(text).toContain('PATCH deployment/api-<previous colour> (merge patch, as kubectl scale): spec.replicas 0');
    expect(text).not.toContain(SECRET);
  });
});
