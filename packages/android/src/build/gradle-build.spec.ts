import { execFileSync, spawnSync } from 'child_process';
import { existsSync, readFileSync, realpathSync, renameSync, statSync } from 'fs';
import { dirname, join } from 'path';
import { memoryLogger, Plan, RunStep, runPlan, taskStep } from '@shipfleet/core';
import {
  GRADLE_STANDIN_JS,
  GRADLE_STANDIN_VARIABLE,
  Keystore,
  makeAab,
  makeApk,
  makeGradleProject,
  makeKeystore,
  makeReactNativeProject,
  readCalls,
  tempDir,
  zipEntries,
} from '../__fixtures__/android-build';
import { AndroidBuildOptions, buildAndroidBuildPlan, resolveAndroidBuild } from './index';

const STORE_FILE = 'ORG_GRADLE_PROJECT_android.injected.signing.store.file';
const STORE_PASSWORD = 'ORG_GRADLE_PROJECT_android.injected.signing.store.password';
const KEY_ALIAS = 'ORG_GRADLE_PROJECT_android.injected.signing.key.alias';
const KEY_PASSWORD = 'ORG_GRADLE_PROJECT_android.injected.signing.key.password';

const STORE_PW = 'Store-Pw-8f3K!q2z';
const KEY_PW = 'Key-Pw-5m$Lr9x7';
const ENV_NAMES = ['UPLOAD_KEYSTORE_BASE64', 'UPLOAD_STORE_PASSWORD', 'UPLOAD_KEY_PASSWORD', GRADLE_STANDIN_VARIABLE, 'SHIPFLEET_STANDIN_LOG', 'SHIPFLEET_GRADLE_FAIL', 'SHIPFLEET_STANDIN_ECHO_ENV', 'SHIPFLEET_GRADLE_NATIVE_SYMBOLS', 'CI', 'ANDROID_KEYSTORE_BASE64', 'ANDROID_KEYSTORE_PASSWORD', 'ANDROID_KEY_ALIAS', 'ANDROID_KEY_PASSWORD'];
const saved = Object.fromEntries(ENV_NAMES.map((n) => [n, process.env[n]]));

let ws: string;
let cleanup: () => void;
let upload: Keystore;
let log: string;

beforeAll(() => {
  ({ dir: ws, cleanup } = tempDir('shipfleet-android-gradle-'));
  upload = makeKeystore(ws, { storePassword: STORE_PW, keyPassword: KEY_PW, cn: 'Acme Upload' });
});
afterAll(() => {
  cleanup();
  for (const [n, v] of Object.entries(saved)) if (v === undefined) delete process.env[n]; else process.env[n] = v;
});
beforeEach(() => {
  // The runner passes its own environment to the commands: the stand-in and the secrets live there.
  log = join(ws, `calls-${Math.random().toString(36).slice(2)}.jsonl`);
  Object.assign(process.env, { UPLOAD_KEYSTORE_BASE64: upload.base64, UPLOAD_STORE_PASSWORD: STORE_PW, UPLOAD_KEY_PASSWORD: KEY_PW, [GRADLE_STANDIN_VARIABLE]: GRADLE_STANDIN_JS, SHIPFLEET_STANDIN_LOG: log });
  for (const n of ['SHIPFLEET_GRADLE_FAIL', 'SHIPFLEET_STANDIN_ECHO_ENV', 'SHIPFLEET_GRADLE_NATIVE_SYMBOLS', 'CI', 'ANDROID_KEYSTORE_BASE64']) delete process.env[n];
});

const fromEnv: AndroidBuildOptions = { keystoreEnv: 'UPLOAD_KEYSTORE_BASE64', keystorePasswordEnv: 'UPLOAD_STORE_PASSWORD', keyPasswordEnv: 'UPLOAD_KEY_PASSWORD', keyAlias: 'upload' };
const secretsOf = () => [STORE_PW, KEY_PW, upload.base64, upload.base64.slice(0, 64)];

let projects = 0;
function project(make: (root: string) => string = (root) => makeGradleProject(root)): string {
  const rel = `apps/app${++projects}`;
  make(join(ws, rel));
  return rel;
}

