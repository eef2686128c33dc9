import { Tree } from '@nx/devkit';
import { join } from 'path';
import { addOrKeepProject, checkBundleId, checkDirectory, checkName, checkVersion, finish, pascal, writeTemplates } from '../../utils/generator-utils';

export interface ElectronAppSchema {
  name: string;
  directory?: string;
  /** electron-builder appId, the macOS bundle id (default com.example.<name without dashes>). */
  appId?: string;
  appVersion?: string;
  skipFormat?: boolean;
}

/** The Electron and electron-builder releases the app is generated with (both on the npm registry). */
export const ELECTRON_APP_VERSIONS = { electron: '45.3.4', electronBuilder: '26.17.0' } as const;

/**
 * An Electron desktop app packaged with electron-builder: a main process, a preload script, one
 * window, an electron-builder.json with macOS, Windows and Linux targets and hardened-runtime
 * entitlements; package-electron (and, for macOS, sign-macos after it) are inferred.
 */
export async function electronAppGenerator(tree: Tree, o: ElectronAppSchema) {
  const name = checkName(o.name);
  const root = checkDirectory(o.directory, name, 'apps');
  const appId = checkBundleId(o.appId ?? `com.example.${name.replace(/-/g, '')}`, 'appId');
  const version = checkVersion(o.appVersion, 'appVersion');
  const product = pascal(name);
  addOrKeepProject(tree, name, {
    root,
    projectType: 'application',
    sourceRoot: `${root}/src`,
    targets: {},
    tags: ['platform:desktop'],
  });
  writeTemplates(tree, join(__dirname, 'files'), root, { name, version, appId, product, ...ELECTRON_APP_VERSIONS });
  await finish(tree, o.skipFormat);
}

export default electronAppGenerator;
