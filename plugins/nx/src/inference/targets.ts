import type { TargetConfiguration } from '@nx/devkit';
import type { FastfileLane } from '@shipfleet/fastlane';
import { DetectedPlatforms } from './detect';

export type TargetKind = 'build-ios' | 'deploy-ios' | 'sign-macos' | 'package-tizen' | 'package-webos' | 'vercel-deploy' | 'k8s-deploy' | 'canary-monitor' | 'fastlane-lane' | 'deploy';

export interface InferenceOptions {
  /** Rename inferred targets, e.g. { "deploy": "ship" }. */
  targetNames?: Partial<Record<TargetKind, string>>;
  /** Prefix of the one-per-lane targets (default "fastlane-"). */
  fastlaneLanePrefix?: string;
}

const DOCS = 'https://github.com/shipfleet/shipfleet#';
type Runner = 'macos' | 'linux';

function meta(kind: string, description: string, runner: Runner): TargetConfiguration['metadata'] {
  return { description, url: DOCS + kind, technologies: ['shipfleet'], runner } as TargetConfiguration['metadata'];
}

/** Side-effect targets: never cached (a deploy must never be skipped by a cache hit). */
function sideEffect(kind: TargetKind, description: string, runner: Runner, named: string, options: Record<string, unknown> = {}): TargetConfiguration {
  return {
    executor: `@shipfleet/nx:${kind}`,
    options,
    cache: false,
    inputs: [named, `^${named}`],
    dependsOn: ['^build', 'build'],
    metadata: meta(kind, description, runner),
  };
}

export function laneTargets(lanes: FastfileLane[], prefix: string): Record<string, TargetConfiguration> {
  const visible = lanes.filter((l) => !l.private);
  const targets: Record<string, TargetConfiguration> = {};
  for (const lane of visible) {
    const shared = visible.filter((l) => l.name === lane.name).length > 1;
    const name = shared && lane.platform ? `${prefix}${lane.platform}-${lane.name}` : `${prefix}${lane.name}`;
    targets[name] = {
      executor: '@shipfleet/nx:fastlane-lane',
      options: { lane: lane.name, ...(lane.platform ? { platform: lane.platform } : {}) },
      cache: false,
      metadata: meta('fastlane-lane', lane.description ?? `fastlane ${lane.platform ? lane.platform + ' ' : ''}${lane.name}`, lane.platform === 'android' ? 'linux' : 'macos'),
    };
  }
  return targets;
}

/** Every target a detected project gets, and its deploy chain. */
export function inferTargets(found: DetectedPlatforms, o: InferenceOptions, named: string): Record<string, TargetConfiguration> {
  const n = (k: TargetKind) => o.targetNames?.[k] ?? k;
  const t: Record<string, TargetConfiguration> = {};
  const chain: string[] = [];
  if (found.apple.length) {
    const platform = found.apple[0];
    t[n('build-ios')] = sideEffect('build-ios', `Archive and export the ${platform} app with xcodebuild`, 'macos', named, { platform });
    t[n('deploy-ios')] = sideEffect('deploy-ios', 'Build, then upload to TestFlight / App Store Connect', 'macos', named, { platform });
    chain.push(n('deploy-ios'));
  }
  if (found.macos) {
    t[n('sign-macos')] = sideEffect('sign-macos', 'Sign inside-out, notarize, staple and assess the macOS app', 'macos', named);
    chain.push(n('sign-macos'));
  }
  if (found.tizen) {
    t[n('package-tizen')] = { ...sideEffect('package-tizen', 'Package a signed Samsung Tizen .wgt', 'linux', named), outputs: ['{workspaceRoot}/dist/shipfleet/{projectName}'] };
    chain.push(n('package-tizen'));
  }
  if (found.webos) {
    // No secrets involved: the .ipk depends only on the inputs, so it is cacheable.
    t[n('package-webos')] = { ...sideEffect('package-webos', 'Package an LG webOS .ipk', 'linux', named), cache: true, outputs: ['{workspaceRoot}/dist/shipfleet/{projectName}'] };
    chain.push(n('package-webos'));
  }
  if (found.vercel) {
    t[n('vercel-deploy')] = sideEffect('vercel-deploy', 'Deploy the build output through the Vercel API', 'linux', named);
    chain.push(n('vercel-deploy'));
  }
  if (found.k8s) {
    t[n('k8s-deploy')] = sideEffect('k8s-deploy', 'Server-side apply, wait for the rollout, undo on failure', 'linux', named, { manifests: [found.k8s] });
    chain.push(n('k8s-deploy'));
  }
  if (found.canary) {
    t[n('canary-monitor')] = sideEffect('canary-monitor', 'Watch the rollout\'s metrics and promote or roll back', 'linux', named, { config: 'canary.json' });
    chain.push(n('canary-monitor'));
  }
  if (found.lanes) {
    t[n('fastlane-lane')] = { executor: '@shipfleet/nx:fastlane-lane', cache: false, metadata: meta('fastlane-lane', 'Run any lane of this project: --lane=<name>', 'macos') };
    Object.assign(t, laneTargets(found.lanes, o.fastlaneLanePrefix ?? 'fastlane-'));
  }
  if (chain.length) {
    const runner: Runner = found.apple.length || found.macos ? 'macos' : 'linux';
    t[n('deploy')] = {
      ...sideEffect('deploy', `Deploy: ${chain.join(' → ')} (skipped when these inputs are already live in the environment)`, runner, named, { targets: chain }),
    };
  }
  return t;
}
