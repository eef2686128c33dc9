import { readFileSync } from 'fs';
import { SampleWorkspace } from '../tools/sample-workspace';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startVercelApi } = require('../tools/vercel-api/server.js');

const TOKEN = 'e2e-vercel-Tok3n-not-to-be-seen';

interface Api {
  url: string;
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

describe('vercel-deploy and the ledger-backed deploy target through the real nx CLI', () => {
  let ws: SampleWorkspace;
  let api: Api;
  const uploads = (from: number) => api.requests.slice(from).filter((r) => r.method === 'POST' && r.path === '/v2/files').length;
  const commit = (msg: string) => {
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', msg);
  };

  beforeAll(async () => {
    api = await startVercelApi({ port: 0, token: TOKEN });
    ws = new SampleWorkspace('vercel');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    ws.write('apps/web/vercel.json', '{}');
    ws.write('apps/web/src/index.html', '<h1>web</h1>');
    ws.write('apps/web/src/app.js', 'console.log(1)');
    ws.write('apps/web/src/logo.svg', '<svg/>');
    ws.write(
      'apps/web/project.json',
      JSON.stringify({
        name: 'web',
        targets: {
          build: { executor: 'nx:run-commands', outputs: ['{workspaceRoot}/dist/apps/web'], options: { command: 'rm -rf dist/apps/web && mkdir -p dist/apps/web && cp -r apps/web/src/. dist/apps/web' } },
          'vercel-deploy': { options: { apiUrl: api.url, projectId: 'prj_web' } },
        },
      }),
    );
    commit('web');
  });
  afterAll(() => api?.close());

  it('infers vercel-deploy and a deploy target chaining it', async () => {
    const show = ws.nx(['show', 'project', 'web', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['vercel-deploy']).toMatchObject({ executor: '@shipfleet/nx:vercel-deploy', cache: false, options: { apiUrl: api.url, projectId: 'prj_web' } });
    expect(project.targets.deploy).toMatchObject({ executor: '@shipfleet/nx:deploy', options: { targets: ['vercel-deploy'] }, cache: false });
  });

  it('--dry-run makes no request and shows the plan', async () => {
    const before = api.requests.length;
    const r = await ws.nxAsync(['run', 'web:vercel-deploy', '--dry-run'], { VERCEL_TOKEN: TOKEN });
    expect(r.code).toBe(0);
    expect(r.output).toContain('Hash 3 files');
    expect(api.requests.length).toBe(before);
    expect(r.output).not.toContain(TOKEN);
  });

  it('a missing token is named, with nothing sent', async () => {
    const before = api.requests.length;
    const r = await ws.nxAsync(['run', 'web:vercel-deploy'], { VERCEL_TOKEN: '' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "tokenEnv": environment variable VERCEL_TOKEN is not set');
    expect(api.requests.length).toBe(before);
  });

  it('deploy uploads every file once, records it, and a second run is skipped by the ledger', async () => {
    let mark = api.requests.length;
    const first = await ws.nxAsync(['run', 'web:deploy', '--env=staging'], { VERCEL_TOKEN: TOKEN });
    expect(first.code).toBe(0);
    expect(uploads(mark)).toBe(3);
    expect(first.output).toContain('web deployed to staging');
    expect(first.output).toMatch(/→ url: https:\/\//);
    const ledger = JSON.parse(readFileSync(ws.path('.shipfleet/ledger'), 'utf8')).records;
    expect(ledger).toEqual([expect.objectContaining({ project: 'web', target: 'deploy', environment: 'staging', result: 'succeeded', commit: expect.stringMatching(/^[0-9a-f]{40}$/), inputHash: expect.any(String) })]);

    mark = api.requests.length;
    const again = await ws.nxAsync(['run', 'web:deploy', '--env=staging'], { VERCEL_TOKEN: TOKEN });
    expect(again.code).toBe(0);
    expect(again.output).toContain('web is already deployed to staging with these inputs');
    expect(api.requests.length).toBe(mark);

    // Another environment is deployed on its own; the files are already there, so nothing is uploaded.
    mark = api.requests.length;
    const prod = await ws.nxAsync(['run', 'web:deploy', '--env=production'], { VERCEL_TOKEN: TOKEN });
    expect(prod.code).toBe(0);
    expect(uploads(mark)).toBe(0);
    for (const out of [first.output, again.output, prod.output]) expect(out).not.toContain(TOKEN);
  });

  it('changing one file redeploys and uploads just that file; --force redeploys unchanged inputs', async () => {
    ws.write('apps/web/src/app.js', 'console.log(2)');
    commit('change app.js');
    let mark = api.requests.length;
    const r = await ws.nxAsync(['run', 'web:deploy', '--env=staging'], { VERCEL_TOKEN: TOKEN });
    expect(r.code).toBe(0);
    expect(uploads(mark)).toBe(1);
    mark = api.requests.length;
    const forced = await ws.nxAsync(['run', 'web:deploy', '--env=staging', '--force'], { VERCEL_TOKEN: TOKEN });
    expect(forced.code).toBe(0);
    expect(forced.output).toContain('--force: deploying web to staging');
    expect(api.requests.length).toBeGreaterThan(mark);
  });

  it('a failed deploy is recorded as failed, never as deployed, and is retried next time', async () => {
    ws.write('apps/web/src/app.js', 'console.log(3)');
    commit('change again');
    const bad = await ws.nxAsync(['run', 'web:deploy', '--env=staging'], { VERCEL_TOKEN: 'wrong-token' });
    expect(bad.code).not.toBe(0);
    const records = JSON.parse(readFileSync(ws.path('.shipfleet/ledger'), 'utf8')).records;
    expect(records[records.length - 1]).toMatchObject({ environment: 'staging', result: 'failed' });
    const retry = await ws.nxAsync(['run', 'web:deploy', '--env=staging'], { VERCEL_TOKEN: TOKEN });
    expect(retry.code).toBe(0);
    expect(retry.output).toContain('web deployed to staging');
    expect(bad.output + retry.output).not.toContain('wrong-token');
  });

  it('bad deploy options are named', async () => {
    const r = await ws.nxAsync(['run', 'web:deploy', '--env=Staging!'], { VERCEL_TOKEN: TOKEN });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('"Staging!" is not an environment name');
  });
});
