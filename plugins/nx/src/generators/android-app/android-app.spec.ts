import { logger, readProjectConfiguration, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { inferTargets } from '../../inference/infer-targets';
import { android } from '../../platforms/android';
import { projectFolder } from '../../platforms/platform';
import androidAppGenerator, { AGP_VERSION, ANDROID_FORM_FACTORS, GRADLE_VERSION, KOTLIN_VERSION } from './generator';
import { treeSnapshot } from '../__fixtures__/tree-snapshot';

const skip = { skipFormat: true };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
// The generator's closing notes (how to add the Gradle wrapper) are read here, not printed.
let info: jest.SpyInstance;
beforeEach(() => (info = jest.spyOn(logger, 'info').mockImplementation(() => undefined)));
afterEach(() => info.mockRestore());

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-android-app-'));
  dirs.push(dir);
  return dir;
}

/** The framework-res.apk of the android-framework-res package: the platform resources aapt links against. */
function frameworkRes(): string {
  const listed = execFileSync('dpkg', ['-L', 'android-framework-res'], { encoding: 'utf8' }).split('\n').find((f) => f.endsWith('/framework-res.apk'));
  if (!listed || !existsSync(listed)) throw new Error('android-framework-res is not installed (apt-get install android-framework-res)');
  return listed;
}

/** Writes the files the generator created into a fresh workspace folder on disk. */
function writeToDisk(tree: Tree): string {
  const ws = tempDir();
  for (const c of tree.listChanges()) {
    if (c.type === 'DELETE' || !c.content) continue;
    mkdirSync(dirname(join(ws, c.path)), { recursive: true });
    writeFileSync(join(ws, c.path), c.content);
  }
  return ws;
}

/** A Kotlin DSL assignment's value from app/build.gradle.kts, e.g. minSdk = 30 → "30". */
function gradleValue(build: string, key: string): string {
  const m = new RegExp(`^\\s*${key} = "?([^"\\n]+)"?$`, 'm').exec(build);
  if (!m) throw new Error(`${key} is not set in app/build.gradle.kts`);
  return m[1];
}

/**
 * Packages the project's manifest and resources with the real aapt, as the Android Gradle Plugin would:
 * its manifest merger writes the namespace as the package (an AGP 8 manifest has none) and renames it to
 * the applicationId; minSdk and targetSdk come from app/build.gradle.kts.
 */
function aaptPackage(project: string): string {
  const build = readFileSync(join(project, 'app/build.gradle.kts'), 'utf8');
  const manifest = readFileSync(join(project, 'app/src/main/AndroidManifest.xml'), 'utf8');
  expect(manifest).not.toMatch(/<manifest[^>]*\bpackage=/);
  // aapt reads the manifest only under its own name.
  const merged = join(project, 'build/merged/AndroidManifest.xml');
  mkdirSync(dirname(merged), { recursive: true });
  writeFileSync(merged, manifest.replace('<manifest ', `<manifest package="${gradleValue(build, 'namespace')}" `));
  const apk = join(project, 'out.apk');
  const args = ['package', '-f', '-M', merged, '-S', join(project, 'app/src/main/res'), '-I', frameworkRes(), '-F', apk, '--version-code', '7', '--version-name', '1.2.3'];
  args.push('--rename-manifest-package', gradleValue(build, 'applicationId'), '--min-sdk-version', gradleValue(build, 'minSdk'), '--target-sdk-version', gradleValue(build, 'targetSdk'));
  const r = spawnSync('aapt', args, { encoding: 'utf8' });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  return execFileSync('aapt', ['dump', 'badging', apk], { encoding: 'utf8' });
}

