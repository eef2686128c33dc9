import type { FastfileLane } from '@shipfleet/fastlane';
import { definePlatform, PlatformTarget } from './platform';

/** One target per public lane; `<prefix><platform>-<lane>` where two platforms share a lane name. */
export function laneTargets(lanes: FastfileLane[], prefix: string): PlatformTarget[] {
  const visible = lanes.filter((l) => !l.private);
  return visible.map((lane) => {
    const shared = visible.filter((l) => l.name === lane.name).length > 1;
    return {
      executor: 'fastlane-lane',
      name: shared && lane.platform ? `${prefix}${lane.platform}-${lane.name}` : `${prefix}${lane.name}`,
      description: lane.description ?? `fastlane ${lane.platform ? lane.platform + ' ' : ''}${lane.name}`,
      runner: lane.platform === 'android' ? 'linux' : 'macos',
      options: { lane: lane.name, ...(lane.platform ? { platform: lane.platform } : {}) },
      standalone: true,
    };
  });
}

/** Any project with a Fastfile: a target that runs any lane, and one per public lane. Not part of `deploy`. */
export const fastlane = definePlatform<FastfileLane[]>({
  id: 'fastlane',
  markers: ['fastlane/Fastfile'],
  detect(folder) {
    const fastfile = folder.read('fastlane/Fastfile');
    // Loaded only for projects that have a Fastfile: inference runs on every nx command.
    return fastfile === undefined ? undefined : (require('@shipfleet/fastlane') as typeof import('@shipfleet/fastlane')).parseFastfileLanes(fastfile);
  },
  targets: (lanes, o) => [
    { executor: 'fastlane-lane', description: 'Run any lane of this project: --lane=<name>', runner: 'macos', standalone: true },
    ...laneTargets(lanes, o.fastlaneLanePrefix ?? 'fastlane-'),
  ],
  ciSecrets: [],
  example: { 'fastlane/Fastfile': 'lane :beta do\nend\n' },
});
