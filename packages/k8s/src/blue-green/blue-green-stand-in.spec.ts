// Blue-green deploys against the Kubernetes API stand-in, each in a child process (as stand-in.spec.ts),
// with the real kubectl reading the live Service back. The stand-in's Services forward no traffic: the
// check reaches them through tools/k8s-api/service-http.ts, which answers as the selected pods' images say.
import { K8sApi, startK8sApi } from '../../../../tools/k8s-api/server';
import { ServiceHttp, startServiceHttp } from '../../../../tools/k8s-api/service-http';
import { deployInChild, kubectl, requireKubectl, tmp, writeApp } from '../__fixtures__/stand-in';

jest.setTimeout(120_000);

const IMAGE = 'registry:5000/api';
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;

let api: K8sApi;
let front: ServiceHttp;
let home: string;

beforeAll(async () => {
  home = tmp('bg-home');
  await requireKubectl(home);
});
beforeEach(async () => {
  api = await startK8sApi({ allowAnonymous: true, scenario: { deadlineFactor: 0.005 } });
  front = await startServiceHttp(api);
});
afterEach(async () => {
  await front.close();
  await api.close();
});

const app = (secret?: string) => writeApp(tmp('bg'), { replicas: 2, extra: SERVICE, secret });

const deploy = (dir: string, options: Record<string, unknown> = {}, extra: { planDryRun?: boolean } = {}) =>
  deployInChild({
    projectRoot: dir,
    options: {
      manifests: ['k8s'],
      kubeconfig: api.kubeconfigPath,
      timeout: 30,
      strategy: 'blue-green',
      previewUrl: `${front.url}/{namespace}/{service}`,
      blueGreen: { check: { path: '/healthz', attempts: 2, spacing: '50ms' }, keepPrevious: '300ms' },
      ...options,
    },
    ...extra,
  });

