import { logger, Tree } from '@nx/devkit';
import { join } from 'path';
import { oneOfOption, UserError } from '@shipfleet/core';
import { addOrKeepProject, checkDirectory, checkName, checkVersion, finish, writeTemplatesKeepingEdits } from '../../utils/generator-utils';

export const ANDROID_FORM_FACTORS = ['phone', 'wear', 'tv', 'automotive'] as const;
export type AndroidFormFactor = (typeof ANDROID_FORM_FACTORS)[number];

export interface AndroidAppSchema {
  name: string;
  directory?: string;
  /** Reverse-DNS application id, also the Kotlin package and the namespace; default com.example.<name>. */
  applicationId?: string;
  /** phone (default), wear, tv, automotive. */
  formFactor?: string;
  appVersion?: string;
  skipFormat?: boolean;
}

/** Android Gradle Plugin and Kotlin versions written into build.gradle.kts (a documented pair: AGP 8.13.2 runs R8 for Kotlin 2.2/2.3). */
export const AGP_VERSION = '8.13.2';
export const KOTLIN_VERSION = '2.2.21';
/** The Gradle the wrapper should use: AGP 8.13 needs 8.13 or newer. */
export const GRADLE_VERSION = '8.14.3';

/** SDK levels: compile and target the newest API AGP 8.13 knows; the minimum is the form factor's. */
const COMPILE_SDK = 36;
const MIN_SDK: Record<AndroidFormFactor, number> = {
  phone: 24,
  // Wear OS 3 (API 30), the oldest Wear OS that current apps support.
  wear: 30,
  // Android TV began with API 21.
  tv: 21,
  // Android Automotive OS with Google Play starts at Android 10 (API 29).
  automotive: 29,
};

// Words that cannot be a segment of a Java or Kotlin package name (Java keywords and literals, Kotlin hard keywords).
const RESERVED = new Set(
  (
    'abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import ' +
    'instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try ' +
    'void volatile while true false null as fun in is object typealias typeof val var when'
  ).split(' '),
);

/** An Android application id: it is also the Kotlin package of MainActivity, so it follows Java's package rules. */
export function checkApplicationId(id: unknown): string {
  const fix = 'Use two or more dot-separated segments of letters, digits and _, each starting with a letter, e.g. com.acme.app';
  if (typeof id !== 'string' || !id) throw new UserError('applicationId', `${JSON.stringify(id ?? '')} is not an application id`, fix);
  const segments = id.split('.');
  if (segments.length < 2) throw new UserError('applicationId', `"${id}" has one segment; Android needs at least two`, fix);
  const bad = segments.find((s) => !/^[A-Za-z][A-Za-z0-9_]*$/.test(s));
  if (bad !== undefined) throw new UserError('applicationId', `"${id}" has the segment "${bad}", which is not a letter followed by letters, digits or _`, fix);
  const reserved = segments.find((s) => RESERVED.has(s));
  if (reserved) throw new UserError('applicationId', `"${id}" has the segment "${reserved}", a Java or Kotlin keyword, which cannot be part of a package name`, 'Choose another word for that segment, e.g. com.acme.app');
  return id;
}

/** The launcher label: my-app → My App. */
function appLabel(name: string): string {
  return name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

/** A native Android app (Kotlin DSL) for a form factor: Gradle files, manifest, an activity; build-android and deploy-android are inferred. */
export async function androidAppGenerator(tree: Tree, o: AndroidAppSchema) {
  const name = checkName(o.name);
  const root = checkDirectory(o.directory, name, 'apps');
  const applicationId = checkApplicationId(o.applicationId ?? `com.example.${name.replace(/-/g, '')}`);
  const formFactor: AndroidFormFactor = oneOfOption('formFactor', o.formFactor, ANDROID_FORM_FACTORS) ?? 'phone';
  const version = checkVersion(o.appVersion, 'appVersion');
  addOrKeepProject(tree, name, { root, projectType: 'application', sourceRoot: `${root}/app/src/main`, targets: {}, tags: ['platform:android', `form-factor:${formFactor}`] });
  const substitutions = {
    name,
    version,
    applicationId,
    packagePath: applicationId.replace(/\./g, '/'),
    formFactor,
    appLabel: appLabel(name),
    agpVersion: AGP_VERSION,
    kotlinVersion: KOTLIN_VERSION,
    compileSdk: COMPILE_SDK,
    targetSdk: COMPILE_SDK,
    minSdk: MIN_SDK[formFactor],
  };
  // Files already there with other content are the user's: they stay.
  const kept = writeTemplatesKeepingEdits(tree, join(__dirname, 'files', 'project'), root, substitutions);
  if (formFactor === 'tv') kept.push(...writeTemplatesKeepingEdits(tree, join(__dirname, 'files', 'tv'), root, substitutions));
  for (const path of kept) logger.warn(`${path} already exists and was left as it is.`);
  logger.info(
    [
      `${root}: add the Gradle wrapper (its jar is binary and not generated), then commit it:`,
      `  cd ${root} && gradle wrapper --gradle-version ${GRADLE_VERSION}   (any machine with Gradle installed)`,
      `  or copy gradlew, gradlew.bat and gradle/wrapper/* from a new Android Studio project.`,
      ...(applicationId.startsWith('com.example.') ? [`Google Play refuses com.example.* ids: pass --applicationId=<your id> before the first upload.`] : []),
    ].join('\n'),
  );
  await finish(tree, o.skipFormat);
}

export default androidAppGenerator;
