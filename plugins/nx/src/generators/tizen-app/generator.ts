import { Tree } from '@nx/devkit';
import { addOrKeepProject, checkDirectory, checkName, checkVersion, copyBuildTarget, finish, GeneratorOptionError, pascal, stableId, TINY_PNG, writeFiles } from '../../utils/generator-utils';

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
  if (!/^[0-9a-zA-Z]{10}$/.test(packageId)) throw new GeneratorOptionError('packageId', `"${packageId}" is not 10 alphanumeric characters`, 'Tizen package ids are exactly 10 letters or digits, e.g. Ab12Cd34Ef');
  const appName = o.appName ?? pascal(name).replace(/[^0-9a-zA-Z]/g, '');
  if (!/^[0-9a-zA-Z]{1,52}$/.test(appName)) throw new GeneratorOptionError('appName', `"${appName}" is not alphanumeric`, 'Use letters and digits only, e.g. TvApp');
  const version = checkVersion(o.appVersion, 'appVersion');
  addOrKeepProject(tree, name, { root, projectType: 'application', sourceRoot: `${root}/src`, targets: { build: copyBuildTarget(root, ['config.xml']) }, tags: ['platform:tizen'] });
  writeFiles(tree, root, {
    'config.xml': `<?xml version="1.0" encoding="UTF-8"?>
<widget xmlns="http://www.w3.org/ns/widgets" xmlns:tizen="http://tizen.org/ns/widgets" id="http://example.com/${appName}" version="${version}" viewmodes="maximized">
  <tizen:application id="${packageId}.${appName}" package="${packageId}" required_version="6.0"/>
  <content src="index.html"/>
  <feature name="http://tizen.org/feature/screen.size.normal.1080.1920"/>
  <icon src="icon.png"/>
  <name>${appName}</name>
  <tizen:privilege name="http://tizen.org/privilege/internet"/>
  <tizen:profile name="tv-samsung"/>
  <tizen:setting screen-orientation="landscape" context-menu="disable" background-support="disable" encryption="disable" install-location="auto" hwkey-event="enable"/>
</widget>
`,
    'src/index.html': `<!doctype html>\n<html>\n<head><meta charset="utf-8"><title>${appName}</title><link rel="stylesheet" href="css/style.css"></head>\n<body><h1>${appName}</h1><script src="js/main.js"></script></body>\n</html>\n`,
    'src/css/style.css': 'body { background: #000; color: #fff; font-family: sans-serif; }\n',
    'src/js/main.js': "document.addEventListener('keydown', (e) => { if (e.keyCode === 10009) tizen.application.getCurrentApplication().exit(); });\n",
    'src/icon.png': TINY_PNG,
  });
  await finish(tree, o.skipFormat);
}

export default tizenAppGenerator;