/** The live Service's selector as the real kubectl reads it. */
async function kubectlSelector(name = 'api'): Promise<Record<string, string>> {
  const r = await kubectl(['--kubeconfig', api.kubeconfigPath, 'get', 'svc', name, '-o', 'jsonpath={.spec.selector}'], home);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

const replicas = (name: string) => api.get('Deployment', 'default', name)?.spec.replicas;
const image = (name: string) => api.get('Deployment', 'default', name)?.spec.template.spec.containers[0].image;
const servicePatches = (since: number) => api.requests.slice(since).filter((r) => r.method === 'PATCH' && r.path === '/api/v1/namespaces/default/services/api');

async function deployed(dir: string, tag: string, options: Record<string, unknown> = {}) {
  const r = await deploy(dir, { images: { [IMAGE]: tag }, ...options });
  expect({ status: r.out.report?.status, error: r.out.report?.error ?? r.out.error }).toEqual({ status: 'succeeded', error: undefined });
  return r;
}

describe('k8s-deploy strategy blue-green against the API stand-in', () => {
  it('deploys blue first, then green beside it: preview checked, the live selector switched, blue kept then scaled to 0', async () => {
    const dir = app();
    const first = await deployed(dir, '1.0.0');
    expect(await kubectlSelector()).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(await kubectlSelector('api-preview')).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(first.out.report?.outputs).toMatchObject({ color: 'blue', activeColor: 'blue', previewUrl: `${front.url}/default/api-preview` });
    const blue = api.get('Deployment', 'default', 'api-blue')!;
    expect(blue.metadata.labels['shipfleet.dev/color']).toBe('blue');
    expect(blue.spec.selector.matchLabels).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(blue.spec.template.metadata.labels).toMatchObject({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(api.get('Deployment', 'default', 'api')).toBeUndefined();
    expect(first.out.lines.join('\n')).toContain('Nothing was live before: nothing to retire');

    const before = await kubectlSelector();
    const since = api.requests.length;
    const second = await deployed(dir, '1.1.0');
    const after = await kubectlSelector();
    expect(before['shipfleet.dev/color']).toBe('blue');
    expect(after).toEqual({ app: 'api', 'shipfleet.dev/color': 'green' });
    expect(image('api-green')).toBe(`${IMAGE}:1.1.0`);
    expect(image('api-blue')).toBe(`${IMAGE}:1.0.0`);
    // Kept for rollback: the object stays, at 0 replicas.
    expect(replicas('api-blue')).toBe(0);
    expect(replicas('api-green')).toBe(2);
    // The check went to the preview Service while it selected green, before the switch.
    expect(front.requests.filter((q) => q.service === 'api-preview').map((q) => `${q.path} ${q.status}`)).toEqual(['/healthz 200', '/healthz 200', '/healthz 200', '/healthz 200']);
    // The Service was applied as in the manifests with blue kept, then once more for the switch: server-side apply as shipfleet.
    const patches = servicePatches(since);
    expect(patches.map((p) => [p.contentType, p.query.fieldManager])).toEqual([['application/apply-patch+yaml', 'shipfleet'], ['application/apply-patch+yaml', 'shipfleet']]);
    expect(api.get('Service', 'default', 'api')!.spec.ports).toEqual([expect.objectContaining({ name: 'http', port: 80, targetPort: 8080 })]);
    const lines = second.out.lines.join('\n');
    expect(lines).toContain('deployment api-green deployed beside deployment api-blue; preview at');
    expect(lines).toContain('service/api selects app=api,shipfleet.dev/color=green');
    expect(lines).toContain('Keeping deployment api-blue ready until');
    expect(lines).toContain('deployment/api-blue scaled to 0');
    expect(second.out.result).toMatchObject({ blueGreen: { activeService: 'api', previewService: 'api-preview', color: 'green', previousColor: 'blue', switched: true } });

    // The third deploy goes to blue again (scaled back up by the apply) and retires green.
    await deployed(dir, '1.2.0');
    expect(await kubectlSelector()).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect([image('api-blue'), replicas('api-blue'), replicas('api-green')]).toEqual([`${IMAGE}:1.2.0`, 2, 0]);
  });

  it('a failing check never switches: the new colour goes back to 0, the live Service is untouched', async () => {
    const dir = app();
    await deployed(dir, '1.0.0');
    const since = api.requests.length;
    const r = await deploy(dir, { images: { [IMAGE]: 'unhealthy' } });
    expect(r.out.report?.status).toBe('failed');
    expect(r.out.report?.error).toContain('The check of deployment api-green at its preview URL failed; traffic stays on deployment api-blue and the new version is retired');
    expect(r.out.report?.error).toContain(`GET ${front.url}/default/api-preview/healthz: attempt 1 of 2 failed: status 500 is outside 200–299`);
    expect(await kubectlSelector()).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(replicas('api-green')).toBe(0);
    expect(replicas('api-blue')).toBe(2);
    // Only the apply that keeps blue reached the live Service: no switch.
    expect(servicePatches(since)).toHaveLength(1);
    expect(r.out.lines.join('\n')).toContain('Retiring deployment api-green: it never took traffic (The check of deployment api-green');
    // A version that failed its check is no rollback target.
    const rollback = await deploy(dir, { action: 'rollback' });
    expect(rollback.out.report?.error).toContain('deployment api-green holds a version whose deploy failed before taking traffic');
    expect(await kubectlSelector()).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
  });

  it('a colour that does not roll out is retired with the reasons, without a check or a switch', async () => {
    const dir = app();
    await deployed(dir, '1.0.0');
    const checks = front.requests.length;
    const r = await deploy(dir, { images: { [IMAGE]: 'bad' } });
    expect(r.out.report?.error).toMatch(/deployment\/api-green did not roll out: container api: (ImagePullBackOff|ErrImagePull)/);
    expect(front.requests.length).toBe(checks);
    expect(await kubectlSelector()).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(replicas('api-green')).toBe(0);
  });

  it('a failing post-switch check switches back and says why', async () => {
    const dir = app();
    await deployed(dir, '1.0.0');
    // Healthy behind the preview, broken at the live URL: the post-switch check reads the live Service, which then selects green.
    const r = await deploy(dir, {
      images: { [IMAGE]: '1.1.0' },
      blueGreen: { check: { path: '/healthz', attempts: 1 }, keepPrevious: '300ms', postSwitchCheck: { url: `${front.url}/default/api`, attempts: 1, body: 'ok registry:5000/api:1.0.0' } },
    });
    expect(r.out.report?.status).toBe('failed');
    expect(r.out.report?.error).toContain('The check of deployment api-green at the live URL after the switch failed; traffic goes back to deployment api-blue');
    expect(r.out.lines.join('\n')).toContain('Switching traffic back to deployment api-blue because The check of deployment api-green at the live URL after the switch failed');
    expect(await kubectlSelector()).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(replicas('api-green')).toBe(0);
  });

  it('--action=rollback scales the previous colour up from 0, waits, and switches back in one switch', async () => {
    const dir = app();
    await deployed(dir, '1.0.0');
    await deployed(dir, '1.1.0');
    expect([replicas('api-blue'), (await kubectlSelector())['shipfleet.dev/color']]).toEqual([0, 'green']);
    const since = api.requests.length;
    const r = await deploy(dir, { action: 'rollback' });
    expect({ status: r.out.report?.status, error: r.out.report?.error ?? r.out.error }).toEqual({ status: 'succeeded', error: undefined });
    expect(await kubectlSelector()).toEqual({ app: 'api', 'shipfleet.dev/color': 'blue' });
    expect(servicePatches(since)).toHaveLength(1);
    const blue = api.get('Deployment', 'default', 'api-blue')!;
    expect([blue.spec.replicas, blue.status.readyReplicas, image('api-blue')]).toEqual([2, 2, `${IMAGE}:1.0.0`]);
    const scale = api.requests.slice(since).find((q) => q.method === 'PATCH' && q.path.endsWith('/deployments/api-blue'));
    expect(scale).toMatchObject({ contentType: 'application/merge-patch+json', query: { fieldManager: 'shipfleet' } });
    const lines = r.out.lines.join('\n');
    expect(lines).toContain('deployment api-blue was scaled to 0 after an earlier switch: scaling it to 2');
    expect(lines).toContain('all traffic is back on deployment api-blue');
    expect(r.out.report?.outputs.activeColor).toBe('blue');

  });

  it('a plan dry run shows every stage and the objects with their colour, and touches nothing', async () => {
    const secret = 'bg-Secret-Value-4471';
    const dir = app(secret);
    const r = await deploy(dir, { images: { [IMAGE]: '1.0.0' } }, { planDryRun: true });
    expect(r.out.report?.status).toBe('dry-run');
    expect(api.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    const text = r.out.lines.join('\n');
    for (const stage of ['Deploy the new version of deployment api behind service api beside the live one', 'Wait until the new version is ready', 'Check the new version at its preview URL', 'Switch all traffic to the new version', 'Keep the previous version ready for 300ms', 'Retire the previous version', 'Switch traffic back to the previous version unless the deploy completed', 'Retire the new version unless it took the traffic']) {
      expect(text).toContain(stage);
    }
    expect(text).toContain('name: api-blue');
    expect(text).toContain('shipfleet.dev/color: blue');
    expect(text).toContain('name: api-preview');
    expect(text).toContain(`check at ${front.url}/{namespace}/{service}`);
    expect(text).toContain('GET <preview URL>/healthz ×2');
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(secret).toString('base64'));
  });
});
