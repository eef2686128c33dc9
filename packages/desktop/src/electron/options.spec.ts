import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { Writable } from 'stream';
import { formatPlan, memoryLogger, Redactor, runPlan, thrownUserError, UserError } from '@shipfleet/core';
import { ElectronBuilderApi, loadElectronBuilder } from './builder-module';
import { explainDownloadError } from './download-errors';
import { resolvePackageElectronOptions } from './options';
import { buildPackageElectronPlan, electronBuilderOptions } from './plan';
import { electronTargetsByRunner } from './runners';

let ws: string;
const root = 'apps/desk';
const app = () => join(ws, root);

function write(path: string, content: string | object) {
  const full = join(ws, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

const PKG = { name: 'desk', productName: 'Desk', version: '1.2.3', main: 'main.js', devDependencies: { electron: '45.3.4', 'electron-builder': '26.17.0' } };
const CONFIG = {
  appId: 'com.acme.desk',
  mac: { target: [{ target: 'dmg', arch: ['universal'] }, 'zip'], notarize: true },
  win: { target: ['nsis', 'portable', 'msi'] },
  linux: { target: ['AppImage', 'deb', 'rpm', 'tar.gz'] },
};

beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'electron-opts-'));
  write(`${root}/package.json`, PKG);
  write(`${root}/electron-builder.json`, CONFIG);
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

const resolveOn = (platform: NodeJS.Platform, given: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}, dryRun = false, warnings: string[] = []) =>
  resolvePackageElectronOptions(given, { workspaceRoot: ws, projectRoot: root, platform, arch: 'arm64' }, env, (m) => warnings.push(m), dryRun);

