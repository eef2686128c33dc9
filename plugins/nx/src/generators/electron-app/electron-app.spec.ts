import { readProjectConfiguration, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { memoryLogger, runPlan } from '@shipfleet/core';
import { buildPackageElectronPlan, electronBuilderOptions, electronTargetsByRunner, resolvePackageElectronOptions } from '@shipfleet/desktop';
import electronAppGenerator from './generator';

const skip = { skipFormat: true };
let ws: string;

/** The generated files, written to a real folder as `nx g` would. */
function writeOut(tree: Tree): void {
  for (const c of tree.listChanges().filter((c) => c.content)) {
    mkdirSync(dirname(join(ws, c.path)), { recursive: true });
    writeFileSync(join(ws, c.path), c.content!);
  }
}

beforeEach(() => (ws = mkdtempSync(join(tmpdir(), 'electron-app-'))));
afterEach(() => rmSync(ws, { recursive: true, force: true }));

describe('electron-app generator', () => {
  it('writes an Electron app whose package-electron dry run lists its targets on each runner', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await electronAppGenerator(tree, { name: 'desk-app', appId: 'com.acme.desk', appVersion: '0.4.0', ...skip });
    expect(readProjectConfiguration(tree, 'desk-app')).toMatchObject({ root: 'apps/desk-app', tags: ['platform:desktop'] });
    writeOut(tree);
    const root = 'apps/desk-app';
    const pkg = JSON.parse(tree.read(`${root}/package.json`, 'utf-8')!);
    expect(pkg).toMatchObject({ name: 'desk-app', version: '0.4.0', main: 'src/main.js', devDependencies: { electron: '45.3.4', 'electron-builder': '26.17.0' } });
    for (const f of ['src/main.js', 'src/preload.js', 'src/renderer.js']) {
      expect(spawnSync(process.execPath, ['--check', join(ws, root, f)]).status).toBe(0);
    }
    expect(tree.read(`${root}/src/main.js`, 'utf-8')).toContain("preload: path.join(__dirname, 'preload.js')");

    expect(electronTargetsByRunner(join(ws, root))).toEqual({
      macos: { platforms: ['mac'], targets: { mac: ['dmg', 'zip'] }, reason: expect.any(String) },
      linux: { platforms: ['win', 'linux'], targets: { win: ['nsis'], linux: ['AppImage', 'deb', 'tar.gz'] }, reason: expect.any(String) },
    });

    const onLinux = resolvePackageElectronOptions({}, { workspaceRoot: ws, projectRoot: root, platform: 'linux', arch: 'x64' }, {}, undefined, true);
    expect(electronBuilderOptions(onLinux.options)).toMatchObject({ win: ['nsis:x64', 'nsis:arm64'], linux: ['AppImage:x64', 'deb:x64', 'tar.gz:x64', 'tar.gz:arm64'], publish: 'never' });
    const { logger, text } = memoryLogger();
    const report = await runPlan(buildPackageElectronPlan(onLinux).plan, { logger, dryRun: true, handleSignals: false, printSummary: false });
    expect(report.status).toBe('dry-run');
    expect(text()).toContain('targets: Windows nsis (x64, arm64); Linux AppImage (x64), deb (x64), tar.gz (x64, arm64)');
    expect(text()).toContain(`for ${root} with electron-builder.json`);
    expect(text()).toContain('output: dist/apps/desk-app; version 0.4.0; publish: never');

    const warnings: string[] = [];
    const onMac = resolvePackageElectronOptions({ signingCertEnv: 'MAC_CERT_P12', signingPasswordEnv: 'MAC_CERT_PASSWORD' }, { workspaceRoot: ws, projectRoot: root, platform: 'darwin', arch: 'arm64' }, {}, (m) => warnings.push(m), true);
    const mac = memoryLogger();
    await runPlan(buildPackageElectronPlan(onMac).plan, { logger: mac.logger, dryRun: true, handleSignals: false, printSummary: false });
    expect(mac.text()).toContain('targets: macOS dmg, zip (universal)');
    expect(mac.text()).toContain('mac.notarize: false (notarize with sign-macos)');
    expect(mac.text()).toContain('CSC_LINK from <$MAC_CERT_P12 not set>');
    expect(warnings).toHaveLength(2);
  });

  it('refuses a bad appId and keeps a project generated twice', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await expect(electronAppGenerator(tree, { name: 'x', appId: 'nodots', ...skip })).rejects.toMatchObject({ option: 'appId' });
    await electronAppGenerator(tree, { name: 'desk', ...skip });
    await electronAppGenerator(tree, { name: 'desk', ...skip });
    expect(JSON.parse(tree.read('apps/desk/electron-builder.json', 'utf-8')!).appId).toBe('com.example.desk');
  });
});
