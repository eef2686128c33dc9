import { SampleWorkspace } from '../tools/sample-workspace';
import { startPrometheus, PrometheusServer } from '../tools/prometheus/server';
import { scenarioHistory, scenarioOptions, SCENARIOS } from '../tools/prometheus/scenarios';
import { K8sApi, startK8sApi } from '../tools/k8s-api/server';

const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;
const deployment = (name: string, replicas: number, version: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'api', track: version } },
    template: { metadata: { labels: { app: 'api', track: version } }, spec: { containers: [{ name: 'api', image: `registry.example.com/api:${version}` }] } },
  },
});

describe('canary-monitor through the real nx CLI: real Prometheus, weights on the Kubernetes stand-in', () => {
  let ws: SampleWorkspace;
  let prometheus: PrometheusServer;
  let k8s: K8sApi;
  const replicas = () => ({ canary: k8s.get('Deployment', 'default', 'api-canary')?.spec.replicas, stable: k8s.get('Deployment', 'default', 'api-stable')?.spec.replicas });
  const writeConfig = (name: string) =>
    ws.write('services/api/canary.json', JSON.stringify(scenarioOptions(scenario(name), prometheus.url, { action: { type: 'kubernetes', mode: 'replicas', canary: 'api-canary', stable: 'api-stable', replicas: 10, namespace: 'default' } } as never), null, 2));

  beforeAll(async () => {
    prometheus = await startPrometheus([scenarioHistory([scenario('healthy'), scenario('error-spike')])]);
    k8s = await startK8sApi({ port: 0 });
    ws = new SampleWorkspace('canary');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    expect(ws.nx(['g', '@shipfleet/nx:k8s-service', 'api']).code).toBe(0);
  });
  beforeEach(() => {
    k8s.preload(deployment('api-stable', 10, 'stable'), 'kubectl-client-side-apply');
    k8s.preload(deployment('api-canary', 0, 'canary'), 'kubectl-client-side-apply');
  });
  afterAll(async () => {
    await prometheus?.stop();
    await k8s?.close();
  });

  it('infers canary-monitor from canary.json and chains it after k8s-deploy', () => {
    writeConfig('healthy');
    const show = ws.nx(['show', 'project', 'api', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['canary-monitor']).toMatchObject({ executor: '@shipfleet/nx:canary-monitor', cache: false, options: { config: 'services/api/canary.json' } }); // Nx resolves {projectRoot} in inferred options
    expect(project.targets.deploy.options).toEqual({ targets: ['container-image', 'k8s-deploy', 'canary-monitor'] });
  });

  it('a healthy canary is promoted step by step; the timeline shows each query and value', async () => {
    writeConfig('healthy');
    const r = await ws.nxAsync(['run', 'api:canary-monitor'], { KUBECONFIG: k8s.kubeconfigPath });
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(r.output).toMatch(/promote/i);
    expect(r.output).toContain('version="canary"');
    expect(replicas().canary).toBe(10);
  });

  it('an error spike on the canary rolls back through Kubernetes and fails the target', async () => {
    writeConfig('error-spike');
    const r = await ws.nxAsync(['run', 'api:canary-monitor'], { KUBECONFIG: k8s.kubeconfigPath });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/roll(ed)? ?back/i);
    expect(replicas()).toEqual({ canary: 0, stable: 10 });
  });

  it('--dry-run shows the rollout plan and moves no traffic', async () => {
    writeConfig('error-spike');
    const r = await ws.nxAsync(['run', 'api:canary-monitor', '--dry-run'], { KUBECONFIG: k8s.kubeconfigPath });
    expect(r.code).toBe(0);
    expect(r.output).toContain('Dry run: nothing was executed.');
    expect(replicas()).toEqual({ canary: 0, stable: 10 });
  });

  it('a bad option is named', async () => {
    const r = await ws.nxAsync(['run', 'api:canary-monitor', '--preset=slo-9pct'], { KUBECONFIG: k8s.kubeconfigPath });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "preset"');
  });
});