describe('package-electron options', () => {
  it('hands electron-builder every target with its arch, publish never and notarization off', () => {
    const warnings: string[] = [];
    const r = resolveOn('darwin', { platforms: ['mac', 'win', 'linux'], winArch: ['x64', 'arm64'], linuxArch: ['x64'] }, {}, false, warnings);
    const options = electronBuilderOptions(r.options);
    expect(options).toEqual({
      projectDir: app(),
      publish: 'never',
      mac: ['dmg:universal', 'zip:arm64'],
      win: ['nsis:x64', 'nsis:arm64', 'portable:x64', 'portable:arm64', 'msi:x64', 'msi:arm64'],
      linux: ['AppImage:x64', 'deb:x64', 'rpm:x64', 'tar.gz:x64'],
      config: { directories: { output: join(ws, 'dist', root) }, mac: { notarize: false }, npmRebuild: false },
    });
    expect(warnings.join('\n')).toMatch(/mac\.notarize is turned off.*sign-macos/);
    expect(warnings.join('\n')).toMatch(/msi needs Windows tools/);
  });

  it('takes version, build number (GITHUB_RUN_NUMBER), Electron and tool settings from options', () => {
    write('electron/electron-v45.3.4-linux-x64.zip', 'zip');
    write('tools/7za', '#!/bin/sh\n');
    const r = resolveOn('linux', { platforms: ['linux'], version: '2.0.0', linux: ['zip'], linuxArch: ['x64'], electronDist: 'electron', electronVersion: '45.3.4', electronMirror: 'https://mirror.example.com/electron', sevenZipPath: 'tools/7za', cacheDir: '.cache/eb', outputPath: 'out/desk' }, { GITHUB_RUN_NUMBER: '77' });
    const options = electronBuilderOptions(r.options);
    expect(options.linux).toEqual(['zip:x64']);
    expect(options.win).toBeUndefined();
    expect(options.config).toEqual({
      directories: { output: join(ws, 'out/desk') },
      extraMetadata: { version: '2.0.0' },
      buildNumber: '77',
      electronDist: join(ws, 'electron'),
      electronVersion: '45.3.4',
      electronDownload: { mirror: 'https://mirror.example.com/electron/' },
      npmRebuild: false,
    });
    expect(r.options.toolEnv).toEqual({ ELECTRON_BUILDER_7ZIP_PATH: join(ws, 'tools/7za'), ELECTRON_BUILDER_CACHE: join(ws, '.cache/eb') });
  });

  it("leaves electron-builder's npm install/rebuild out only when the app has nothing to install and no node_modules of its own", () => {
    const rebuild = () => (electronBuilderOptions(resolveOn('linux').options).config as Record<string, unknown>).npmRebuild;
    // Only devDependencies, installed at the workspace root: electron-builder would `npm install` into the project folder.
    expect(rebuild()).toBe(false);
    expect(formatPlan(buildPackageElectronPlan(resolveOn('linux')).plan, new Redactor([]))).toContain('dependencies: none to install or rebuild');
    // A production dependency (it may be native): electron-builder's own handling.
    write(`${root}/package.json`, { ...PKG, dependencies: { 'better-sqlite3': '12.0.0' } });
    expect(rebuild()).toBeUndefined();
    // The project's own node_modules: electron-builder rebuilds there as it always does.
    write(`${root}/package.json`, PKG);
    mkdirSync(join(app(), 'node_modules'));
    expect(rebuild()).toBeUndefined();
    // The config decides itself.
    rmSync(join(app(), 'node_modules'), { recursive: true });
    write(`${root}/electron-builder.json`, { ...CONFIG, npmRebuild: true });
    expect(rebuild()).toBeUndefined();
  });

  it('on Linux packages linux and win by default, but leaves win to Windows for msi or when the config signs from the certificate store', () => {
    expect(resolveOn('linux').options.platforms).toEqual(['linux']);
    write(`${root}/electron-builder.json`, { ...CONFIG, win: { target: ['nsis', 'portable'] } });
    expect(resolveOn('linux').options.targets.win).toEqual([{ target: 'nsis', archs: ['arm64'] }, { target: 'portable', archs: ['arm64'] }]);
    expect(resolveOn('linux').options.platforms).toEqual(['win', 'linux']);
    write(`${root}/electron-builder.json`, { ...CONFIG, win: { target: ['nsis'], signtoolOptions: { certificateSubjectName: 'Acme Inc' } } });
    expect(resolveOn('linux').options.platforms).toEqual(['linux']);
    expect(resolveOn('win32').options.platforms).toEqual(['win']);
    expect(resolveOn('darwin').options.platforms).toEqual(['mac']);
  });

  it('reads the config as electron-builder does: package.json "build" first, then electron-builder.yml, or the "config" file', () => {
    write(`${root}/electron-builder.yml`, 'appId: com.acme.yml\nlinux:\n  target: deb\n');
    rmSync(join(app(), 'electron-builder.json'));
    expect(resolveOn('linux', { platforms: ['linux'] }).options.targets.linux).toEqual([{ target: 'deb', archs: ['arm64'] }]);
    write(`${root}/package.json`, { ...PKG, build: { linux: { target: ['rpm'] } } });
    expect(resolveOn('linux', { platforms: ['linux'] }).options.config?.source).toBe('package.json (build)');
    write('configs/eb.json', { linux: { target: 'snap' } });
    const r = resolveOn('linux', { platforms: ['linux'], config: 'configs/eb.json' });
    expect(r.options.targets.linux![0].target).toBe('snap');
    expect((electronBuilderOptions(r.options).config as Record<string, unknown>).extends).toBe(join(ws, 'configs/eb.json'));
  });

  it('names the option of each mistake', () => {
    const option = (given: Record<string, unknown>, platform: NodeJS.Platform = 'linux') => thrownUserError(() => resolveOn(platform, given)).option;
    expect(option({ linux: ['exe'] })).toBe('linux');
    expect(option({ platforms: ['win'], winArch: ['universal'] })).toBe('winArch');
    expect(option({ platforms: ['mac'] })).toBe('platforms');
    expect(option({ platforms: ['ios'] })).toBe('platforms');
    expect(option({ version: 'v1' })).toBe('version');
    expect(option({ electronMirror: 'http://mirror.example.com/' })).toBe('electronMirror');
    expect(option({ signingPasswordEnv: 'MAC_PASS' })).toBe('signingPasswordEnv');
    expect(option({ signingCertEnv: 'MAC_CERT' })).toBe('signingCertEnv');
    expect(option({ outputPath: 'apps' })).toBe('outputPath');
    write('electron/electron', '#!/bin/sh\n');
    expect(thrownUserError(() => resolveOn('linux', { platforms: ['linux', 'win'], electronDist: 'electron' })).message).toMatch(/one Electron build, and this run packages 2 OS\/arch pairs \(linux-arm64, win-arm64\)/);
    write(`${root}/electron-builder.json`, '{ "linux": ');
    expect(option({})).toBe('config');
  });

  it('says how to install electron-builder when the workspace lacks it', () => {
    const err = thrownUserError(() => loadElectronBuilder(ws));
    expect(err.message).toContain('npm i -D -E electron-builder@26.17.0');
  });
});

