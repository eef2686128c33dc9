import { existsSync, readdirSync, readFileSync } from 'fs';
import { basename, dirname, extname, join } from 'path';
import { UserError } from '@shipfleet/core';
import { OptionPaths, pathFrom } from './option-reading';
import { isDir } from './util';

export const APPLE_PLATFORMS = ['ios', 'tvos', 'watchos', 'visionos'] as const;
export type ApplePlatform = (typeof APPLE_PLATFORMS)[number];

/** Per platform: xcodebuild's generic destination and altool's --type. */
export const PLATFORM_INFO: Record<ApplePlatform, { destination: string; altoolType: string; label: string }> = {
  ios: { destination: 'generic/platform=iOS', altoolType: 'ios', label: 'iOS' },
  tvos: { destination: 'generic/platform=tvOS', altoolType: 'appletvos', label: 'tvOS' },
  // A watchOS app reaches App Store Connect as an iOS-type upload.
  watchos: { destination: 'generic/platform=watchOS', altoolType: 'ios', label: 'watchOS' },
  visionos: { destination: 'generic/platform=visionOS', altoolType: 'visionos', label: 'visionOS' },
};

/**
 * Export methods by their current names (`xcodebuild -help`, Xcode 15.4 and
 * later), with the names Xcode used before: app-store, ad-hoc, enterprise,
 * development. Xcode 15.4 deprecated the old names; later Xcodes reject them.
 */
export const EXPORT_METHODS = ['app-store-connect', 'release-testing', 'enterprise', 'debugging'] as const;
export type ExportMethod = (typeof EXPORT_METHODS)[number];
export const OLD_EXPORT_METHOD_NAMES: Record<ExportMethod, string> = {
  'app-store-connect': 'app-store',
  'release-testing': 'ad-hoc',
  enterprise: 'enterprise',
  debugging: 'development',
};

/** Accepts either name of a method and returns the current one. */
export function canonicalExportMethod(name: string): ExportMethod | undefined {
  if ((EXPORT_METHODS as readonly string[]).includes(name)) return name as ExportMethod;
  return EXPORT_METHODS.find((m) => OLD_EXPORT_METHOD_NAMES[m] === name);
}

export interface XcodeVersion {
  major: number;
  minor: number;
  patch: number;
  /** e.g. "Xcode 16.2 (16C5032a)" */
  text: string;
}

/** Reads `xcodebuild -version` ("Xcode 16.2\nBuild version 16C5032a"). */
export function parseXcodeVersion(stdout: string): XcodeVersion {
  const m = /^\s*Xcode\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/m.exec(stdout);
  if (!m) throw new Error(`cannot read the Xcode version from \`xcodebuild -version\` output: ${JSON.stringify(stdout.split('\n')[0] ?? '')}`);
  const build = /Build version\s+(\S+)/.exec(stdout)?.[1];
  const [major, minor, patch] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  return { major, minor, patch, text: `Xcode ${m[1]}${m[2] !== undefined ? '.' + m[2] : ''}${m[3] !== undefined ? '.' + m[3] : ''}${build ? ` (${build})` : ''}` };
}

export function usesCurrentExportMethodNames(v: Pick<XcodeVersion, 'major' | 'minor'>): boolean {
  return v.major > 15 || (v.major === 15 && v.minor >= 4);
}

/** The name to write into ExportOptions.plist for the installed Xcode. */
export function exportMethodName(method: ExportMethod, v: Pick<XcodeVersion, 'major' | 'minor'>): string {
  return usesCurrentExportMethodNames(v) ? method : OLD_EXPORT_METHOD_NAMES[method];
}

export interface XcodeContainer {
  kind: 'workspace' | 'project';
  /** Absolute path of the .xcworkspace or .xcodeproj. */
  path: string;
  /** Folder that holds it (xcodebuild and pod run here). */
  dir: string;
  /** Base name without extension. */
  name: string;
  /** The workspace does not exist yet: `pod install` creates it. */
  createdByPods?: boolean;
}

/** Folders searched for the Xcode project, in order (plain, React Native, Capacitor layouts). */
export const XCODE_SEARCH_DIRS = ['.', 'ios', 'ios/App'];

function listWithExt(dir: string, ext: string): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir).filter((n) => extname(n) === ext && isDir(join(dir, n))).sort().map((n) => join(dir, n));
}

function container(kind: XcodeContainer['kind'], path: string): XcodeContainer {
  return { kind, path, dir: dirname(path), name: basename(path, extname(path)) };
}

