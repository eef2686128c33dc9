import type { TargetConfiguration } from '@nx/devkit';
import { executorDocs, Platform, PlatformInferenceOptions, PlatformTarget, projectFolder, Runner } from '../platforms';

export interface InferenceOptions extends PlatformInferenceOptions {
  /** Rename inferred targets by executor, e.g. { "deploy": "ship" }. */
  targetNames?: Record<string, string>;
}

const DOCS = 'https://github.com/shipfleet/shipfleet#';
/** README anchor of the `deploy` target's section. */
export const DEPLOY_DOCS = 'deploying-what-changed-nx-affected--t-deploy';

function metadata(docs: string, description: string, runner: Runner): TargetConfiguration['metadata'] {
  return { description, url: DOCS + docs, technologies: ['shipfleet'], runner } as TargetConfiguration['metadata'];
}

function targetConfiguration(t: PlatformTarget, named: string): TargetConfiguration {
  const config: TargetConfiguration = { executor: `@shipfleet/nx:${t.executor}` };
  if (t.options) config.options = t.options;
  // A side effect is never cached: a deploy must never be skipped by a cache hit.
  config.cache = t.cache ?? false;
  if (!t.standalone) {
    config.inputs = [named, `^${named}`];
    config.dependsOn = ['^build', 'build'];
  }
  if (t.outputs) config.outputs = t.outputs;
  config.metadata = metadata(t.docs ?? executorDocs(t.executor), t.description, t.runner);
  return config;
}

/** One runner's share of a split deploy: its targets in chain order, and the options they take there. */
export interface DeployPart {
  targets: string[];
  options: Record<string, Record<string, unknown>>;
}

const RUNNER_ORDER: readonly Runner[] = ['macos', 'windows', 'linux'];

/** The deploy's parts per runner when a chain target spreads over several runners; undefined when the chain runs on one. */
function deployParts(chain: PlatformTarget[], nameOf: (t: PlatformTarget) => string): Partial<Record<Runner, DeployPart>> | undefined {
  if (!chain.some((t) => t.runners)) return undefined;
  const on = (t: PlatformTarget, r: Runner) => (t.runners ? r in t.runners : t.runner === r);
  const parts: Partial<Record<Runner, DeployPart>> = {};
  for (const r of RUNNER_ORDER) {
    const targets = chain.filter((t) => on(t, r));
    if (!targets.length) continue;
    const options: Record<string, Record<string, unknown>> = {};
    for (const t of targets) if (t.runners?.[r] && Object.keys(t.runners[r]!).length) options[nameOf(t)] = t.runners[r]!;
    parts[r] = { targets: targets.map(nameOf), options };
  }
  return Object.keys(parts).length > 1 ? parts : undefined;
}

/** Every target the registry's platforms give one project folder, and the `deploy` target chaining them. */
export function inferTargets(platforms: readonly Platform<any>[], workspaceRoot: string, root: string, o: InferenceOptions, named: string): Record<string, TargetConfiguration> {
  const folder = projectFolder(workspaceRoot, root);
  const nameOf = (t: PlatformTarget) => t.name ?? o.targetNames?.[t.executor] ?? t.executor;
  const targets: Record<string, TargetConfiguration> = {};
  const chain: PlatformTarget[] = [];
  for (const platform of platforms) {
    const found = platform.detect(folder);
    if (found === undefined) continue;
    for (const t of platform.targets(found, o)) {
      targets[nameOf(t)] = targetConfiguration(t, named);
      if (t.deploys) chain.push(t);
    }
  }
  if (chain.length) {
    const names = chain.map(nameOf);
    // Run whole, the deploy runs its chain on one machine: macOS when any part needs it, then Windows.
    const runner: Runner = chain.some((t) => t.runner === 'macos') ? 'macos' : chain.some((t) => t.runner === 'windows') ? 'windows' : 'linux';
    const deployName = o.targetNames?.deploy ?? 'deploy';
    const parts = deployParts(chain, nameOf);
    const deploy = targetConfiguration(
      { executor: 'deploy', description: `Deploy: ${names.join(' → ')} (skipped when these inputs are already live in the environment)`, runner, options: { targets: names, ...(parts ? { parts } : {}) }, docs: DEPLOY_DOCS },
      named,
    );
    // `shipfleet matrix` reads these: one row per runner, each deploying its part.
    if (parts) (deploy.metadata as Record<string, unknown>).runners = Object.keys(parts);
    // The projects this one depends on deploy first, to the same environment (--env is forwarded):
    // an app never ships before the database migration or the infrastructure it needs.
    deploy.dependsOn = [...(deploy.dependsOn ?? []), { dependencies: true, target: deployName, params: 'forward' }];
    targets[deployName] = deploy;
  }
  return targets;
}
