import { Tree } from '@nx/devkit';
import { addOrKeepProject, checkBundleId, checkDirectory, checkName, checkVersion, finish, GeneratorOptionError, pascal, writeFiles } from '../../utils/generator-utils';
import { APP_BUNDLE_KEYS, infoPlist, pbxproj, sharedScheme, XcodeSdk } from '../xcode-files';

export interface IosAppSchema {
  name: string;
  directory?: string;
  bundleId?: string;
  /** ios (default), tvos, watchos, visionos. */
  platform?: string;
  teamId?: string;
  appVersion?: string;
  skipFormat?: boolean;
}

const SDKS: Record<string, XcodeSdk> = { ios: 'iphoneos', tvos: 'appletvos', watchos: 'watchos', visionos: 'xros' };

/** An Apple mobile/TV/watch/vision app: an Xcode project with a shared scheme; version in package.json. */
export async function iosAppGenerator(tree: Tree, o: IosAppSchema) {
  const name = checkName(o.name);
  const root = checkDirectory(o.directory, name, 'apps');
  const platform = o.platform ?? 'ios';
  const sdk = SDKS[platform];
  if (!sdk) throw new GeneratorOptionError('platform', `"${platform}" is not an Apple app platform`, 'Use ios, tvos, watchos or visionos (macOS apps: nx g @shipfleet/nx:macos-app)');
  const bundleId = checkBundleId(o.bundleId ?? `com.example.${name.replace(/-/g, '')}`);
  if (o.teamId !== undefined && !/^[A-Z0-9]{10}$/.test(o.teamId)) throw new GeneratorOptionError('teamId', `"${o.teamId}" is not an Apple team id`, 'Team ids are 10 capital letters or digits, e.g. ABCDE12345');
  const version = checkVersion(o.appVersion, 'appVersion');
  const product = pascal(name).replace(/[^A-Za-z0-9]/g, '');
  addOrKeepProject(tree, name, { root, projectType: 'application', targets: { 'build-ios': { options: { platform, scheme: product, ...(o.teamId ? { teamId: o.teamId } : {}) } } }, tags: [`platform:${platform}`] });
  writeFiles(tree, root, {
    'package.json': JSON.stringify({ name, version, private: true }, null, 2) + '\n',
    [`${product}.xcodeproj/project.pbxproj`]: pbxproj({ product, bundleId, sdk, version, teamId: o.teamId }),
    [`${product}.xcodeproj/xcshareddata/xcschemes/${product}.xcscheme`]: sharedScheme(product),
    [`${product}/Info.plist`]: infoPlist({ CFBundleDevelopmentRegion: 'en', ...APP_BUNDLE_KEYS, ...(platform === 'ios' ? { LSRequiresIPhoneOS: true } : {}) }),
    [`${product}/App.swift`]: `import SwiftUI\n\n@main\nstruct ${product}App: App {\n    var body: some Scene {\n        WindowGroup { Text("${product}") }\n    }\n}\n`,
  });
  await finish(tree, o.skipFormat);
}

export default iosAppGenerator;
