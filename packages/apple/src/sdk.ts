import type { ApplePlatform } from './xcode';

/** Every Apple platform an Xcode project can target: the app platforms and macOS. */
export type AppleSdkPlatform = ApplePlatform | 'macos';

/** Per platform: the Xcode SDKROOT value and the build setting that holds the minimum OS version. */
export const APPLE_SDKS: Record<AppleSdkPlatform, { sdkRoot: string; deploymentTargetSetting: string }> = {
  ios: { sdkRoot: 'iphoneos', deploymentTargetSetting: 'IPHONEOS_DEPLOYMENT_TARGET' },
  tvos: { sdkRoot: 'appletvos', deploymentTargetSetting: 'TVOS_DEPLOYMENT_TARGET' },
  watchos: { sdkRoot: 'watchos', deploymentTargetSetting: 'WATCHOS_DEPLOYMENT_TARGET' },
  visionos: { sdkRoot: 'xros', deploymentTargetSetting: 'XROS_DEPLOYMENT_TARGET' },
  macos: { sdkRoot: 'macosx', deploymentTargetSetting: 'MACOSX_DEPLOYMENT_TARGET' },
};

/** The platform a pbxproj's SDKROOT names (iphoneos → ios), undefined for any other value. */
export function platformOfSdkRoot(sdkRoot: string): AppleSdkPlatform | undefined {
  return (Object.keys(APPLE_SDKS) as AppleSdkPlatform[]).find((p) => APPLE_SDKS[p].sdkRoot === sdkRoot);
}
