import { formatFiles, logger, readJson, readNxJson, Tree, updateNxJson } from '@nx/devkit';
import { ignoreShipfleetState } from './gitignore';
import { major } from './nx-version';

export interface InitGeneratorSchema {
  skipFormat?: boolean;
}

export const PLUGIN_NAME = '@shipfleet/nx';

/** Registers the plugin in nx.json once and keeps shipfleet's local state out of git; running it again changes nothing. */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}) {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
  if (!registered) {
    nxJson.plugins = [...plugins, { plugin: PLUGIN_NAME, options: {} }];
    updateNxJson(tree, nxJson);
  }
  ignoreShipfleetState(tree);
  const nxVersion = tree.exists('package.json') ? (readJson(tree, 'package.json').devDependencies?.nx ?? readJson(tree, 'package.json').dependencies?.nx) : undefined;
  if (nxVersion && major(nxVersion) !== undefined && major(nxVersion) !== 23) {
    logger.warn(`${PLUGIN_NAME} is built for Nx 23; this workspace uses nx ${nxVersion}.`);
  }
  if (!options.skipFormat) await formatFiles(tree);
}

export default initGenerator;
