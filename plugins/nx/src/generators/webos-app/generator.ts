import { Tree } from '@nx/devkit';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { webosAppIdProblem } from '@shipfleet/tv';
import { addOrKeepProject, checkBundleId, checkDirectory, checkName, checkVersion, copyBuildTarget, finish, pascal, writeTemplates } from '../../utils/generator-utils';

export interface WebosAppSchema {
  name: string;
  directory?: string;
  /** Lowercase reverse-DNS id; default com.example.<name>. */
  appId?: string;
  title?: string;
  appVersion?: string;
  skipFormat?: boolean;
}

/** An LG webOS TV web app: appinfo.json at the root, sources in src/, built into dist/<root>. */
export async function webosAppGenerator(tree: Tree, o: WebosAppSchema) {
  const name = checkName(o.name);
  const root = checkDirectory(o.directory, name, 'apps');
  const appId = o.appId ?? `com.example.${name.replace(/-/g, '')}`;
  checkBundleId(appId, 'appId');
  const appIdProblem = webosAppIdProblem(appId);
  if (appIdProblem) throw new UserError('appId', appIdProblem.problem, appIdProblem.fix);
  const version = checkVersion(o.appVersion, 'appVersion');
  addOrKeepProject(tree, name, { root, projectType: 'application', sourceRoot: `${root}/src`, targets: { build: copyBuildTarget(root, ['appinfo.json']) }, tags: ['platform:webos'] });
  writeTemplates(tree, join(__dirname, 'files'), root, { appId, version, title: o.title ?? pascal(name) });
  await finish(tree, o.skipFormat);
}

export default webosAppGenerator;
