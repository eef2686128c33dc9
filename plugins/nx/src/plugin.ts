import { CreateNodesContext, CreateNodesResult, CreateNodesV2, createNodesFromFiles, TargetConfiguration } from '@nx/devkit';
import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { FastfileLane, parseFastfileLanes } from '@shipfleet/fastlane';

export interface ShipfleetPluginOptions {
  /** Name of the generic fastlane target (`nx run app:fastlane-lane --lane=beta`). */
  fastlaneTargetName?: string;
  /** Prefix of the one-per-lane targets (`fastlane-beta`). */
  fastlaneLanePrefix?: string;
  packageTizenTargetName?: string;
  packageWebosTargetName?: string;
}

const GLOB = '**/{fastlane/Fastfile,config.xml,appinfo.json}';
const DOCS = 'https://github.com/shipfleet/shipfleet#';

/** One target per lane; platform-qualified only where two platforms share a lane name. */
export function fastlaneLaneTargets(lanes: FastfileLane[], prefix: string): Record<string, TargetConfiguration> {
  const visible = lanes.filter((l) => !l.private);
  const targets: Record<string, TargetConfiguration> = {};
  for (const lane of visible) {
    const shared = visible.filter((l) => l.name === lane.name).length > 1;
    const name = shared && lane.platform ? `${prefix}${lane.platform}-${lane.name}` : `${prefix}${lane.name}`;
    targets[name] = {
      executor: '@shipfleet/nx:fastlane-lane',
      options: { lane: lane.name, ...(lane.platform ? { platform: lane.platform } : {}) },
      cache: false,
      metadata: { description: lane.description ?? `fastlane ${lane.platform ? lane.platform + ' ' : ''}${lane.name}`, technologies: ['fastlane'], help: { command: '', example: {} }, url: DOCS + 'fastlane-lane', runner: lane.platform === 'android' ? 'linux' : 'macos' } as TargetConfiguration['metadata'],
    };
  }
  return targets;
}

/** Only folders that are projects already (project.json or package.json) get targets. */
function isProject(workspaceRoot: string, root: string): boolean {
  return root !== '.' && root !== '' && (existsSync(join(workspaceRoot, root, 'project.json')) || existsSync(join(workspaceRoot, root, 'package.json')));
}

/** A packaging target; builds first. Cacheable only when its result depends on nothing outside its inputs. */
function packageTarget(executor: string, description: string, output: string, cache: boolean, context: CreateNodesContext): TargetConfiguration {
  // As Nx's own plugins do: 'production' when the workspace defines it, else the always-present 'default'.
  const named = context.nxJsonConfiguration?.namedInputs && 'production' in context.nxJsonConfiguration.namedInputs ? 'production' : 'default';
  return {
    executor,
    cache,
    inputs: [named, `^${named}`],
    outputs: [output],
    dependsOn: ['^build', 'build'],
    metadata: { description, technologies: ['shipfleet'], url: DOCS + executor.split(':')[1], runner: 'linux' } as TargetConfiguration['metadata'],
  };
}

function createTvNodes(file: string, options: ShipfleetPluginOptions | undefined, context: CreateNodesContext): CreateNodesResult {
  const root = dirname(file);
  if (!isProject(context.workspaceRoot, root)) return {};
  if (file.endsWith('config.xml')) {
    // Not cached: the signature depends on certificates that are not Nx inputs.
    // config.xml is also Cordova's: only Tizen widgets (tizen:application) are packaged.
    if (!readFileSync(join(context.workspaceRoot, file), 'utf8').includes('tizen:application')) return {};
    return { projects: { [root]: { targets: { [options?.packageTizenTargetName ?? 'package-tizen']: packageTarget('@shipfleet/nx:package-tizen', 'Package a signed Samsung Tizen .wgt', '{workspaceRoot}/dist/shipfleet/{projectName}', false, context) } } } };
  }
  return { projects: { [root]: { targets: { [options?.packageWebosTargetName ?? 'package-webos']: packageTarget('@shipfleet/nx:package-webos', 'Package an LG webOS .ipk', '{workspaceRoot}/dist/shipfleet/{projectName}', true, context) } } } };
}

function createFastlaneNodes(fastfile: string, options: ShipfleetPluginOptions | undefined, context: CreateNodesContext): CreateNodesResult {
  const projectRoot = dirname(dirname(fastfile));
  if (!isProject(context.workspaceRoot, projectRoot)) return {};
  const lanes = parseFastfileLanes(readFileSync(join(context.workspaceRoot, fastfile), 'utf8'));
  const generic = options?.fastlaneTargetName ?? 'fastlane-lane';
  return {
    projects: {
      [projectRoot]: {
        targets: {
          [generic]: {
            executor: '@shipfleet/nx:fastlane-lane',
            cache: false,
            metadata: { description: 'Run any lane of this project: --lane=<name>', technologies: ['fastlane'], url: DOCS + 'fastlane-lane', runner: 'macos' } as TargetConfiguration['metadata'],
          },
          ...fastlaneLaneTargets(lanes, options?.fastlaneLanePrefix ?? 'fastlane-'),
        },
      },
    },
  };
}

function createNodesForFile(file: string, options: ShipfleetPluginOptions | undefined, context: CreateNodesContext): CreateNodesResult {
  return file.endsWith('Fastfile') ? createFastlaneNodes(file, options, context) : createTvNodes(file, options, context);
}

export const createNodesV2: CreateNodesV2<ShipfleetPluginOptions> = [GLOB, (files, options, context) => createNodesFromFiles(createNodesForFile, files, options ?? {}, context)];

// Nx 23 calls `createNodes` with the v2 signature; export both names.
export const createNodes = createNodesV2;