describe('package-electron plan', () => {
  const CERT = Buffer.from('not a real p12 but long enough to mask').toString('base64');
  const PASSWORD = 'hunter2-but-longer';
  const env = { MAC_CERT: CERT, MAC_PASS: PASSWORD };
  const given = { platforms: ['mac'], signingCertEnv: 'MAC_CERT', signingPasswordEnv: 'MAC_PASS' };

  /** An electron-builder stand-in: records what build() receives and the signing variables it sees, logs through its logger. */
  function fakeBuilder(processEnv: NodeJS.ProcessEnv, logLines: (env: NodeJS.ProcessEnv) => string[], fail?: unknown) {
    const calls: { options: Record<string, unknown>; csc: (string | undefined)[] }[] = [];
    const api: ElectronBuilderApi = {
      log: { stream: new Writable({ write: (_c, _e, done) => done() }) },
      build: async (options) => {
        calls.push({ options, csc: [processEnv.CSC_LINK, processEnv.CSC_KEY_PASSWORD] });
        for (const line of logLines(processEnv)) api.log!.stream!.write(`  • ${line}\n`);
        if (fail) throw fail;
        const out = ((options.config as Record<string, Record<string, string>>).directories.output);
        return [join(out, 'Desk-1.2.3-universal.dmg'), join(out, 'Desk-1.2.3-arm64-mac.zip')];
      },
    };
    return { api, calls };
  }

  it('sets the signing variables only while electron-builder runs, masks them in its log, and outputs the artefacts', async () => {
    const processEnv: NodeJS.ProcessEnv = { CSC_LINK: 'left by someone else' };
    const { api, calls } = fakeBuilder(processEnv, (e) => [`signing with password=${e.CSC_KEY_PASSWORD}`, `link ${e.CSC_LINK}`]);
    const resolved = resolveOn('darwin', given, env);
    const { plan, secrets, result } = buildPackageElectronPlan(resolved, { loadBuilder: () => ({ api, version: '26.17.0', path: 'fake' }), env: processEnv });
    const { logger, text } = memoryLogger();
    const planJson = join(ws, 'plan.json');
    const report = await runPlan(plan, { secrets, logger, planJson, handleSignals: false, stepSummaryFile: join(ws, 'summary.md') });
    expect(report.status).toBe('succeeded');
    expect(calls).toHaveLength(1);
    expect(calls[0].csc).toEqual([CERT, PASSWORD]);
    expect(calls[0].options.mac).toEqual(['dmg:universal', 'zip:arm64']);
    expect(processEnv).toEqual({ CSC_LINK: 'left by someone else' });
    expect(result.artifacts.map((a) => a.split('/').pop())).toEqual(['Desk-1.2.3-universal.dmg', 'Desk-1.2.3-arm64-mac.zip']);
    expect(report.outputs['Desk-1.2.3-universal.dmg']).toBe(join(ws, 'dist', root, 'Desk-1.2.3-universal.dmg'));
    const all = [text(), readFileSync(planJson, 'utf8'), readFileSync(join(ws, 'summary.md'), 'utf8'), JSON.stringify(report)].join('\n');
    expect(text()).toContain('signing with password=***');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(CERT);
  });

  it('dry run: lists targets, archs, output and variable names, without credentials', async () => {
    const warnings: string[] = [];
    const resolved = resolveOn('darwin', given, {}, true, warnings);
    const { plan } = buildPackageElectronPlan(resolved, { loadBuilder: () => { throw new Error('not loaded in a dry run'); } });
    const { logger, text } = memoryLogger();
    await runPlan(plan, { logger, dryRun: true, handleSignals: false, printSummary: false });
    expect(text()).toContain('targets: macOS dmg (universal), zip (arm64)');
    expect(text()).toContain(`output: dist/${root}; version 1.2.3; publish: never; mac.notarize: false (notarize with sign-macos)`);
    expect(text()).toContain('CSC_LINK from <$MAC_CERT not set>, CSC_KEY_PASSWORD from <$MAC_PASS not set>');
    expect(warnings.filter((w) => w.startsWith('Dry run without a credential'))).toHaveLength(2);
    expect(thrownUserError(() => resolveOn('darwin', given, {}, false)).option).toBe('signingCertEnv');

    const withSecrets = resolveOn('darwin', given, env, true);
    const dry = memoryLogger();
    await runPlan(buildPackageElectronPlan(withSecrets).plan, { secrets: withSecrets.secrets, logger: dry.logger, dryRun: true, handleSignals: false });
    expect(dry.text()).toContain('CSC_LINK from $MAC_CERT, CSC_KEY_PASSWORD from $MAC_PASS');
    expect(dry.text()).not.toContain(PASSWORD);
  });

  it('turns a failed download into an error naming the option to set', async () => {
    const requestError = Object.assign(new Error('getaddrinfo ENOTFOUND github.com'), { code: 'ENOTFOUND', options: { url: new URL('https://github.com/electron/electron/releases/download/v45.3.4/electron-v45.3.4-darwin-universal.zip') } });
    const { api } = fakeBuilder({}, () => [], requestError);
    const { plan, secrets } = buildPackageElectronPlan(resolveOn('darwin', given, env), { loadBuilder: () => ({ api, version: '26.17.0', path: 'fake' }), env: {} });
    const report = await runPlan(plan, { secrets, logger: memoryLogger().logger, handleSignals: false, printSummary: false });
    expect(report.status).toBe('failed');
    expect(report.error).toContain('Option "electronDist": electron-builder could not download Electron (electron-v45.3.4-darwin-universal.zip from github.com: ENOTFOUND github.com)');
  });
});

