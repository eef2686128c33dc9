import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { PLATFORMS } from '.';
import { inferTargets } from '../inference/infer-targets';
import { android, includedModules, readApplicationId } from './android';
import { markerGlob, projectRootOf } from './markers';
import { projectFolder } from './platform';

const workspaces: string[] = [];
afterAll(() => workspaces.forEach((ws) => rmSync(ws, { recursive: true, force: true })));

/** A workspace with one project at apps/app holding these files. */
function project(files: Record<string, string>, root = 'apps/app'): { ws: string; root: string } {
  const ws = mkdtempSync(join(tmpdir(), 'shipfleet-android-'));
  workspaces.push(ws);
  for (const [file, content] of Object.entries({ 'project.json': '{}', ...files })) {
    mkdirSync(dirname(join(ws, root, file)), { recursive: true });
    writeFileSync(join(ws, root, file), content);
  }
  return { ws, root };
}

const detect = (files: Record<string, string>) => {
  const { ws, root } = project(files);
  return android.detect(projectFolder(ws, root));
};

const KTS_APP = 'plugins {\n    id("com.android.application")\n    id("org.jetbrains.kotlin.android")\n}\n\nandroid {\n    namespace = "com.acme.ns"\n    defaultConfig {\n        applicationId = "com.acme.kts"\n        applicationIdSuffix = ".x"\n    }\n}\n';
const GROOVY_APP = "apply plugin: 'com.android.application'\n\nandroid {\n    namespace 'com.acme.ns'\n    defaultConfig {\n        applicationId \"com.acme.groovy\"\n    }\n}\n";
const LIBRARY = 'plugins { id("com.android.library") }\nandroid { namespace = "com.acme.lib" }\n';

describe('android platform: native Gradle', () => {
  it('finds the app module of a Kotlin DSL build and reads its applicationId', () => {
    expect(detect({ 'settings.gradle.kts': 'rootProject.name = "x"\ninclude(":app")\n', 'app/build.gradle.kts': KTS_APP })).toEqual({ kind: 'gradle', module: 'app', applicationId: 'com.acme.kts' });
  });

  it('finds an included application module of a Groovy build beside a library, and reads applicationId "…"', () => {
    const found = detect({ 'settings.gradle': "include ':lib', ':mobile'\nincludeBuild('build-logic')\n", 'lib/build.gradle': LIBRARY, 'mobile/build.gradle': GROOVY_APP });
    expect(found).toEqual({ kind: 'gradle', module: 'mobile', applicationId: 'com.acme.groovy' });
  });

  it('recognises the plugin through a version-catalog alias, and falls back to the namespace as the id', () => {
    const found = detect({
      'settings.gradle.kts': 'include(":app")\n',
      'gradle/libs.versions.toml': '[versions]\nagp = "8.13.2"\n\n[plugins]\nandroid-application = { id = "com.android.application", version.ref = "agp" }\n',
      'app/build.gradle.kts': 'plugins {\n    alias(libs.plugins.android.application)\n}\nandroid {\n    namespace = "com.acme.catalog"\n}\n',
    });
    expect(found).toEqual({ kind: 'gradle', module: 'app', applicationId: 'com.acme.catalog' });
  });

  it('finds a single-module build whose root applies the plugin, without an id when none is written', () => {
    expect(detect({ 'settings.gradle': 'rootProject.name = "solo"\n', 'build.gradle': "plugins { id 'com.android.application' }\n" })).toEqual({ kind: 'gradle', module: '.' });
  });

  it.each([
    ['a library module only', { 'settings.gradle.kts': 'include(":lib")\n', 'lib/build.gradle.kts': LIBRARY }],
    ['a root that only declares the plugin (apply false) over a library', { 'settings.gradle.kts': 'include(":lib")\n', 'build.gradle.kts': 'plugins {\n    id("com.android.application") version "8.13.2" apply false\n}\n', 'lib/build.gradle.kts': LIBRARY }],
    ['an app module whose plugin line is commented out', { 'settings.gradle.kts': 'include(":app")\n', 'app/build.gradle.kts': '// id("com.android.application")\nplugins { id("java") }\n' }],
    ['an app module without settings.gradle', { 'app/build.gradle.kts': KTS_APP }],
    ['a plain JVM Gradle build', { 'settings.gradle.kts': 'include(":core")\n', 'core/build.gradle.kts': 'plugins { kotlin("jvm") }\n' }],
  ])('is not an app: %s', (_what, files) => {
    expect(detect(files)).toBeUndefined();
  });
});

