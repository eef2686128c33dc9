import { mkdtempSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { buildVercelPlan, detectDeploymentSource, listDeploymentFiles, normalizeVercelOptions, resolveVercelOptions } from './index';
import { makeDir, newToken, staticSite, userError } from './__fixtures__/helpers';

const token = newToken();
const env = { VERCEL_TOKEN: token, OTHER_TOKEN: 'other-token-value' };
const site = staticSite();
const base = { projectId: 'prj_web', appDir: site };

describe('normalizeVercelOptions: every bad option gets a UserError naming it', () => {
  const emptyDir = mkdtempSync(join(tmpdir(), 'shipfleet-vercel-empty-'));
  const aFile = join(site, 'index.html');
  const v2 = makeDir({ '.vercel/output/config.json': '{"version": 2}' });
  const brokenConfig = makeDir({ '.vercel/output/config.json': '{not json' });
  const prodBuild = makeDir({ '.vercel/output/config.json': '{"version": 3}', '.vercel/output/builds.json': '{"target": "production"}', '.vercel/output/static/index.html': 'x' });

  it.each([
    [{ ...base, action: 'ship' }, 'action', /"ship" is not one of deploy, promote, rollback/],
    [{ appDir: site }, 'projectId', /is required/],
    [{ ...base, projectId: 'my project' }, 'projectId', /not a Vercel project id or name/],
    [{ ...base, projectId: 42 }, 'projectId', /not a Vercel project id or name/],
    [{ ...base, orgId: 'team x' }, 'orgId', /not a Vercel account or team id/],
    [{ ...base, teamId: 7 }, 'teamId', /not a Vercel team id/],
    [{ ...base, orgId: 'team_a', teamId: 'team_b' }, 'teamId', /differs from orgId/],
    [{ ...base, orgId: 'user_1', teamId: 'team_b' }, 'orgId', /personal account but teamId/],
    [{ ...base, target: 'pro duction' }, 'target', /not an environment/],
    [{ ...base, target: '' }, 'target', /not an environment/],
    [{ ...base, tokenEnv: 'VERCEL-TOKEN' }, 'tokenEnv', /not an environment variable name/],
    [{ ...base, tokenEnv: 'NOT_SET_ANYWHERE' }, 'tokenEnv', /NOT_SET_ANYWHERE is not set/],
    [{ ...base, apiUrl: 'ftp://api.example.com' }, 'apiUrl', /not an http\(s\) URL/],
    [{ ...base, apiUrl: 'api.vercel.com' }, 'apiUrl', /not an http\(s\) URL/],
    [{ ...base, apiUrl: 'https://me:pw@api.example.com' }, 'apiUrl', /user name or password/],
    [{ ...base, apiUrl: 'http://api.example.com' }, 'apiUrl', /uses plain http to api\.example\.com/],
    [{ ...base, apiUrl: 'https://api.example.com/?teamId=x' }, 'apiUrl', /query or fragment/],
    [{ ...base, alias: 'www.example.com' }, 'alias', /list of domains/],
    [{ ...base, alias: ['https://www.example.com/'] }, 'alias', /not a domain name/],
    [{ ...base, alias: ['localhost'] }, 'alias', /not a domain name/],
    [{ ...base, meta: ['commit'] }, 'meta', /map of string values/],
    [{ ...base, meta: { commit: 123 } }, 'meta', /value of "commit" must be a string/],
    [{ ...base, action: 'rollback', deploymentId: '12345' }, 'deploymentId', /not a deployment id/],
    [{ ...base, action: 'promote' }, 'deploymentId', /required to promote/],
    [{ ...base, deploymentId: 'dpl_abc' }, 'deploymentId', /only applies to promote and rollback/],
    [{ ...base, concurrency: 0 }, 'concurrency', /not a whole number from 1 to 64/],
    [{ ...base, concurrency: 2.5 }, 'concurrency', /not a whole number/],
    [{ ...base, concurrency: '8' }, 'concurrency', /not a whole number/],
    [{ ...base, concurrency: 65 }, 'concurrency', /not a whole number/],
    [{ ...base, timeout: '0s' }, 'timeout', /is shorter than/],
    [{ ...base, timeout: 'soon' }, 'timeout', /is not a duration/],
    [{ ...base, timeoutSeconds: 'soon' }, 'timeout', /is not a duration/],
    [{ projectId: 'prj_web' }, 'appDir', /is required/],
    [{ ...base, appDir: 'no/such/folder' }, 'appDir', /is not a directory/],
    [{ ...base, appDir: aFile }, 'appDir', /is not a directory/],
    [{ ...base, appDir: 5 }, 'appDir', /must be a path/],
    [{ ...base, appDir: v2 }, 'appDir', /declares version 2; only the Build Output API version 3/],
    [{ ...base, appDir: brokenConfig }, 'appDir', /is not valid JSON/],
    [{ ...base, appDir: prodBuild }, 'target', /built for "production" but target is "preview"/],
  ])('%j → %s', (opts, option, message) => {
    const err = userError(() => normalizeVercelOptions(opts as never, emptyDir, env));
    expect(err.option).toBe(option);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(token);
  });

  it('rejects a token with a line break without quoting it', () => {
    const bad = `${token}\n`;
    const err = userError(() => normalizeVercelOptions(base, tmpdir(), { VERCEL_TOKEN: bad }));
    expect(err.option).toBe('tokenEnv');
    expect(err.message).toMatch(/line breaks/);
    expect(err.message).not.toContain(token);
  });

  it('a dry run without the token shows the plan and warns; a real run stops, naming tokenEnv', () => {
    const warnings: string[] = [];
    const dry = resolveVercelOptions(base, tmpdir(), {}, (m) => warnings.push(m), true);
    expect(dry.secrets).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('Dry run without a token: environment variable VERCEL_TOKEN is not set; a real run stops here')]);
    expect(buildVercelPlan(dry.options, { token: dry.token }).plan.steps.length).toBeGreaterThan(0);
    expect(userError(() => resolveVercelOptions(base, tmpdir(), {}, () => undefined, false)).option).toBe('tokenEnv');
  });

  it('an empty output folder is an appDir error when the plan is built', () => {
    const o = normalizeVercelOptions({ ...base, appDir: emptyDir }, tmpdir(), env);
    const err = userError(() => buildVercelPlan(o, { token }));
    expect(err.option).toBe('appDir');
    expect(err.message).toMatch(/holds no files to deploy/);
  });
});

