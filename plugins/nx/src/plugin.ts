import type { CreateNodesContext, CreateNodesResult, CreateNodesV2, ProjectConfiguration } from '@nx/devkit';
// Narrow imports: inference loads on every nx command, and @nx/devkit's index costs far more than these.
import { AggregateCreateNodesError } from 'nx/src/project-graph/error-types';
import { hashArray, hashObject } from 'nx/src/hasher/file-hasher';
import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';
import { PluginCache } from 'nx/src/utils/plugin-cache-utils';
import { hashMultiGlobWithWorkspaceContext } from 'nx/src/utils/workspace-context';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { InferenceOptions, inferTargets } from './inference/infer-targets';
import { PLATFORMS } from './platforms';
import { markerGlob, projectRootsOf } from './platforms/markers';

export type ShipfleetPluginOptions = InferenceOptions;

type CachedProject = Pick<ProjectConfiguration, 'targets'>;

/** Only folders that are projects already (project.json or package.json) get targets. */
function isProject(workspaceRoot: string, root: string): boolean {
  return root !== '.' && root !== '' && (existsSync(join(workspaceRoot, root, 'project.json')) || existsSync(join(workspaceRoot, root, 'package.json')));
}

function namedInput(context: CreateNodesContext): string {
  // As Nx's own plugins do: 'production' when the workspace defines it, else the always-present 'default'.
  return context.nxJsonConfiguration?.namedInputs && 'production' in context.nxJsonConfiguration.namedInputs ? 'production' : 'default';
}

async function createShipfleetNodes(files: readonly string[], options: ShipfleetPluginOptions | undefined, context: CreateNodesContext) {
  const opts = options ?? {};
  const readWorkspaceFile = (file: string) => {
    try {
      return readFileSync(join(context.workspaceRoot, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  // Several marker files can belong to one project: infer once per project folder.
  const firstFileOfRoot = new Map<string, string>();
  for (const file of files) {
    const root = projectRootsOf(file, PLATFORMS, readWorkspaceFile).find((r) => isProject(context.workspaceRoot, r));
    if (root !== undefined && !firstFileOfRoot.has(root)) firstFileOfRoot.set(root, file);
  }
  const roots = [...firstFileOfRoot.keys()];
  const named = namedInput(context);
  // Results are cached by a hash of each project's files and the plugin options, as Nx's own plugins do.
  const optionsHash = hashObject({ ...opts, named });
  const fileHashes = roots.length ? await hashMultiGlobWithWorkspaceContext(context.workspaceRoot, roots.map((r) => [join(r, '**/*')])) : [];
  const hashes = fileHashes.map((h) => hashArray([h, optionsHash]));
  const cache = new PluginCache<CachedProject>(join(workspaceDataDirectory, 'shipfleet-nx.hash'));
  const results: Array<[string, CreateNodesResult]> = [];
  const errors: Array<[string, Error]> = [];
  let cacheChanged = false;
  roots.forEach((root, i) => {
    const file = firstFileOfRoot.get(root)!;
    try {
      let project = cache.get(hashes[i]);
      if (!project) {
        project = { targets: inferTargets(PLATFORMS, context.workspaceRoot, root, opts, named) };
        cache.set(hashes[i], project);
        cacheChanged = true;
      }
      if (Object.keys(project.targets ?? {}).length) results.push([file, { projects: { [root]: project } }]);
    } catch (e) {
      // One broken project is reported for itself; the rest of the graph still builds.
      errors.push([file, e instanceof Error ? new Error(`shipfleet could not infer targets for ${root}: ${e.message}`) : new Error(String(e))]);
    }
  });
  // Rewriting an unchanged cache would cost every nx command a write.
  if (cacheChanged) cache.writeToDisk();
  if (errors.length) throw new AggregateCreateNodesError(errors, results);
  return results;
}

export const createNodesV2: CreateNodesV2<ShipfleetPluginOptions> = [markerGlob(PLATFORMS), createShipfleetNodes];

// Nx 23 calls `createNodes` with the v2 signature; export both names.
export const createNodes = createNodesV2;
