import { rmSync } from 'fs';
import { join } from 'path';
import { thrownUserError } from '@shipfleet/core';
import { Keystore, makeFlutterProject, makeGradleProject, makeKeystore, makeReactNativeProject, tempDir, writeFiles } from '../__fixtures__/android-build';
import { AndroidBuildOptions, buildAndroidBuildPlan, gradleTask, resolveAndroidBuild } from './index';

describe('resolveAndroidBuild', () => {
  const { dir: ws, cleanup } = tempDir('shipfleet-android-options-');
  const gradle = makeGradleProject(join(ws, 'apps/native'));
  const rn = makeReactNativeProject(join(ws, 'apps/rn'));
  const flutter = makeFlutterProject(join(ws, 'apps/flutter'));
  let keystore: Keystore;
  const env: NodeJS.ProcessEnv = { GITHUB_RUN_NUMBER: '41', KS_PASSWORD: 'store-pass-Q7x!91', KEY_PASSWORD: 'key-pass-Z3k#55' };
  const resolve = (given: AndroidBuildOptions, projectRoot = 'apps/native', extraEnv: NodeJS.ProcessEnv = {}, warnings: string[] = []) =>
    resolveAndroidBuild(given, { projectRoot, workspaceRoot: ws, env: { ...env, ...extraEnv }, warn: (m) => warnings.push(m) });
  const fail = (given: AndroidBuildOptions, projectRoot?: string, extraEnv?: NodeJS.ProcessEnv) => thrownUserError(() => resolve(given, projectRoot, extraEnv));

  beforeAll(() => {
    keystore = makeKeystore(ws, { storePassword: env.KS_PASSWORD!, keyPassword: env.KEY_PASSWORD });
    env.KS_BASE64 = keystore.base64;
  });
  afterAll(cleanup);

  it('a native Gradle project: app module, release bundle, version from package.json, code from the CI run number', () => {
    const warnings: string[] = [];
    const r = resolve({}, 'apps/native', {}, warnings);
    expect(r).toMatchObject({ kind: 'gradle', projectRoot: gradle, gradleRoot: gradle, module: 'app', buildType: 'release', format: 'aab', variant: 'release', versionName: '1.4.0', versionCode: 41, noDaemon: false, timeoutMs: 3_600_000, secrets: [] });
    expect(r.signing).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/No keystore given: the build is unsigned; Google Play needs it signed with your upload key/)]);
    expect(gradleTask(r)).toBe(':app:bundleRelease');
  });

  it('flavor and build type make the variant and the task; apk assembles', () => {
    const r = resolve({ flavor: 'prod', buildType: 'release', format: 'apk', versionCode: 7, versionName: '2.0.0-rc.1', timeout: '90m', noDaemon: true });
    expect(r).toMatchObject({ variant: 'prodRelease', versionCode: 7, versionName: '2.0.0-rc.1', timeoutMs: 5_400_000, noDaemon: true });
    expect(gradleTask(r)).toBe(':app:assembleProdRelease');
  });

  it('--no-daemon by default on CI, unless told otherwise', () => {
    expect(resolve({}, 'apps/native', { CI: 'true' }).noDaemon).toBe(true);
    expect(resolve({ noDaemon: false }, 'apps/native', { CI: 'true' }).noDaemon).toBe(false);
    expect(resolve({}, 'apps/native', { CI: 'false' }).noDaemon).toBe(false);
  });

  it('finds the application module among the included ones, or takes the one given (Gradle path or folder)', () => {
    const root = join(ws, 'apps/multi');
    makeGradleProject(root, { module: 'phone' });
    writeFiles(root, { 'settings.gradle.kts': 'include(":lib")\ninclude(":phone", ":apps:tv")\n', 'apps/tv/build.gradle.kts': 'plugins { alias(libs.plugins.android.application) }\n' });
    expect(resolve({}, 'apps/multi').module).toBe('phone');
    const r = resolve({ module: ':apps:tv' }, 'apps/multi');
    expect(r.module).toBe('apps/tv');
    expect(gradleTask(r)).toBe(':apps:tv:bundleRelease');
    expect(resolve({ module: 'apps/tv' }, 'apps/multi').module).toBe('apps/tv');
    expect(fail({ module: 'wear' }, 'apps/multi').message).toMatch(/^Option "module": .*apps\/multi\/wear has no build.gradle or build.gradle.kts/);
    const warnings: string[] = [];
    expect(resolve({ module: 'lib' }, 'apps/multi', {}, warnings).module).toBe('lib');
    expect(warnings[0]).toMatch(/Module lib: its build file does not seem to apply com.android.application/);
  });

  it('a Gradle build without an application module names the module option', () => {
    const root = join(ws, 'apps/libonly');
    writeFiles(root, { 'settings.gradle': "include ':lib'\n", 'lib/build.gradle': "apply plugin: 'com.android.library'\n", gradlew: '' });
    expect(fail({}, 'apps/libonly').message).toMatch(/^Option "module": no module of the Gradle build in .* applies com.android.application \(looked at app, lib, \.\)/);
  });

  it('React Native: Gradle in android/, version from package.json', () => {
    const r = resolve({}, 'apps/rn');
    expect(r).toMatchObject({ kind: 'react-native', gradleRoot: join(rn, 'android'), module: 'app', versionName: '2.1.0' });
  });

  it('Flutter: version from pubspec.yaml before the +, module and noDaemon not used', () => {
    const warnings: string[] = [];
    const r = resolve({ module: 'app', noDaemon: true }, 'apps/flutter', {}, warnings);
    expect(r).toMatchObject({ kind: 'flutter', projectRoot: flutter, versionName: '3.0.1' });
    expect(warnings.join('\n')).toMatch(/"module" is not used for a Flutter app/);
    expect(warnings.join('\n')).toMatch(/"noDaemon" is not used for a Flutter app/);
    expect(warnings.join('\n')).toMatch(/Flutter's template signs release builds with the debug key/);
    expect(fail({ buildType: 'debug' }, 'apps/flutter').option).toBe('buildType');
  });

  it('versionCode: the option, else GITHUB_RUN_NUMBER, CI_PIPELINE_IID or BUILD_NUMBER plus versionCodeOffset', () => {
    const none = { GITHUB_RUN_NUMBER: '' };
    expect(resolve({ versionCodeOffset: 1000 }).versionCode).toBe(1041);
    expect(resolve({}, 'apps/native', { ...none, CI_PIPELINE_IID: '12' }).versionCode).toBe(12);
    expect(resolve({ versionCodeOffset: 5 }, 'apps/native', { ...none, BUILD_NUMBER: '3' }).versionCode).toBe(8);
    expect(resolve({ versionCode: 2_100_000_000 }).versionCode).toBe(2_100_000_000);
    const missing = fail({}, 'apps/native', none);
    expect(missing.option).toBe('versionCode');
    expect(missing.message).toMatch(/none of GITHUB_RUN_NUMBER, CI_PIPELINE_IID, BUILD_NUMBER is set/);
    expect(fail({}, 'apps/native', { GITHUB_RUN_NUMBER: 'abc' }).message).toMatch(/GITHUB_RUN_NUMBER is "abc", not a run number/);
    expect(fail({ versionCodeOffset: 2_099_999_999 }).option).toBe('versionCodeOffset');
  });

  it('versionName: the option, else the project version; neither is an error naming versionName', () => {
    const root = join(ws, 'apps/noversion');
    makeGradleProject(root);
    rmSync(join(root, 'package.json'));
    expect(fail({}, 'apps/noversion').message).toMatch(/^Option "versionName": is not given, and .* has no package.json or pubspec.yaml with a version/);
    expect(resolve({ versionName: '5.0' }, 'apps/noversion').versionName).toBe('5.0');
  });

  it.each<[string, AndroidBuildOptions, RegExp]>([
    ['flavor', { flavor: 'prod-eu' }, /"prod-eu" is not a product flavor name/],
    ['buildType', { buildType: 'Release' }, /"Release" is not a build type name/],
    ['format', { format: 'zip' as 'aab' }, /"zip" is not one of aab, apk/],
    ['timeout', { timeout: 'soon' }, /"soon" is not a duration/],
    ['noDaemon', { noDaemon: 'yes' as unknown as boolean }, /must be true or false/],
    ['module', { module: '../other' }, /is not a Gradle module/],
    ['versionName', { versionName: '1.0 beta' }, /is not a version name/],
    ['versionCode', { versionCode: 0 }, /0 is not a whole number from 1 to 2100000000/],
    ['versionCode', { versionCode: 2_100_000_001 }, /is not a whole number from 1 to 2100000000/],
    ['versionCode', { versionCode: 1.5 }, /1.5 is not a whole number/],
    ['versionCode', { versionCode: '12' as unknown as number }, /"12" is not a whole number/],
    ['versionCodeOffset', { versionCodeOffset: -1 }, /-1 is not a whole number/],
  ])('%s: a bad value is a UserError naming it', (option, given, message) => {
    const err = fail(given);
    expect(err.option).toBe(option);
    expect(err.message).toMatch(message);
  });

  describe('signing', () => {
    it('keystoreEnv: decoded from base64; passwords read from their variables; every secret form masked', () => {
      const r = resolve({ keystoreEnv: 'KS_BASE64', keystorePasswordEnv: 'KS_PASSWORD', keyPasswordEnv: 'KEY_PASSWORD', keyAlias: 'upload' });
      expect(r.signing).toMatchObject({ alias: 'upload', storePassword: { env: 'KS_PASSWORD', value: env.KS_PASSWORD }, keyPassword: { env: 'KEY_PASSWORD', value: env.KEY_PASSWORD } });
      expect('bytes' in r.signing!.keystore && r.signing!.keystore.bytes.toString('base64')).toBe(keystore.base64);
      expect(r.secrets).toEqual(expect.arrayContaining([keystore.base64, env.KS_PASSWORD, env.KEY_PASSWORD]));
    });

    it('keystore by path (from the workspace root); the key password defaults to the store password; alias from a variable', () => {
      const r = resolve({ keystore: 'upload.jks', keystorePasswordEnv: 'KS_PASSWORD', keyAliasEnv: 'KEY_ALIAS' }, 'apps/native', { KEY_ALIAS: 'upload\n' });
      expect(r.signing).toMatchObject({ keystore: { path: keystore.path }, alias: 'upload', keyPassword: { env: 'KS_PASSWORD' } });
      expect(r.secrets).toEqual([env.KS_PASSWORD]);
    });

    it('no keystore option but ANDROID_KEYSTORE_BASE64 set: the default variables, each option given still wins', () => {
      const defaults = { ANDROID_KEYSTORE_BASE64: keystore.base64, ANDROID_KEYSTORE_PASSWORD: env.KS_PASSWORD, ANDROID_KEY_ALIAS: 'upload' };
      const warnings: string[] = [];
      const r = resolve({}, 'apps/native', defaults, warnings);
      expect(r.signing).toMatchObject({ alias: 'upload', storePassword: { env: 'ANDROID_KEYSTORE_PASSWORD' }, keyPassword: { env: 'ANDROID_KEYSTORE_PASSWORD' } });
      expect(warnings).toEqual([expect.stringContaining('signing with the upload key from the default variables (keystoreEnv=ANDROID_KEYSTORE_BASE64, keystorePasswordEnv=ANDROID_KEYSTORE_PASSWORD, keyAliasEnv=ANDROID_KEY_ALIAS)')]);
      expect(resolve({ keyAlias: 'other', keystorePasswordEnv: 'KS_PASSWORD' }, 'apps/native', defaults).signing).toMatchObject({ alias: 'other', storePassword: { env: 'KS_PASSWORD' } });
      expect(resolve({ keystore: 'upload.jks', keystorePasswordEnv: 'KS_PASSWORD', keyAlias: 'upload' }, 'apps/native', defaults).signing!.keystore).toEqual({ path: keystore.path });
      const noAlias = fail({}, 'apps/native', { ...defaults, ANDROID_KEY_ALIAS: '' });
      expect(noAlias.option).toBe('keyAliasEnv');
      expect(noAlias.message).toMatch(/environment variable ANDROID_KEY_ALIAS is not set/);
    });

    const signing = { keystoreEnv: 'KS_BASE64', keystorePasswordEnv: 'KS_PASSWORD', keyAlias: 'upload' };
    it.each<[string, AndroidBuildOptions, NodeJS.ProcessEnv, RegExp]>([
      ['keystoreEnv', { ...signing, keystore: 'upload.jks' }, {}, /is given together with keystore/],
      ['keystore', { keystore: 'missing.jks', keystorePasswordEnv: 'KS_PASSWORD', keyAlias: 'upload' }, {}, /missing.jks does not exist/],
      ['keystore', { keystorePasswordEnv: 'KS_PASSWORD', keyAlias: 'upload' }, {}, /is not given, but keystorePasswordEnv, keyAlias are/],
      ['keystoreEnv', { ...signing, keystoreEnv: 'UNSET_VAR' }, {}, /environment variable UNSET_VAR is not set/],
      ['keystoreEnv', { ...signing, keystoreEnv: 'KS_PATH' }, { KS_PATH: '/home/me/upload.jks' }, /\$KS_PATH is not base64/],
      ['keystoreEnv', signing, { KS_BASE64: Buffer.from('not a keystore, just some text').toString('base64') }, /decodes to something that is not a Java keystore/],
      ['keystoreEnv', { ...signing, keystoreEnv: 'bad-name' }, {}, /"bad-name" is not an environment variable name/],
      ['keystorePasswordEnv', { keystoreEnv: 'KS_BASE64', keyAlias: 'upload' }, {}, /is required with a keystore/],
      ['keystorePasswordEnv', { ...signing, keystorePasswordEnv: 'NOPE' }, {}, /environment variable NOPE is not set/],
      ['keystorePasswordEnv', signing, { KS_PASSWORD: 'short' }, /fewer than 8 characters/],
      ['keyPasswordEnv', { ...signing, keyPasswordEnv: 'NOPE' }, {}, /environment variable NOPE is not set/],
      ['keyAlias', { keystoreEnv: 'KS_BASE64', keystorePasswordEnv: 'KS_PASSWORD' }, {}, /is required with a keystore/],
      ['keyAlias', { ...signing, keyAlias: ' upload' }, {}, /is not a key alias/],
      ['keyAliasEnv', { ...signing, keyAliasEnv: 'ALIAS' }, { ALIAS: 'upload' }, /is given together with keyAlias/],
      ['keyAliasEnv', { keystoreEnv: 'KS_BASE64', keystorePasswordEnv: 'KS_PASSWORD', keyAliasEnv: 'ALIAS' }, {}, /environment variable ALIAS is not set/],
    ])('%s: %j is a UserError naming it, without any secret in the message', (option, given, extraEnv, message) => {
      const err = fail(given, 'apps/native', extraEnv);
      expect(err.option).toBe(option);
      expect(err.message).toMatch(message);
      for (const secret of [env.KS_PASSWORD!, env.KEY_PASSWORD!, keystore.base64.slice(0, 40), 'short']) expect(err.message).not.toContain(secret);
    });
  });

  it('a project without its Gradle wrapper is refused, saying how to add one', () => {
    const root = join(ws, 'apps/nowrapper');
    makeGradleProject(root, { wrapper: false });
    const err = fail({}, 'apps/nowrapper');
    expect(err.option).toBe('gradlew');
    expect(err.message).toMatch(/nowrapper\/gradlew does not exist; the build runs the project's own Gradle wrapper, never a Gradle installed on the machine/);
    expect(err.message).toMatch(/run `gradle wrapper` in .* or copy gradlew, gradlew.bat and gradle\/wrapper\/ from a new Android Studio project/);
  });

  it('a dry run shows the plan of a project without its wrapper or a version code, warning that a real run stops there', () => {
    const root = join(ws, 'apps/fresh');
    makeGradleProject(root, { wrapper: false });
    const warnings: string[] = [];
    const r = resolveAndroidBuild({}, { projectRoot: 'apps/fresh', workspaceRoot: ws, env: {}, warn: (m) => warnings.push(m), dryRun: true });
    const { plan } = buildAndroidBuildPlan(r);
    expect(plan.title).toContain('<versionCode not set>');
    expect(JSON.stringify(plan.steps)).toContain('"ORG_GRADLE_PROJECT_shipfleetVersionCode":"<versionCode not set>"');
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^Dry run: Option "versionCode": is not given.* A real run stops here\.$/), expect.stringMatching(/^Dry run: Option "gradlew": .*fresh\/gradlew does not exist.* A real run stops here\.$/)]));
    // A wrong value is still an error in a dry run.
    expect(thrownUserError(() => resolveAndroidBuild({ versionCode: 0 }, { projectRoot: 'apps/fresh', workspaceRoot: ws, env: {}, dryRun: true })).option).toBe('versionCode');
  });

  it('a folder that is no Android project names the project', () => {
    writeFiles(ws, { 'apps/web/package.json': '{"name":"web","version":"1.0.0"}' });
    const err = fail({}, 'apps/web');
    expect(err.option).toBe('projectRoot');
    expect(err.message).toMatch(/is not an Android project shipfleet can build/);
  });
});