describe('normalizeVercelOptions: defaults and scope', () => {
  it('fills the defaults', () => {
    const { options: o, token: read, secrets } = resolveVercelOptions(base, tmpdir(), env);
    expect(o).toMatchObject({ action: 'deploy', target: 'preview', tokenEnv: 'VERCEL_TOKEN', apiUrl: 'https://api.vercel.com', concurrency: 8, timeoutMs: 600_000, alias: [], meta: {} });
    expect(o.teamId).toBeUndefined();
    expect(o.source).toEqual({ kind: 'static', dir: site, prefix: '' });
    expect(JSON.stringify(o)).not.toContain(token);
    expect(read).toBe(token);
    expect(secrets).toEqual([token]);
  });

  it('resolves a relative appDir against the project root and trims the API URL', () => {
    const root = makeDir({ 'dist/web/index.html': 'x' });
    const o = normalizeVercelOptions({ projectId: 'web', appDir: 'dist/web', apiUrl: 'http://127.0.0.1:9999/' }, root, env);
    expect(o.source!.dir).toBe(join(root, 'dist/web'));
    expect(o.apiUrl).toBe('http://127.0.0.1:9999');
  });

  it('takes a team orgId as teamId, and a personal orgId as the account to check', () => {
    expect(normalizeVercelOptions({ ...base, orgId: 'team_abc' }, tmpdir(), env)).toMatchObject({ teamId: 'team_abc', userId: undefined });
    expect(normalizeVercelOptions({ ...base, orgId: 'user_abc' }, tmpdir(), env)).toMatchObject({ teamId: undefined, userId: 'user_abc' });
    expect(normalizeVercelOptions({ ...base, orgId: 'team_abc', teamId: 'team_abc' }, tmpdir(), env).teamId).toBe('team_abc');
  });

  it('reads the token from the variable tokenEnv names', () => {
    expect(resolveVercelOptions({ ...base, tokenEnv: 'OTHER_TOKEN' }, tmpdir(), env).token).toBe('other-token-value');
  });

  it('takes the old names outputPath and timeoutSeconds, with a warning naming the new ones', () => {
    const warnings: string[] = [];
    const o = normalizeVercelOptions({ projectId: 'prj_web', outputPath: site, timeoutSeconds: 90 }, tmpdir(), env, (m) => warnings.push(m));
    expect(o.source!.dir).toBe(site);
    expect(o.timeoutMs).toBe(90_000);
    expect(warnings).toEqual([expect.stringContaining('"outputPath" is deprecated: write "appDir"'), expect.stringContaining('"timeoutSeconds" is deprecated: write "timeout"')]);
    expect(() => normalizeVercelOptions({ projectId: 'prj_web', outputPath: site, appDir: '/elsewhere' }, tmpdir(), env)).toThrow(/Option "outputPath": is the old name of "appDir"/);
  });

  it('reads timeout as a duration', () => {
    expect(normalizeVercelOptions({ ...base, timeout: '1m30s' }, tmpdir(), env).timeoutMs).toBe(90_000);
    expect(normalizeVercelOptions({ ...base, timeout: 45 }, tmpdir(), env).timeoutMs).toBe(45_000);
  });

  it('promote and rollback need no appDir', () => {
    expect(normalizeVercelOptions({ projectId: 'prj_web', action: 'rollback' }, tmpdir(), env).source).toBeUndefined();
    expect(normalizeVercelOptions({ projectId: 'prj_web', action: 'promote', deploymentId: 'dpl_1' }, tmpdir(), env).deploymentId).toBe('dpl_1');
  });
});

