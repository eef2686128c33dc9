import { existsSync, readFileSync } from 'fs';
import { SampleWorkspace } from '../tools/sample-workspace';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startVercelApi } = require('../tools/vercel-api/server.js');

const TOKEN = 'e2e-affected-vercel-token-0042';

describe('nx affected -t deploy: only what changed, once, on the runner it needs', () => {
  let ws: SampleWorkspace;
  let api: { url: string; requests: Array<{ method: string; path: string }>; close(): Promise<void> };
  const commit = (msg: string) => {
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', msg);
  };
  const ledger = () => (existsSync(ws.path('.shipfleet/ledger')) ? JSON.parse(readFileSync(ws.path('.shipfleet/ledger'), 'utf8')).records : []);
  const standInCalls = () => (existsSync(ws.path('calls.jsonl')) ? ws.read('calls.jsonl').trim().split('\n').map((l) => JSON.parse(l).tool) : []);
  const env = () => ({ VERCEL_TOKEN: TOKEN, SHIPFLEET_STANDIN_LOG: ws.path('calls.jsonl') });
  const show = (project: string) => {
    const r = ws.nx(['show', 'project', project, '--json']);
    return JSON.parse(r.output.slice(r.output.indexOf('{')));
  };

  beforeAll(async () => {
    api = await startVercelApi({ port: 0, token: TOKEN });
    ws = new SampleWorkspace('affected');
    for (const args of [['@shipfleet/nx:init'], ['@shipfleet/nx:web-app', 'web', '--vercelProject=prj_web'], ['@shipfleet/nx:tizen-app', 'tv'], ['@shipfleet/nx:k8s-service', 'api'], ['@shipfleet/nx:ios-app', 'ios'], ['@shipfleet/nx:fastlane', '--project=ios']]) {
      const r = ws.nx(['g', ...args]);
      expect({ args, code: r.code, output: r.code ? r.output : '' }).toEqual({ args, code: 0, output: '' });
    }
    // A library the web app uses.
    ws.write('libs/shared/project.json', JSON.stringify({ name: 'shared', projectType: 'library' }));
    ws.write('libs/shared/index.js', 'export const greeting = "hi";\n');
    const web = JSON.parse(ws.read('apps/web/project.json'));
    web.implicitDependencies = ['shared'];
    web.targets['vercel-deploy'].options.apiUrl = api.url;
    ws.write('apps/web/project.json', JSON.stringify(web, null, 2));
    // No Tizen certificates here: sign with the self-signed development pair, asked for explicitly.
    const tv = JSON.parse(ws.read('apps/tv/project.json'));
    tv.targets['package-tizen'] = { options: { devCertificates: true } };
    ws.write('apps/tv/project.json', JSON.stringify(tv, null, 2));
    commit('four platforms and a library');
  });
  afterAll(() => api?.close());

  it('nx show project lists every inferred target with its metadata', () => {
    const expectTargets = { tv: ['package-tizen', 'deploy'], web: ['vercel-deploy', 'deploy'], api: ['container-image', 'k8s-deploy', 'deploy'], ios: ['build-ios', 'deploy-ios', 'deploy', 'fastlane-lane', 'fastlane-beta', 'fastlane-release'] };
    for (const [project, targets] of Object.entries(expectTargets)) {
      const config = show(project);
      for (const t of targets) {
        expect({ project, t, meta: config.targets[t]?.metadata }).toEqual({ project, t, meta: expect.objectContaining({ description: expect.any(String), url: expect.stringContaining('#'), runner: project === 'ios' ? 'macos' : 'linux' }) });
      }
      expect(config.targets.deploy.cache).toBe(false);
    }
  });

  it('after a change to the Tizen app only, affected deploys only the Tizen app', async () => {
    ws.write('apps/tv/src/js/main.js', 'console.log("new tv build");\n');
    commit('tv change');
    const listed = ws.nx(['show', 'projects', '--affected', '-t', 'deploy', '--base=HEAD~1', '--head=HEAD', '--json']);
    expect(JSON.parse(listed.output.slice(listed.output.indexOf('[')))).toEqual(['tv']);
    const before = api.requests.length;
    const r = await ws.nxAsync(['affected', '-t', 'deploy', '--base=HEAD~1', '--head=HEAD', '--output-style=static'], env());
    expect(r.code).toBe(0);
    expect(r.output).toContain('tv deployed to default');
    expect(ledger().map((x: { project: string; result: string }) => `${x.project}:${x.result}`)).toEqual(['tv:succeeded']);
    // Nothing else ran: no Vercel request, no Apple or fastlane stand-in.
    expect(api.requests.length).toBe(before);
    expect(standInCalls()).toEqual([]);
    expect(existsSync(ws.path('dist/shipfleet/tv/Tv.wgt'))).toBe(true);
  });

  it('running it again skips the deploy: these inputs are already live', async () => {
    const r = await ws.nxAsync(['affected', '-t', 'deploy', '--base=HEAD~1', '--head=HEAD', '--output-style=static'], env());
    expect(r.code).toBe(0);
    expect(r.output).toContain('tv is already deployed to default with these inputs');
    expect(ledger()).toHaveLength(1);
  });

  it('a change in a library the web app uses makes the web app affected, and it deploys', async () => {
    ws.write('libs/shared/index.js', 'export const greeting = "hello";\n');
    commit('shared change');
    const listed = ws.nx(['show', 'projects', '--affected', '-t', 'deploy', '--base=HEAD~1', '--head=HEAD', '--json']);
    expect(JSON.parse(listed.output.slice(listed.output.indexOf('[')))).toEqual(['web']);
    const r = await ws.nxAsync(['affected', '-t', 'deploy', '--base=HEAD~1', '--head=HEAD', '--output-style=static'], env());
    expect(r.code).toBe(0);
    expect(r.output).toContain('web deployed to default');
    expect(r.output).not.toContain(TOKEN);
    expect(ledger().map((x: { project: string }) => x.project)).toEqual(['tv', 'web']);
  });

  it('shipfleet base prints the commit every deployed project includes; shipfleet matrix gives runners', async () => {
    const base = ws.run(ws.path('node_modules/.bin/shipfleet'), ['base', '--env=default']);
    expect(base.code).toBe(0);
    // tv was deployed at "tv change", web at "shared change": the base is the older one.
    expect(base.output.trim()).toBe(ws.git('rev-parse', 'HEAD~1').output.trim());
    const none = ws.run(ws.path('node_modules/.bin/shipfleet'), ['base', '--env=production']);
    expect(none.code).toBe(2);
    expect(none.output).toContain('no successful deploy to production is recorded');
    ws.write('apps/ios/ios/App.swift', '// changed\n');
    ws.write('apps/tv/src/css/style.css', 'body { color: red; }\n');
    commit('ios and tv change');
    const matrix = ws.run(ws.path('node_modules/.bin/shipfleet'), ['matrix', '--base=HEAD~1', '--head=HEAD']);
    expect(matrix.code).toBe(0);
    expect(JSON.parse(matrix.output)).toEqual([
      { project: 'ios', runner: 'macos-latest' },
      { project: 'tv', runner: 'ubuntu-latest' },
    ]);
  });

  it('nx g @shipfleet/nx:ci writes the workflow that uses those commands', () => {
    expect(ws.nx(['g', '@shipfleet/nx:ci']).code).toBe(0);
    const wf = ws.read('.github/workflows/shipfleet-deploy.yml');
    expect(wf).toContain('npx shipfleet base --env=staging --ledger=git');
    expect(wf).toContain('npx shipfleet matrix');
  });
});
