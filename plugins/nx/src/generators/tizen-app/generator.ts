import { Tree } from '@nx/devkit';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { isTizenVersion, tizenAppNameProblem, tizenPackageIdProblem } from '@shipfleet/tv';
import { addOrKeepProject, checkDirectory, checkName, checkVersion, copyBuildTarget, finish, pascal, stableId, writeTemplates } from '../../utils/generator-utils';

export interface TizenAppSchema {
  name: string;
  directory?: string;
  /** 10 alphanumeric characters; default derived from the name. */
  packageId?: string;
  appName?: string;
  appVersion?: string;
  skipFormat?: boolean;
}

/** A Samsung Tizen TV web app: config.xml at the root, sources in src/, built into dist/<root>. */
export async function tizenAppGenerator(tree: Tree, o: TizenAppSchema) {
  const name = checkName(o.name);
  const root = checkDirectory(o.directory, name, 'apps');
  const packageId = o.packageId ?? stableId(name);
  const packageIdProblem = tizenPackageIdProblem(packageId);
  if (packageIdProblem) throw new UserError('packageId', packageIdProblem.problem, packageIdProblem.fix);
  const appName = o.appName ?? pascal(name).replace(/[^0-9a-zA-Z]/g, '');
  const appNameProblem = tizenAppNameProblem(appName);
  if (appNameProblem) throw new UserError('appName', appNameProblem.problem, appNameProblem.fix);
  const version = checkVersion(o.appVersion, 'appVersion');
  if (!isTizenVersion(version)) throw new UserError('appVersion', `"${version}" is beyond Tizen's version range`, 'Tizen versions are x.y.z with x and y up to 255 and z up to 65535, e.g. 1.0.0');
  addOrKeepProject(tree, name, { root, projectType: 'application', sourceRoot: `${root}/src`, targets: { build: copyBuildTarget(root, ['config.xml']) }, tags: ['platform:tizen'] });
  writeTemplates(tree, join(__dirname, 'files'), root, { packageId, appName, version });
  await finish(tree, o.skipFormat);
}

export default tizenAppGenerator;
