import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, join, resolve } from 'path';
import { memoryLogger, runPlan, thrownUserError } from '@shipfleet/core';
import { makeTvApp } from '../../../tools/tv-fixtures';
import {
  aresInstallFailure,
  checkInstallTools,
  connectedSerial,
  installOnOption,
  tizenInstallFailure,
  tizenInstallStep,
  tizenInstallTargets,
  webosInstallStep,
} from './install-on';
import { buildTizenPlan, normalizeTizenOptions } from './tizen-plan';
import { buildWebosPlan, normalizeWebosOptions } from './webos-plan';

const standIns = resolve(__dirname, '../../../tools/stand-ins/bin');

describe('installOn option', () => {
  it('takes one device or a list, keeping each device once', () => {
    expect(installOnOption('192.168.1.20', 'tizen')).toEqual(['192.168.1.20']);
    expect(installOnOption(['192.168.1.20', 'emulator-26101', '192.168.1.20'], 'tizen')).toEqual(['192.168.1.20', 'emulator-26101']);
    expect(installOnOption(undefined, 'webos')).toEqual([]);
  });

  it.each(['-rf', 'living room', 'tv;reboot', '$(id)', ''])('refuses %j, naming installOn', (bad) => {
    const e = thrownUserError(() => installOnOption([bad], 'tizen'));
    expect(e.option).toBe('installOn');
    expect(e.message).toContain(JSON.stringify(bad));
  });

  it('refuses a port out of range and a value that is not a device or list', () => {
    expect(thrownUserError(() => installOnOption('192.168.1.20:70000', 'tizen')).problem).toContain('port 70000');
    expect(thrownUserError(() => installOnOption({ tv: 1 }, 'webos')).problem).toBe('must be a device or a list of devices');
    expect(thrownUserError(() => installOnOption(['-d'], 'webos')).problem).toContain('ares-setup-device');
  });

  it('connects addresses first (sdb\'s default port when none is given) and uses a serial as it is', () => {
    expect(tizenInstallTargets(['192.168.1.20', '10.0.0.5:26102', 'tv.lan:26101', 'emulator-26101', 'UE55KS9005'])).toEqual([
      { device: '192.168.1.20', connect: '192.168.1.20', serial: '192.168.1.20:26101' },
      { device: '10.0.0.5:26102', connect: '10.0.0.5:26102', serial: '10.0.0.5:26102' },
      { device: 'tv.lan:26101', connect: 'tv.lan:26101', serial: 'tv.lan:26101' },
      { device: 'emulator-26101', serial: 'emulator-26101' },
      { device: 'UE55KS9005', serial: 'UE55KS9005' },
    ]);
  });

  it('needs tizen and sdb (or ares-install) on PATH, saying which is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-install-path-'));
    try {
      writeFileSync(join(dir, 'tizen'), '', { mode: 0o755 });
      const e = thrownUserError(() => checkInstallTools('tizen', { PATH: dir }));
      expect(e.message).toContain('Option "installOn": needs the Tizen CLI (tizen) and sdb on PATH; sdb is missing');
      expect(e.fix).toContain('Tizen Studio');
      expect(thrownUserError(() => checkInstallTools('webos', { PATH: dir })).problem).toBe('needs the webOS CLI (ares-install) on PATH');
      expect(() => checkInstallTools('tizen', { PATH: standIns })).not.toThrow();
      expect(() => checkInstallTools('webos', { PATH: standIns })).not.toThrow();
      // A dry run warns instead: it shows the install commands on a machine without the tools.
      const warnings: string[] = [];
      checkInstallTools('tizen', { PATH: dir }, { warn: (m) => warnings.push(m) });
      expect(warnings).toEqual([expect.stringMatching(/^Dry run: Option "installOn": needs the Tizen CLI .* A real run stops here\.$/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading the tools\' output', () => {
  const out = (stdout: string, exitCode = 0) => ({ exitCode, stdout, stderr: '' });

  it('takes the serial sdb connected to, and nothing from a failed connect', () => {
    expect(connectedSerial(out('connecting to 192.168.1.20:26101 ...\nconnected to 192.168.1.20:26101\n'))).toBe('192.168.1.20:26101');
    expect(connectedSerial(out('already connected to 192.168.1.20:26101\n'))).toBe('192.168.1.20:26101');
    expect(connectedSerial(out('connecting to 192.168.1.21:26101 ...\nfailed to connect to 192.168.1.21:26101\n'))).toBeUndefined();
    expect(connectedSerial(out("error: failed to connect to remote target '192.168.1.24'\n", 1))).toBeUndefined();
  });

  it('sees a refused Tizen install even when the CLI exits 0', () => {
    const refused = 'Installing the package...\napp_id[Ab12Cd34Ef.TvApp] install failed[118, -11], reason: Author certificate not match\nspend time for wascmd is [1589]ms\nFailed to install Tizen application.\nTotal time: 00:00:02.104\n';
    expect(tizenInstallFailure(out(refused))).toBe('app_id[Ab12Cd34Ef.TvApp] install failed[118, -11], reason: Author certificate not match / Failed to install Tizen application.');
    expect(tizenInstallFailure(out('app_id[Ab12Cd34Ef.TvApp] install completed\nTizen application is successfully installed.\n'))).toBeUndefined();
    expect(tizenInstallFailure(out('There is no connected target.\n', 1))).toBe('There is no connected target. (exit code 1)');
    expect(tizenInstallFailure(out('Transferring the package...\n'))).toBe('Transferring the package...');
  });

  it('sees a failed ares-install by its ERR! lines or a missing Success', () => {
    expect(aresInstallFailure(out('Installing package a.ipk\nSuccess\n'))).toBeUndefined();
    expect(aresInstallFailure({ exitCode: 1, stdout: 'Installing package a.ipk\n', stderr: 'ares-install ERR! Error: connect ECONNREFUSED 192.168.0.10:9922\n' })).toBe('ares-install ERR! Error: connect ECONNREFUSED 192.168.0.10:9922 (exit code 1)');
    expect(aresInstallFailure(out('Installing package a.ipk\n'))).toBe('Installing package a.ipk');
  });
});

describe('installing through the stand-ins', () => {
  let root: string;
  const saved = { ...process.env };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'shipfleet-install-on-'));
    process.env.PATH = `${standIns}${delimiter}${saved.PATH}`;
    process.env.SHIPFLEET_STANDIN_LOG = join(root, 'calls.jsonl');
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(root, { recursive: true, force: true });
  });
  const calls = () => (existsSync(join(root, 'calls.jsonl')) ? readFileSync(join(root, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tool: string; argv: string[] }) : []);

  function tizenOptions(installOn: string[]) {
    const appDir = makeTvApp(join(root, 'app'));
    return normalizeTizenOptions({ appDir, outputPath: join(root, 'out'), devCertDir: join(root, 'certs'), devCertificates: true, installOn }, root);
  }

  it('installs a signed .wgt on every TV, then fails naming each TV that did not get it, in the tools\' words', async () => {
    process.env.SHIPFLEET_SDB_DEVICES = 'emulator-26101';
    process.env.SHIPFLEET_SDB_UNREACHABLE = '192.168.1.99';
    process.env.SHIPFLEET_TIZEN_INSTALL_FAIL = '192.168.1.21:26101=install failed[118, -11], reason: Author certificate not match';
    const o = tizenOptions(['192.168.1.20', '192.168.1.21', '192.168.1.99', 'emulator-26101']);
    const { logger, text } = memoryLogger();
    const report = await runPlan(buildTizenPlan(o), { logger, handleSignals: false, printSummary: false });

    expect(calls().map((c) => [c.tool, ...c.argv])).toEqual([
      ['sdb', 'connect', '192.168.1.20'],
      ['tizen', 'install', '-n', o.outFile, '-s', '192.168.1.20:26101'],
      ['sdb', 'connect', '192.168.1.21'],
      ['tizen', 'install', '-n', o.outFile, '-s', '192.168.1.21:26101'],
      ['sdb', 'connect', '192.168.1.99'],
      ['tizen', 'install', '-n', o.outFile, '-s', 'emulator-26101'],
    ]);
    expect(report.status).toBe('failed');
    expect(report.outputs.installedOn).toBe('192.168.1.20,emulator-26101');
    expect(report.outputs.installFailedOn).toBe('192.168.1.21,192.168.1.99');
    expect(report.error).toContain('TvApp.wgt installed on 2 of 4 devices (192.168.1.20, emulator-26101)');
    expect(report.error).toContain('192.168.1.21: app_id[Ab12Cd34Ef.TvApp] install failed[118, -11], reason: Author certificate not match / Failed to install Tizen application.');
    expect(report.error).toContain('192.168.1.99: failed to connect to 192.168.1.99:26101');
    expect(text()).toContain('Tizen application is successfully installed.');
    expect(text()).toContain('✔ installed on emulator-26101');
  });

  it('reports the TV refusing an unsigned package, as its installer words it', async () => {
    const app = makeTvApp(join(root, 'app'));
    const wgt = join(root, 'Unsigned.wgt');
    expect(spawnSync('zip', ['-qr', wgt, '.'], { cwd: app }).status).toBe(0);
    const report = await runPlan({ title: 'install', steps: [tizenInstallStep(wgt, ['192.168.1.20'])] }, { logger: memoryLogger().logger, handleSignals: false, printSummary: false });
    expect(report.status).toBe('failed');
    expect(report.error).toContain('192.168.1.20: app_id[Ab12Cd34Ef.TvApp] install failed[118, -12], reason: Check certificate error : :Invalid file reference. An unsinged file was found.:<-5>');
  });

  it('succeeds when every TV got the package', async () => {
    process.env.SHIPFLEET_SDB_DEVICES = 'emulator-26101';
    const o = tizenOptions(['10.0.0.5:26102', 'emulator-26101']);
    const report = await runPlan(buildTizenPlan(o), { logger: memoryLogger().logger, handleSignals: false, printSummary: false });
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('succeeded');
    expect(report.outputs.installedOn).toBe('10.0.0.5:26102,emulator-26101');
    expect(calls().filter((c) => c.tool === 'tizen').map((c) => c.argv.slice(-1)[0])).toEqual(['10.0.0.5:26102', 'emulator-26101']);
  });

  it('shows the commands in a dry run and runs none', async () => {
    const o = tizenOptions(['192.168.1.20', 'emulator-26101']);
    const { logger, text } = memoryLogger();
    const report = await runPlan(buildTizenPlan(o), { logger, dryRun: true, handleSignals: false });
    expect(report.status).toBe('dry-run');
    expect(text()).toContain('Install TvApp.wgt on 192.168.1.20, emulator-26101');
    expect(text()).toContain('$ sdb connect 192.168.1.20');
    expect(text()).toContain(`$ tizen install -n ${o.outFile} -s 192.168.1.20:26101`);
    expect(text()).toContain(`$ tizen install -n ${o.outFile} -s emulator-26101`);
    expect(text()).not.toContain('sdb connect emulator');
    expect(calls()).toEqual([]);
    expect(existsSync(o.outFile)).toBe(false);
  });

  it('refuses installOn before packaging when sdb is missing', () => {
    const onlyTizen = join(root, 'bin');
    mkdirSync(onlyTizen);
    writeFileSync(join(onlyTizen, 'tizen'), '#!/bin/sh\n', { mode: 0o755 });
    const appDir = makeTvApp(join(root, 'app'));
    const e = thrownUserError(() => normalizeTizenOptions({ appDir, outputPath: join(root, 'out'), installOn: '192.168.1.20' }, root, { PATH: onlyTizen }));
    expect(e.option).toBe('installOn');
    expect(e.problem).toContain('sdb is missing');
  });

  it('installs the .ipk on each webOS device with ares-install, then fails naming the one that failed', async () => {
    process.env.SHIPFLEET_ARES_INSTALL_FAIL = 'bedroom';
    const appDir = makeTvApp(join(root, 'app'));
    const o = normalizeWebosOptions({ appDir, outputPath: join(root, 'out'), installOn: ['tv', 'bedroom', 'emulator'] }, root);
    const report = await runPlan(buildWebosPlan(o), { logger: memoryLogger().logger, handleSignals: false, printSummary: false });
    expect(calls().map((c) => [c.tool, ...c.argv])).toEqual([
      ['ares-install', '-d', 'tv', o.outFile],
      ['ares-install', '-d', 'bedroom', o.outFile],
      ['ares-install', '-d', 'emulator', o.outFile],
    ]);
    expect(report.status).toBe('failed');
    expect(report.outputs.installedOn).toBe('tv,emulator');
    expect(report.error).toContain('installed on 2 of 3 devices (tv, emulator); failed on bedroom: ares-install ERR! Error: connect ECONNREFUSED 192.168.0.10:9922 (exit code 1)');
  });

  it('shows ares-install in a webOS dry run', async () => {
    const { logger, text } = memoryLogger();
    await runPlan({ title: 'install', steps: [webosInstallStep('/out/com.example.tvapp_1.0.0_all.ipk', ['tv'])] }, { logger, dryRun: true, handleSignals: false });
    expect(text()).toContain('$ ares-install -d tv /out/com.example.tvapp_1.0.0_all.ipk');
  });
});
