import { Tree } from '@nx/devkit';
import { addOrKeepProject, checkBundleId, checkDirectory, checkName, checkVersion, copyBuildTarget, finish, GeneratorOptionError, pascal, TINY_PNG, writeFiles } from '../../utils/generator-utils';

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
  if (!/^[a-z0-9][a-z0-9.+-]*$/.test(appId) || /^com\.(palm|webos|lge|palmdts)\./.test(appId)) throw new GeneratorOptionError('appId', `"${appId}" is not a webOS app id`, 'Use lowercase letters, digits, . - +, not under com.palm., com.webos., com.lge. or com.palmdts.');
  const version = checkVersion(o.appVersion, 'appVersion');
  addOrKeepProject(tree, name, { root, projectType: 'application', sourceRoot: `${root}/src`, targets: { build: copyBuildTarget(root, ['appinfo.json']) }, tags: ['platform:webos'] });
  writeFiles(tree, root, {
    'appinfo.json': JSON.stringify({ id: appId, version, vendor: 'Example', type: 'web', main: 'index.html', title: o.title ?? pascal(name), icon: 'icon.png', largeIcon: 'icon.png' }, null, 2) + '\n',
    'src/index.html': `<!doctype html>\n<html>\n<head><meta charset="utf-8"><title>${o.title ?? pascal(name)}</title></head>\n<body><h1>${o.title ?? pascal(name)}</h1></body>\n</html>\n`,
    'src/icon.png': TINY_PNG,
  });
  await finish(tree, o.skipFormat);
}

export default webosAppGenerator;
