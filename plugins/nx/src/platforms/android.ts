import { definePlatform, PlatformTarget, ProjectFolder } from './platform';

/** How the project builds its Android app. */
export type AndroidProjectKind = 'gradle' | 'flutter' | 'react-native';

export interface AndroidProject {
  kind: AndroidProjectKind;
  /** Folder of the application module, relative to the project root ("app", "android/app"; "." for a single-module build). */
  module: string;
  /** The module's applicationId (or its namespace, which AGP uses when no applicationId is set). */
  applicationId?: string;
}

/** The Gradle build file of a module folder (Kotlin DSL first); undefined when it has none. */
function buildFile(folder: ProjectFolder, module: string): string | undefined {
  const prefix = module === '.' ? '' : `${module}/`;
  return folder.read(`${prefix}build.gradle.kts`) ?? folder.read(`${prefix}build.gradle`);
}

/** Version-catalog aliases (as written after `libs.plugins.`) of the Android application plugin. */
function applicationPluginAliases(folder: ProjectFolder, gradleRoot: string): string[] {
  const catalog = folder.read(`${gradleRoot}gradle/libs.versions.toml`) ?? '';
  // Gradle's accessor for a catalog key turns - and _ into dots: android-application → libs.plugins.android.application.
  const declared = [...catalog.matchAll(/^\s*([\w.-]+)\s*=\s*\{[^}\n]*\bid\s*=\s*"com\.android\.application"/gm)].map((m) => m[1].replace(/[-_]/g, '.'));
  return declared.length ? declared : ['android.application'];
}