const gradleStep = (plan: Plan) => plan.steps.find((s): s is RunStep => s.kind === 'run' && s.file === 'bash')!;

async function build(projectRoot: string, given: AndroidBuildOptions, o: { dryRun?: boolean; probe?: (keystore: string) => void } = {}) {
  const warnings: string[] = [];
  const r = resolveAndroidBuild({ versionCode: 42, ...given }, { projectRoot, workspaceRoot: ws, env: process.env, warn: (m) => warnings.push(m) });
  const { plan, secrets, result } = buildAndroidBuildPlan(r);
  const keystore = gradleStep(plan).env?.[STORE_FILE];
  if (o.probe && keystore) {
    // Looks at the decoded keystore while the plan runs, just before Gradle does.
    plan.steps.splice(plan.steps.indexOf(gradleStep(plan)), 0, taskStep('probe', 'test probe', () => o.probe!(keystore)));
  }
  const { logger, text } = memoryLogger();
  const planJson = join(ws, `plan-${projects}.json`);
  const summary = join(ws, `summary-${projects}.md`);
  const report = await runPlan(plan, { logger, secrets, handleSignals: false, planJson, stepSummaryFile: summary, dryRun: o.dryRun });
  const everything = [text(), readFileSync(planJson, 'utf8'), existsSync(summary) ? readFileSync(summary, 'utf8') : '', JSON.stringify(report), warnings.join('\n')].join('\n');
  return { r, plan, report, result, text: text(), everything, warnings, keystore, calls: readCalls(log) };
}

function expectNoSecret(text: string) {
  for (const secret of secretsOf()) expect(text).not.toContain(secret);
}

