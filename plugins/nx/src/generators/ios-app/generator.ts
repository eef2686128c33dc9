import { Tree } from '@nx/devkit';
import { join } from 'path';
import { APPLE_PLATFORMS, ApplePlatform } from '@shipfleet/apple';
import { UserError } from '@shipfleet/core';
import { addOrKeepProject, checkBundleId, checkDirectory, checkName, checkVersion, finish, writeTemplates } from '../../utils/generator-utils';
import { checkTeamId, productName, writeXcodeProject } from '../xcode/xcode-project';

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

function checkPlatform(platform: string): ApplePlatform {
  if (!(APPLE_PLATFORMS as readonly string[]).includes(platform)) throw new UserError('platform', `"${platform}" is not an Apple app platform`, 'Use ios, tvos, watchos or visionos (macOS apps: nx g @shipfleet/nx:macos-app)');
  return platform as ApplePlatform;
}

/** An Apple mobile/TV/watch/vision app: an Xcode project with a shared scheme; version in package.json. */
export async function iosAppGenerator(tree: Tree, o: IosAppSchema) {
  const name = checkName(o.name);
  const root = checkDirectory(o.directory, name, 'apps');
  const platform = checkPlatform(o.platform ?? 'ios');
  const bundleId = checkBundleId(o.bundleId ?? `com.example.${name.replace(/-/g, '')}`);
  const teamId = checkTeamId(o.teamId);
  const version = checkVersion(o.appVersion, 'appVersion');
  const product = productName(name);
  addOrKeepProject(tree, name, { root, projectType: 'application', targets: { 'build-ios': { options: { platform, scheme: product, ...(teamId ? { teamId } : {}) } } }, tags: [`platform:${platform}`] });
  writeXcodeProject(tree, root, { product, bundleId, platform, version, teamId });
  writeTemplates(tree, join(__dirname, 'files'), root, { name, version, product, platform });
  await finish(tree, o.skipFormat);
}

export default iosAppGenerator;