describe('android-app generator: a real Android project for each form factor', () => {
  const features: Record<string, { required: string[]; notRequired: string[]; launcher: string; minSdk: string }> = {
    phone: { required: [], notRequired: [], launcher: 'launchable-activity', minSdk: '24' },
    wear: { required: ['android.hardware.type.watch'], notRequired: [], launcher: 'launchable-activity', minSdk: '30' },
    tv: { required: ['android.software.leanback'], notRequired: ['android.hardware.touchscreen'], launcher: 'leanback-launchable-activity', minSdk: '21' },
    automotive: { required: ['android.hardware.type.automotive'], notRequired: ['android.hardware.screen.portrait', 'android.hardware.screen.landscape'], launcher: 'launchable-activity', minSdk: '29' },
  };

  it.each(ANDROID_FORM_FACTORS.map((f) => [f]))('%s: aapt packages the manifest and resources; badging shows the package, version and features', async (formFactor) => {
    const tree = createTreeWithEmptyWorkspace();
    await androidAppGenerator(tree, { name: 'my-app', applicationId: 'com.acme.app', formFactor, appVersion: '1.2.3', ...skip });
    const project = join(writeToDisk(tree), 'apps/my-app');
    const badging = aaptPackage(project);
    const expected = features[formFactor];

    expect(badging).toMatch(/^package: name='com\.acme\.app' versionCode='7' versionName='1\.2\.3'/m);
    expect(badging).toContain(`sdkVersion:'${expected.minSdk}'`);
    expect(badging).toContain("targetSdkVersion:'36'");
    expect(badging).toContain("application-label:'My App'");
    expect(badging).toMatch(new RegExp(`^${expected.launcher}: name='com\\.acme\\.app\\.MainActivity'`, 'm'));
    for (const f of expected.required) expect(badging).toContain(`  uses-feature: name='${f}'`);
    for (const f of expected.notRequired) expect(badging).toContain(`  uses-feature-not-required: name='${f}'`);
    // No form factor's feature leaks into another's manifest.
    const others = Object.values(features).flatMap((e) => [...e.required, ...e.notRequired]).filter((f) => !expected.required.includes(f) && !expected.notRequired.includes(f));
    for (const f of others) expect(badging).not.toContain(`name='${f}'`);
    expect(badging.includes("banner='res/drawable/banner.xml'")).toBe(formFactor === 'tv');
    expect(existsSync(join(project, 'app/src/main/res/drawable/banner.xml'))).toBe(formFactor === 'tv');

    const manifest = readFileSync(join(project, 'app/src/main/AndroidManifest.xml'), 'utf8');
    expect(manifest.includes('com.google.android.wearable.standalone')).toBe(formFactor === 'wear');
    expect(readProjectConfiguration(tree, 'my-app').tags).toEqual(['platform:android', `form-factor:${formFactor}`]);
  });

  it('writes a Kotlin DSL build: pinned plugins, the app module, R8 release, versions from shipfleet properties or package.json', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await androidAppGenerator(tree, { name: 'shop', applicationId: 'com.acme.shop', appVersion: '2.0.1', ...skip });
    const read = (f: string) => tree.read(`apps/shop/${f}`, 'utf-8')!;
    expect(read('settings.gradle.kts')).toMatch(/pluginManagement \{\s*repositories \{\s*google\(\)\s*mavenCentral\(\)\s*gradlePluginPortal\(\)/);
    expect(read('settings.gradle.kts')).toContain('include(":app")');
    expect(read('settings.gradle.kts')).toContain('rootProject.name = "shop"');
    expect(read('build.gradle.kts')).toContain(`id("com.android.application") version "${AGP_VERSION}" apply false`);
    expect(read('build.gradle.kts')).toContain(`id("org.jetbrains.kotlin.android") version "${KOTLIN_VERSION}" apply false`);
    expect(read('gradle.properties')).toContain('android.useAndroidX=true');
    const app = read('app/build.gradle.kts');
    expect(app).toContain('namespace = "com.acme.shop"');
    expect(app).toContain('applicationId = "com.acme.shop"');
    expect(app).toContain('providers.gradleProperty("shipfleetVersionCode").map(String::toInt).getOrElse(1)');
    expect(app).toContain('providers.gradleProperty("shipfleetVersionName").orElse(packageVersion)');
    expect(app).toContain('rootProject.layout.projectDirectory.file("package.json")');
    expect(app).toMatch(/release \{\s*isMinifyEnabled = true\s*proguardFiles\(getDefaultProguardFile\("proguard-android-optimize.txt"\), "proguard-rules.pro"\)/);
    // Signing comes from AGP's injected properties, never from a signingConfig in the file.
    expect(app.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n')).not.toMatch(/signingConfig|storePassword|keyPassword/);
    expect(JSON.parse(read('package.json'))).toMatchObject({ name: 'shop', version: '2.0.1' });
    expect(read('.gitignore').split('\n')).toEqual(expect.arrayContaining(['build/', '.gradle/', 'local.properties', '*.keystore', '*.jks']));
    expect(read('fastlane/metadata/android/en-US/changelogs/default.txt').length).toBeLessThanOrEqual(500);
    expect(read('app/src/main/java/com/acme/shop/MainActivity.kt')).toMatch(/^package com\.acme\.shop\n[\s\S]*class MainActivity : Activity\(\)/);
    expect(tree.exists('apps/shop/app/proguard-rules.pro')).toBe(true);
  });

  it('writes no targets: the Android platform infers build-android and deploy-android from the files', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await androidAppGenerator(tree, { name: 'shop', applicationId: 'com.acme.shop', ...skip });
    expect(readProjectConfiguration(tree, 'shop').targets ?? {}).toEqual({});
    const ws = writeToDisk(tree);
    expect(android.detect(projectFolder(ws, 'apps/shop'))).toEqual({ kind: 'gradle', module: 'app', applicationId: 'com.acme.shop' });
    const targets = inferTargets([android], ws, 'apps/shop', {}, 'default');
    expect(targets['build-android'].outputs).toEqual(['{projectRoot}/app/build/outputs']);
    expect(targets['deploy-android'].options).toEqual({ packageName: 'com.acme.shop' });
  });

  it('says how to add the Gradle wrapper, and that com.example ids cannot go to Google Play', async () => {
    await androidAppGenerator(createTreeWithEmptyWorkspace(), { name: 'demo', ...skip });
    const text = info.mock.calls.map((c) => String(c[0])).join('\n');
    expect(text).toContain(`cd apps/demo && gradle wrapper --gradle-version ${GRADLE_VERSION}`);
    expect(text).toContain('gradlew, gradlew.bat and gradle/wrapper/*');
    expect(text).toContain('Google Play refuses com.example.* ids');
    info.mockClear();
    await androidAppGenerator(createTreeWithEmptyWorkspace(), { name: 'demo', applicationId: 'com.acme.demo', ...skip });
    expect(info.mock.calls.map((c) => String(c[0])).join('\n')).not.toContain('com.example');
  });
});

describe('android-app generator: reruns and existing files', () => {
  it('running it twice changes nothing the second time', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await androidAppGenerator(tree, { name: 'tv', formFactor: 'tv', ...skip });
    const first = treeSnapshot(tree);
    await androidAppGenerator(tree, { name: 'tv', formFactor: 'tv', ...skip });
    expect(treeSnapshot(tree)).toEqual(first);
  });

  it('leaves files that already exist with other content as they are, with a warning', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('apps/app/app/build.gradle.kts', '// mine\n');
    tree.write('apps/app/.gitignore', 'out/\n');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      await androidAppGenerator(tree, { name: 'app', ...skip });
      expect(warn.mock.calls.map((c) => c[0]).sort()).toEqual(['apps/app/.gitignore already exists and was left as it is.', 'apps/app/app/build.gradle.kts already exists and was left as it is.']);
    } finally {
      warn.mockRestore();
    }
    expect(tree.read('apps/app/app/build.gradle.kts', 'utf-8')).toBe('// mine\n');
    expect(tree.read('apps/app/.gitignore', 'utf-8')).toBe('out/\n');
    expect(tree.exists('apps/app/app/src/main/AndroidManifest.xml')).toBe(true);
  });
});

