// signtool and cloud-signing commands cannot run here: their plans are checked as argv, against
// Microsoft's documented SignTool usage and each vendor's documented command.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, RunStep, runPlan } from '@shipfleet/core';
import { normalizeSignWindowsOptions, SignWindowsContext, SignWindowsOptions } from './options';
import { signWindowsPlan } from './plan';

const PASSWORD = 'pw-Signtool-Test-42';
const FAKE_P12 = Buffer.concat([Buffer.from([0x30, 0x82, 0x0a, 0x00]), Buffer.alloc(60, 7)]);
const THUMBPRINT = '0123456789abcdef0123456789abcdef01234567';

let root: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shipfleet-winsign-plan-'));
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'dist', 'App Setup.exe'), 'MZ');
  writeFileSync(join(root, 'signer.p12'), FAKE_P12);
  env = { WIN_P12_PASSWORD: PASSWORD, WIN_P12_BASE64: FAKE_P12.toString('base64'), AZURE_CLIENT_SECRET: 'azure-client-secret-123' };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const planOf = (o: Partial<SignWindowsOptions>, context: SignWindowsContext = {}) => signWindowsPlan(normalizeSignWindowsOptions(o, root, env, { warn: () => undefined, tmpDir: join(root, 'tmp'), ...context }));
const runs = (steps: { kind: string }[]) => steps.filter((s): s is RunStep => s.kind === 'run').map((s) => [s.file, ...s.args]);
const exe = () => join(root, 'dist', 'App Setup.exe');

describe('sign-windows plans', () => {
  it('signtool with a store certificate: sign /sha1 … /fd SHA256 /tr … /td SHA256, then verify /pa', () => {
    const { plan, workDir } = planOf({ method: 'signtool', files: ['dist/*.exe'], certificateSha1: THUMBPRINT, certificateStore: 'My', machineStore: true, description: 'Example App', descriptionUrl: 'https://example.com' });
    expect(workDir).toBeUndefined();
    expect(runs(plan.steps)).toEqual([
      ['signtool', 'sign', '/sha1', THUMBPRINT, '/s', 'My', '/sm', '/fd', 'SHA256', '/tr', 'http://timestamp.digicert.com/', '/td', 'SHA256', '/d', 'Example App', '/du', 'https://example.com/', exe()],
      ['signtool', 'verify', '/pa', '/v', exe()],
    ]);
  });

  it('signtool with a .p12 from an env var: decoded into a private folder, /f <pfx> /p <password>, masked in the plan', async () => {
    const built = planOf({ method: 'signtool', files: ['dist/App Setup.exe'], signingCertEnv: 'WIN_P12_BASE64', signingPasswordEnv: 'WIN_P12_PASSWORD', timestamp: false, signtoolPath: 'C:\\Program Files (x86)\\Windows Kits\\10\\bin\\10.0.22621.0\\x64\\signtool.exe' });
    const p12 = join(built.workDir!, 'certificate.p12');
    expect(runs(built.plan.steps)[0].slice(1)).toEqual(['sign', '/f', p12, '/p', PASSWORD, '/fd', 'SHA256', exe()]);
    expect(built.plan.steps.map((s) => s.kind)).toEqual(['cleanup', 'task', 'write', 'run', 'run']);
    const { logger, text } = memoryLogger();
    const planJson = join(root, 'plan.json');
    await runPlan(built.plan, { dryRun: true, handleSignals: false, logger, secrets: built.secrets, planJson });
    const shown = text() + readFileSync(planJson, 'utf8');
    expect(shown).toContain("/p '***'");
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(FAKE_P12.toString('base64'));
  });

  it('command: DigiCert KeyLocker smctl, once per file, with its credentials passed by name', () => {
    writeFileSync(join(root, 'dist', 'b.msi'), '');
    const { plan } = planOf({ method: 'command', files: ['dist/*'], command: ['smctl', 'sign', '--keypair-alias', 'key_1', '--input', '{file}'], secretEnv: ['AZURE_CLIENT_SECRET'] }, { platform: 'linux' });
    expect(runs(plan.steps)).toEqual([
      ['smctl', 'sign', '--keypair-alias', 'key_1', '--input', exe()],
      ['osslsigncode', 'verify', '-in', exe()],
      ['smctl', 'sign', '--keypair-alias', 'key_1', '--input', join(root, 'dist', 'b.msi')],
      ['osslsigncode', 'verify', '-in', join(root, 'dist', 'b.msi')],
    ]);
    expect((plan.steps[0] as RunStep).secretEnv).toEqual(['AZURE_CLIENT_SECRET']);
    expect((plan.steps[1] as RunStep).secretEnv).toBeUndefined();
  });

  it('command: Azure Trusted Signing through signtool /dlib, {file} also inside an argument, verified by signtool on Windows', () => {
    const command = ['signtool', 'sign', '/v', '/fd', 'SHA256', '/tr', 'http://timestamp.acs.microsoft.com', '/td', 'SHA256', '/dlib', 'C:\\TrustedSigning\\Azure.CodeSigning.Dlib.dll', '/dmdf', 'C:\\ci\\metadata.json', '{file}'];
    const { plan } = planOf({ method: 'command', files: ['dist/*.exe'], command, secretEnv: ['AZURE_CLIENT_SECRET'] }, { platform: 'win32' });
    expect(runs(plan.steps)).toEqual([[...command.slice(0, -1), exe()], ['signtool', 'verify', '/pa', '/v', exe()]]);
    const inside = planOf({ method: 'command', files: ['dist/*.exe'], command: ['tool', '--input={file}', '--output={file}'], verify: false });
    expect(runs(inside.plan.steps)).toEqual([['tool', `--input=${exe()}`, `--output=${exe()}`]]);
  });

  it('osslsigncode: the signed copy is verified before it replaces the file, and both cleanups come before the writes', () => {
    const { plan, workDir } = planOf({ files: ['dist/*.exe'], signingCert: 'signer.p12', signingPasswordEnv: 'WIN_P12_PASSWORD', timestamp: false });
    expect(plan.steps.map((s) => `${s.kind}: ${s.title}`)).toEqual([
      `cleanup: Remove ${workDir}`,
      'task: Create a private folder for the signing key',
      'write: Write the .p12 password for osslsigncode -readpass',
      expect.stringMatching(/^cleanup: Remove .*\.App Setup\.exe\.[0-9a-f]{8}\.signing if left$/),
      'run: Sign App Setup.exe',
      'run: Verify the signature of the signed copy of App Setup.exe',
      'task: Replace App Setup.exe with its signed copy',
    ]);
    expect(plan.outputs).toEqual({ signedFiles: exe() });
  });

  it('osslsigncode without a password: no -readpass and no private folder', () => {
    const { plan, workDir } = planOf({ files: ['dist/*.exe'], signingCert: 'signer.p12', timestamp: false, verify: false });
    expect(workDir).toBeUndefined();
    const [sign] = runs(plan.steps);
    expect(sign.slice(0, 6)).toEqual(['osslsigncode', 'sign', '-pkcs12', join(root, 'signer.p12'), '-h', 'sha256']);
  });
});
