import { Tree } from '@nx/devkit';
import { createHash } from 'crypto';
import { join } from 'path';
import { APPLE_SDKS, AppleSdkPlatform, TEAM_ID } from '@shipfleet/apple';
import { UserError } from '@shipfleet/core';
import { pascal, writeTemplates } from '../../utils/generator-utils';

/** The minimum OS version a new project targets. */
const DEPLOYMENT_TARGETS: Record<AppleSdkPlatform, string> = { ios: '16.0', tvos: '16.0', watchos: '9.0', visionos: '1.0', macos: '13.0' };

/** The project's objects and the names their ids are hashed from (kept as they are: a regenerated project keeps its ids). */
const OBJECT_ID_NAMES = {
  buildSrc: 'build-src',
  fileSrc: 'file-src',
  filePlist: 'file-plist',
  fileProduct: 'file-product',
  groupMain: 'group-main',
  groupApp: 'group-app',
  groupProducts: 'group-products',
  target: 'target',
  sourcesPhase: 'phase-sources',
  project: 'project',
  configListTarget: 'cfglist-target',
  configListProject: 'cfglist-project',
  configDebug: 'cfg-Debug',
  configRelease: 'cfg-Release',
} as const;

/** 24-hex-digit Xcode object ids, the same for the same product name. */
function objectIds(product: string): Record<keyof typeof OBJECT_ID_NAMES, string> {
  const oid = (idName: string) => createHash('sha1').update(`${product}:${idName}`).digest('hex').slice(0, 24).toUpperCase();
  return Object.fromEntries(Object.entries(OBJECT_ID_NAMES).map(([key, idName]) => [key, oid(idName)])) as Record<keyof typeof OBJECT_ID_NAMES, string>;
}

export interface XcodeProjectSpec {
  product: string;
  bundleId: string;
  platform: AppleSdkPlatform;
  version: string;
  teamId?: string;
}

/**
 * A minimal Xcode project that xcodebuild can list and archive: one app
 * target with Debug and Release, a shared scheme, and App.swift.
 */
export function writeXcodeProject(tree: Tree, root: string, s: XcodeProjectSpec): void {
  const ids = objectIds(s.product);
  writeTemplates(tree, join(__dirname, 'files'), root, {
    product: s.product,
    bundleId: s.bundleId,
    version: s.version,
    teamId: s.teamId ?? '',
    sdkRoot: APPLE_SDKS[s.platform].sdkRoot,
    deploymentTarget: { setting: APPLE_SDKS[s.platform].deploymentTargetSetting, version: DEPLOYMENT_TARGETS[s.platform] },
    ids,
    configurations: [
      { name: 'Debug', id: ids.configDebug },
      { name: 'Release', id: ids.configRelease },
    ],
  });
}

export function checkTeamId(teamId: unknown): string | undefined {
  if (teamId === undefined) return undefined;
  if (typeof teamId !== 'string' || !TEAM_ID.test(teamId)) throw new UserError('teamId', `"${String(teamId)}" is not an Apple team id`, 'Team ids are 10 capital letters or digits, e.g. ABCDE12345');
  return teamId;
}

/** The product (target and scheme) name of a project name: my-app → MyApp. */
export function productName(name: string): string {
  return pascal(name).replace(/[^A-Za-z0-9]/g, '');
}
