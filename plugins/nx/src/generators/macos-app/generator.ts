import { Tree } from '@nx/devkit';
import { join } from 'path';
import { addOrKeepProject, checkBundleId, checkDirectory, checkName, checkVersion, finish, writeTemplates } from '../../utils/generator-utils';
import { checkTeamId, productName, writeXcodeProject } from '../xcode/xcode-project';

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
  const teamId = checkTeamId(o.teamId);
  const version = checkVersion(o.appVersion, 'appVersion');
  const product = productName(name);
  addOrKeepProject(tree, name, {
    root,
    projectType: 'application',
    targets: { 'sign-macos': { options: { app: `${root}/build/${product}.app`, entitlements: { '.': `${root}/${product}/${product}.entitlements` } } } },
    tags: ['platform:macos'],
  });
  writeXcodeProject(tree, root, { product, bundleId, platform: 'macos', version, teamId });
  writeTemplates(tree, join(__dirname, 'files'), root, { name, version, product });
  await finish(tree, o.skipFormat);
}

export default macosAppGenerator;
