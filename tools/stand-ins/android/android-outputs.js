// Shared by the Gradle and Flutter stand-ins: real artefacts made with the real tools.
// An APK is built by aapt from the module's manifest (and res/), aligned by zipalign and signed by
// apksigner; an app bundle is an AAB-shaped zip (the manifest as text XML) signed by jarsigner.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const FRAMEWORK_RES = process.env.SHIPFLEET_FRAMEWORK_RES || '/usr/share/android-framework-res/framework-res.apk';

function run(file, args, options = {}) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  } catch (err) {
    throw new Error(`${file} failed: ${[err.stdout, err.stderr].filter(Boolean).join(" ").trim() || err.message}`);
  }
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The manifest aapt gets: the module's own, with package= added from applicationId/namespace when it has none (AGP adds it). */
function manifestWithPackage(manifestPath, packageName, work) {
  const xml = fs.readFileSync(manifestPath, 'utf8');
  if (/<manifest\b[^>]*\bpackage=/.test(xml)) return manifestPath;
  const out = path.join(work, 'AndroidManifest.xml');
  fs.writeFileSync(out, xml.replace(/<manifest\b/, `<manifest package="${packageName}"`));
  return out;
}

/** A real APK: aapt package (manifest, res/ when there is one, framework-res.apk), then zipalign. */
function buildApk({ manifest, res, out, packageName, versionCode, versionName }) {
  const work = tempDir('shipfleet-standin-apk-');
  try {
    const raw = path.join(work, 'raw.apk');
    const args = ['package', '-f', '-M', manifestWithPackage(manifest, packageName, work), '-I', FRAMEWORK_RES, '-F', raw, '--version-code', String(versionCode), '--version-name', String(versionName)];
    if (res && fs.existsSync(res)) args.push('-S', res);
    run('aapt', args);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    run('zipalign', ['-p', '-f', '4', raw, out]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** An AAB-shaped zip: base/manifest/AndroidManifest.xml (text XML with the version), a placeholder dex, BundleConfig.pb. */
function buildAab({ out, packageName, versionCode, versionName }) {
  const work = tempDir('shipfleet-standin-aab-');
  try {
    fs.mkdirSync(path.join(work, 'base', 'manifest'), { recursive: true });
    fs.mkdirSync(path.join(work, 'base', 'dex'), { recursive: true });
    fs.writeFileSync(
      path.join(work, 'base', 'manifest', 'AndroidManifest.xml'),
      `<?xml version="1.0" encoding="utf-8"?>\n<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="${packageName}" android:versionCode="${versionCode}" android:versionName="${versionName}"/>\n`,
    );
    fs.writeFileSync(path.join(work, 'base', 'dex', 'classes.dex'), Buffer.from('dex\n035\0', 'binary'));
    fs.writeFileSync(path.join(work, 'BundleConfig.pb'), Buffer.from([0x0a, 0x00]));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.rmSync(out, { force: true });
    run('zip', ['-q', '-r', '-X', out, '.'], { cwd: work });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Passwords reach the signing tools through variables of their own, never as arguments. */
function passwordEnv(storePassword, keyPassword) {
  return { ...process.env, SHIPFLEET_STANDIN_STORE_PASS: storePassword, SHIPFLEET_STANDIN_KEY_PASS: keyPassword };
}

function signApk({ apk, keystore, alias, storePassword, keyPassword }) {
  run('apksigner', ['sign', '--ks', keystore, '--ks-key-alias', alias, '--ks-pass', 'env:SHIPFLEET_STANDIN_STORE_PASS', '--key-pass', 'env:SHIPFLEET_STANDIN_KEY_PASS', apk], { env: passwordEnv(storePassword, keyPassword) });
}

function signAab({ aab, keystore, alias, storePassword, keyPassword }) {
  run('jarsigner', ['-keystore', keystore, '-storepass:env', 'SHIPFLEET_STANDIN_STORE_PASS', '-keypass:env', 'SHIPFLEET_STANDIN_KEY_PASS', '-sigalg', 'SHA256withRSA', '-digestalg', 'SHA-256', aab, alias], { env: passwordEnv(storePassword, keyPassword) });
}

/** applicationId from a Gradle build file (either DSL), else its namespace. */
function applicationId(buildFile) {
  const m = /\bapplicationId\s*(?:=\s*)?["']([A-Za-z][\w.]*)["']/.exec(buildFile) || /\bnamespace\s*(?:=\s*)?["']([A-Za-z][\w.]*)["']/.exec(buildFile);
  return m ? m[1] : 'com.example.app';
}

module.exports = { FRAMEWORK_RES, buildApk, buildAab, signApk, signAab, applicationId, run };