/** Whether a build file applies the Android application plugin (by id or version-catalog alias; `apply false` only declares it). */
function appliesApplicationPlugin(build: string, aliases: string[]): boolean {
  return build.split('\n').some((line) => {
    if (/^\s*\/\//.test(line) || /\bapply\s*\(?\s*false\b/.test(line)) return false;
    if (line.includes('com.android.application')) return true;
    return [...line.matchAll(/\balias\(\s*libs\.plugins\.([\w.]+)\s*\)/g)].some((m) => aliases.includes(m[1].replace(/_/g, '.')));
  });
}

/** applicationId from either DSL (`applicationId = "…"`, `applicationId "…"`), else the namespace. */
export function readApplicationId(build: string): string | undefined {
  const id = /\bapplicationId\s*(?:=\s*)?["']([A-Za-z][\w.]*)["']/.exec(build) ?? /\bnamespace\s*(?:=\s*)?["']([A-Za-z][\w.]*)["']/.exec(build);
  return id?.[1];
}

/** Module folders named by a settings file's include(":a", ":b:c") / include ':a', in order. */
export function includedModules(settings: string): string[] {
  const modules: string[] = [];
  for (const include of settings.matchAll(/^\s*include\b\s*\(?([^)\n]*)/gm)) {
    for (const m of include[1].matchAll(/["']:?([\w.-]+(?::[\w.-]+)*)["']/g)) modules.push(m[1].replace(/:/g, '/'));
  }
  return modules;
}

/** The application module of the Gradle build rooted at `gradleRoot` ("" or "android/"): app/ first, then the included modules, then the root itself. */
function applicationModule(folder: ProjectFolder, gradleRoot: string, settings: string): { module: string; applicationId?: string } | undefined {
  const aliases = applicationPluginAliases(folder, gradleRoot);
  // A few modules at most: inference runs on every nx command.
  const candidates = [...new Set(['app', ...includedModules(settings).slice(0, 20), '.'])];
  for (const candidate of candidates) {
    const module = candidate !== '.' ? gradleRoot + candidate : gradleRoot ? gradleRoot.slice(0, -1) : '.';
    const build = buildFile(folder, module);
    if (build !== undefined && appliesApplicationPlugin(build, aliases)) return { module, applicationId: readApplicationId(build) };
  }
  return undefined;
}

function withId(kind: AndroidProjectKind, module: string, applicationId: string | undefined): AndroidProject {
  return applicationId ? { kind, module, applicationId } : { kind, module };
}

function detectFlutter(folder: ProjectFolder): AndroidProject | undefined {
  if (!folder.entries.includes('pubspec.yaml') || !folder.entries.includes('android')) return undefined;
  if (!/^\s*flutter:/m.test(folder.read('pubspec.yaml') ?? '')) return undefined;
  // A Flutter plugin or package also has android/, but no app module.
  const build = buildFile(folder, 'android/app');
  return build === undefined ? undefined : withId('flutter', 'android/app', readApplicationId(build));
}

function detectReactNative(folder: ProjectFolder): AndroidProject | undefined {
  if (!folder.entries.includes('package.json') || !folder.entries.includes('android')) return undefined;
  let pkg: { dependencies?: Record<string, unknown> };
  try {
    pkg = JSON.parse(folder.read('package.json') ?? '{}');
  } catch {
    return undefined;
  }
  if (!pkg?.dependencies || typeof pkg.dependencies !== 'object' || !('react-native' in pkg.dependencies)) return undefined;
  const settings = folder.read('android/settings.gradle.kts') ?? folder.read('android/settings.gradle');
  if (settings === undefined) return undefined;
  const app = applicationModule(folder, 'android/', settings);
  return app && withId('react-native', app.module, app.applicationId);
}

function detectGradle(folder: ProjectFolder): AndroidProject | undefined {
  const settings = folder.entries.includes('settings.gradle.kts') ? folder.read('settings.gradle.kts') : folder.entries.includes('settings.gradle') ? folder.read('settings.gradle') : undefined;
  if (settings === undefined) return undefined;
  const app = applicationModule(folder, '', settings);
  return app && withId('gradle', app.module, app.applicationId);
}

/** Where the build leaves its bundles and APKs, for Nx's outputs. */
export function androidOutputs(found: AndroidProject): string {
  // Flutter's Gradle build writes into the Flutter project's build/ folder, not the module's.
  if (found.kind === 'flutter') return '{projectRoot}/build/app/outputs';
  return found.module === '.' ? '{projectRoot}/build/outputs' : `{projectRoot}/${found.module}/build/outputs`;
}

const BUILT_WITH: Record<AndroidProjectKind, string> = { gradle: 'Gradle', flutter: 'flutter build', 'react-native': "the React Native app's Gradle build" };

/**
 * Android apps: a native Gradle build (settings.gradle[.kts] and a module applying
 * com.android.application), a Flutter app or a React Native app with an android/ folder.
 */
export const android = definePlatform<AndroidProject>({
  id: 'android',
  // Order matters: the first marker a file matches decides the project folder. android/settings.gradle of a
  // React Native or Flutter app must not make android/ the project; app/build.gradle comes before
  // settings.gradle so that a native project whose folder is itself named android/ is still found at its root.
  markers: ['android/settings.gradle', 'android/settings.gradle.kts', 'app/build.gradle', 'app/build.gradle.kts', 'settings.gradle', 'settings.gradle.kts', 'pubspec.yaml'],
  detect: (folder) => detectFlutter(folder) ?? detectReactNative(folder) ?? detectGradle(folder),
  targets(found) {
    const packageName = found.applicationId ? { packageName: found.applicationId } : undefined;
    const targets: PlatformTarget[] = [
      // Not cached: the bundle is signed with an upload key that is not an Nx input.
      { executor: 'build-android', description: `Build and sign the release app bundle with ${BUILT_WITH[found.kind]}`, runner: 'linux', outputs: [androidOutputs(found)] },
      { executor: 'deploy-android', description: 'Build, then publish to a Google Play track', runner: 'linux', ...(packageName ? { options: packageName } : {}), deploys: true },
    ];
    return targets;
  },
  ciSecrets: ['ANDROID_KEYSTORE_BASE64', 'ANDROID_KEYSTORE_PASSWORD', 'ANDROID_KEY_ALIAS', 'ANDROID_KEY_PASSWORD', 'PLAY_SERVICE_ACCOUNT_JSON'],
  example: {
    'settings.gradle.kts': 'include(":app")\n',
    'app/build.gradle.kts': 'plugins { id("com.android.application") }\nandroid { namespace = "com.example.app" }\n',
  },
});
