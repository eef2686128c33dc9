import { CreateNodesContext, CreateNodesResult, CreateNodesV2, createNodesFromFiles, TargetConfiguration } from '@nx/devkit';
import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { FastfileLane, parseFastfileLanes } from '@shipfleet/fastlane';

export interface ShipfleetPluginOptions {
  /** Name of the generic fastlane target (`nx run app:fastlane-lane --lane=beta`). */
  fastlaneTargetName?: string;
  /** Prefix of the one-per-lane targets (`fastlane-beta`). */
  fastlaneLanePrefix?: string;
}

const FASTFILE_GLOB = '**/fastlane/Fastfile';
const DOCS = 'https://github.com/shipfleet/shipfleet#fastlane-lane';

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
      metadata: { description: lane.description ?? `fastlane ${lane.platform ? lane.platform + ' ' : ''}${lane.name}`, technologies: ['fastlane'], help: { command: '', example: {} }, url: DOCS, runner: lane.platform === 'android' ? 'linux' : 'macos' } as TargetConfiguration['metadata'],
    };
  }
  return targets;
}

function createFastlaneNodes(fastfile: string, options: ShipfleetPluginOptions | undefined, context: CreateNodesContext): CreateNodesResult {
  const projectRoot = dirname(dirname(fastfile));
  const absRoot = join(context.workspaceRoot, projectRoot);
  // Only decorate folders that are projects already (project.json or package.json).
  if (!existsSync(join(absRoot, 'project.json')) && !existsSync(join(absRoot, 'package.json'))) return {};
  const lanes = parseFastfileLanes(readFileSync(join(context.workspaceRoot, fastfile), 'utf8'));
  const generic = options?.fastlaneTargetName ?? 'fastlane-lane';
  return {
    projects: {
      [projectRoot]: {
        targets: {
          [generic]: {
            executor: '@shipfleet/nx:fastlane-lane',
            cache: false,
            metadata: { description: 'Run any lane of this project: --lane=<name>', technologies: ['fastlane'], url: DOCS, runner: 'macos' } as TargetConfiguration['metadata'],
          },
          ...fastlaneLaneTargets(lanes, options?.fastlaneLanePrefix ?? 'fastlane-'),
        },
      },
    },
  };
}

export const createNodesV2: CreateNodesV2<ShipfleetPluginOptions> = [
  FASTFILE_GLOB,
  (files, options, context) => createNodesFromFiles(createFastlaneNodes, files, options ?? {}, context),
];

// Nx 23 calls `createNodes` with the v2 signature; export both names.
export const createNodes = createNodesV2;
