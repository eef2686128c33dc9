import { join } from 'path';
import type { ExecutorContext } from '@nx/devkit';
import { PlayApiStandIn, startPlayApi } from '../../../../../tools/play-api/server';
import { GRADLE_STANDIN_JS, GRADLE_STANDIN_VARIABLE, makeGradleProject, makeKeystore, tempDir } from '../../../../../packages/android/src/__fixtures__/android-build';
import { makeAab } from '../../../../../packages/android/src/play/__fixtures__/artefacts';
import deployAndroidExecutor from './executor';

const STORE_PASSWORD = 'store-Pw-4711-deploy';

describe('deploy-android: build-android, then the Play publish (against the Play API stand-in)', () => {
  const t = tempDir('shipfleet-deploy-android-');
  let play: PlayApiStandIn;
  let out: string;
  let secrets: string[];
  const saved = { ...process.env };
  const context = { root: t.dir, cwd: t.dir, isVerbose: false, projectName: 'mobile', targetName: 'deploy-android', projectsConfigurations: { version: 2, projects: { mobile: { root: 'apps/mobile' } } } } as unknown as ExecutorContext;
  const all: string[] = [];

  beforeAll(async () => {
    play = await startPlayApi();
    makeGradleProject(join(t.dir, 'apps/mobile'), { version: '1.4.0', applicationId: 'com.acme.app' });
    const keystore = makeKeystore(t.dir, { storePassword: STORE_PASSWORD });
    const key = JSON.stringify(play.serviceAccountKey());
    Object.assign(process.env, {
      [GRADLE_STANDIN_VARIABLE]: GRADLE_STANDIN_JS,
      PLAY_SERVICE_ACCOUNT_JSON: key,
      UPLOAD_KEYSTORE: keystore.base64,
      UPLOAD_KEYSTORE_PASSWORD: STORE_PASSWORD,
      METADATA_SERVER_DETECTION: 'none',
    });
    delete process.env.GITHUB_STEP_SUMMARY;
    secrets = [key, STORE_PASSWORD, keystore.base64.slice(0, 60), JSON.parse(key).private_key.split('\n')[1]];
  });
  afterAll(async () => {
    process.env = saved;
    await play.close();
    t.cleanup();
  });
  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((c) => ((out += String(c)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    all.push(out);
  });

  const base = { packageName: 'com.acme.app', apiUrl: 'PLAY_URL', tokenUrl: 'PLAY_TOKEN_URL', keystoreEnv: 'UPLOAD_KEYSTORE', keystorePasswordEnv: 'UPLOAD_KEYSTORE_PASSWORD', keyAlias: 'upload', versionCode: 7 };
  const opts = (o: Record<string, unknown>) => ({ ...base, apiUrl: play.url, tokenUrl: play.tokenUrl, ...o }) as never;

  it('a dry run shows the build and every Play call, sends nothing, and shows no secret', async () => {
    const result = await deployAndroidExecutor(opts({ dryRun: true, track: 'beta' }), context);
    expect(result.success).toBe(true);
    expect(out).toMatch(/gradlew[^\n]*:app:bundleRelease/);
    expect(out).toContain('Open an edit (edits.insert)');
    expect(out).toContain(`POST ${play.url}/upload/androidpublisher/v3/applications/com.acme.app/edits/{editId}/bundles?uploadType=resumable`);
    expect(out).toContain('Set the release on track beta (edits.tracks.update)');
    expect(play.requests).toHaveLength(0);
  });

  it('builds, signs and publishes the bundle; the release is named from the version', async () => {
    const result = await deployAndroidExecutor(opts({}), context);
    if (!result.success) throw new Error(out);
    expect(play.app('com.acme.app').bundles.map((b) => b.versionCode)).toEqual([7]);
    expect(play.app('com.acme.app').tracks.internal.releases).toEqual([{ name: '1.4.0 (7)', versionCodes: ['7'], status: 'completed' }]);
    expect(result.outputs).toMatchObject({ playVersionCode: '7', playTrack: 'internal' });
    // R8's mapping.txt, which the build left beside the bundle, went to Play with it.
    expect(play.app('com.acme.app').deobfuscationFiles).toEqual([expect.objectContaining({ versionCode: 7, type: 'proguard' })]);
  });

  it('promotes without building (build options are said to be unused), and publishes a given artefact', async () => {
    const promote = await deployAndroidExecutor(opts({ action: 'promote', fromTrack: 'internal', track: 'production', userFraction: 0.05 }), context);
    if (!promote.success) throw new Error(out);
    expect(out).toContain('Build options keystoreEnv, keystorePasswordEnv, keyAlias, versionCode are not used: action promote builds nothing');
    expect(out).not.toMatch(/gradlew/);
    expect(play.app('com.acme.app').tracks.production.releases).toEqual([expect.objectContaining({ versionCodes: ['7'], status: 'inProgress', userFraction: 0.05 })]);
    makeAab(t.dir, 'given.aab', 8);
    const given = await deployAndroidExecutor({ packageName: 'com.acme.app', apiUrl: play.url, tokenUrl: play.tokenUrl, artifact: 'given.aab', versionName: '2.0.0', track: 'alpha' } as never, context);
    if (!given.success) throw new Error(out);
    expect(play.app('com.acme.app').tracks.alpha.releases).toEqual([expect.objectContaining({ name: '2.0.0 (8)', versionCodes: ['8'] })]);
  });

  it('a bad option is one clear line and nothing runs', async () => {
    const before = play.requests.length;
    for (const [o, line] of [
      [{ track: 'Prod uction' }, '✖ Option "track": "Prod uction" is not a Play track'],
      [{ packageName: undefined }, '✖ Option "packageName": is required'],
      [{ action: 'rollout' }, '✖ Option "userFraction": is required for action rollout'],
      [{ format: 'zip' }, '✖ Option "format"'],
    ] as const) {
      out = '';
      const result = await deployAndroidExecutor(opts(o), context);
      expect(result.success).toBe(false);
      expect(out).toContain(line);
    }
    expect(play.requests.length).toBe(before);
  });

  it('no secret reached any output', () => {
    const text = all.join('\n');
    for (const secret of [...secrets, ...play.accessTokens]) expect(text).not.toContain(secret);
  });
});
