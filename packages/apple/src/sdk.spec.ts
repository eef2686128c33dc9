import { APPLE_PLATFORMS } from './xcode';
import { APPLE_SDKS, platformOfSdkRoot } from './sdk';

describe('Apple SDKs', () => {
  it('maps each platform to its SDKROOT and back', () => {
    expect(Object.fromEntries(Object.entries(APPLE_SDKS).map(([p, s]) => [p, s.sdkRoot]))).toEqual({ ios: 'iphoneos', tvos: 'appletvos', watchos: 'watchos', visionos: 'xros', macos: 'macosx' });
    for (const p of [...APPLE_PLATFORMS, 'macos' as const]) expect(platformOfSdkRoot(APPLE_SDKS[p].sdkRoot)).toBe(p);
  });

  it('names no platform for other SDKROOTs', () => {
    expect(platformOfSdkRoot('iphonesimulator')).toBeUndefined();
    expect(platformOfSdkRoot('')).toBeUndefined();
  });
});
