import { RunStep, runStep } from '@shipfleet/core';
import { ResolvedAndroidBuild, shownVersionCode } from './options';

/** Gradle's project properties through the environment: ORG_GRADLE_PROJECT_<name> is the property <name>. */
export const GRADLE_PROPERTY_PREFIX = 'ORG_GRADLE_PROJECT_';

/** The Android Gradle Plugin's injected signing properties (what Android Studio's "Generate Signed Bundle" passes). */
export const INJECTED_SIGNING = {
  storeFile: 'android.injected.signing.store.file',
  storePassword: 'android.injected.signing.store.password',
  keyAlias: 'android.injected.signing.key.alias',
  keyPassword: 'android.injected.signing.key.password',
} as const;

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `:app:bundleProdRelease`, `:apps:phone:assembleRelease`, or `:bundleRelease` for the root project. */
export function gradleTask(r: Pick<ResolvedAndroidBuild, 'module' | 'format' | 'variant'>): string {
  const task = `${r.format === 'aab' ? 'bundle' : 'assemble'}${capitalize(r.variant)}`;
  return r.module === '.' ? `:${task}` : `:${r.module.split('/').join(':')}:${task}`;
}

/** The variables the Gradle build receives: the version as shipfleetVersionName/shipfleetVersionCode, and the upload key. */
export function gradleEnvironment(r: ResolvedAndroidBuild, keystorePath: string | undefined): Record<string, string> {
  const env: Record<string, string> = {
    [`${GRADLE_PROPERTY_PREFIX}shipfleetVersionName`]: r.versionName,
    [`${GRADLE_PROPERTY_PREFIX}shipfleetVersionCode`]: shownVersionCode(r.versionCode),
  };
  if (r.signing && keystorePath) {
    env[GRADLE_PROPERTY_PREFIX + INJECTED_SIGNING.storeFile] = keystorePath;
    env[GRADLE_PROPERTY_PREFIX + INJECTED_SIGNING.storePassword] = r.signing.storePassword.value;
    env[GRADLE_PROPERTY_PREFIX + INJECTED_SIGNING.keyAlias] = r.signing.alias;
    env[GRADLE_PROPERTY_PREFIX + INJECTED_SIGNING.keyPassword] = r.signing.keyPassword.value;
  }
  return env;
}

/**
 * The Gradle build, through the project's wrapper. Everything it needs
 * arrives as environment variables, never as -P arguments: Gradle prints its
 * command line and `ps` shows every process's arguments.
 *
 * The wrapper is run as `bash ./gradlew`, not `./gradlew`: gradlew starts with
 * #!/bin/sh, and where /bin/sh is dash (Debian, Ubuntu) the shell drops every
 * variable whose name is not a shell identifier, such as
 * ORG_GRADLE_PROJECT_android.injected.signing.store.file. bash keeps them in
 * the environment it passes on to Java.
 */
export function gradleBuildStep(r: ResolvedAndroidBuild, keystorePath: string | undefined): RunStep {
  const args = ['./gradlew', gradleTask(r), '--console=plain', ...(r.noDaemon ? ['--no-daemon'] : [])];
  const what = `${r.format === 'aab' ? 'app bundle' : 'APK'} ${r.variant}`;
  return runStep(`Build the ${what} with Gradle${r.signing ? ', signed with the upload key' : ' (unsigned)'}`, 'bash', args, {
    cwd: r.gradleRoot,
    env: gradleEnvironment(r, keystorePath),
    timeoutMs: r.timeoutMs,
  });
}
