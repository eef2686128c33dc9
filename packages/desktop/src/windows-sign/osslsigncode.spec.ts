// Real signing: osslsigncode signs a real PE with a throw-away CA made by openssl, offline (no timestamp).
import { spawn } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, runCaptured, runPlan, runStep } from '@shipfleet/core';
import { normalizeSignWindowsOptions, SignWindowsOptions, signWindowsPlan } from './index';
import { osslsigncodeVerifyArgs } from './osslsigncode';
import { copyTestExe, makeTestSigner, TestSigner } from './__fixtures__/test-signer';

const PASSWORD = 'pw-Correct-Horse-9f3k';
const fixture = (name: string) => join(__dirname, '__fixtures__', name);
const quiet = { handleSignals: false };

let root: string;
let signer: TestSigner;
let other: TestSigner;
let wrapper: string;
let record: string;
let tmp: string;
let certs: string;

beforeAll(async () => {
  certs = mkdtempSync(join(tmpdir(), 'shipfleet-winsign-certs-'));
  signer = await makeTestSigner(certs, PASSWORD, 'main');
  other = await makeTestSigner(certs, PASSWORD, 'other');
}, 60000);
afterAll(() => rmSync(certs, { recursive: true, force: true }));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shipfleet-winsign-'));
  tmp = join(root, 'tmp');
  mkdirSync(tmp);
  mkdirSync(join(root, 'dist'));
  record = join(root, 'osslsigncode-calls.jsonl');
  // The stand-in in front of osslsigncode records each call's argv and environment.
  wrapper = join(root, 'osslsigncode-recorder');
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${fixture('record-osslsigncode.js')}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  process.env.SIGN_RECORD = record;
  process.env.WIN_P12_PASSWORD = PASSWORD;
  process.env.WIN_P12_BASE64 = signer.p12Base64;
});
afterEach(() => {
  for (const v of ['SIGN_RECORD', 'WIN_P12_PASSWORD', 'WIN_P12_BASE64', 'SIGN_SLOW_MARKER']) delete process.env[v];
  rmSync(root, { recursive: true, force: true });
});

const calls = (): { args: string[]; env: Record<string, string> }[] => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);

async function sign(options: Partial<SignWindowsOptions>) {
  const { logger, text } = memoryLogger();
  const planJson = join(root, 'plan.json');
  const built = signWindowsPlan(normalizeSignWindowsOptions({ osslsigncodePath: wrapper, timestamp: false, ...options }, root, process.env, { tmpDir: tmp, warn: (m) => logger.warn(m) }));
  const report = await runPlan(built.plan, { ...quiet, logger, secrets: built.secrets, planJson });
  return { built, report, output: text() + readFileSync(planJson, 'utf8') + JSON.stringify(report) };
}

async function verify(file: string, caFile: string): Promise<boolean> {
  const r = await runCaptured('osslsigncode', osslsigncodeVerifyArgs(file, caFile));
  return r.exitCode === 0;
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.signing'));
}