describe('explainDownloadError', () => {
  it('names sevenZipPath for 7-Zip, binariesMirror for other tools, nothing for other failures', () => {
    const tool = (file: string) => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', options: { url: `https://github.com/electron-userland/electron-builder-binaries/releases/download/x/${file}` } });
    expect(explainDownloadError(tool('7zip-linux-x64.tar.gz'))?.option).toBe('sevenZipPath');
    expect(explainDownloadError(tool('appimage-tools-runtime-20251108.tar.gz'))?.option).toBe('binariesMirror');
    // builder-util's NestedError keeps only the inner stacks in its message.
    const nested = new Error('Cannot cleanup: \n\nError #1 ----\nRequestError: getaddrinfo ENOTFOUND github.com\n    at ClientRequest');
    expect(explainDownloadError(nested)?.message).toMatch(/could not download a file it needs \(ENOTFOUND github.com\).*"sevenZipPath"/);
    expect(explainDownloadError(new Error('Cannot find module main.js'))).toBeUndefined();
    expect(explainDownloadError(new UserError('x', 'y', 'z'))).toBeUndefined();
  });
});

describe('electronTargetsByRunner', () => {
  it('puts mac on macos, linux on linux, win on linux or windows by its targets and signing', () => {
    expect(electronTargetsByRunner(app())).toEqual({
      macos: { platforms: ['mac'], targets: { mac: ['dmg', 'zip'] }, reason: expect.stringContaining('macOS') },
      windows: { platforms: ['win'], targets: { win: ['nsis', 'portable', 'msi'] }, reason: 'msi is built with Windows tools' },
      linux: { platforms: ['linux'], targets: { linux: ['AppImage', 'deb', 'rpm', 'tar.gz'] }, reason: expect.any(String) },
    });
    write(`${root}/electron-builder.json`, { win: { target: 'portable' } });
    expect(electronTargetsByRunner(app())).toEqual({ linux: { platforms: ['win'], targets: { win: ['portable'] }, reason: expect.stringContaining('built on Linux') } });
    write(`${root}/electron-builder.json`, { win: { azureSignOptions: { endpoint: 'https://weu.codesigning.azure.net' } } });
    expect(Object.keys(electronTargetsByRunner(app()))).toEqual(['windows']);
    write(`${root}/package.json`, { name: 'not-electron', version: '1.0.0' });
    expect(electronTargetsByRunner(app())).toEqual({});
  });
});
