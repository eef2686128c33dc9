// Test helpers for the Android build: keystores made with keytool, projects of each kind with the
// stand-in Gradle wrapper, real artefacts from the stand-ins' aapt/zip code, and the stand-ins' call log.
import { execFileSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';

export const STAND_INS = resolve(__dirname, '../../../../tools/stand-ins/android');
/** Put first on PATH for the flutter stand-in. */
export const STAND_IN_BIN = join(STAND_INS, 'bin');
/** The gradlew stand-in finds the fake Gradle through this variable once copied into a project. */
export const GRADLE_STANDIN_VARIABLE = 'SHIPFLEET_GRADLE_STANDIN';
export const GRADLE_STANDIN_JS = join(STAND_INS, 'gradle.js');

const outputs = require(join(STAND_INS, 'android-outputs.js')) as {
  buildApk(o: { manifest: string; res?: string; out: string; packageName: string; versionCode: number | string; versionName: string }): void;
  buildAab(o: { out: string; packageName: string; versionCode: number | string; versionName: string }): void;
  signApk(o: { apk: string; keystore: string; alias: string; storePassword: string; keyPassword: string }): void;
  signAab(o: { aab: string; keystore: string; alias: string; storePassword: string; keyPassword: string }): void;
};

export function tempDir(prefix = 'shipfleet-android-build-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

export interface Keystore {
  path: string;
  alias: string;
  storePassword: string;
  keyPassword: string;
  base64: string;
  /** The key's certificate SHA-256 as `keytool -list -v` prints it (AA:BB:…). */
  sha256: string;
}

/** A keystore with one RSA key, made by keytool: PKCS12, or JKS when the key has a password of its own (PKCS12 keystores have one password for both). */
export function makeKeystore(dir: string, o: { alias?: string; storePassword: string; keyPassword?: string; cn?: string; type?: 'PKCS12' | 'JKS'; file?: string }): Keystore {
  const alias = o.alias ?? 'upload';
  const keyPassword = o.keyPassword ?? o.storePassword;
  const path = join(dir, o.file ?? 'upload.jks');
  mkdirSync(dirname(path), { recursive: true });
  const env = { ...process.env, KS_STORE_PASS: o.storePassword, KS_KEY_PASS: keyPassword };
  execFileSync('keytool', ['-genkeypair', '-storetype', o.type ?? (keyPassword === o.storePassword ? 'PKCS12' : 'JKS'), '-keystore', path, '-storepass:env', 'KS_STORE_PASS', '-keypass:env', 'KS_KEY_PASS', '-alias', alias, '-keyalg', 'RSA', '-keysize', '2048', '-validity', '10000', '-dname', `CN=${o.cn ?? 'Upload Key'},O=Acme`], { env, stdio: 'pipe' });
  const listed = execFileSync('keytool', ['-J-Duser.language=en', '-list', '-v', '-keystore', path, '-alias', alias, '-storepass:env', 'KS_STORE_PASS'], { env, encoding: 'utf8', stdio: 'pipe' });
  const sha256 = /SHA256: ([0-9A-F:]{95})/.exec(listed)![1];
  return { path, alias, storePassword: o.storePassword, keyPassword, base64: readFileSync(path).toString('base64'), sha256 };
}

/** Copies the stand-in wrapper into a Gradle build as ./gradlew, as a project commits the real one. */
export function installGradleWrapper(gradleRoot: string): void {
  copyFileSync(join(STAND_INS, 'gradlew'), join(gradleRoot, 'gradlew'));
}

const MANIFEST = '<?xml version="1.0" encoding="utf-8"?>\n<manifest xmlns:android="http://schemas.android.com/apk/res/android">\n  <application android:label="@string/app_name" />\n</manifest>\n';
const STRINGS = '<?xml version="1.0" encoding="utf-8"?>\n<resources><string name="app_name">Acme</string></resources>\n';
const APP_BUILD = (id: string) => `plugins {\n    id("com.android.application")\n}\n\nandroid {\n    namespace = "${id}"\n    defaultConfig {\n        applicationId = "${id}"\n        versionCode = providers.gradleProperty("shipfleetVersionCode").map(String::toInt).getOrElse(1)\n        versionName = providers.gradleProperty("shipfleetVersionName").getOrElse("0.0.0")\n    }\n}\n`;

function appModule(root: string, module: string, id: string): void {
  writeFiles(root, {
    [`${module}/build.gradle.kts`]: APP_BUILD(id),
    [`${module}/src/main/AndroidManifest.xml`]: MANIFEST,
    [`${module}/src/main/res/values/strings.xml`]: STRINGS,
  });
}

/** A native Gradle project: settings.gradle.kts, an application module, package.json with the version, the stand-in wrapper. */
export function makeGradleProject(root: string, o: { module?: string; version?: string; applicationId?: string; wrapper?: boolean } = {}): string {
  const module = o.module ?? 'app';
  writeFiles(root, {
    'settings.gradle.kts': `rootProject.name = "acme"\ninclude(":lib", ":${module.split('/').join(':')}")\n`,
    'package.json': JSON.stringify({ name: 'acme-android', version: o.version ?? '1.4.0', private: true }),
    'lib/build.gradle.kts': 'plugins {\n    id("com.android.library")\n}\n',
  });
  appModule(root, module, o.applicationId ?? 'com.acme.app');
  if (o.wrapper ?? true) installGradleWrapper(root);
  return root;
}

/** A React Native app: package.json depending on react-native, android/ with its Gradle build and the wrapper. */
export function makeReactNativeProject(root: string, o: { version?: string } = {}): string {
  writeFiles(root, {
    'package.json': JSON.stringify({ name: 'acme-rn', version: o.version ?? '2.1.0', dependencies: { react: '19.1.0', 'react-native': '0.81.0' } }),
    'android/settings.gradle': "rootProject.name = 'AcmeRN'\ninclude ':app'\n",
  });
  appModule(join(root, 'android'), 'app', 'com.acme.rn');
  installGradleWrapper(join(root, 'android'));
  return root;
}

/** A Flutter app: pubspec.yaml with a version, android/app with its manifest. */
export function makeFlutterProject(root: string, o: { version?: string } = {}): string {
  writeFiles(root, {
    'pubspec.yaml': `name: acme\nversion: ${o.version ?? '3.0.1+7'}\n\nflutter:\n  uses-material-design: true\n`,
    'android/settings.gradle.kts': 'include(":app")\n',
  });
  appModule(join(root, 'android'), 'app', 'com.acme.flutter');
  return root;
}

/** A real APK made with aapt and zipalign, signed when a keystore is given. */
export function makeApk(out: string, o: { versionCode?: number; sign?: Keystore } = {}): string {
  const work = tempDir('shipfleet-apk-src-');
  try {
    writeFiles(work.dir, { 'AndroidManifest.xml': MANIFEST.replace('<manifest ', '<manifest package="com.acme.app" '), 'res/values/strings.xml': STRINGS });
    outputs.buildApk({ manifest: join(work.dir, 'AndroidManifest.xml'), res: join(work.dir, 'res'), out, packageName: 'com.acme.app', versionCode: o.versionCode ?? 1, versionName: '1.0.0' });
  } finally {
    work.cleanup();
  }
  if (o.sign) outputs.signApk({ apk: out, keystore: o.sign.path, alias: o.sign.alias, storePassword: o.sign.storePassword, keyPassword: o.sign.keyPassword });
  return out;
}

/** An AAB-shaped zip, signed with jarsigner by each keystore given (in order). */
export function makeAab(out: string, o: { versionCode?: number; signers?: Keystore[] } = {}): string {
  outputs.buildAab({ out, packageName: 'com.acme.app', versionCode: o.versionCode ?? 1, versionName: '1.0.0' });
  for (const k of o.signers ?? []) outputs.signAab({ aab: out, keystore: k.path, alias: k.alias, storePassword: k.storePassword, keyPassword: k.keyPassword });
  return out;
}

export interface StandInCall {
  tool: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

export function readCalls(log: string): StandInCall[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as StandInCall) : [];
}

/** The entries of a zip, as unzip lists them. */
export function zipEntries(zip: string): string[] {
  return execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
}
