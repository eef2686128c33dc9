import { execFileSync } from 'child_process';
import { existsSync, readFileSync, statSync } from 'fs';
import { delimiter, dirname, join } from 'path';
import { memoryLogger, runPlan, taskStep } from '@shipfleet/core';
import { Keystore, makeFlutterProject, makeKeystore, readCalls, STAND_IN_BIN, tempDir, zipEntries } from '../__fixtures__/android-build';
import { AndroidBuildOptions, buildAndroidBuildPlan, resolveAndroidBuild } from './index';

const STORE_PW = 'Flutter-Store-7v!Qp';
const KEY_PW = 'Flutter-Key-4n#Wd';
const ENV_NAMES = ['PATH', 'UPLOAD_KEYSTORE_BASE64', 'UPLOAD_STORE_PASSWORD', 'UPLOAD_KEY_PASSWORD', 'SHIPFLEET_STANDIN_LOG', 'SHIPFLEET_FLUTTER_DEBUG_KEY_DIR', 'SHIPFLEET_FLUTTER_FAIL', 'SHIPFLEET_STANDIN_ECHO_ENV', 'ANDROID_KEYSTORE_BASE64'];
const saved = Object.fromEntries(ENV_NAMES.map((n) => [n, process.env[n]]));

let ws: string;
let cleanup: () => void;
let upload: Keystore;
let log: string;
let projects = 0;

beforeAll(() => {
  ({ dir: ws, cleanup } = tempDir('shipfleet-android-flutter-'));
  upload = makeKeystore(ws, { storePassword: STORE_PW, keyPassword: KEY_PW, cn: 'Flutter Upload' });
  process.env.PATH = `${STAND_IN_BIN}${delimiter}${saved.PATH}`;
  process.env.SHIPFLEET_FLUTTER_DEBUG_KEY_DIR = join(ws, 'flutter-debug-key');
});
afterAll(() => {
  cleanup();
  for (const [n, v] of Object.entries(saved)) if (v === undefined) delete process.env[n]; else process.env[n] = v;
});
beforeEach(() => {
  log = join(ws, `calls-${++projects}.jsonl`);
  // flutter and the signing tools are started by the runner, which passes them its own environment.
  Object.assign(process.env, { UPLOAD_KEYSTORE_BASE64: upload.base64, UPLOAD_STORE_PASSWORD: STORE_PW, UPLOAD_KEY_PASSWORD: KEY_PW, SHIPFLEET_STANDIN_LOG: log });
  delete process.env.SHIPFLEET_FLUTTER_FAIL;
  delete process.env.ANDROID_KEYSTORE_BASE64;
  delete process.env.SHIPFLEET_STANDIN_ECHO_ENV;
});

const fromEnv: AndroidBuildOptions = { keystoreEnv: 'UPLOAD_KEYSTORE_BASE64', keystorePasswordEnv: 'UPLOAD_STORE_PASSWORD', keyPasswordEnv: 'UPLOAD_KEY_PASSWORD', keyAlias: 'upload' };
const SECRETS = () => [STORE_PW, KEY_PW, upload.base64, upload.base64.slice(0, 64)];

async function build(given: AndroidBuildOptions, o: { dryRun?: boolean; probe?: boolean } = {}) {
  const rel = `apps/flutter${projects}`;
  makeFlutterProject(join(ws, rel));
  const warnings: string[] = [];
  const r = resolveAndroidBuild({ versionCode: 42, ...given }, { projectRoot: rel, workspaceRoot: ws, env: process.env, warn: (m) => warnings.push(m) });
  const { plan, secrets, result } = buildAndroidBuildPlan(r);
  const decode = plan.steps.find((s) => s.title === 'Decode the upload keystore');
  const keystore = decode && /into (\S+upload\.keystore)/.exec(decode.kind === 'task' ? decode.description : '')![1];
  const seen: { mode?: number } = {};
  if (o.probe && keystore) plan.steps.splice(plan.steps.indexOf(decode!) + 1, 0, taskStep('probe', 'test probe', () => { seen.mode = statSync(keystore).mode & 0o777; }));
  const { logger, text } = memoryLogger();
  const planJson = join(ws, `plan-${projects}.json`);
  const report = await runPlan(plan, { logger, secrets, handleSignals: false, planJson, dryRun: o.dryRun });
  const everything = [text(), readFileSync(planJson, 'utf8'), JSON.stringify(report), warnings.join('\n')].join('\n');
  return { root: join(ws, rel), plan, report, result, text: text(), everything, warnings, keystore, seen, calls: readCalls(log) };
}

