import { existsSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { patternOption, UserError } from '@shipfleet/core';

/** How the project builds its Android app. */
export type AndroidBuildKind = 'gradle' | 'flutter' | 'react-native';

export interface AndroidBuildProject {
  kind: AndroidBuildKind;
  /** Absolute project folder. */
  root: string;
  /** Absolute folder of the Gradle build: the project itself, or its android/ folder (React Native, Flutter). */
  gradleRoot: string;
  /** The application module's folder under gradleRoot, '/'-separated ("app", "apps/phone"), or "." for a single-module build. */
  module: string;
}

const read = (path: string): string | undefined => (existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined);
const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

/** The Gradle build file of a module (Kotlin DSL first). */
export function moduleBuildFile(gradleRoot: string, module: string): string | undefined {
  const dir = module === '.' ? gradleRoot : join(gradleRoot, module);
  return read(join(dir, 'build.gradle.kts')) ?? read(join(dir, 'build.gradle'));
}

function settingsFile(gradleRoot: string): string | undefined {
  return read(join(gradleRoot, 'settings.gradle.kts')) ?? read(join(gradleRoot, 'settings.gradle'));
}

/** Module folders named by include(":a", ":b:c") / include ':a' in a settings file, in order. */
export function includedModules(settings: string): string[] {
  const modules: string[] = [];
  for (const include of settings.matchAll(/^\s*include\b\s*\(?([^)\n]*)/gm)) {
    for (const m of include[1].matchAll(/["']:?([\w.-]+(?::[\w.-]+)*)["']/g)) modules.push(m[1].replace(/:/g, '/'));
  }
  return modules;
}

/** Version-catalog aliases (as written after `libs.plugins.`) of the Android application plugin. */
function applicationPluginAliases(gradleRoot: string): string[] {
  const catalog = read(join(gradleRoot, 'gradle', 'libs.versions.toml')) ?? '';
  // Gradle's accessor for a catalog key turns - and _ into dots: android-application → libs.plugins.android.application.
  const declared = [...catalog.matchAll(/^\s*([\w.-]+)\s*=\s*\{[^}\n]*\bid\s*=\s*"com\.android\.application"/gm)].map((m) => m[1].replace(/[-_]/g, '.'));
  return declared.length ? declared : ['android.application'];
}

/** Whether a build file applies the Android application plugin (by id or catalog alias; `apply false` only declares it). */
export function appliesApplicationPlugin(build: string, aliases: string[] = ['android.application']): boolean {
  return build.split('\n').some((line) => {
    if (/^\s*\/\//.test(line) || /\bapply\s*\(?\s*false\b/.test(line)) return false;
    if (line.includes('com.android.application')) return true;
    return [...line.matchAll(/\balias\(\s*libs\.plugins\.([\w.]+)\s*\)/g)].some((m) => aliases.includes(m[1].replace(/_/g, '.')));
  });
}

const MODULE = /^:?(\.|[A-Za-z0-9_-]+(?:[:/][A-Za-z0-9_-]+)*)$/;

/** The application module: the one given (checked to exist), else app/, else the first included module applying com.android.application, else the root. */
function applicationModule(gradleRoot: string, given: unknown, warn: (m: string) => void): string {
  const raw = patternOption('module', given, { pattern: MODULE, what: 'a Gradle module (a folder under the Gradle build, or its Gradle path)', example: 'app' });
  const aliases = applicationPluginAliases(gradleRoot);
  if (raw !== undefined) {
    const module = raw.replace(/^:/, '').replace(/:/g, '/');
    const build = moduleBuildFile(gradleRoot, module);
    if (build === undefined) throw new UserError('module', `${join(gradleRoot, module)} has no build.gradle or build.gradle.kts`, 'Give the folder of the application module under the Gradle build, e.g. "app"');
    if (!appliesApplicationPlugin(build, aliases)) warn(`Module ${module}: its build file does not seem to apply com.android.application; building it anyway`);
    return module;
  }
  const settings = settingsFile(gradleRoot) ?? '';
  const candidates = [...new Set(['app', ...includedModules(settings), '.'])];
  const found = candidates.find((m) => {
    const build = moduleBuildFile(gradleRoot, m);
    return build !== undefined && appliesApplicationPlugin(build, aliases);
  });
  if (!found) {
    throw new UserError('module', `no module of the Gradle build in ${gradleRoot} applies com.android.application (looked at ${candidates.join(', ')})`, 'Give "module": the folder of the application module, e.g. "app"');
  }
  return found;
}

function dependsOnReactNative(packageJson: string | undefined): boolean {
  if (packageJson === undefined) return false;
  try {
    const pkg = JSON.parse(packageJson) as { dependencies?: unknown };
    return !!pkg && typeof pkg.dependencies === 'object' && pkg.dependencies !== null && 'react-native' in pkg.dependencies;
  } catch {
    return false;
  }
}

/**
 * Which kind of Android project `root` holds: Flutter (pubspec.yaml and
 * android/), React Native (a package.json depending on react-native, and
 * android/) or a native Gradle build (settings.gradle[.kts]).
 */
export function detectAndroidProject(root: string, module: unknown, warn: (m: string) => void): AndroidBuildProject {
  if (!isDir(root)) throw new UserError('projectRoot', `${root} is not a folder`, 'Run the executor on an Android project');
  const android = join(root, 'android');
  if (existsSync(join(root, 'pubspec.yaml')) && isDir(android)) {
    if (module !== undefined && module !== null) warn('Option "module" is not used for a Flutter app: flutter build builds android/app');
    return { kind: 'flutter', root, gradleRoot: android, module: 'app' };
  }
  if (dependsOnReactNative(read(join(root, 'package.json'))) && isDir(android)) {
    return { kind: 'react-native', root, gradleRoot: android, module: applicationModule(android, module, warn) };
  }
  if (settingsFile(root) !== undefined) return { kind: 'gradle', root, gradleRoot: root, module: applicationModule(root, module, warn) };
  throw new UserError(
    'projectRoot',
    `${root} is not an Android project shipfleet can build`,
    'Expected a Gradle build (settings.gradle or settings.gradle.kts with an application module), a Flutter app (pubspec.yaml and android/) or a React Native app (package.json depending on react-native, and android/)',
  );
}
