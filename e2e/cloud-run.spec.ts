// cloud-run-deploy through the real nx CLI against the Cloud Run Admin API stand-in: all at once,
// blue-green with a passing and a failing check, a rollback in one update, and a canary whose
// traffic canary-monitor moves (the cloud-run action) while it samples the canary's tag URL.
import { SampleWorkspace } from '../tools/sample-workspace';
import { CloudRunApiStandIn, startCloudRunApi } from '../tools/cloud-run-api/server';

const PROJECT = 'shipfleet-stand-in';
const REGION = 'europe-west1';
const REGISTRY = 'europe-west1-docker.pkg.dev/shipfleet-stand-in/apps';
const image = (behaviour: string, n: number) => `${REGISTRY}/api:${behaviour}@sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('cloud-run-deploy through the real nx CLI, on the Cloud Run Admin API stand-in', () => {
  let ws: SampleWorkspace;
  let run: CloudRunApiStandIn;
  let key: string;
  const env = () => ({ CLOUD_RUN_KEY: key, METADATA_SERVER_DETECTION: 'none' });
  const service = () => run.service(PROJECT, REGION, 'api') as { trafficStatuses: Array<{ revision: string; percent?: number; tag?: string; uri?: string }> };
  const serving = () => Object.fromEntries(service().trafficStatuses.filter((t) => t.percent).map((t) => [t.revision, t.percent]));
  const commit = (message: string) => {
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', message);
  };
  const config = (extra: Record<string, unknown>) => {
    ws.write('services/api/cloud-run.json', JSON.stringify({ project: PROJECT, region: REGION, service: 'api', credentialsEnv: 'CLOUD_RUN_KEY', apiUrl: run.url, tokenUrl: run.tokenUrl, ...extra }, null, 2));
  };
  const secretsOf = () => {
    const k = run.serviceAccountKey();
    return [key, k.private_key_id, ...k.private_key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')), ...run.accessTokens];
  };
  const expectNoSecret = (output: string) => {
    for (const s of secretsOf()) expect(output.includes(s)).toBe(false);
  };

  beforeAll(async () => {
    run = await startCloudRunApi();
    key = JSON.stringify(run.serviceAccountKey());
    ws = new SampleWorkspace('cloud-run');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    ws.write('services/api/package.json', JSON.stringify({ name: 'api', version: '1.0.0' }, null, 2));
    config({ image: image('healthy', 1) });
    commit('api on Cloud Run');
  });
  afterAll(async () => {
    await run?.close();
  });

  it('infers cloud-run-deploy from cloud-run.json, in the deploy chain', () => {
    const show = ws.nx(['show', 'project', 'api', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['cloud-run-deploy']).toMatchObject({ executor: '@shipfleet/nx:cloud-run-deploy', options: { config: 'services/api/cloud-run.json' }, metadata: { runner: 'linux' } });
    expect(project.targets.deploy.options).toEqual({ targets: ['cloud-run-deploy'] });
  });

  it('--dry-run shows the service update as JSON and the traffic moves, and sends nothing', async () => {
    const before = run.requests.length;
    const r = await ws.nxAsync(['run', 'api:cloud-run-deploy', '--dry-run'], {});
    expect(r.code).toBe(0);
    expect(r.output).toContain('"image": "' + image('healthy', 1) + '"');
    expect(r.output).toContain('Dry run: nothing was executed.');
    expect(run.requests.length).toBe(before);
  });

  it('all at once: the first revision takes all traffic; no credential is printed', async () => {
    const r = await ws.nxAsync(['run', 'api:deploy', '--env=staging', '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(Object.values(serving())).toEqual([100]);
    expect(Object.keys(serving())[0]).toMatch(/^api-1-0-0-[0-9a-f]{7}$/);
    expectNoSecret(r.output);
  });

  it('blue-green: a passing check switches all traffic at once', async () => {
    const before = Object.keys(serving())[0];
    config({ image: image('healthy', 2), version: '1.1.0', strategy: 'blue-green', blueGreen: { check: { path: '/', attempts: 2, spacing: '100ms' }, keepPrevious: '1s' } });
    const r = await ws.nxAsync(['run', 'api:cloud-run-deploy', '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    const now = serving();
    expect(Object.values(now)).toEqual([100]);
    expect(Object.keys(now)[0]).toMatch(/^api-1-1-0-/);
    expect(Object.keys(now)[0]).not.toBe(before);
    expectNoSecret(r.output);
  });

  it('blue-green: a failing check never switches, and says why', async () => {
    const live = serving();
    config({ image: image('error', 3), version: '1.2.0', strategy: 'blue-green', blueGreen: { check: { path: '/', attempts: 2, spacing: '100ms' }, keepPrevious: '1s' } });
    const r = await ws.nxAsync(['run', 'api:cloud-run-deploy', '--output-style=static'], env());
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/500/);
    expect(serving()).toEqual(live);
    expectNoSecret(r.output);
  });

  it('rollback sends all traffic back to the previous revision in one update', async () => {
    const patches = () => run.requests.filter((q) => q.method === 'PATCH').length;
    const before = patches();
    const r = await ws.nxAsync(['run', 'api:cloud-run-deploy', '--action=rollback', '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(Object.keys(serving())[0]).toMatch(/^api-1-0-0-/);
    expect(patches() - before).toBe(1);
  });

  it('canary: the revision waits at 0 % behind its tag; canary-monitor moves its traffic and promotes it', async () => {
    config({ image: image('healthy', 4), version: '2.0.0', strategy: 'canary' });
    const deployed = await ws.nxAsync(['run', 'api:cloud-run-deploy', '--output-style=static'], env());
    expect({ code: deployed.code, output: deployed.code ? deployed.output : '' }).toEqual({ code: 0, output: '' });
    const tagged = service().trafficStatuses.find((t) => t.tag && /^api-2-0-0-/.test(t.revision))!;
    expect(tagged).toBeDefined();
    expect(serving()[tagged.revision]).toBeUndefined();
    ws.write(
      'services/api/canary.json',
      JSON.stringify(
        {
          steps: [{ weight: 10 }, { weight: 50 }, { weight: 100 }],
          pause: 0,
          interval: '1s',
          minRequests: 0,
          metrics: [{ name: 'errors', provider: 'http', url: `${tagged.uri}/`, measure: 'errorRate', samples: 3, spacing: '50ms', failure: '> 0.2' }],
          action: { type: 'cloud-run', project: PROJECT, region: REGION, service: 'api', revision: tagged.revision, credentialsEnv: 'CLOUD_RUN_KEY', apiUrl: run.url, tokenUrl: run.tokenUrl },
        },
        null,
        2,
      ),
    );
    const r = await ws.nxAsync(['run', 'api:canary-monitor', '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(serving()).toEqual({ [tagged.revision]: 100 });
    expectNoSecret(r.output);
  });

  it('a bad option is named with what to do', async () => {
    const r = await ws.nxAsync(['run', 'api:cloud-run-deploy', '--region=Europe West'], env());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "region"');
  });
});
