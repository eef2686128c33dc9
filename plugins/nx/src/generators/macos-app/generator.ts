import { Tree } from '@nx/devkit';
import { addOrKeepProject, checkBundleId, checkDirectory, checkName, checkVersion, finish, GeneratorOptionError, pascal, writeFiles } from '../../utils/generator-utils';
import { APP_BUNDLE_KEYS, infoPlist, pbxproj, sharedScheme } from '../xcode-files';

export interface MacosAppSchema {
  name: string;
  directory?: string;
  bundleId?: string;
  teamId?: string;
  appVersion?: string;
  skipFormat?: boolean;
}

/** A signed, notarized macOS desktop app: an Xcode project (SDKROOT macosx), hardened-runtime entitlements. */
export async function macosAppGenerator(tree: Tree, o: MacosAppSchema) {
  const name = checkName(o.name);
  const root = checkDirectory(o.directory, name, 'apps');
  const bundleId = checkBundleId(o.bundleId ?? `com.example.${name.replace(/-/g, '')}`);
  if (o.teamId !== undefined && !/^[A-Z0-9]{10}$/.test(o.teamId)) throw new GeneratorOptionError('teamId', `"${o.teamId}" is not an Apple team id`, 'Team ids are 10 capital letters or digits, e.g. ABCDE12345');
  const version = checkVersion(o.appVersion, 'appVersion');
  const product = pascal(name).replace(/[^A-Za-z0-9]/g, '');
  addOrKeepProject(tree, name, {
    root,
    projectType: 'application',
    targets: { 'sign-macos': { options: { app: `${root}/build/${product}.app`, entitlements: { '.': `${root}/${product}/${product}.entitlements` } } } },
    tags: ['platform:macos'],
  });
  writeFiles(tree, root, {
    'package.json': JSON.stringify({ name, version, private: true }, null, 2) + '\n',
    [`${product}.xcodeproj/project.pbxproj`]: pbxproj({ product, bundleId, sdk: 'macosx', version, teamId: o.teamId }),
    [`${product}.xcodeproj/xcshareddata/xcschemes/${product}.xcscheme`]: sharedScheme(product),
    [`${product}/Info.plist`]: infoPlist({ ...APP_BUNDLE_KEYS, LSMinimumSystemVersion: '$(MACOSX_DEPLOYMENT_TARGET)' }),
    [`${product}/${product}.entitlements`]: infoPlist({ 'com.apple.security.app-sandbox': true, 'com.apple.security.network.client': true }),
    [`${product}/App.swift`]: `import SwiftUI\n\n@main\nstruct ${product}App: App {\n    var body: some Scene {\n        WindowGroup { Text("${product}") }\n    }\n}\n`,
  });
  await finish(tree, o.skipFormat);
}

export default macosAppGenerator;
