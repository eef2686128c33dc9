import { join } from 'path';
import { RunStep, runStep } from '@shipfleet/core';
import { ResolvedAndroidBuild, shownVersionCode } from './options';

/** Where `flutter build` leaves its output: build/app/outputs/bundle/<variant>/app-<flavor->release.aab, or flutter-apk/app-<flavor->release.apk. */
export function flutterOutput(r: ResolvedAndroidBuild): string {
  const name = `app-${r.flavor ? `${r.flavor}-` : ''}${r.buildType}`;
  const outputs = join(r.projectRoot, 'build', 'app', 'outputs');
  return r.format === 'aab' ? join(outputs, 'bundle', r.variant, `${name}.aab`) : join(outputs, 'flutter-apk', `${name}.apk`);
}

/** The APK re-signed with the upload key, beside Flutter's own. */
export function flutterSignedApk(r: ResolvedAndroidBuild): string {
  return flutterOutput(r).replace(/\.apk$/, '-signed.apk');
}

export function flutterBuildStep(r: ResolvedAndroidBuild): RunStep {
  const args = ['build', r.format === 'aab' ? 'appbundle' : 'apk', '--release', '--build-name', r.versionName, '--build-number', shownVersionCode(r.versionCode), ...(r.flavor ? ['--flavor', r.flavor] : [])];
  return runStep(`Build the ${r.format === 'aab' ? 'app bundle' : 'APK'} with flutter build`, 'flutter', args, { cwd: r.projectRoot, timeoutMs: r.timeoutMs });
}

/** JAR signature files: what jarsigner adds, and what an earlier signer (Flutter's debug key) left. */
export const JAR_SIGNATURE_ENTRIES = ['META-INF/*.SF', 'META-INF/*.RSA', 'META-INF/*.DSA', 'META-INF/*.EC', 'META-INF/MANIFEST.MF'];

/**
 * Signs what flutter build wrote with the upload key. flutter runs Gradle
 * through /bin/sh itself, so the injected signing properties would not reach
 * it (see gradleBuildStep): the output is signed afterwards. Passwords reach
 * the tools as the names of the variables that hold them (`env:NAME`), so no
 * password is ever an argument.
 */
export function flutterSigningSteps(r: ResolvedAndroidBuild, keystorePath: string): RunStep[] {
  const s = r.signing!;
  const secretEnv = [...new Set([s.storePassword.env, s.keyPassword.env])];
  const built = flutterOutput(r);
  if (r.format === 'apk') {
    const signed = flutterSignedApk(r);
    return [
      runStep('Align the APK', 'zipalign', ['-p', '-f', '4', built, signed]),
      // apksigner replaces the existing signatures: the debug key's v1 files go, v2/v3 blocks are rebuilt.
      runStep('Sign the APK with the upload key', 'apksigner', ['sign', '--ks', keystorePath, '--ks-key-alias', s.alias, '--ks-pass', `env:${s.storePassword.env}`, '--key-pass', `env:${s.keyPassword.env}`, signed], { secretEnv }),
    ];
  }
  return [
    // jarsigner adds a signer beside the ones already there: Flutter's debug signature is removed first (zip exits 12 when there is none).
    runStep('Remove the app bundle\'s existing signature', 'zip', ['-q', '-d', built, ...JAR_SIGNATURE_ENTRIES], { okExitCodes: [0, 12] }),
    runStep('Sign the app bundle with the upload key', 'jarsigner', ['-keystore', keystorePath, '-storepass:env', s.storePassword.env, '-keypass:env', s.keyPassword.env, '-sigalg', 'SHA256withRSA', '-digestalg', 'SHA-256', built, s.alias], { secretEnv }),
  ];
}
