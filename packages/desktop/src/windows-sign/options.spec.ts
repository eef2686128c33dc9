import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { thrownUserError } from '@shipfleet/core';
import { normalizeSignWindowsOptions, SignWindowsContext, SignWindowsOptions } from './options';
import { expandFilePattern, globToRegExp } from '../file-globs';

const PASSWORD = 'pw-Options-Test-77';
// DER starts with a SEQUENCE (0x30); enough for the options check, never signed with.
const FAKE_P12 = Buffer.concat([Buffer.from([0x30, 0x82, 0x0a, 0x00]), Buffer.alloc(60, 7)]);

let root: string;
let env: NodeJS.ProcessEnv;
let warnings: string[];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shipfleet-winsign-opts-'));
  mkdirSync(join(root, 'dist', 'win-unpacked', 'resources'), { recursive: true });
  for (const f of ['dist/App Setup 1.0.0.exe', 'dist/App.msi', 'dist/latest.yml', 'dist/win-unpacked/App.exe', 'dist/win-unpacked/ffmpeg.dll', 'dist/win-unpacked/resources/addon.node']) writeFileSync(join(root, f), 'MZ');
  writeFileSync(join(root, 'signer.p12'), FAKE_P12);
  writeFileSync(join(root, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
  env = { PATH: process.env.PATH, WIN_P12_PASSWORD: PASSWORD, WIN_P12_BASE64: FAKE_P12.toString('base64'), SM_API_KEY: 'sm-api-key-0123456789' };
  warnings = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const read = (o: Partial<SignWindowsOptions>, context: SignWindowsContext = {}) => normalizeSignWindowsOptions(o, root, env, { warn: (m) => warnings.push(m), ...context });
const base = { files: ['dist/*.exe'], signingCert: 'signer.p12', signingPasswordEnv: 'WIN_P12_PASSWORD' };
const optionOf = (o: Partial<SignWindowsOptions>, context?: SignWindowsContext) => {
  const e = thrownUserError(() => read(o, context));
  expect(e.message).not.toContain(PASSWORD);
  return [e.option, e.message] as const;
};

describe('sign-windows options', () => {
  it('reads the defaults: osslsigncode, SHA-256 with a DigiCert RFC 3161 timestamp, verify on', () => {
    const o = read(base);
    expect(o).toMatchObject({ method: 'osslsigncode', files: [join(root, 'dist/App Setup 1.0.0.exe')], timestampUrls: ['http://timestamp.digicert.com/'], verifier: 'osslsigncode', osslsigncodePath: 'osslsigncode', timeoutMs: 300000 });
    expect(o.p12).toEqual({ path: join(root, 'signer.p12'), label: join(root, 'signer.p12') });
    expect(o.password).toBe(PASSWORD);
    expect(o.secrets).toContain(PASSWORD);
  });

  it('expands globs to the files osslsigncode signs, skipping others a broad glob picks up', () => {
    const o = read({ ...base, files: ['dist/**/*', 'dist/App.msi'] });
    expect(o.files).toEqual(['dist/App Setup 1.0.0.exe', 'dist/App.msi', 'dist/win-unpacked/App.exe', 'dist/win-unpacked/ffmpeg.dll', 'dist/win-unpacked/resources/addon.node'].map((f) => join(root, f)));
    expect(read({ ...base, files: ['dist/win-unpacked/*.{exe,dll}'] }).files).toEqual([join(root, 'dist/win-unpacked/App.exe'), join(root, 'dist/win-unpacked/ffmpeg.dll')]);
  });

  it('refuses files that match nothing, or that osslsigncode cannot sign', () => {
    expect(optionOf({ ...base, files: ['dist/*.appx'] })).toEqual(['files', expect.stringContaining('"dist/*.appx" matches no file')]);
    expect(optionOf({ ...base, files: ['dist/missing.exe'] })).toEqual(['files', expect.stringContaining('is not a file')]);
    expect(optionOf({ ...base, files: ['dist/latest.yml'] })).toEqual(['files', expect.stringContaining('osslsigncode cannot sign latest.yml')]);
    expect(optionOf({ ...base, files: ['dist/*.yml'] })).toEqual(['files', expect.stringContaining('no file osslsigncode can sign')]);
    expect(optionOf({ ...base, files: [] })[0]).toBe('files');
    expect(optionOf({ ...base, files: 'dist/a.exe' as unknown as string[] })[0]).toBe('files');
  });

  it('in a dry run shows files not built yet and credentials not set as placeholders, with warnings', () => {
    const o = read({ files: ['dist/later/*.exe'], signingCertEnv: 'UNSET_P12', signingPasswordEnv: 'UNSET_PASSWORD' }, { dryRun: true });
    expect(o.files).toEqual([join(root, 'dist/later/*.exe')]);
    expect(o.p12).toEqual({ label: '<$UNSET_P12 not set>' });
    expect(o.password).toBe('<$UNSET_PASSWORD not set>');
    expect(warnings).toHaveLength(3);
    expect(optionOf({ files: ['dist/*.exe'], signingCertEnv: 'UNSET_P12' })).toEqual(['signingCertEnv', expect.stringContaining('UNSET_P12 is not set')]);
  });

  it('checks the certificate options', () => {
    expect(optionOf({ files: ['dist/*.exe'] })[0]).toBe('signingCert');
    expect(optionOf({ ...base, signingCertEnv: 'WIN_P12_BASE64' })).toEqual(['signingCert', expect.stringContaining('both')]);
    expect(optionOf({ ...base, signingCert: 'nope.p12' })[0]).toBe('signingCert');
    writeFileSync(join(root, 'not.p12'), 'just some text, not DER');
    expect(optionOf({ ...base, signingCert: 'not.p12' })).toEqual(['signingCert', expect.stringContaining('is not a PKCS#12')]);
    env.NOT_BASE64 = 'this is *not* base64!';
    expect(optionOf({ ...base, signingCert: undefined, signingCertEnv: 'NOT_BASE64' })).toEqual(['signingCertEnv', expect.stringContaining('is not base64')]);
    env.SHORT = 'short';
    expect(optionOf({ ...base, signingPasswordEnv: 'SHORT' })).toEqual(['signingPasswordEnv', expect.stringContaining('fewer than 8 characters')]);
    expect(optionOf({ ...base, signingPasswordEnv: 'not a name' })[0]).toBe('signingPasswordEnv');
    expect(optionOf({ ...base, signingPasswordEnv: 'UNSET' })).toEqual(['signingPasswordEnv', expect.stringContaining('UNSET is not set')]);
    expect(optionOf({ ...base, certificateSha1: 'ab'.repeat(20) })[0]).toBe('certificateSha1');
  });

  it('reads the old option names with a warning', () => {
    const o = read({ files: ['dist/*.exe'], certificateEnv: 'WIN_P12_BASE64', certificatePasswordEnv: 'WIN_P12_PASSWORD' } as Partial<SignWindowsOptions>);
    expect(o.p12?.bytes?.equals(FAKE_P12)).toBe(true);
    expect(warnings.join('\n')).toContain('"certificateEnv" is deprecated: write "signingCertEnv"');
  });

  it('checks timestamp, description and verification options', () => {
    expect(read({ ...base, timestamp: false }).timestampUrls).toEqual([]);
    expect(read({ ...base, timestampUrl: ['http://ts.example.com', 'https://ts2.example.com/rfc3161'] }).timestampUrls).toEqual(['http://ts.example.com/', 'https://ts2.example.com/rfc3161']);
    expect(optionOf({ ...base, timestampUrl: 'ftp://ts.example.com' })[0]).toBe('timestampUrl');
    expect(optionOf({ ...base, timestampUrl: 'http://user:pw@ts.example.com' })[0]).toBe('timestampUrl');
    expect(optionOf({ ...base, timestamp: false, timestampUrl: 'http://ts.example.com' })[0]).toBe('timestampUrl');
    expect(optionOf({ ...base, timestampUrl: [] })[0]).toBe('timestampUrl');
    expect(optionOf({ ...base, descriptionUrl: 'http://example.com' })[0]).toBe('descriptionUrl');
    expect(optionOf({ ...base, description: '  ' })[0]).toBe('description');
    expect(read({ ...base, caFile: 'ca.pem' }).caFile).toBe(join(root, 'ca.pem'));
    expect(optionOf({ ...base, caFile: 'missing.pem' })[0]).toBe('caFile');
    expect(optionOf({ ...base, verify: false, caFile: 'ca.pem' })[0]).toBe('caFile');
    expect(read({ ...base, verify: false }).verifier).toBeUndefined();
    expect(optionOf({ ...base, timeout: 'soon' })[0]).toBe('timeout');
    expect(optionOf({ ...base, method: 'jsign' as 'command' })[0]).toBe('method');
  });

  it('signtool: a store thumbprint or a .p12 (warning that /p puts the password on the command line)', () => {
    const store = read({ method: 'signtool', files: ['dist/*.exe'], certificateSha1: 'AB'.repeat(20), certificateStore: 'My', machineStore: true });
    expect(store).toMatchObject({ method: 'signtool', certificateSha1: 'AB'.repeat(20), certificateStore: 'My', machineStore: true, verifier: 'signtool', p12: undefined });
    expect(warnings).toEqual([]);
    read({ ...base, method: 'signtool' });
    expect(warnings.join('\n')).toContain('/p');
    expect(warnings.join('\n')).not.toContain(PASSWORD);
    // signtool signs what its SIPs know; no extension filter.
    expect(read({ method: 'signtool', files: ['dist/latest.yml'], certificateSha1: 'AB'.repeat(20) }).files).toEqual([join(root, 'dist/latest.yml')]);
    expect(optionOf({ method: 'signtool', files: ['dist/*.exe'], certificateSha1: 'AB CD' })[0]).toBe('certificateSha1');
    expect(optionOf({ method: 'signtool', files: ['dist/*.exe'], certificateSha1: 'AB'.repeat(20), signingCert: 'signer.p12' })[0]).toBe('certificateSha1');
    expect(optionOf({ method: 'signtool', files: ['dist/*.exe'], certificateStore: 'My' })[0]).toBe('certificateStore');
    expect(optionOf({ ...base, method: 'signtool', timestampUrl: ['http://a.example', 'http://b.example'] })[0]).toBe('timestampUrl');
    expect(optionOf({ ...base, method: 'signtool', caFile: 'ca.pem' })[0]).toBe('caFile');
  });

  it('command: needs {file}, takes secretEnv, and no certificate or timestamp options', () => {
    const o = read({ method: 'command', files: ['dist/*.exe'], command: ['smctl', 'sign', '--keypair-alias', 'key_1', '--input', '{file}'], secretEnv: ['SM_API_KEY'] }, { platform: 'linux' });
    expect(o).toMatchObject({ method: 'command', secretEnv: ['SM_API_KEY'], verifier: 'osslsigncode', timestampUrls: [] });
    expect(o.secrets).toContain('sm-api-key-0123456789');
    expect(read({ method: 'command', files: ['dist/*.exe'], command: ['x', '{file}'] }, { platform: 'win32' }).verifier).toBe('signtool');
    expect(optionOf({ method: 'command', files: ['dist/*.exe'] })[0]).toBe('command');
    expect(optionOf({ method: 'command', files: ['dist/*.exe'], command: ['smctl', 'sign'] })).toEqual(['command', expect.stringContaining('has no {file}')]);
    expect(optionOf({ method: 'command', files: ['dist/*.exe'], command: ['x', '{file}'], secretEnv: ['UNSET_KEY'] })[0]).toBe('secretEnv');
    expect(optionOf({ method: 'command', files: ['dist/*.exe'], command: ['x', '{file}'], signingCert: 'signer.p12' })[0]).toBe('signingCert');
    expect(optionOf({ method: 'command', files: ['dist/*.exe'], command: ['x', '{file}'], timestampUrl: 'http://ts.example.com' })[0]).toBe('timestampUrl');
    expect(optionOf({ ...base, command: ['x', '{file}'] })[0]).toBe('command');
    expect(optionOf({ ...base, secretEnv: ['SM_API_KEY'] })[0]).toBe('secretEnv');
  });
});

describe('file globs', () => {
  it('matches *, ?, ** and {a,b} on path segments', () => {
    expect(globToRegExp('*.exe').test('a.exe')).toBe(true);
    expect(globToRegExp('*.exe').test('x/a.exe')).toBe(false);
    expect(globToRegExp('**/*.exe').test('a.exe')).toBe(true);
    expect(globToRegExp('**/*.exe').test('x/y/a.exe')).toBe(true);
    expect(globToRegExp('a?.{dll,node}').test('ab.node')).toBe(true);
    expect(globToRegExp('a?.{dll,node}').test('ab.exe')).toBe(false);
    expect(globToRegExp('App (x64).exe').test('App (x64).exe')).toBe(true);
  });

  it('walks only below the folder before the first wildcard', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-glob-'));
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    for (const f of ['a/1.exe', 'a/b/2.exe', 'a/b/3.dll']) writeFileSync(join(dir, f), '');
    copyFileSync(join(dir, 'a/1.exe'), join(dir, 'top.exe'));
    expect(expandFilePattern(join(dir, 'a/**/*.exe'))).toEqual([join(dir, 'a/1.exe'), join(dir, 'a/b/2.exe')]);
    expect(expandFilePattern(join(dir, 'a/b/3.dll'))).toEqual([join(dir, 'a/b/3.dll')]);
    expect(expandFilePattern(join(dir, 'nowhere/*.exe'))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
