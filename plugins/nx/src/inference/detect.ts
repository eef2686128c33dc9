import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import type { FastfileLane } from '@shipfleet/fastlane';

export type ApplePlatform = 'ios' | 'tvos' | 'watchos' | 'visionos';

/** What a project folder holds, as far as deploying goes. */
export interface DetectedPlatforms {
  apple: ApplePlatform[];
  macos: boolean;
  tizen: boolean;
  webos: boolean;
  vercel: boolean;
  /** Manifests folder or kustomization, relative to the project root ('.' for the root itself). */
  k8s?: string;
  canary: boolean;
  lanes?: FastfileLane[];
}

/** Files whose presence marks a platform project; the glob Nx matches them with. */
export const MARKER_GLOB =
  '**/{fastlane/Fastfile,*.xcodeproj/project.pbxproj,Package.swift,config.xml,appinfo.json,vercel.json,.vercel/project.json,kustomization.yaml,kustomization.yml,k8s/*.yaml,k8s/*.yml,deploy/*.yaml,deploy/*.yml,canary.json}';

/** The project folder a marker file belongs to. */
export function projectRootOf(file: string): string {
  const dir = dirname(file);
  const parent = dirname(dir);
  if (/(^|\/)fastlane\/Fastfile$/.test(file) || /\.xcodeproj\/project\.pbxproj$/.test(file) || /(^|\/)\.vercel\/project\.json$/.test(file)) return parent;
  if (/(^|\/)(k8s|deploy)\/[^/]+\.ya?ml$/.test(file)) return parent;
  return dir;
}

const SDKROOTS: Record<string, ApplePlatform | 'macos'> = { iphoneos: 'ios', appletvos: 'tvos', watchos: 'watchos', xros: 'visionos', macosx: 'macos' };

/** A marker's content, undefined when absent; anything else unreadable is an error for this project. */
function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function hasYaml(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => /\.ya?ml$/.test(f));
  } catch {
    return false;
  }
}

export function detectPlatforms(workspaceRoot: string, root: string): DetectedPlatforms {
  const abs = join(workspaceRoot, root);
  const entries = readdirSync(abs);
  const apple = new Set<ApplePlatform>();
  let macos = false;
  for (const e of entries.filter((n) => n.endsWith('.xcodeproj'))) {
    const pbx = read(join(abs, e, 'project.pbxproj')) ?? '';
    for (const m of pbx.matchAll(/SDKROOT = "?(\w+)"?;/g)) {
      const p = SDKROOTS[m[1]];
      if (p === 'macos') macos = true;
      else if (p) apple.add(p);
    }
  }
  // An Xcode project that names no SDK, or a Swift package app with a Fastfile, is an iOS app.
  if (!apple.size && !macos && (entries.some((n) => n.endsWith('.xcodeproj') || n.endsWith('.xcworkspace')) || (entries.includes('Package.swift') && existsSync(join(abs, 'fastlane/Fastfile'))))) apple.add('ios');
  const fastfile = read(join(abs, 'fastlane/Fastfile'));
  const k8s = entries.includes('kustomization.yaml') || entries.includes('kustomization.yml') ? '.' : ['k8s', 'deploy'].find((d) => hasYaml(join(abs, d)));
  return {
    apple: [...apple],
    macos,
    tizen: (read(join(abs, 'config.xml')) ?? '').includes('tizen:application'),
    webos: entries.includes('appinfo.json'),
    vercel: entries.includes('vercel.json') || existsSync(join(abs, '.vercel/project.json')),
    k8s,
    canary: entries.includes('canary.json'),
    // Loaded only for projects that have a Fastfile: inference runs on every nx command.
    lanes: fastfile === undefined ? undefined : (require('@shipfleet/fastlane') as typeof import('@shipfleet/fastlane')).parseFastfileLanes(fastfile),
  };
}
