import { execFile } from 'child_process';
import { SampleWorkspace } from '../tools/sample-workspace';
import { K8sApi, startK8sApi } from '../tools/k8s-api/server';
import { ServiceHttp, startServiceHttp } from '../tools/k8s-api/service-http';

// Against the Kubernetes API stand-in only: its Services forward no traffic, so the check reaches the
// preview Service through tools/k8s-api/service-http.ts, which answers as the selected pods' images say.
const IMAGE = 'registry.example.com/api';
const KUBECTL = process.env.SHIPFLEET_KUBECTL ?? 'kubectl';

describe('k8s-deploy strategy blue-green through the real nx CLI, against the Kubernetes API stand-in', () => {
  let ws: SampleWorkspace;
  let api: K8sApi;
  let front: ServiceHttp;
  const env = () => ({ KUBECONFIG: api.kubeconfigPath });
  // Not spawnSync: the stand-in answers from this process.
  const kubectlGet = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(KUBECTL, ['--kubeconfig', api.kubeconfigPath, 'get', ...args, '-n', 'default'], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${KUBECTL} get ${args.join(' ')} failed: ${stderr || error.message}`)) : resolve(stdout.trim()),
      );
    });
  const liveColor = async () => JSON.parse(await kubectlGet(['svc', 'api', '-o', 'jsonpath={.spec.selector}']))['shipfleet.dev/color'];
  const replicas = (color: string) => api.get('Deployment', 'default', `api-${color}`)?.spec.replicas;
  const deploy = (args: string[]) => ws.nxAsync(['run', 'api:k8s-deploy', '--output-style=static', ...args], env());

  beforeAll(async () => {
    api = await startK8sApi({ port: 0, allowAnonymous: true, scenario: { deadlineFactor: 0.01 } });
    front = await startServiceHttp(api);
    ws = new SampleWorkspace('k8s-blue-green');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    expect(ws.nx(['g', '@shipfleet/nx:k8s-service', 'api', `--image=${IMAGE}`, '--appVersion=1.0.0', '--replicas=2']).code).toBe(0);
    const p = JSON.parse(ws.read('services/api/project.json'));
    p.targets['k8s-deploy'].options = {
      ...p.targets['k8s-deploy'].options,
      strategy: 'blue-green',
      previewUrl: `${front.url}/{namespace}/{service}`,
      blueGreen: { check: { path: '/healthz', attempts: 2, spacing: '100ms' }, keepPrevious: '1s' },
    };
    ws.write('services/api/project.json', JSON.stringify(p, null, 2));
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'api');
  });
  afterAll(async () => {
    await front?.close();
    await api?.close();
  });

  it('--dry-run shows every stage and the colours, and runs nothing', async () => {
    const r = await deploy(['--dry-run']);
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(r.output).toContain('Dry run: nothing was executed.');
    for (const stage of ['Deploy the new version of deployment api behind service api', 'Check the new version at its preview URL', 'Switch all traffic to the new version', 'Keep the previous version ready for 1s', 'Retire the previous version']) {
      expect(r.output).toContain(stage);
    }
    expect(r.output).toContain('name: api-blue');
    expect(r.output).toContain('shipfleet.dev/color: blue');
    expect(api.get('Service', 'default', 'api')).toBeUndefined();
  });

  it('deploys blue, then green: kubectl reads the live selector change colour; blue stays at 0 replicas', async () => {
    const first = await deploy([`--image=${IMAGE}:1.0.0`]);
    expect({ code: first.code, output: first.code ? first.output : '' }).toEqual({ code: 0, output: '' });
    expect(await liveColor()).toBe('blue');
    const second = await deploy([`--image=${IMAGE}:1.1.0`]);
    expect({ code: second.code, output: second.code ? second.output : '' }).toEqual({ code: 0, output: '' });
    expect(await liveColor()).toBe('green');
    expect(await kubectlGet(['deployment', 'api-green', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe(`${IMAGE}:1.1.0`);
    expect([replicas('blue'), replicas('green')]).toEqual([0, 2]);
    expect(second.output).toContain('All traffic now goes to deployment api-green');
  });

  it('--action=rollback brings blue back from 0 replicas and switches to it in one switch', async () => {
    const r = await deploy(['--action=rollback']);
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(await liveColor()).toBe('blue');
    expect(await kubectlGet(['deployment', 'api-blue', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe(`${IMAGE}:1.0.0`);
    expect(replicas('blue')).toBe(2);
    expect(r.output).toContain('all traffic is back on deployment api-blue');
  });

  it('an unhealthy image fails its check at the preview and never takes the traffic, nor a rollback', async () => {
    const r = await deploy([`--image=${IMAGE}:unhealthy`]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('The check of deployment api-green at its preview URL failed; traffic stays on deployment api-blue');
    expect(r.output).toContain('status 500 is outside 200–299');
    expect(await liveColor()).toBe('blue');
    expect(replicas('green')).toBe(0);
    const rollback = await deploy(['--action=rollback']);
    expect(rollback.code).not.toBe(0);
    expect(rollback.output).toContain('deployment api-green holds a version whose deploy failed before taking traffic');
    expect(await liveColor()).toBe('blue');
  });
});