function expectNoSecret(text: string) {
  for (const secret of SECRETS()) expect(text).not.toContain(secret);
}

describe('build-android with flutter build, re-signed with the upload key', () => {
  it('app bundle: Flutter\'s debug signature is removed, jarsigner signs with the upload key, the certificate is keytool\'s', async () => {
    const { root, report, result, calls, keystore, seen, everything, plan } = await build(fromEnv, { probe: true });
    expect(report.status).toBe('succeeded');
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Remove the decoded upload keystore',
      'Decode the upload keystore',
      'probe',
      'Build the app bundle with flutter build',
      "Remove the app bundle's existing signature",
      'Sign the app bundle with the upload key',
      'Verify the signature and print the signing certificate',
    ]);
    expect(calls.map((c) => [c.tool, c.argv, c.cwd])).toEqual([['flutter', ['build', 'appbundle', '--release', '--build-name', '3.0.1', '--build-number', '42'], root]]);
    expect(seen.mode).toBe(0o600);
    expect(existsSync(dirname(keystore!))).toBe(false);

    const aab = join(root, 'build/app/outputs/bundle/release/app-release.aab');
    expect(result).toEqual({ artifact: aab, signingCertSha256: upload.sha256, mapping: join(root, 'build/app/outputs/mapping/release/mapping.txt'), versionCode: 42, versionName: '3.0.1' });
    const entries = zipEntries(aab);
    expect(entries.filter((e) => e.startsWith('META-INF/')).sort()).toEqual(['META-INF/MANIFEST.MF', 'META-INF/UPLOAD.RSA', 'META-INF/UPLOAD.SF']);
    const printed = execFileSync('keytool', ['-J-Duser.language=en', '-printcert', '-jarfile', aab], { encoding: 'utf8' });
    expect(printed.match(/^Signer #\d+:/gm)).toEqual(['Signer #1:']);
    expect(printed).toContain(`SHA256: ${upload.sha256}`);
    expect(report.outputs.signingCertSha256).toBe(upload.sha256);
    expectNoSecret(everything);
  });

  it('APK of a flavor: aligned and re-signed by apksigner (v1 debug files replaced, v2/v3 rebuilt); passwords only as env: references', async () => {
    const { root, report, result, calls, everything, plan } = await build({ keystore: upload.path, keystorePasswordEnv: 'UPLOAD_STORE_PASSWORD', keyPasswordEnv: 'UPLOAD_KEY_PASSWORD', keyAlias: 'upload', format: 'apk', flavor: 'prod', versionName: '3.1.0' });
    expect(report.status).toBe('succeeded');
    expect(calls[0].argv).toEqual(['build', 'apk', '--release', '--build-name', '3.1.0', '--build-number', '42', '--flavor', 'prod']);
    const flutterApk = join(root, 'build/app/outputs/flutter-apk/app-prod-release.apk');
    const signed = join(root, 'build/app/outputs/flutter-apk/app-prod-release-signed.apk');
    const sign = plan.steps.find((s) => s.title === 'Sign the APK with the upload key');
    expect(sign).toMatchObject({ file: 'apksigner', args: ['sign', '--ks', upload.path, '--ks-key-alias', 'upload', '--ks-pass', 'env:UPLOAD_STORE_PASSWORD', '--key-pass', 'env:UPLOAD_KEY_PASSWORD', signed], secretEnv: ['UPLOAD_STORE_PASSWORD', 'UPLOAD_KEY_PASSWORD'] });
    expect(result.artifact).toBe(signed);
    expect(result.signingCertSha256).toBe(upload.sha256);
    // Flutter's own output was signed with the debug key; the artefact only with the upload key.
    expect(execFileSync('apksigner', ['verify', '--print-certs', flutterApk], { encoding: 'utf8' })).toContain('CN=Android Debug');
    const verified = execFileSync('apksigner', ['verify', '-v', '--print-certs', signed], { encoding: 'utf8' });
    expect(verified).toContain('Number of signers: 1');
    expect(verified).toContain(`Signer #1 certificate SHA-256 digest: ${upload.sha256.replace(/:/g, '').toLowerCase()}`);
    expect(verified).toMatch(/Verified using v2 scheme \(APK Signature Scheme v2\): true/);
    expect(zipEntries(signed).filter((e) => e.startsWith('META-INF/')).sort()).toEqual(['META-INF/MANIFEST.MF', 'META-INF/UPLOAD.RSA', 'META-INF/UPLOAD.SF']);
    expect(execFileSync('zipalign', ['-c', '-p', '4', signed]).toString()).toBe('');
    expect(execFileSync('aapt', ['dump', 'badging', signed], { encoding: 'utf8' })).toMatch(/versionCode='42' versionName='3.1.0'/);
    expectNoSecret(everything);
  });

  it('without signing options: Flutter\'s own signature stays, and a debug certificate is called out', async () => {
    const { report, result, text, warnings, plan } = await build({});
    expect(report.status).toBe('succeeded');
    expect(plan.steps.map((s) => s.title)).toEqual(['Build the app bundle with flutter build', 'Verify the signature and print the signing certificate']);
    expect(warnings.join('\n')).toMatch(/Flutter's template signs release builds with the debug key, which Google Play refuses/);
    expect(text).toMatch(/signer 1: CN=Android Debug, O=Android, C=US/);
    expect(text).toContain('this is a debug certificate: Google Play refuses uploads signed with it');
    expect(result.signingCertSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('a failed flutter build removes the decoded keystore and signs nothing', async () => {
    process.env.SHIPFLEET_FLUTTER_FAIL = '1';
    const { report, keystore, calls, everything } = await build(fromEnv);
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/Build the app bundle with flutter build" failed: flutter exited with code 1/);
    expect(calls.map((c) => c.tool)).toEqual(['flutter']);
    expect(existsSync(dirname(keystore!))).toBe(false);
    expectNoSecret(everything);
  });

  it('a dry run shows flutter, zip and jarsigner with the variable names, and runs nothing', async () => {
    const { report, text, calls, keystore, everything } = await build(fromEnv, { dryRun: true });
    expect(report.status).toBe('dry-run');
    expect(calls).toEqual([]);
    expect(existsSync(dirname(keystore!))).toBe(false);
    expect(text).toContain('$ flutter build appbundle --release --build-name 3.0.1 --build-number 42');
    expect(text).toMatch(/\$ zip -q -d \S+app-release.aab 'META-INF\/\*.SF' 'META-INF\/\*.RSA' 'META-INF\/\*.DSA' 'META-INF\/\*.EC' META-INF\/MANIFEST.MF/);
    expect(text).toContain(`$ jarsigner -keystore ${keystore} -storepass:env UPLOAD_STORE_PASSWORD -keypass:env UPLOAD_KEY_PASSWORD -sigalg SHA256withRSA -digestalg SHA-256`);
    expect(text).toContain('secret env: UPLOAD_STORE_PASSWORD UPLOAD_KEY_PASSWORD');
    expectNoSecret(everything);
  });
});