describe('android platform: Flutter and React Native', () => {
  const pubspec = 'name: shop\nenvironment:\n  sdk: ^3.5.0\ndependencies:\n  flutter:\n    sdk: flutter\nflutter:\n  uses-material-design: true\n';

  it('finds a Flutter app with an android/ app module, beside ios/', () => {
    const found = detect({ 'pubspec.yaml': pubspec, 'android/settings.gradle.kts': 'include(":app")\n', 'android/app/build.gradle.kts': 'plugins {\n    id("com.android.application")\n    id("dev.flutter.flutter-gradle-plugin")\n}\nandroid {\n    defaultConfig {\n        applicationId = "com.acme.shop"\n    }\n}\n', 'ios/Runner.xcodeproj/project.pbxproj': 'SDKROOT = iphoneos;' });
    expect(found).toEqual({ kind: 'flutter', module: 'android/app', applicationId: 'com.acme.shop' });
  });

  it.each([
    ['a Flutter package without android/', { 'pubspec.yaml': pubspec, 'lib/main.dart': '' }],
    ['a Flutter plugin whose android/ has no app module', { 'pubspec.yaml': pubspec, 'android/build.gradle': "apply plugin: 'com.android.library'\n" }],
    ['a Dart package', { 'pubspec.yaml': 'name: util\ndependencies:\n  path: ^1.9.0\n', 'android/app/build.gradle': GROOVY_APP }],
  ])('is not an app: %s', (_what, files) => {
    expect(detect(files)).toBeUndefined();
  });

  const rnPackage = JSON.stringify({ name: 'rn', version: '1.0.0', dependencies: { react: '19.1.0', 'react-native': '0.81.0' } });

  it('finds a React Native app with android/ (and ignores ios/)', () => {
    const found = detect({
      'package.json': rnPackage,
      'android/settings.gradle': "rootProject.name = 'rn'\ninclude ':app'\nincludeBuild('../node_modules/@react-native/gradle-plugin')\n",
      'android/build.gradle': "buildscript { dependencies { classpath('com.android.tools.build:gradle') } }\n",
      'android/app/build.gradle': 'apply plugin: "com.android.application"\napply plugin: "com.facebook.react"\nandroid {\n    namespace "com.rn"\n    defaultConfig {\n        applicationId "com.acme.rn"\n    }\n}\n',
      'ios/rn.xcodeproj/project.pbxproj': 'SDKROOT = iphoneos;',
    });
    expect(found).toEqual({ kind: 'react-native', module: 'android/app', applicationId: 'com.acme.rn' });
  });

  it.each([
    ['a React Native library (peer dependency, no settings.gradle)', { 'package.json': JSON.stringify({ name: 'lib', peerDependencies: { 'react-native': '*' } }), 'android/build.gradle': "apply plugin: 'com.android.library'\n" }],
    ['an Expo app not yet prebuilt (no android/)', { 'package.json': rnPackage, 'app.json': '{}' }],
    ['a package.json that is not JSON', { 'package.json': '{ nope', 'android/settings.gradle': "include ':app'\n", 'android/app/build.gradle': GROOVY_APP }],
    ['a web app', { 'package.json': JSON.stringify({ dependencies: { react: '19.1.0' } }), 'vercel.json': '{}' }],
  ])('is not an app: %s', (_what, files) => {
    expect(detect(files)).toBeUndefined();
  });
});

describe('android platform: reading build files', () => {
  it.each([
    ['applicationId = "com.a.kts"', 'com.a.kts'],
    ["applicationId 'com.a.groovy'", 'com.a.groovy'],
    ['applicationId "com.a.dq"', 'com.a.dq'],
    ['namespace = "com.a.ns"\n', 'com.a.ns'],
    ['namespace "com.a.ns"\napplicationId = "com.a.id"', 'com.a.id'],
    ['applicationIdSuffix = ".debug"', undefined],
  ])('%j → %s', (build, id) => {
    expect(readApplicationId(build)).toBe(id);
  });

  it('lists the modules of include(…) in both DSLs, nested paths as folders', () => {
    expect(includedModules('include(":app", ":feature:home")\ninclude ":lib"\nincludeBuild("logic")\n')).toEqual(['app', 'feature/home', 'lib']);
  });
});