describe('build-android with Gradle (the stand-in wrapper is a #!/bin/sh script, as the real one)', () => {
  it('builds the bundle signed with the upload key from keystoreEnv; the key arrives as injected properties in the environment', async () => {
    const modes: { dir?: number; file?: number } = {};
    const rel = project();
    const { report, result, calls, keystore, everything } = await build(rel, fromEnv, {
      probe: (ks) => {
        modes.dir = statSync(dirname(ks)).mode & 0o777;
        modes.file = statSync(ks).mode & 0o777;
      },
    });
    expect(report.status).toBe('succeeded');
    const root = join(ws, rel);

    const gradle = calls.filter((c) => c.tool === 'gradle');
    expect(gradle).toHaveLength(1);
    expect(gradle[0].argv).toEqual([':app:bundleRelease', '--console=plain']);
    expect(gradle[0].cwd).toBe(root);
    expect(gradle[0].env).toMatchObject({ [STORE_FILE]: keystore, [STORE_PASSWORD]: STORE_PW, [KEY_ALIAS]: 'upload', [KEY_PASSWORD]: KEY_PW, ORG_GRADLE_PROJECT_shipfleetVersionCode: '42', ORG_GRADLE_PROJECT_shipfleetVersionName: '1.4.0' });
    // The user's own variables holding the secrets are kept from Gradle: it gets them only under the injected names.
    expect(Object.keys(gradle[0].env).filter((k) => k.startsWith('UPLOAD_'))).toEqual([]);

    expect(modes).toEqual({ dir: 0o700, file: 0o600 });
    expect(keystore).toMatch(/shipfleet-keystore-[0-9a-f]{24}\/upload.keystore$/);
    expect(existsSync(dirname(keystore!))).toBe(false);

    const aab = join(root, 'app/build/outputs/bundle/release/app-release.aab');
    expect(result).toEqual({ artifact: aab, signingCertSha256: upload.sha256, mapping: join(root, 'app/build/outputs/mapping/release/mapping.txt'), versionCode: 42, versionName: '1.4.0' });
    expect(report.outputs).toMatchObject({ artifact: aab, signingCertSha256: upload.sha256, versionCode: '42', versionName: '1.4.0' });
    expect(everything).toContain(`signing certificate SHA-256: ${upload.sha256}`);
    // Checked again here with the real tools, independently of the step.
    const env = { ...process.env, P: STORE_PW };
    execFileSync('jarsigner', ['-verify', '-strict', '-keystore', upload.path, '-storepass:env', 'P', aab, 'upload'], { env, stdio: 'pipe' });
    expect(execFileSync('keytool', ['-J-Duser.language=en', '-printcert', '-jarfile', aab], { encoding: 'utf8' })).toContain(`SHA256: ${upload.sha256}`);
    expect(execFileSync('unzip', ['-p', aab, 'base/manifest/AndroidManifest.xml'], { encoding: 'utf8' })).toContain('android:versionCode="42" android:versionName="1.4.0"');
    expectNoSecret(everything);
  });

  it('never puts a secret in an argument, the plan, the output, the summary or an error, even when the build prints it', async () => {
    process.env.SHIPFLEET_STANDIN_ECHO_ENV = [STORE_PASSWORD, KEY_PASSWORD, 'UPLOAD_KEYSTORE_BASE64'].join(',');
    const { report, calls, text, everything } = await build(project(), fromEnv);
    expect(report.status).toBe('succeeded');
    expect(text).toContain(`[debug] ${STORE_PASSWORD}=***`);
    expect(text).toContain(`[debug] ${KEY_PASSWORD}=***`);
    for (const call of calls) expectNoSecret(JSON.stringify(call.argv));
    expectNoSecret(everything);

    process.env.SHIPFLEET_GRADLE_FAIL = '1';
    const failed = await build(project(), fromEnv);
    expect(failed.report.status).toBe('failed');
    for (const call of failed.calls) expectNoSecret(JSON.stringify(call.argv));
    expectNoSecret(failed.everything);
  });

  it('a failed build still removes the decoded keystore; Gradle\'s failure is shown', async () => {
    process.env.SHIPFLEET_GRADLE_FAIL = '1';
    let existed = false;
    const { report, keystore, text } = await build(project(), fromEnv, { probe: (ks) => { existed = existsSync(ks); } });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/Build the app bundle release with Gradle, signed with the upload key" failed: bash exited with code 1/);
    expect(text).toContain("Execution failed for task ':app:compileReleaseKotlin'.");
    expect(existed).toBe(true);
    expect(existsSync(dirname(keystore!))).toBe(false);
    expect(report.cleanups).toEqual([expect.objectContaining({ title: 'Remove the decoded upload keystore', status: 'succeeded' })]);
  });

  it('the reason for `bash ./gradlew`: through /bin/sh (dash) the dotted names are lost, identifiers survive', () => {
    const root = join(ws, project());
    const env = { ...process.env, [STORE_PASSWORD]: STORE_PW, ORG_GRADLE_PROJECT_shipfleetVersionCode: '7' };
    const shIsDash = /dash$/.test(realpathSync('/bin/sh'));
    spawnSync('./gradlew', [':app:bundleRelease'], { cwd: root, env });
    spawnSync('bash', ['./gradlew', ':app:bundleRelease'], { cwd: root, env });
    const [direct, viaBash] = readCalls(log);
    expect(direct.env.ORG_GRADLE_PROJECT_shipfleetVersionCode).toBe('7');
    if (shIsDash) expect(direct.env[STORE_PASSWORD]).toBeUndefined();
    expect(viaBash.env[STORE_PASSWORD]).toBe(STORE_PW);
    expect(viaBash.env.ORG_GRADLE_PROJECT_shipfleetVersionCode).toBe('7');
  });

  it('an APK of a flavor, signed from a JKS keystore file with its own key password; on CI without the daemon', async () => {
    process.env.CI = 'true';
    const legacy = makeKeystore(ws, { file: 'legacy.jks', type: 'JKS', alias: 'release key', storePassword: 'jks-store-pw-1', keyPassword: 'jks-key-pw-22', cn: 'Legacy Key' });
    Object.assign(process.env, { UPLOAD_STORE_PASSWORD: legacy.storePassword, UPLOAD_KEY_PASSWORD: legacy.keyPassword });
    const rel = project();
    const { report, result, calls } = await build(rel, { flavor: 'prod', format: 'apk', keystore: legacy.path, keystorePasswordEnv: 'UPLOAD_STORE_PASSWORD', keyPasswordEnv: 'UPLOAD_KEY_PASSWORD', keyAlias: 'release key', versionCode: 1234, versionName: '9.8.7' });
    expect(report.status).toBe('succeeded');
    expect(calls[0].argv).toEqual([':app:assembleProdRelease', '--console=plain', '--no-daemon']);
    expect(calls[0].env[STORE_FILE]).toBe(legacy.path);
    const apk = join(ws, rel, 'app/build/outputs/apk/prod/release/app-prod-release.apk');
    expect(result.artifact).toBe(apk);
    expect(result.signingCertSha256).toBe(legacy.sha256);
    const verified = execFileSync('apksigner', ['verify', '--print-certs', apk], { encoding: 'utf8' });
    expect(verified).toContain(`Signer #1 certificate SHA-256 digest: ${legacy.sha256.replace(/:/g, '').toLowerCase()}`);
    expect(execFileSync('aapt', ['dump', 'badging', apk], { encoding: 'utf8' })).toMatch(/versionCode='1234' versionName='9.8.7'/);
    expect(result.mapping).toBe(join(ws, rel, 'app/build/outputs/mapping/prodRelease/mapping.txt'));
  });

  it('without signing options: an unsigned build, said so; native debug symbols reported when written', async () => {
    process.env.SHIPFLEET_GRADLE_NATIVE_SYMBOLS = '1';
    const rel = project();
    const { report, result, calls, warnings, text, plan } = await build(rel, { format: 'apk' });
    expect(report.status).toBe('succeeded');
    expect(plan.steps.map((s) => s.title)).toEqual(['Build the APK release with Gradle (unsigned)', 'Verify the signature and print the signing certificate']);
    expect(Object.keys(calls[0].env).filter((k) => k.includes('injected'))).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/the build is unsigned/)]);
    expect(text).toContain('unsigned: Google Play accepts only uploads signed with your upload key');
    const outputs = join(ws, rel, 'app/build/outputs');
    expect(result).toEqual({ artifact: join(outputs, 'apk/release/app-release-unsigned.apk'), mapping: join(outputs, 'mapping/release/mapping.txt'), nativeSymbols: join(outputs, 'native-debug-symbols/release/native-debug-symbols.zip'), versionCode: 42, versionName: '1.4.0' });
    expect(report.outputs.signingCertSha256).toBeUndefined();
  });

  it('React Native: Gradle runs in android/', async () => {
    const rel = project((root) => makeReactNativeProject(root));
    const { report, result, calls } = await build(rel, { keystore: upload.path, keystorePasswordEnv: 'UPLOAD_STORE_PASSWORD', keyPasswordEnv: 'UPLOAD_KEY_PASSWORD', keyAlias: 'upload' });
    expect(report.status).toBe('succeeded');
    expect(calls[0].cwd).toBe(join(ws, rel, 'android'));
    expect(calls[0].env.ORG_GRADLE_PROJECT_shipfleetVersionName).toBe('2.1.0');
    expect(result.artifact).toBe(join(ws, rel, 'android/app/build/outputs/bundle/release/app-release.aab'));
    expect(result.signingCertSha256).toBe(upload.sha256);
  });

  it('with no keystore option, the CI secret variables ANDROID_KEYSTORE_BASE64, _PASSWORD, ANDROID_KEY_ALIAS and _PASSWORD sign', async () => {
    Object.assign(process.env, { ANDROID_KEYSTORE_BASE64: upload.base64, ANDROID_KEYSTORE_PASSWORD: STORE_PW, ANDROID_KEY_ALIAS: 'upload', ANDROID_KEY_PASSWORD: KEY_PW });
    const { report, result, warnings, calls } = await build(project(), {});
    expect(report.status).toBe('succeeded');
    expect(warnings).toEqual([expect.stringMatching(/No keystore option given and ANDROID_KEYSTORE_BASE64 is set: signing with the upload key from the default variables \(keystoreEnv=ANDROID_KEYSTORE_BASE64, keystorePasswordEnv=ANDROID_KEYSTORE_PASSWORD, keyAliasEnv=ANDROID_KEY_ALIAS, keyPasswordEnv=ANDROID_KEY_PASSWORD\)/)]);
    expect(calls[0].env[KEY_PASSWORD]).toBe(KEY_PW);
    expect(result.signingCertSha256).toBe(upload.sha256);
  });

  it('a dry run prints the command and the variable names with the secrets masked, and runs nothing', async () => {
    const { report, text, calls, keystore, everything } = await build(project(), fromEnv, { dryRun: true });
    expect(report.status).toBe('dry-run');
    expect(calls).toEqual([]);
    expect(existsSync(dirname(keystore!))).toBe(false);
    expect(text).toContain('$ bash ./gradlew :app:bundleRelease --console=plain');
    expect(text).toContain(`${STORE_PASSWORD}='***'`);
    expect(text).toContain(`${KEY_PASSWORD}='***'`);
    expect(text).toContain(`${STORE_FILE}=${keystore}`);
    expect(text).toContain('ORG_GRADLE_PROJECT_shipfleetVersionCode=42');
    expect(text).toContain('Dry run: nothing was executed.');
    expectNoSecret(everything);
  });

  it('finds an artefact the build named its own way, and refuses one signed by another key or by two', async () => {
    const rel = project();
    const root = join(ws, rel);
    const first = await build(rel, { keystore: upload.path, keystorePasswordEnv: 'UPLOAD_STORE_PASSWORD', keyPasswordEnv: 'UPLOAD_KEY_PASSWORD', keyAlias: 'upload' });
    const dir = join(root, 'app/build/outputs/bundle/release');
    renameSync(join(dir, 'app-release.aab'), join(dir, 'acme-1.4.0.aab'));
    const verifyOnly = async (extra: AndroidBuildOptions) => {
      const r = resolveAndroidBuild({ versionCode: 42, keystore: upload.path, keystorePasswordEnv: 'UPLOAD_STORE_PASSWORD', keyPasswordEnv: 'UPLOAD_KEY_PASSWORD', keyAlias: 'upload', ...extra }, { projectRoot: rel, workspaceRoot: ws, env: process.env });
      const { plan, secrets, result } = buildAndroidBuildPlan(r);
      plan.steps = plan.steps.filter((s) => s.kind === 'task');
      const { logger } = memoryLogger();
      return { report: await runPlan(plan, { logger, secrets, handleSignals: false, printSummary: false }), result };
    };
    const renamed = await verifyOnly({});
    expect(renamed.report.status).toBe('succeeded');
    expect(renamed.result.artifact).toBe(join(dir, 'acme-1.4.0.aab'));
    expect(renamed.result.signingCertSha256).toBe(first.result.signingCertSha256);

    const stranger = makeKeystore(ws, { file: 'other.p12', alias: 'other', storePassword: STORE_PW, cn: 'Someone Else' });
    makeAab(join(dir, 'acme-1.4.0.aab'), { signers: [stranger] });
    const wrongKey = await verifyOnly({});
    expect(wrongKey.report.status).toBe('failed');
    expect(wrongKey.report.error).toMatch(/acme-1.4.0.aab is not signed by key "upload" of the upload keystore alone \(exit \d+\)/);

    makeAab(join(dir, 'acme-1.4.0.aab'), { signers: [upload, stranger] });
    expect(zipEntries(join(dir, 'acme-1.4.0.aab')).filter((e) => e.endsWith('.SF')).sort()).toEqual(['META-INF/OTHER.SF', 'META-INF/UPLOAD.SF']);
    const twoSigners = await verifyOnly({});
    expect(twoSigners.report.status).toBe('failed');
    expect(twoSigners.report.error).toMatch(/is not signed by key "upload" of the upload keystore alone/);

    // apksigner accepts any valid signature: the certificate is compared with the upload key's.
    makeApk(join(root, 'app/build/outputs/apk/release/app-release.apk'), { sign: stranger });
    const apk = await verifyOnly({ format: 'apk' });
    expect(apk.report.status).toBe('failed');
    expect(apk.report.error).toContain(`should be signed by the upload key (CN=Acme Upload, O=Acme, certificate SHA-256 ${upload.sha256}) alone, but has: `);
    expect(apk.report.error).toContain(`but has: CN=Someone Else, O=Acme ${stranger.sha256}`);
  });
});
