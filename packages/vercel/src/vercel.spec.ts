import { readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative, sep } from 'path';
import { formatPlan, planToJson, Redactor, TaskContext, TaskStep } from '@shipfleet/core';
import { buildVercelPlan, normalizeVercelOptions } from './index';
import { harness, Harness, makeDir, sha1, staticSite } from './__fixtures__/helpers';

/** What the deployment should list: every file under dir, by POSIX relative name, with its SHA-1 and size (computed here, independently). */
function expectedFiles(dir: string, prefix = ''): Array<{ file: string; sha: string; size: number }> {
  const out: Array<{ file: string; sha: string; size: number }> = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const data = readFileSync(p);
        out.push({ file: prefix + relative(dir, p).split(sep).join('/'), sha: sha1(data), size: data.length });
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

const uploads = (h: Harness) => h.api.requests.filter((r) => r.method === 'POST' && r.path === '/v2/files');
const creates = (h: Harness) => h.api.requests.filter((r) => r.method === 'POST' && r.path === '/v13/deployments');

describe('deploy', () => {
  let h: Harness;
  beforeEach(async () => { h = await harness(); });
  afterEach(() => h.close());

  it('first deploy uploads every distinct file exactly once, then creates the deployment with the full file list', async () => {
    const site = staticSite();
    const { report, built, lines } = await h.run({ appDir: site });
    expect(report.status).toBe('succeeded');

    const files = expectedFiles(site);
    const distinct = new Map(files.map((f) => [f.sha, f.size]));
    expect(distinct.size).toBe(files.length - 1); // two files share their content

    const digests = uploads(h).map((r) => r.headers['x-vercel-digest']);
    expect([...digests].sort()).toEqual([...distinct.keys()].sort());
    for (const [sha, size] of distinct) expect(h.api.files.get(sha)?.length).toBe(size);
    expect(built.result.uploadedFiles).toBe(distinct.size);
    expect(built.result.uploadedBytes).toBe([...distinct.values()].reduce((a, b) => a + b, 0));
    expect(uploads(h).reduce((n, r) => n + r.bodySize, 0)).toBe(built.result.uploadedBytes);

    // missing_files first, created on the second try
    expect(creates(h).map((r) => r.status)).toEqual([400, 200]);
    const deployments = [...h.api.deployments.values()];
    expect(deployments).toHaveLength(1);
    const d = deployments[0];
    expect(d.files.map(({ file, sha, size }) => ({ file, sha, size })).sort((a, b) => a.file.localeCompare(b.file))).toEqual(files);
    expect(d.target).toBeNull();
    expect(d.readyState).toBe('READY');
    expect(report.outputs.deploymentId).toBe(d.id);
    expect(report.outputs.url).toBe(`https://${d.url}`);
    expect(built.result).toMatchObject({ deploymentId: d.id, url: `https://${d.url}`, readyState: 'READY', files: files.length, requests: h.api.requests.length });
    // Progress of the upload: bytes and files; without a terminal a final line, however fast the upload.
    const n = distinct.size;
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`│ uploading ${n} files: \\d.* of .* \\(100%\\) · ${n}/${n} files · \\d+m?s$`)));
  });

  it('an unchanged redeploy uploads nothing; changing one file uploads that one', async () => {
    const site = staticSite();
    await h.run({ appDir: site });
    const before = h.api.requests.length;

    const again = await h.run({ appDir: site });
    expect(again.report.status).toBe('succeeded');
    const second = h.api.requests.slice(before);
    expect(second.filter((r) => r.path === '/v2/files')).toHaveLength(0);
    expect(second.filter((r) => r.path === '/v13/deployments' && r.method === 'POST').map((r) => r.status)).toEqual([200]);
    expect(again.built.result.uploadedFiles).toBe(0);
    expect(again.lines.join('\n')).toContain('nothing to upload');
    expect(h.api.deployments.size).toBe(2);

    const changed = 'console.log("app v2");\n';
    writeFileSync(join(site, 'assets/app.js'), changed);
    const mark = h.api.requests.length;
    const third = await h.run({ appDir: site });
    expect(third.report.status).toBe('succeeded');
    const sent = h.api.requests.slice(mark).filter((r) => r.path === '/v2/files');
    expect(sent.map((r) => r.headers['x-vercel-digest'])).toEqual([sha1(changed)]);
    expect(third.built.result).toMatchObject({ uploadedFiles: 1, uploadedBytes: Buffer.byteLength(changed) });
  });

  it('uploads at most `concurrency` files at a time', async () => {
    await h.close();
    h = await harness({ uploadDelayMs: 25 });
    const files: Record<string, string> = {};
    for (let i = 0; i < 24; i++) files[`chunks/${i}.js`] = `export const n = ${i};\n`;
    const { report } = await h.run({ appDir: makeDir(files), concurrency: 3 });
    expect(report.status).toBe('succeeded');
    expect(uploads(h)).toHaveLength(24);
    expect(h.api.stats.maxConcurrentUploads).toBeLessThanOrEqual(3);
    expect(h.api.stats.maxConcurrentUploads).toBeGreaterThanOrEqual(2);
  });

  it('sends target and meta as the API takes them: production as target, anything else but preview as a custom environment', async () => {
    const site = staticSite();
    expect((await h.run({ appDir: site, target: 'production', meta: { commit: 'abc123' } })).report.status).toBe('succeeded');
    expect((await h.run({ appDir: site, target: 'staging' })).report.status).toBe('succeeded');
    const [prod, staging] = [...h.api.deployments.values()];
    expect(prod).toMatchObject({ target: 'production', meta: { commit: 'abc123' } });
    expect(h.api.production('prj_web')).toBe(prod.id);
    expect(prod.alias).toContain('web.vercel.app');
    expect(staging.target).toBeNull();
    expect(staging.customEnvironment?.slug).toBe('staging');

    const unknown = await h.run({ appDir: site, target: 'qa' });
    expect(unknown.report.status).toBe('failed');
    expect(unknown.report.error).toContain('POST /v13/deployments failed: 404 custom_environment_not_found: Custom environment "qa" not found');
  });

  it('survives 429 with Retry-After on uploads, waiting as told', async () => {
    h.api.setFaults({ rateLimitFirst: 2, retryAfter: 1 });
    const { report, lines, built } = await h.run({ appDir: staticSite(), concurrency: 1 });
    expect(report.status).toBe('succeeded');
    const up = uploads(h);
    expect(up.slice(0, 3).map((r) => r.status)).toEqual([429, 429, 200]);
    expect(up[1].time - up[0].time).toBeGreaterThanOrEqual(1000);
    expect(up[2].time - up[1].time).toBeGreaterThanOrEqual(1000);
    expect(lines.filter((l) => l.includes('POST /v2/files: 429 rate_limited: Rate limit exceeded (Retry-After 1s); retrying in 1.0s'))).toHaveLength(2);
    expect(built.result.retries).toBe(2);
  });

  it('survives 500s and dropped connections during the whole flow', async () => {
    h.api.setFaults({ serverErrors: 3, dropConnections: 2 });
    const { report, built } = await h.run({ appDir: staticSite() });
    expect(report.status).toBe('succeeded');
    const statuses = h.api.requests.map((r) => r.status);
    expect(statuses.filter((s) => s === 500)).toHaveLength(3);
    expect(statuses.filter((s) => s === 'dropped')).toHaveLength(2);
    expect(built.result.retries).toBe(5);
  });

  it('a 400 other than missing_files fails at once, without retry or upload', async () => {
    h.api.setFaults({ errors: [{ match: 'POST /v13/deployments', status: 400, code: 'bad_request', message: 'Invalid request: `name` should NOT be longer than 100 characters' }] });
    const { report } = await h.run({ appDir: staticSite() });
    expect(report.status).toBe('failed');
    expect(report.error).toBe('Step "Create deployment (POST /v13/deployments), upload only missing files, create again" failed: POST /v13/deployments failed: 400 bad_request: Invalid request: `name` should NOT be longer than 100 characters');
    expect(creates(h)).toHaveLength(1);
    expect(uploads(h)).toHaveLength(0);
  });

  it('a deployment that ends in ERROR fails with its state and message', async () => {
    h.api.setFaults({ deploymentError: 'Error: Command "npm run build" exited with 127' });
    const { report, lines } = await h.run({ appDir: staticSite() });
    expect(report.status).toBe('failed');
    const d = [...h.api.deployments.values()][0];
    expect(report.error).toContain(`deployment ${d.id} ended in ERROR (BUILD_FAILED): Error: Command "npm run build" exited with 127`);
    expect(report.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'failed']);
    expect(lines.some((l) => /QUEUED → BUILDING/.test(l))).toBe(true);
    expect(lines.some((l) => /BUILDING → ERROR/.test(l))).toBe(true);
  });

  it('times out with the last state when the deployment is never ready', async () => {
    await h.close();
    h = await harness({ pollsToReady: 10_000 });
    const { report } = await h.run({ appDir: staticSite(), timeout: "200ms" });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/is still BUILDING after 0\.\ds; it goes on at Vercel/);
  });

  it('assigns aliases after READY', async () => {
    const { report } = await h.run({ appDir: staticSite(), alias: ['www.example.com', 'preview.example.com'] });
    expect(report.status).toBe('succeeded');
    const id = report.outputs.deploymentId;
    expect(h.api.aliases.get('www.example.com')).toBe(id);
    expect(h.api.aliases.get('preview.example.com')).toBe(id);
    expect(report.outputs.aliases).toBe('www.example.com, preview.example.com');
  });

  it('deploys for a team: teamId on every request, the team checked first', async () => {
    const { report } = await h.run({ appDir: staticSite(), projectId: 'prj_team_web', orgId: 'team_standin' });
    expect(report.status).toBe('succeeded');
    expect(h.api.requests[0].path).toBe('/v2/teams/team_standin');
    expect(h.api.requests.every((r) => r.query.teamId === 'team_standin')).toBe(true);
    expect([...h.api.deployments.values()][0].ownerId).toBe('team_standin');
  });

  it('stops before reading any file when the token, the account or the project is wrong', async () => {
    const wrongProject = await h.run({ appDir: staticSite(), projectId: 'prj_missing' });
    expect(wrongProject.report.error).toContain('project prj_missing was not found in account ci-bot');
    expect(wrongProject.report.steps).toHaveLength(1);

    const wrongOrg = await h.run({ appDir: staticSite(), orgId: 'user_someone_else' });
    expect(wrongOrg.report.error).toContain('orgId user_someone_else is not the account of this token (it belongs to ci-bot)');

    const { report } = await h.run({ appDir: staticSite() }, { context: { token: 'not-the-token' } });
    expect(report.status).toBe('failed');
    expect(report.error).toContain('Vercel did not accept the token in VERCEL_TOKEN');
    expect(report.error).toContain('GET /v2/user failed: 401');
    expect(uploads(h)).toHaveLength(0);
    expect(creates(h)).toHaveLength(0);
  });

  it('detects and deploys a prebuilt .vercel/output folder', async () => {
    const root = makeDir({
      '.vercel/output/config.json': JSON.stringify({ version: 3, routes: [{ handle: 'filesystem' }] }),
      '.vercel/output/builds.json': JSON.stringify({ target: 'preview' }),
      '.vercel/output/static/index.html': '<h1>prebuilt</h1>',
      '.vercel/output/functions/api/hello.func/.vc-config.json': JSON.stringify({ runtime: 'nodejs20.x', handler: 'index.js' }),
      '.vercel/output/functions/api/hello.func/index.js': 'module.exports = (req, res) => res.end("hi");\n',
      'src/secret-source.ts': 'never uploaded',
    });
    symlinkSync('hello.func', join(root, '.vercel/output/functions/api/hi.func'));
    const { report } = await h.run({}, { projectRoot: root });
    expect(report.status).toBe('succeeded');
    const d = [...h.api.deployments.values()][0];
    expect(d.prebuilt).toBe(true);
    expect(d.readyState).toBe('READY');
    const names = d.files.map((f) => f.file).sort();
    expect(names).toEqual([
      '.vercel/output/builds.json',
      '.vercel/output/config.json',
      '.vercel/output/functions/api/hello.func/.vc-config.json',
      '.vercel/output/functions/api/hello.func/index.js',
      '.vercel/output/functions/api/hi.func',
      '.vercel/output/static/index.html',
    ]);
    // The symlink is deployed as a link: its content is its target.
    const link = d.files.find((f) => f.file.endsWith('hi.func'))!;
    expect(h.api.files.get(link.sha)?.toString()).toBe('hello.func');
    expect(d.files.find((f) => f.file === '.vercel/output/static/index.html')!.sha).toBe(sha1('<h1>prebuilt</h1>'));
  });

  it('a dry run prints the plan and sends nothing', async () => {
    const site = staticSite();
    const { report, lines } = await h.run({ appDir: site, target: 'production', alias: ['www.example.com'] }, { dryRun: true });
    expect(report.status).toBe('dry-run');
    expect(h.api.requests).toHaveLength(0);
    const text = lines.join('\n');
    expect(text).toContain('Plan: Vercel deploy of prj_web (production) (5 steps)');
    expect(text).toContain(`1. [task] Check the token and access to project prj_web`);
    expect(text).toContain(`GET ${h.api.url}/v2/user, then GET /v9/projects/prj_web`);
    expect(text).toMatch(/2\. \[task\] Hash 6 files \(SHA-1, 68 KiB\)/);
    expect(text).toContain('3. [task] Create deployment (POST /v13/deployments), upload only missing files, create again');
    expect(text).toContain('4. [task] Wait until READY and the production domains are assigned');
    expect(text).toContain('5. [task] Assign aliases: www.example.com');
    expect(text).toContain(`static folder ${site}`);
  });

  it('honours the abort signal: an interrupted upload starts no further uploads', async () => {
    await h.close();
    h = await harness({ uploadDelayMs: 300 });
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`f${i}.txt`] = `file ${i}`;
    const o = normalizeVercelOptions({ projectId: 'prj_web', appDir: makeDir(files), apiUrl: h.api.url, concurrency: 2 }, tmpdir(), h.env);
    const { plan } = buildVercelPlan(o, { token: h.token, pollIntervalMs: 10 });
    const ac = new AbortController();
    const ctx: TaskContext = { log: () => undefined, setOutput: () => undefined, addSecret: () => undefined, signal: ac.signal, exec: () => Promise.reject(new Error('no commands here')) };
    const [access, hash, create] = plan.steps as TaskStep[];
    await access.run(ctx);
    await hash.run(ctx);
    const pending = Promise.resolve(create.run(ctx)).then(() => 'finished', (e: Error) => e.name);
    setTimeout(() => ac.abort(), 100);
    expect(await pending).toBe('AbortedError');
    await new Promise((r) => setTimeout(r, 400));
    expect(uploads(h).length).toBeLessThanOrEqual(2);
    expect(creates(h)).toHaveLength(1);
  });
});

