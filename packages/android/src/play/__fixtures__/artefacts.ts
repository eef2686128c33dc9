import { execFileSync } from 'child_process';
import { generateKeyPairSync, randomBytes } from 'crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

export const FRAMEWORK_RES = '/usr/share/android-framework-res/framework-res.apk';

/** A temporary folder for one test, removed by `cleanup`. */
export function tempDir(prefix = 'shipfleet-play-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes files (relative path → content) under `root`. */
export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/**
 * An AAB-shaped zip: base/manifest/AndroidManifest.xml as text (what the
 * stand-in reads the version code from) and `padBytes` of random data stored
 * uncompressed, so that the file has the size a test needs.
 */
export function makeAab(dir: string, name: string, versionCode: number, padBytes = 0): string {
  const work = mkdtempSync(join(dir, 'aab-'));
  writeFiles(work, {
    'base/manifest/AndroidManifest.xml': `<?xml version="1.0" encoding="utf-8"?>\n<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.acme.app" android:versionCode="${versionCode}" android:versionName="1.${versionCode}.0"/>\n`,
    'BundleConfig.pb': Buffer.from([0x0a, 0x00]),
    ...(padBytes ? { 'base/assets/blob.bin': randomBytes(padBytes) } : {}),
  });
  const out = join(dir, name);
  execFileSync('zip', ['-q', '-r', '-0', out, '.'], { cwd: work });
  rmSync(work, { recursive: true, force: true });
  return out;
}

/** A real APK made with aapt (its version code read back by `aapt dump badging`). */
export function makeApk(dir: string, name: string, versionCode: number, versionName = `1.${versionCode}.0`): string {
  const work = mkdtempSync(join(dir, 'apk-'));
  writeFileSync(join(work, 'AndroidManifest.xml'), '<?xml version="1.0" encoding="utf-8"?>\n<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.acme.app"><application android:label="Acme"/></manifest>\n');
  const out = join(dir, name);
  execFileSync('aapt', ['package', '-f', '-M', join(work, 'AndroidManifest.xml'), '-I', FRAMEWORK_RES, '-F', out, '--version-code', String(versionCode), '--version-name', versionName]);
  rmSync(work, { recursive: true, force: true });
  return out;
}

/** A service-account key JSON with a fresh RSA key (not known to any server). */
export function fakeServiceAccountKey(email = 'publisher@acme-ci.iam.gserviceaccount.com'): { json: string; privateKey: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const json = JSON.stringify({ type: 'service_account', project_id: 'acme-ci', private_key_id: randomBytes(20).toString('hex'), private_key: privateKey, client_email: email, client_id: '1234567890', token_uri: 'https://oauth2.googleapis.com/token' }, null, 2);
  return { json, privateKey };
}
