import { createHash } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import { SampleWorkspace } from '../tools/sample-workspace';

// A version label as a team might write it, with every character HTML cares about.
const LG_VERSION = '2.0.0-<b>"beta"&co';

describe('shipfleet status: what is live where, through a real workspace', () => {
  let ws: SampleWorkspace;
  const commit = (msg: string) => {
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', msg);
  };
  const head = () => ws.git('rev-parse', 'HEAD').output.trim();
  const shipfleet = (...args: string[]) => ws.run(ws.path('node_modules/.bin/shipfleet'), ['status', ...args]);
  const editJson = (file: string, edit: (j: Record<string, any>) => void) => {
    const j = JSON.parse(ws.read(file));
    edit(j);
    ws.write(file, JSON.stringify(j, null, 2));
  };
  let deployedAt: string;

  beforeAll(() => {
    ws = new SampleWorkspace('status');
    for (const args of [['@shipfleet/nx:init'], ['@shipfleet/nx:tizen-app', 'tv'], ['@shipfleet/nx:webos-app', 'lg']]) {
      const r = ws.nx(['g', ...args]);
      expect({ args, code: r.code, output: r.code ? r.output : '' }).toEqual({ args, code: 0, output: '' });
    }
    // No Tizen certificates here: the self-signed development pair, asked for explicitly.
    editJson('apps/tv/project.json', (p) => (p.targets = { ...p.targets, 'package-tizen': { options: { devCertificates: true } }, deploy: { options: { version: '1.4.0' } } }));
    editJson('apps/lg/project.json', (p) => (p.targets = { ...p.targets, deploy: { options: { version: LG_VERSION } } }));
    commit('a Tizen and a webOS app');

    // Both deploy to staging.
    const both = ws.nx(['run-many', '-t', 'deploy', '--env=staging', '--output-style=static']);
    expect({ code: both.code, output: both.code ? both.output : '' }).toEqual({ code: 0, output: '' });
    deployedAt = head();

    // The webOS app's next deploy fails: its appinfo.json version is not x.y.z.
    const appinfo = ws.read('apps/lg/appinfo.json');
    editJson('apps/lg/appinfo.json', (a) => (a.version = '1.0'));
    commit('lg: a bad version');
    const failed = ws.nx(['run', 'lg:deploy', '--env=staging', '--output-style=static']);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('lg failed to deploy to staging');
    // Put back as it was live: lg has no change since its live commit.
    ws.write('apps/lg/appinfo.json', appinfo);
    commit('lg: version restored');

    // The Tizen app changes and is not deployed yet.
    ws.write('apps/tv/src/index.html', '<!doctype html><title>new</title>\n');
    commit('tv: new page');
  });

  it('prints versions, the failure and the project changed since its live commit', () => {
    const r = shipfleet();
    expect(r.code).toBe(0);
    const lines = r.output.split('\n');
    const short = deployedAt.slice(0, 7);
    expect(lines[0]).toBe('staging: 2 projects');
    expect(lines.find((l) => l.startsWith('tv'))).toMatch(new RegExp(`^tv \\* +1\\.4\\.0 +${short} +(just now|\\d+ min ago) +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +\\S+ +[0-9a-f]{8} +✔ live$`));
    expect(lines.find((l) => l.startsWith('lg'))).toMatch(new RegExp(`^lg +2\\.0\\.0-<b>"beta"&co +${short} .* +✖ failed$`));
    expect(r.output).toMatch(/ {2}↳ last deploy failed .* at [0-9a-f]{7}, version 2\.0\.0-<b>"beta"&co, after /);
    expect(r.output).toContain('* changed since its live commit');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
  });

  it('--json parses, with the ledger’s digest of the package that went live', () => {
    const r = shipfleet('--json', '--env=staging');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.output);
    const cell = (project: string) => j.cells.find((c: { project: string }) => c.project === project);
    const wgt = readdirSync(ws.path('dist/shipfleet/tv')).find((f) => f.endsWith('.wgt'))!;
    expect(cell('tv')).toMatchObject({
      environment: 'staging',
      state: 'live',
      changedSinceLive: true,
      live: { result: 'succeeded', version: '1.4.0', commit: deployedAt, artifactDigest: `sha256:${createHash('sha256').update(readFileSync(ws.path('dist/shipfleet/tv', wgt))).digest('hex')}` },
    });
    expect(cell('tv').live.durationMs).toEqual(expect.any(Number));
    expect(cell('lg')).toMatchObject({ state: 'failed', changedSinceLive: false, live: { version: LG_VERSION, commit: deployedAt }, latest: { result: 'failed' } });
    expect(cell('lg').history.map((h: { result: string }) => h.result)).toEqual(['failed', 'succeeded']);
  });

  it('--html writes one self-contained page with every value escaped', () => {
    const r = shipfleet('--html=dist/status.html', '--history=5');
    expect(r.code).toBe(0);
    const html = ws.read('dist/status.html');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|\s(?:src|href)=/i);
    expect(html).toContain('2.0.0-&lt;b&gt;&quot;beta&quot;&amp;co');
    expect(html).not.toContain(LG_VERSION);
    expect(html).toContain('✖ last deploy failed');
    expect(html).toContain('● changed since its live commit');
    expect(html).toContain('last 2 deploys');
  });
});