describe('what gets deployed', () => {
  it('detects a Build Output API v3 folder given as .vercel/output, as the folder holding it, or by default in the project', () => {
    const root = makeDir({ '.vercel/output/config.json': '{"version":3}', '.vercel/output/static/index.html': 'x', 'src/app.ts': 'source' });
    const prebuilt = { kind: 'prebuilt', dir: join(root, '.vercel/output'), prefix: '.vercel/output/' };
    expect(detectDeploymentSource(join(root, '.vercel/output'))).toEqual(prebuilt);
    expect(detectDeploymentSource(root)).toEqual(prebuilt);
    expect(normalizeVercelOptions({ projectId: 'prj_web' }, root, env).source).toEqual(prebuilt);
    expect(detectDeploymentSource(site).kind).toBe('static');
  });

  it('lists a prebuilt folder whole, named .vercel/output/…, and nothing outside it', () => {
    const root = makeDir({ '.vercel/output/config.json': '{"version":3}', '.vercel/output/static/.well-known/x': 'y', '.vercel/output/functions/api.func/.vc-config.json': '{}', 'src/app.ts': 'source' });
    const files = listDeploymentFiles(detectDeploymentSource(root)).map((f) => f.file);
    expect(files).toEqual(['.vercel/output/config.json', '.vercel/output/functions/api.func/.vc-config.json', '.vercel/output/static/.well-known/x']);
  });

  it('leaves out what Vercel ignores in a static folder, names files with POSIX paths, and keeps symlinks as links', () => {
    const dir = makeDir({
      'index.html': 'x',
      'a/b/c.txt': 'deep',
      '.git/HEAD': 'ref',
      'node_modules/x/index.js': 'x',
      '.DS_Store': 'x',
      'sub/.DS_Store': 'x',
      '.env.production.local': 'SECRET=1',
      '.env.local': 'SECRET=1',
      '.well-known/security.txt': 'keep',
    });
    symlinkSync('a/b/c.txt', join(dir, 'link.txt'));
    const files = listDeploymentFiles(detectDeploymentSource(dir));
    expect(files.map((f) => f.file)).toEqual(['.well-known/security.txt', 'a/b/c.txt', 'index.html', 'link.txt']);
    const link = files.find((f) => f.file === 'link.txt')!;
    expect(link.symlinkTarget).toBe('a/b/c.txt');
    expect(link.size).toBe('a/b/c.txt'.length);
  });

  it('keeps a static folder\'s own config.json when it is not a Build Output folder', () => {
    const dir = makeDir({ 'config.json': '{"version":3}', 'index.html': 'x' });
    expect(detectDeploymentSource(dir).kind).toBe('static');
    writeFileSync(join(dir, 'other.txt'), 'y');
    expect(listDeploymentFiles(detectDeploymentSource(dir)).map((f) => f.file)).toEqual(['config.json', 'index.html', 'other.txt']);
  });
});

it('UserError is the core one (so executors print it without a stack)', () => {
  expect(userError(() => normalizeVercelOptions({}, tmpdir(), env))).toBeInstanceOf(UserError);
});