describe('android platform: markers and targets', () => {
  it.each([
    ['apps/rn/android/settings.gradle', 'apps/rn'],
    ['apps/shop/android/settings.gradle.kts', 'apps/shop'],
    ['apps/native/settings.gradle.kts', 'apps/native'],
    ['apps/native/app/build.gradle.kts', 'apps/native'],
    // A native project whose folder is named android/: its app module places it.
    ['apps/android/app/build.gradle.kts', 'apps/android'],
    ['apps/shop/pubspec.yaml', 'apps/shop'],
  ])('%s belongs to %s', (file, root) => {
    expect(projectRootOf(file, [android])).toBe(root);
  });

  it('markers are plain globs the createNodes glob carries', () => {
    for (const m of android.markers) expect(m).toMatch(/^[\w./-]+$/);
    expect(markerGlob([android])).toBe(`**/{${android.markers.join(',')}}`);
  });

  /** Every platform, Android included once (whether or not the registry lists it yet). */
  const all = [...new Set([...PLATFORMS, android])];

  it('gives a native app build-android (outputs in the module, not cached) and deploy-android with the package name', () => {
    const { ws, root } = project({ 'package.json': '{"name":"app","version":"1.0.0"}', 'settings.gradle.kts': 'include(":app")\n', 'app/build.gradle.kts': KTS_APP });
    const targets = inferTargets(all, ws, root, {}, 'default');
    expect(Object.keys(targets)).toEqual(['build-android', 'deploy-android', 'deploy']);
    expect(targets['build-android']).toMatchObject({ executor: '@shipfleet/nx:build-android', cache: false, outputs: ['{projectRoot}/app/build/outputs'], metadata: { runner: 'linux' } });
    expect(targets['build-android'].options).toBeUndefined();
    expect(targets['deploy-android']).toMatchObject({ executor: '@shipfleet/nx:deploy-android', cache: false, options: { packageName: 'com.acme.kts' }, metadata: { runner: 'linux' } });
    expect(targets.deploy).toMatchObject({ options: { targets: ['deploy-android'] }, metadata: { runner: 'linux' } });
  });

  it("gives a Flutter app Flutter's output folder and no other platform's targets", () => {
    const { ws, root } = project({ 'pubspec.yaml': 'name: f\ndependencies:\n  flutter:\n    sdk: flutter\n', 'android/app/build.gradle': GROOVY_APP });
    const targets = inferTargets(all, ws, root, {}, 'default');
    expect(Object.keys(targets)).toEqual(['build-android', 'deploy-android', 'deploy']);
    expect(targets['build-android'].outputs).toEqual(['{projectRoot}/build/app/outputs']);
  });

  it('gives a React Native app with ios/ beside android/ only the Android targets, and none without an id', () => {
    const { ws, root } = project({
      'package.json': JSON.stringify({ name: 'rn', dependencies: { 'react-native': '0.81.0' } }),
      'android/settings.gradle.kts': 'include(":app")\n',
      'android/app/build.gradle.kts': 'plugins { id("com.android.application") }\n',
      'ios/rn.xcodeproj/project.pbxproj': 'SDKROOT = iphoneos;',
    });
    const targets = inferTargets(all, ws, root, {}, 'default');
    expect(Object.keys(targets)).toEqual(['build-android', 'deploy-android', 'deploy']);
    expect(targets['build-android'].outputs).toEqual(['{projectRoot}/android/app/build/outputs']);
    expect(targets['deploy-android'].options).toBeUndefined();
  });

  it('asks CI for the upload keystore and the Play service account', () => {
    expect(android.ciSecrets).toEqual(['ANDROID_KEYSTORE_BASE64', 'ANDROID_KEYSTORE_PASSWORD', 'ANDROID_KEY_ALIAS', 'ANDROID_KEY_PASSWORD', 'PLAY_SERVICE_ACCOUNT_JSON']);
  });
});
