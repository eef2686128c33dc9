import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, runPlan, UserError } from '@shipfleet/core';
import { makeTvApp, WEBOS_APPINFO } from '../../../tools/tv-fixtures';
import { buildWebosPlan, normalizeWebosOptions, PackageWebosOptions, validateAppInfo } from './index';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `shipfleet-webos-${p}-`));
const sh = (cmd: string, args: string[], cwd?: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

async function build(appDir: string) {
  const out = tmp('out');
  const normalized = normalizeWebosOptions({ appDir, outputPath: out }, '/');
  const { logger, lines } = memoryLogger();
  const report = await runPlan(buildWebosPlan(normalized), { logger, handleSignals: false });
  return { normalized, report, ipk: normalized.outFile };
}

describe('package-webos', () => {
  let ipk: string;
  let extracted: string;
  beforeAll(async () => {
    const r = await build(makeTvApp(tmp('app')));
    expect(r.report.status).toBe('succeeded');
    ipk = r.ipk;
    extracted = tmp('x');
    sh('ar', ['x', ipk], extracted);
  });

  it('is named <id>_<version>_all.ipk and is an ar archive of the three members in order', () => {
    expect(ipk).toMatch(/com\.example\.tvapp_1\.0\.0_all\.ipk$/);
    expect(sh('ar', ['t', ipk]).trim().split('\n')).toEqual(['debian-binary', 'control.tar.gz', 'data.tar.gz']);
    expect(readFileSync(join(extracted, 'debian-binary'), 'utf8')).toBe('2.0\n');
  });

  it('control carries the fields ares-package writes', () => {
    const control = sh('tar', ['xzOf', join(extracted, 'control.tar.gz'), './control']);
    expect(control).toBe(
      [
        'Package: com.example.tvapp',
        'Version: 1.0.0',
        'Section: misc',
        'Priority: optional',
        'Architecture: all',
        'Installed-Size: 1',
        'Maintainer: N/A <nobody@example.com>',
        'Description: This is a webOS application.',
        'webOS-Package-Format-Version: 2',
        'webOS-Packager-Version: x.y.x',
        '',
      ].join('\n'),
    );
  });

  it('data holds the app under usr/palm/applications/<id>/ and packageinfo.json under usr/palm/packages/<id>/', () => {
    const listing = sh('tar', ['tzf', join(extracted, 'data.tar.gz')]).trim().split('\n');
    const files = listing.filter((l) => !l.endsWith('/'));
    expect(files.sort()).toEqual(
      [
        './usr/palm/applications/com.example.tvapp/appinfo.json',
        './usr/palm/applications/com.example.tvapp/assets/data/levels.json',
        './usr/palm/applications/com.example.tvapp/config.xml',
        './usr/palm/applications/com.example.tvapp/css/my style.css',
        './usr/palm/applications/com.example.tvapp/icon.png',
        './usr/palm/applications/com.example.tvapp/index.html',
        './usr/palm/applications/com.example.tvapp/js/main.js',
        './usr/palm/packages/com.example.tvapp/packageinfo.json',
      ].sort(),
    );
    expect(listing).toContain('./usr/palm/applications/com.example.tvapp/assets/data/');
    const info = JSON.parse(sh('tar', ['xzOf', join(extracted, 'data.tar.gz'), './usr/palm/packages/com.example.tvapp/packageinfo.json']));
    expect(info).toEqual({ app: 'com.example.tvapp', id: 'com.example.tvapp', loc_name: 'TV App', package_format_version: 2, vendor: 'Example', version: '1.0.0' });
    const main = sh('tar', ['xzOf', join(extracted, 'data.tar.gz'), './usr/palm/applications/com.example.tvapp/js/main.js']);
    expect(main).toBe('document.title = "ready";\n');
  });

  it('the same input gives a byte-identical .ipk', async () => {
    const again = await build(makeTvApp(tmp('app')));
    const digest = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(digest(again.ipk)).toBe(digest(ipk));
  });
});

describe('package-webos: appinfo.json is checked with the webOS CLI rules', () => {
  const app = makeTvApp(tmp('app'));
  const check = (patch: Record<string, unknown>) => validateAppInfo(JSON.stringify({ ...JSON.parse(WEBOS_APPINFO), ...patch }), app).problems.map((p) => `${p.field}: ${p.problem}`);

  it.each([
    [{ id: 'Com.Example' }, /^id: .*characters webOS does not allow/],
    [{ id: '-app' }, /^id: .*characters webOS does not allow/],
    [{ id: 'com.webos.app' }, /^id: .*reserved prefix/],
    [{ id: undefined }, /^id: is missing/],
    [{ version: '1.0' }, /^version: "1.0" is not x.y.z/],
    [{ version: '01.0.0' }, /^version: "01.0.0" is not x.y.z/],
    [{ main: 'missing.html' }, /^main: "missing.html" does not exist/],
    [{ icon: undefined }, /^icon: is missing/],
    [{ title: '' }, /^title: is missing/],
    [{ type: 'native' }, /^type: "native" is not supported/],
  ])('%j', (patch, message) => {
    const problems = check(patch);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reads appDir and outputPath against the workspace root, and a project-relative appDir the old way with a warning', () => {
    const root = tmp('ws');
    makeTvApp(join(root, 'apps/tv/www'));
    const warnings: string[] = [];
    const paths = { projectRoot: 'apps/tv', warn: (m: string) => warnings.push(m) };
    const o = normalizeWebosOptions({ appDir: 'apps/tv/www', outputPath: '{projectRoot}/out' }, root, paths);
    expect(o.appDir).toBe(join(root, 'apps/tv/www'));
    expect(o.outFile).toBe(join(root, 'apps/tv/out/com.example.tvapp_1.0.0_all.ipk'));
    expect(warnings).toEqual([]);
    expect(normalizeWebosOptions({ appDir: 'www', outputPath: 'dist' }, root, paths).appDir).toBe(join(root, 'apps/tv/www'));
    expect(warnings).toEqual(['Option "appDir": "www" is resolved against the project root; write "apps/tv/www" (paths are relative to the workspace root) — the old reading will be removed']);
    expect(() => normalizeWebosOptions({ appDir: 'apps/tv/www' } as PackageWebosOptions, root)).toThrow('Option "outputPath": is required');
  });

  it('a folder without appinfo.json, or with broken JSON, is a clear error on appDir', () => {
    expect(() => normalizeWebosOptions({ appDir: tmpdir(), outputPath: tmp('o') }, '/')).toThrow(UserError);
    const broken = makeTvApp(tmp('app'));
    writeFileSync(join(broken, 'appinfo.json'), '{ "id": ');
    expect(() => normalizeWebosOptions({ appDir: broken, outputPath: tmp('o') }, '/')).toThrow(/appinfo.json has 1 problem:\n {2}- "appinfo.json" is not valid JSON/);
  });
});
