import { existsSync } from 'fs';
import { join, resolve } from 'path';
import { booleanOption, durationOption, isPlainObject, oneOfOption, patternOption, UserError } from '@shipfleet/core';
import { AndroidBuildKind, detectAndroidProject } from './project';
import { resolveSigning, ResolvedSigning } from './signing-options';
import { resolveVersionCode, resolveVersionName } from './version';

export type AndroidBuildFormat = 'aab' | 'apk';

/** build-android's options. Paths are relative to the workspace root. */
export interface AndroidBuildOptions {
  /** The application module (Gradle and React Native): default app/, else the included module applying com.android.application. */
  module?: string;
  flavor?: string;
  buildType?: string;
  format?: AndroidBuildFormat;
  versionName?: string;
  versionCode?: number;
  versionCodeOffset?: number;
  keystore?: string;
  keystoreEnv?: string;
  keystorePasswordEnv?: string;
  keyAlias?: string;
  keyAliasEnv?: string;
  keyPasswordEnv?: string;
  noDaemon?: boolean;
  timeout?: string | number;
}

export const ANDROID_BUILD_DEFAULTS = {
  buildType: 'release',
  format: 'aab',
  versionCodeOffset: 0,
  timeout: '60m',
} as const;

export interface ResolvedAndroidBuild {
  kind: AndroidBuildKind;
  /** Absolute project folder. */
  projectRoot: string;
  /** Absolute folder of the Gradle build (the project, or its android/ folder). */
  gradleRoot: string;
  /** The application module under gradleRoot ("app", "apps/phone", "." for the root project). */
  module: string;
  flavor?: string;
  buildType: string;
  format: AndroidBuildFormat;
  /** flavor + buildType, camel-cased: prodRelease. */
  variant: string;
  versionName: string;
  versionCode: number;
  /** Gradle's --no-daemon. */
  noDaemon: boolean;
  timeoutMs: number;
  /** The upload key; undefined for an unsigned build. */
  signing?: ResolvedSigning;
  /** Secret values to mask in all output (runPlan's `secrets`). */
  secrets: string[];
}

export interface AndroidBuildContext {
  /** The project folder: absolute, or relative to the workspace root. */
  projectRoot: string;
  workspaceRoot: string;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
  /** A dry run: what only a real build needs (the wrapper, a version code) is warned about and shown missing, not refused. */
  dryRun?: boolean;
}

/** How a dry run shows a version code no option or CI variable gives. */
export const VERSION_CODE_NOT_SET = '<versionCode not set>';

/** A version code for messages and the plan: the number, or that it is missing (dry runs). */
export const shownVersionCode = (code: number): string => (code > 0 ? String(code) : VERSION_CODE_NOT_SET);

const NAME = /^[a-z][A-Za-z0-9]*$/;
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** AGP's variant name: flavor + buildType camel-cased (prodRelease), or the build type alone. */
export function variantName(flavor: string | undefined, buildType: string): string {
  return flavor ? flavor + capitalize(buildType) : buildType;
}

/** Checks build-android's options and reads what they point at (project kind, versions, secrets). Throws UserError. */
export function resolveAndroidBuild(given: AndroidBuildOptions, ctx: AndroidBuildContext): ResolvedAndroidBuild {
  if (!isPlainObject(given)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"format": "aab"}');
  const raw = given as Record<string, unknown>;
  const env = ctx.env ?? process.env;
  const warn = ctx.warn ?? (() => undefined);
  const projectRoot = resolve(ctx.workspaceRoot, ctx.projectRoot);

  const flavor = patternOption('flavor', raw.flavor, { pattern: NAME, what: 'a product flavor name (or flavors joined camel-case)', example: 'prod' });
  const buildType = patternOption('buildType', raw.buildType, { pattern: NAME, what: 'a build type name', example: 'release' }) ?? ANDROID_BUILD_DEFAULTS.buildType;
  const format = oneOfOption('format', raw.format, ['aab', 'apk'] as const, { fix: 'Use aab (an Android App Bundle, what Play wants) or apk' }) ?? ANDROID_BUILD_DEFAULTS.format;
  const timeoutMs = durationOption('timeout', raw.timeout ?? ANDROID_BUILD_DEFAULTS.timeout, { min: 10_000, example: '60m' })!;
  const noDaemonGiven = booleanOption('noDaemon', raw.noDaemon);
  const versionCode = dryRunTolerant(ctx, 'versionCode', () => resolveVersionCode(raw.versionCode, raw.versionCodeOffset, env), 0);

  const project = detectAndroidProject(projectRoot, raw.module, warn);
  const versionName = resolveVersionName(raw.versionName, projectRoot);
  if (project.kind === 'flutter') {
    if (buildType !== 'release') throw new UserError('buildType', `"${buildType}" cannot be built by flutter build for an upload`, 'Leave buildType out (Flutter builds release) or use a Gradle project');
    if (noDaemonGiven !== undefined) warn('Option "noDaemon" is not used for a Flutter app: flutter build runs Gradle itself');
  } else if (!existsSync(join(project.gradleRoot, 'gradlew'))) {
    missingInDryRun(ctx, new UserError(
      'gradlew',
      `${join(project.gradleRoot, 'gradlew')} does not exist; the build runs the project's own Gradle wrapper, never a Gradle installed on the machine`,
      `Add the wrapper and commit it: run \`gradle wrapper\` in ${project.gradleRoot} on a machine with Gradle, or copy gradlew, gradlew.bat and gradle/wrapper/ from a new Android Studio project`,
    ));
  }

  const signing = resolveSigning(raw, { workspaceRoot: ctx.workspaceRoot, projectRoot, env, warn });
  if (!signing) {
    warn(
      project.kind === 'flutter'
        ? 'No keystore given: the app is signed however android/app/build.gradle says (Flutter\'s template signs release builds with the debug key, which Google Play refuses); give keystore or keystoreEnv, or set ANDROID_KEYSTORE_BASE64, to sign with your upload key'
        : 'No keystore given: the build is unsigned; Google Play needs it signed with your upload key (give keystore or keystoreEnv, or set ANDROID_KEYSTORE_BASE64)',
    );
  }
  const ci = !!env.CI && env.CI !== 'false' && env.CI !== '0';
  return {
    kind: project.kind,
    projectRoot,
    gradleRoot: project.gradleRoot,
    module: project.module,
    ...(flavor ? { flavor } : {}),
    buildType,
    format,
    variant: variantName(flavor, buildType),
    versionName,
    versionCode,
    noDaemon: noDaemonGiven ?? ci,
    timeoutMs,
    ...(signing ? { signing } : {}),
    secrets: signing?.secrets ?? [],
  };
}

/** In a dry run, a problem only a real build would hit is a warning (the plan is how people learn what a target does); otherwise it is thrown. */
function missingInDryRun(ctx: AndroidBuildContext, problem: UserError): void {
  if (!ctx.dryRun) throw problem;
  ctx.warn?.(`Dry run: ${problem.message} A real run stops here.`);
}

/** `read()`, or in a dry run `fallback` when it fails on `option` being absent (other mistakes in it are still errors). */
function dryRunTolerant<T>(ctx: AndroidBuildContext, option: string, read: () => T, fallback: T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof UserError) || err.option !== option || !/is not given/.test(err.problem)) throw err;
    missingInDryRun(ctx, err);
    return fallback;
  }
}
