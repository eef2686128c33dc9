import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { delimiter, join, resolve } from 'path';
import { makeTvApp } from '../../../../../tools/tv-fixtures';
import packageTizen from './executor';
import packageWebos from '../package-webos/executor';
import { executorContext } from '../__fixtures__/executor-context';

const standIns = resolve(__dirname, '../../../../../tools/stand-ins/bin');

const context = (root: string) => executorContext(root, 'tv');

describe('package-tizen / package-webos with installOn, through the stand-ins', () => {
  let root: string;
  let out: string;
  const saved = { ...process.env };
  beforeEach(() => {
    out = '';
    root = mkdtempSync(join(tmpdir(), 'shipfleet-exec-install-'));
    makeTvApp(join(root, 'dist/apps/tv'));
    jest.spyOn(process.stdout, 'write').mockImplementation((c) => { out += String(c); return true; });
    jest.spyOn(process.stderr, 'write').mockImplementation((c) => { out += String(c); return true; });
    process.env.PATH = `${standIns}${delimiter}${saved.PATH}`;
    process.env.SHIPFLEET_STANDIN_LOG = join(root, 'calls.jsonl');
    delete process.env.GITHUB_STEP_SUMMARY;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    rmSync(root, { recursive: true, force: true });
  });
  const calls = () => (existsSync(join(root, 'calls.jsonl')) ? readFileSync(join(root, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tool: string; argv: string[] }) : []);

  it('packages, signs, then installs on each TV and fails listing the one that refused it', async () => {
    process.env.SHIPFLEET_SDB_DEVICES = 'emulator-26101';
    process.env.SHIPFLEET_TIZEN_INSTALL_FAIL = '192.168.1.21:26101=install failed[118, -12], reason: Check certificate error : :Invalid certificate chain with certificate in signature.:<-3>';
    const result = await packageTizen({ appDir: 'dist/apps/tv', devCertificates: true, installOn: ['192.168.1.20', '192.168.1.21', 'emulator-26101'] } as never, context(root));
    const wgt = join(root, 'dist/shipfleet/tv/TvApp.wgt');
    expect(result.success).toBe(false);
    expect(result.outputs?.installedOn).toBe('192.168.1.20,emulator-26101');
    expect(calls().map((c) => [c.tool, ...c.argv])).toEqual([
      ['sdb', 'connect', '192.168.1.20'],
      ['tizen', 'install', '-n', wgt, '-s', '192.168.1.20:26101'],
      ['sdb', 'connect', '192.168.1.21'],
      ['tizen', 'install', '-n', wgt, '-s', '192.168.1.21:26101'],
      ['tizen', 'install', '-n', wgt, '-s', 'emulator-26101'],
    ]);
    expect(out).toContain('failed on 192.168.1.21: app_id[Ab12Cd34Ef.TvApp] install failed[118, -12], reason: Check certificate error : :Invalid certificate chain with certificate in signature.:<-3> / Failed to install Tizen application.');
  });

  it('refuses a bad device name before packaging, naming installOn', async () => {
    const result = await packageTizen({ appDir: 'dist/apps/tv', devCertificates: true, installOn: '--help' } as never, context(root));
    expect(result.success).toBe(false);
    expect(out).toContain('✖ Option "installOn": "--help" is not');
    expect(existsSync(join(root, 'dist/shipfleet/tv/TvApp.wgt'))).toBe(false);
    expect(calls()).toEqual([]);
  });

  it('dry-runs package-webos with installOn: the ares-install commands are shown, nothing runs', async () => {
    const result = await packageWebos({ appDir: 'dist/apps/tv', installOn: ['tv', 'bedroom'], dryRun: true }, context(root));
    expect(result.success).toBe(true);
    const ipk = join(root, 'dist/shipfleet/tv/com.example.tvapp_1.0.0_all.ipk');
    expect(out).toContain(`$ ares-install -d tv ${ipk}`);
    expect(out).toContain(`$ ares-install -d bedroom ${ipk}`);
    expect(calls()).toEqual([]);
  });

  it('installs the .ipk with ares-install', async () => {
    const result = await packageWebos({ appDir: 'dist/apps/tv', installOn: 'tv' }, context(root));
    expect(result.success).toBe(true);
    expect(result.outputs?.installedOn).toBe('tv');
    expect(calls().map((c) => c.argv)).toEqual([['-d', 'tv', join(root, 'dist/shipfleet/tv/com.example.tvapp_1.0.0_all.ipk')]]);
  });
});