describe('android-app generator: bad options', () => {
  it.each([
    [{ name: 'app', applicationId: 'app' }, 'Option "applicationId": "app" has one segment; Android needs at least two'],
    [{ name: 'app', applicationId: 'com.1acme.app' }, 'Option "applicationId": "com.1acme.app" has the segment "1acme", which is not a letter followed by letters, digits or _'],
    [{ name: 'app', applicationId: 'com.acme-corp.app' }, 'Option "applicationId": "com.acme-corp.app" has the segment "acme-corp"'],
    [{ name: 'app', applicationId: 'com..app' }, 'has the segment ""'],
    [{ name: 'app', applicationId: 'com.acme.new' }, 'Option "applicationId": "com.acme.new" has the segment "new", a Java or Kotlin keyword'],
    [{ name: 'app', applicationId: 'com.fun.app' }, 'has the segment "fun", a Java or Kotlin keyword'],
    [{ name: 'new' }, 'Option "applicationId": "com.example.new" has the segment "new"'],
    [{ name: 'app', formFactor: 'watch' }, 'Option "formFactor": "watch" is not one of phone, wear, tv, automotive'],
    [{ name: 'app', appVersion: '1.0' }, 'Option "appVersion": "1.0" is not a semantic version'],
    [{ name: 'My App' }, 'Option "name"'],
    [{ name: 'app', directory: '../out' }, 'Option "directory"'],
  ])('%j → %s', async (options, message) => {
    await expect(androidAppGenerator(createTreeWithEmptyWorkspace(), { ...options, ...skip })).rejects.toThrow(message);
  });

  it('writes nothing when an option is bad', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const before = treeSnapshot(tree);
    await expect(androidAppGenerator(tree, { name: 'app', formFactor: 'fridge', ...skip })).rejects.toThrow('Option "formFactor"');
    expect(treeSnapshot(tree)).toEqual(before);
  });
});