describe('promote and rollback', () => {
  let h: Harness;
  let a: string;
  let b: string;
  let preview: string;

  beforeEach(async () => {
    h = await harness();
    const site = staticSite();
    a = (await h.run({ appDir: site, target: 'production' })).report.outputs.deploymentId;
    writeFileSync(join(site, 'index.html'), '<h1>v2</h1>');
    b = (await h.run({ appDir: site, target: 'production' })).report.outputs.deploymentId;
    preview = (await h.run({ appDir: site })).report.outputs.deploymentId;
    expect(h.api.production('prj_web')).toBe(b);
    h.api.requests.length = 0;
  });
  afterEach(() => h.close());

  it('rollback without deploymentId goes back to the previous production deployment', async () => {
    const { report, built } = await h.run({ action: 'rollback' });
    expect(report.status).toBe('succeeded');
    expect(h.api.production('prj_web')).toBe(a);
    expect(built.result).toMatchObject({ deploymentId: a, previousProductionId: b });
    expect(report.outputs).toMatchObject({ productionDeploymentId: a, previousProductionDeploymentId: b });
    const list = h.api.requests.find((r) => r.path === '/v6/deployments')!;
    expect(list.query).toMatchObject({ projectId: 'prj_web', target: 'production' });
    expect(h.api.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`/v9/projects/prj_web/rollback/${a}`]);
  });

  it('rollback to a given deployment, then promote back', async () => {
    const back = await h.run({ action: 'rollback', deploymentId: a });
    expect(back.report.status).toBe('succeeded');
    expect(h.api.production('prj_web')).toBe(a);

    const forward = await h.run({ action: 'promote', deploymentId: b });
    expect(forward.report.status).toBe('succeeded');
    expect(h.api.production('prj_web')).toBe(b);
    expect(h.api.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`/v9/projects/prj_web/rollback/${a}`, `/v10/projects/prj_web/promote/${b}`]);
    expect(forward.lines.some((l) => l.includes('promote job succeeded'))).toBe(true);
  });

  it('promoting the current production deployment changes nothing', async () => {
    const { report, lines } = await h.run({ action: 'promote', deploymentId: b });
    expect(report.status).toBe('succeeded');
    expect(lines.join('\n')).toContain(`${b} is already the production deployment of web: nothing to do`);
    expect(h.api.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('refuses to promote a preview deployment or an unknown one, and to roll back past the first production deployment', async () => {
    const p = await h.run({ action: 'promote', deploymentId: preview });
    expect(p.report.error).toContain(`deployment ${preview} is a preview deployment; Vercel promotes only production deployments directly`);
    const unknown = await h.run({ action: 'promote', deploymentId: 'dpl_doesnotexist' });
    expect(unknown.report.error).toContain('deployment dpl_doesnotexist was not found: GET /v13/deployments/dpl_doesnotexist failed: 404');
    expect(h.api.production('prj_web')).toBe(b);

    expect((await h.run({ action: 'rollback' })).report.status).toBe('succeeded');
    expect(h.api.production('prj_web')).toBe(a);
    const none = await h.run({ action: 'rollback' });
    expect(none.report.error).toContain(`no READY production deployment older than the current one (${a})`);
    expect(h.api.production('prj_web')).toBe(a);
  });
});

describe('the token never appears in any output', () => {
  it('not in log lines, errors, outputs, the HTTP trace, formatPlan or planToJson, across every action and failure', async () => {
    const h = await harness();
    try {
      const site = staticSite();
      const reports = [];
      h.api.setFaults({ rateLimitFirst: 1, retryAfter: 0, serverErrors: 1, dropConnections: 1 });
      reports.push((await h.run({ appDir: site, target: 'production', alias: ['www.example.com'], meta: { note: 'x' } })).report);
      writeFileSync(join(site, 'index.html'), 'v2');
      reports.push((await h.run({ appDir: site, target: 'production' })).report);
      reports.push((await h.run({ action: 'rollback' })).report);
      reports.push((await h.run({ action: 'promote', deploymentId: reports[1].outputs.deploymentId })).report);
      h.api.setFaults({ deploymentError: true });
      reports.push((await h.run({ appDir: site })).report);
      h.api.setFaults({ errors: [{ match: 'POST /v13/deployments', status: 400, message: 'bad' }] });
      reports.push((await h.run({ appDir: site })).report);
      reports.push((await h.run({ appDir: site }, { context: { token: `${h.token}-revoked` } })).report);
      expect(reports.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed', 'failed', 'failed']);

      const plans = ['deploy', 'promote', 'rollback'].map((action) => {
        const o = normalizeVercelOptions({ projectId: 'prj_web', appDir: site, apiUrl: h.api.url, action: action as never, ...(action === 'promote' ? { deploymentId: 'dpl_x' } : {}) }, tmpdir(), h.env);
        return buildVercelPlan(o, { token: h.token }).plan;
      });
      const noSecrets = new Redactor();
      const texts = [
        ...h.lines,
        ...reports.map((r) => JSON.stringify(r)),
        ...plans.map((p) => formatPlan(p, noSecrets)),
        ...plans.map((p) => JSON.stringify(planToJson(p, noSecrets))),
        JSON.stringify(h.api.requests),
      ];
      expect(h.lines.length).toBeGreaterThan(50);
      const forms = [h.token, Buffer.from(h.token).toString('base64'), encodeURIComponent(h.token)];
      for (const text of texts) for (const form of forms) expect(text).not.toContain(form);
    } finally {
      await h.close();
    }
  });
});
