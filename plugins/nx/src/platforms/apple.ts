import type { ApplePlatform } from '@shipfleet/apple';
import { definePlatform, ProjectFolder } from './platform';

export type { ApplePlatform };

/** SDKROOT values in the project's pbxproj files, in order of appearance. */
export function xcodeSdkRoots(folder: ProjectFolder): string[] {
  const sdks: string[] = [];
  for (const e of folder.entries.filter((n) => n.endsWith('.xcodeproj'))) {
    for (const m of (folder.read(`${e}/project.pbxproj`) ?? '').matchAll(/SDKROOT = "?(\w+)"?;/g)) sdks.push(m[1]);
  }
  return sdks;
}

/** Apple platforms other than macOS named by the project's SDKROOTs. */
function applePlatforms(folder: ProjectFolder): Set<ApplePlatform | 'macos'> {
  // Loaded only for projects that have Xcode files: inference runs on every nx command.
  const { platformOfSdkRoot } = require('@shipfleet/apple') as typeof import('@shipfleet/apple');
  return new Set(xcodeSdkRoots(folder).map(platformOfSdkRoot).filter((p): p is ApplePlatform | 'macos' => !!p));
}

/** iOS, tvOS, watchOS and visionOS apps: an Xcode project or workspace, or a Swift package app with a Fastfile. */
export const apple = definePlatform<{ platform: ApplePlatform }>({
  id: 'apple',
  markers: ['*.xcodeproj/project.pbxproj', 'Package.swift'],
  detect(folder) {
    const hasXcode = folder.entries.some((n) => n.endsWith('.xcodeproj') || n.endsWith('.xcworkspace'));
    const found = hasXcode ? applePlatforms(folder) : new Set<ApplePlatform | 'macos'>();
    const platform = [...found].find((p): p is ApplePlatform => p !== 'macos');
    if (platform) return { platform };
    // An Xcode project that names no SDK, or a Swift package app with a Fastfile, is an iOS app.
    if (!found.size && (hasXcode || (folder.entries.includes('Package.swift') && folder.read('fastlane/Fastfile') !== undefined))) return { platform: 'ios' };
    return undefined;
  },
  targets: ({ platform }) => [
    { executor: 'build-ios', description: `Archive and export the ${platform} app with xcodebuild`, runner: 'macos', options: { platform } },
    { executor: 'deploy-ios', description: 'Build, then upload to TestFlight / App Store Connect', runner: 'macos', options: { platform }, deploys: true },
  ],
  ciSecrets: ['IOS_P12', 'IOS_P12_PASSWORD', 'ASC_API_KEY'],
  example: { 'App.xcodeproj/project.pbxproj': 'buildSettings = { SDKROOT = iphoneos; };' },
});

/** macOS desktop apps: an Xcode project with SDKROOT macosx. */
export const macos = definePlatform<true>({
  id: 'macos',
  markers: ['*.xcodeproj/project.pbxproj'],
  detect: (folder) => (folder.entries.some((n) => n.endsWith('.xcodeproj')) && applePlatforms(folder).has('macos') ? true : undefined),
  targets: () => [{ executor: 'sign-macos', description: 'Sign inside-out, notarize, staple and assess the macOS app', runner: 'macos', deploys: true }],
  ciSecrets: ['IOS_P12', 'IOS_P12_PASSWORD', 'ASC_API_KEY'],
  example: { 'Mac.xcodeproj/project.pbxproj': 'buildSettings = { SDKROOT = macosx; };' },
});
