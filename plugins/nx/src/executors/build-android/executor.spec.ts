import { existsSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { GRADLE_STANDIN_JS, GRADLE_STANDIN_VARIABLE, makeGradleProject, makeKeystore, readCalls, tempDir } from '../../../../../packages/android/src/__fixtures__/android-build';
import executor from './executor';
import { executorContext } from '../__fixtures__/executor-context';

const context = (root: string) => executorContext(root, 'phone');

const PASSWORD = 'Exec-Store-Pw-61x!';

describe('build-android executor', () => {
  let out: string;
  let ws: string;
  let cleanup: () => void;
  const saved = { ...process.env };
  beforeEach(() => {
    out = '';
    ({ dir: ws, cleanup } = tempDir('shipfleet-exec-android-'));
    makeGradleProject(join(ws, 'apps/phone'), { version: '2.3.4' });
    jest.spyOn(process.stdout, 'write').mockImplementation((c) => { out += String(c); return true; });
    jest.spyOn(process.stderr, 'write').mockImplementation((c) => { out += String(c); return true; });
    delete process.env.ANDROID_KEYSTORE_BASE64;
    // Outside CI: Gradle keeps its daemon (CI is set on CI machines and adds --no-daemon).
    delete process.env.CI;
    Object.assign(process.env, { [GRADLE_STANDIN_VARIABLE]: GRADLE_STANDIN_JS, SHIPFLEET_STANDIN_LOG: join(ws, 'calls.jsonl'), UPLOAD_PASSWORD: PASSWORD, GITHUB_RUN_NUMBER: '77' });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    cleanup();
  });

  it('builds and signs the bundle from the project root; keystore relative to the workspace root; outputs the artefact and certificate', async () => {
    const keystore = makeKeystore(ws, { storePassword: PASSWORD, file: 'keys/upload.p12' });
    const planJson = join(ws, 'plan.json');
    const result = await executor({ keystore: 'keys/upload.p12', keystorePasswordEnv: 'UPLOAD_PASSWORD', keyAlias: 'upload', versionCodeOffset: 1000, planJson }, context(ws));
    expect(result.success).toBe(true);
    const aab = join(ws, 'apps/phone/app/build/outputs/bundle/release/app-release.aab');
    expect(result.outputs).toMatchObject({ artifact: aab, signingCertSha256: keystore.sha256, versionCode: '1077', versionName: '2.3.4' });
    const [call] = readCalls(join(ws, 'calls.jsonl'));
    expect(call.argv).toEqual([':app:bundleRelease', '--console=plain']);
    expect(call.cwd).toBe(join(ws, 'apps/phone'));
    expect(call.env['ORG_GRADLE_PROJECT_android.injected.signing.store.file']).toBe(keystore.path);
    for (const text of [out, readFileSync(planJson, 'utf8'), JSON.stringify(call.argv)]) {
      expect(text).not.toContain(PASSWORD);
    }
  });

  it('a missing Gradle wrapper is one clear line, no stack trace', async () => {
    rmSync(join(ws, 'apps/phone/gradlew'));
    const result = await executor({ versionCode: 3 }, context(ws));
    expect(result.success).toBe(false);
    expect(out).toContain('✖ Option "gradlew": ');
    expect(out).toContain('gradle wrapper');
    expect(out).not.toMatch(/\n\s+at /);
    expect(existsSync(join(ws, 'calls.jsonl'))).toBe(false);
  });

  it('dry run: the plan, and nothing run', async () => {
    const result = await executor({ format: 'apk', flavor: 'prod', dryRun: true }, context(ws));
    expect(result.success).toBe(true);
    expect(out).toContain('$ bash ./gradlew :app:assembleProdRelease --console=plain');
    expect(out).toContain('No keystore given: the build is unsigned');
    expect(readCalls(join(ws, 'calls.jsonl'))).toEqual([]);
  });
});