describe('sign-windows with osslsigncode', () => {
  it('signs a real PE in place with a .p12 file; the password reaches osslsigncode only through a 0600 -readpass file', async () => {
    const exe = copyTestExe(join(root, 'dist', 'App Setup.exe'));
    chmodSync(exe, 0o755);
    const before = readFileSync(exe);
    expect(await verify(exe, signer.caPem)).toBe(false);

    const { built, report, output } = await sign({ files: ['dist/*.exe'], signingCert: signer.p12, signingPasswordEnv: 'WIN_P12_PASSWORD', caFile: signer.caPem, description: 'Example App', descriptionUrl: 'https://example.com/app' });
    expect(report.status).toBe('succeeded');

    const after = readFileSync(exe);
    expect(after.equals(before)).toBe(false);
    expect(await verify(exe, signer.caPem)).toBe(true);
    expect(statSync(exe).mode & 0o777).toBe(0o755);
    expect(leftovers(join(root, 'dist'))).toEqual([]);

    const [signCall, verifyCall] = calls();
    expect(signCall.args.slice(0, 7)).toEqual(['sign', '-pkcs12', signer.p12, '-readpass', join(built.workDir!, 'p12-password'), '-h', 'sha256']);
    expect(signCall.args).toEqual(expect.arrayContaining(['-n', 'Example App', '-i', 'https://example.com/app', '-in', exe]));
    expect(signCall.args).not.toContain('-ts');
    expect(verifyCall.args).toEqual(['verify', '-in', signCall.args[signCall.args.indexOf('-out') + 1], '-CAfile', signer.caPem]);
    // Neither argv nor environment of osslsigncode, nor any output, plan or report carries the password.
    for (const c of calls()) {
      expect(JSON.stringify(c.args)).not.toContain(PASSWORD);
      expect(Object.values(c.env)).not.toContain(PASSWORD);
    }
    expect(output).not.toContain(PASSWORD);
    expect(output).toContain('-readpass');
    expect(existsSync(built.workDir!)).toBe(false);
  });

  it('signs with the .p12 given as base64 in an env var, decoded into the private folder and removed', async () => {
    const exe = copyTestExe(join(root, 'dist', 'app.exe'));
    const dll = copyTestExe(join(root, 'dist', 'helper.dll'));
    writeFileSync(join(root, 'dist', 'readme.txt'), 'not signed');
    const { built, report, output } = await sign({ files: ['dist/**'], signingCertEnv: 'WIN_P12_BASE64', signingPasswordEnv: 'WIN_P12_PASSWORD', caFile: signer.caPem });
    expect(report.status).toBe('succeeded');
    expect(built.files).toEqual([exe, dll]);
    expect(await verify(exe, signer.caPem)).toBe(true);
    expect(await verify(dll, signer.caPem)).toBe(true);
    expect(calls()[0].args.slice(0, 3)).toEqual(['sign', '-pkcs12', join(built.workDir!, 'certificate.p12')]);
    expect(existsSync(built.workDir!)).toBe(false);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(signer.p12Base64);
    expect(output).not.toContain(signer.p12Base64.slice(0, 64));
  });

  it('fails verification of a signed file with one byte changed', async () => {
    const exe = copyTestExe(join(root, 'dist', 'app.exe'));
    expect((await sign({ files: [exe], signingCert: signer.p12, signingPasswordEnv: 'WIN_P12_PASSWORD', caFile: signer.caPem })).report.status).toBe('succeeded');
    const bytes = readFileSync(exe);
    bytes[5000] ^= 0xff;
    writeFileSync(exe, bytes);
    const { logger, text } = memoryLogger();
    const report = await runPlan({ title: 'verify', steps: [runStep('Verify app.exe', 'osslsigncode', osslsigncodeVerifyArgs(exe, signer.caPem))] }, { ...quiet, logger });
    expect(report.status).toBe('failed');
    expect(text()).toMatch(/MISMATCH/);
  });

  it('keeps the original when the signature does not verify against caFile, and removes the signed copy', async () => {
    const exe = copyTestExe(join(root, 'dist', 'app.exe'));
    const before = readFileSync(exe);
    const { built, report, output } = await sign({ files: [exe], signingCert: signer.p12, signingPasswordEnv: 'WIN_P12_PASSWORD', caFile: other.caPem });
    expect(report.status).toBe('failed');
    expect(report.error).toContain('Verify the signature of the signed copy of app.exe');
    expect(readFileSync(exe).equals(before)).toBe(true);
    expect(leftovers(join(root, 'dist'))).toEqual([]);
    expect(existsSync(built.workDir!)).toBe(false);
    expect(output).not.toContain(PASSWORD);
  });

  it('fails on a wrong password without showing it, and cleans up', async () => {
    const exe = copyTestExe(join(root, 'dist', 'app.exe'));
    const before = readFileSync(exe);
    process.env.WIN_P12_PASSWORD = 'not-the-right-password';
    const { built, report, output } = await sign({ files: [exe], signingCert: signer.p12, signingPasswordEnv: 'WIN_P12_PASSWORD' });
    expect(report.status).toBe('failed');
    expect(report.error).toContain('Sign app.exe');
    expect(output).not.toContain('not-the-right-password');
    expect(readFileSync(exe).equals(before)).toBe(true);
    expect(leftovers(join(root, 'dist'))).toEqual([]);
    expect(existsSync(built.workDir!)).toBe(false);
  });

  it('adds an RFC 3161 timestamp request (-ts) for each server given, and fails when none answers', async () => {
    const exe = copyTestExe(join(root, 'dist', 'app.exe'));
    const before = readFileSync(exe);
    // Port 9 (discard) on loopback: nothing listens, so the run stays offline and fails at the timestamp.
    const { report } = await sign({ files: [exe], signingCert: signer.p12, signingPasswordEnv: 'WIN_P12_PASSWORD', timestamp: true, timestampUrl: ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b'] });
    expect(report.status).toBe('failed');
    const args = calls()[0].args;
    expect(args.filter((_, i) => args[i - 1] === '-ts')).toEqual(['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']);
    expect(readFileSync(exe).equals(before)).toBe(true);
    expect(leftovers(join(root, 'dist'))).toEqual([]);
  });

  it('on SIGINT while signing, removes the key material and the partial copy, and leaves the original', async () => {
    const exe = copyTestExe(join(root, 'dist', 'app.exe'));
    const before = readFileSync(exe);
    const marker = join(root, 'signing.pid');
    const workDirFile = join(root, 'workdir.txt');
    const options = { files: ['dist/app.exe'], signingCertEnv: 'WIN_P12_BASE64', signingPasswordEnv: 'WIN_P12_PASSWORD', osslsigncodePath: wrapper, timestamp: false };
    const child = spawn(process.execPath, ['-r', '@swc-node/register', fixture('run-sign-plan.ts'), root, JSON.stringify(options), workDirFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SIGN_SLOW_MARKER: marker, TMPDIR: tmp },
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    for (let i = 0; i < 400 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(marker)).toBe(true);
    const workDir = readFileSync(workDirFile, 'utf8');
    expect(readdirSync(workDir).sort()).toEqual(['certificate.p12', 'p12-password']);
    expect(statSync(workDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(workDir, 'p12-password')).mode & 0o777).toBe(0o600);
    expect(leftovers(join(root, 'dist'))).toHaveLength(1);
    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    expect([code, signal]).toEqual([null, 'SIGINT']);
    expect(output).toContain('Received SIGINT');
    expect(existsSync(workDir)).toBe(false);
    expect(readFileSync(exe).equals(before)).toBe(true);
    expect(leftovers(join(root, 'dist'))).toEqual([]);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(signer.p12Base64.slice(0, 64));
  }, 30000);

  it('method command with {output}: a signing command that writes a copy (osslsigncode with an HSM engine, here a .p12) is verified, then renamed over the file', async () => {
    const exe = copyTestExe(join(root, 'dist', 'app.exe'));
    // The same key in a .p12 without a password stands in for a key the command's engine holds.
    const open = join(root, 'open.p12');
    const r = await runCaptured('openssl', ['pkcs12', '-in', signer.p12, '-passin', 'env:WIN_P12_PASSWORD', '-nodes', '-out', join(root, 'both.pem')], { env: { WIN_P12_PASSWORD: PASSWORD } });
    expect(r.exitCode).toBe(0);
    expect((await runCaptured('openssl', ['pkcs12', '-export', '-in', join(root, 'both.pem'), '-out', open, '-passout', 'pass:'])).exitCode).toBe(0);
    const { built, report } = await sign({ method: 'command', files: ['dist/app.exe'], command: [wrapper, 'sign', '-pkcs12', open, '-h', 'sha256', '-in', '{file}', '-out', '{output}'], caFile: signer.caPem, osslsigncodePath: undefined });
    expect(report.status).toBe('succeeded');
    expect(built.workDir).toBeUndefined();
    expect(await verify(exe, signer.caPem)).toBe(true);
    expect(leftovers(join(root, 'dist'))).toEqual([]);
    expect(calls()[0].args.slice(-4, -1)).toEqual(['-in', exe, '-out']);
  });

  it('prints a dry run without running anything or showing the password', async () => {
    copyTestExe(join(root, 'dist', 'app.exe'));
    const { logger, text } = memoryLogger();
    const built = signWindowsPlan(normalizeSignWindowsOptions({ files: ['dist/app.exe'], signingCertEnv: 'WIN_P12_BASE64', signingPasswordEnv: 'WIN_P12_PASSWORD', osslsigncodePath: wrapper }, root, process.env, { tmpDir: tmp }));
    const report = await runPlan(built.plan, { ...quiet, logger, secrets: built.secrets, dryRun: true });
    expect(report.status).toBe('dry-run');
    expect(calls()).toEqual([]);
    expect(text()).toContain('-ts http://timestamp.digicert.com');
    expect(text()).toContain('[cleanup (always runs at the end)]');
    expect(text()).not.toContain(PASSWORD);
    expect(text()).not.toContain(signer.p12Base64.slice(0, 64));
  });
});