/** Finds the .xcworkspace (preferred) or .xcodeproj of a project, or checks the one given. */
export function findXcodeContainer(paths: OptionPaths, raw: { workspace?: unknown; project?: unknown }): XcodeContainer {
  if (raw.workspace != null && raw.project != null) {
    throw new UserError('workspace', 'both workspace and project are set', 'Give the .xcworkspace (CocoaPods and multi-project setups) or the .xcodeproj, not both');
  }
  for (const [option, ext, kind] of [['workspace', '.xcworkspace', 'workspace'], ['project', '.xcodeproj', 'project']] as const) {
    const value = raw[option];
    if (value == null) continue;
    if (typeof value !== 'string' || extname(value.replace(/\/+$/, '')) !== ext) {
      throw new UserError(option, `${JSON.stringify(value)} is not a ${ext} path`, `Give the path of the ${ext} folder, relative to the workspace root`);
    }
    const path = pathFrom(paths, option, value.replace(/\/+$/, ''))!;
    if (!isDir(path)) {
      // A CocoaPods workspace that `pod install` will create next to its Podfile.
      if (kind === 'workspace' && existsSync(join(dirname(path), 'Podfile'))) return { ...container(kind, path), createdByPods: true };
      throw new UserError(option, `${path} does not exist`, `Point it at the ${ext} of the app, relative to the workspace root`);
    }
    return container(kind, path);
  }
  const searched: string[] = [];
  for (const rel of XCODE_SEARCH_DIRS) {
    const dir = join(paths.projectRoot, rel);
    searched.push(dir);
    const workspaces = listWithExt(dir, '.xcworkspace');
    const projects = listWithExt(dir, '.xcodeproj').filter((p) => basename(p) !== 'Pods.xcodeproj');
    if (workspaces.length > 1) {
      throw new UserError('workspace', `${dir} holds ${workspaces.length} workspaces: ${workspaces.map((w) => basename(w)).join(', ')}`, 'Name the one to build with the workspace option');
    }
    if (workspaces.length === 1) return container('workspace', workspaces[0]);
    if (projects.length > 1) {
      throw new UserError('project', `${dir} holds ${projects.length} projects: ${projects.map((p) => basename(p)).join(', ')}`, 'Name the one to build with the project option (or workspace)');
    }
    if (projects.length === 1) {
      // A Podfile without its workspace: `pod install` writes <Project>.xcworkspace.
      if (existsSync(join(dir, 'Podfile'))) return { ...container('workspace', join(dir, `${basename(projects[0], '.xcodeproj')}.xcworkspace`)), createdByPods: true };
      return container('project', projects[0]);
    }
  }
  throw new UserError('workspace', `no .xcworkspace or .xcodeproj found in ${searched.join(', ')}`, 'Set workspace (or project) to the path of the Xcode workspace/project, relative to the workspace root');
}

/** The .xcodeproj folders a workspace refers to (contents.xcworkspacedata), CocoaPods' own left out. */
export function workspaceProjects(workspacePath: string): string[] {
  const data = join(workspacePath, 'contents.xcworkspacedata');
  if (!existsSync(data)) return [];
  const out: string[] = [];
  for (const m of readFileSync(data, 'utf8').matchAll(/location\s*=\s*"(group|container|absolute|self):([^"]*\.xcodeproj)"/g)) {
    const path = m[1] === 'absolute' ? m[2] : join(dirname(workspacePath), m[2]);
    if (basename(path) !== 'Pods.xcodeproj') out.push(path);
  }
  return out;
}

/** Names of the shared schemes (xcshareddata/xcschemes) of a workspace or project and the projects it refers to. */
export function sharedSchemes(c: XcodeContainer): string[] {
  const holders = c.kind === 'workspace' ? [c.path, ...workspaceProjects(c.path)] : [c.path];
  if (c.createdByPods) holders.push(...listWithExt(c.dir, '.xcodeproj').filter((p) => basename(p) !== 'Pods.xcodeproj'));
  const names = new Set<string>();
  for (const h of holders) {
    const dir = join(h, 'xcshareddata', 'xcschemes');
    if (!isDir(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.xcscheme')) names.add(f.slice(0, -'.xcscheme'.length));
  }
  return [...names].sort();
}

/** Reads `xcodebuild -list -json`: {"workspace": {"name", "schemes"}} or {"project": {"name", "schemes", …}}. */
export function parseXcodebuildList(stdout: string): { name: string; schemes: string[] } {
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error('`xcodebuild -list -json` printed no JSON');
  let data: Record<string, { name?: string; schemes?: string[] }>;
  try {
    data = JSON.parse(stdout.slice(start));
  } catch {
    throw new Error('`xcodebuild -list -json` printed JSON that cannot be read');
  }
  const body = data.workspace ?? data.project;
  if (!body || !Array.isArray(body.schemes)) throw new Error('`xcodebuild -list -json` lists no schemes');
  return { name: String(body.name ?? ''), schemes: body.schemes.map(String) };
}

/**
 * Picks the scheme to build from a list: the only one (CocoaPods' Pods-*
 * schemes and pod targets left out), else the one named like the
 * workspace/project. Throws when that does not decide it.
 */
export function pickScheme(schemes: string[], containerName: string, podTargets: string[] = []): string {
  const candidates = schemes.filter((s) => !s.startsWith('Pods-') && s !== 'Pods' && !podTargets.includes(s));
  if (candidates.length === 1) return candidates[0];
  if (candidates.includes(containerName)) return containerName;
  if (!candidates.length) throw new Error(`xcodebuild -list found no scheme to build${schemes.length ? ` (only ${schemes.join(', ')})` : ''}; share the app's scheme in Xcode (Manage Schemes → Shared) or set the scheme option`);
  throw new Error(`xcodebuild -list found ${candidates.length} schemes (${candidates.join(', ')}) and none is named ${containerName}; set the scheme option`);
}

/** Pod names from Podfile.lock's "PODS:" section (their schemes show up in `xcodebuild -list`). */
export function podNames(podfileLock: string): string[] {
  const names = new Set<string>();
  const lines = podfileLock.split('\n');
  for (let i = lines.indexOf('PODS:') + 1; i > 0 && i < lines.length && /^\s/.test(lines[i]); i++) {
    const m = /^ {2}- "?([^\s/"(]+)/.exec(lines[i]);
    if (m) names.add(m[1]);
  }
  return [...names];
}
