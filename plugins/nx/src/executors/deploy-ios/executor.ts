import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { consoleLogger } from '@shipfleet/core';
import { DeployIosOptions, deployIosPlan, normalizeDeployIosOptions } from '@shipfleet/apple';
import { buildFastlanePlan, normalizeFastlaneOptions } from '@shipfleet/fastlane';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { DeployIosExecutorOptions } from './schema';

/** The env vars holding upload credentials that a fastlane upload lane reads (names the normaliser has checked). */
function uploadSecretEnv(o: DeployIosExecutorOptions): string[] {
  return [o.apiKeyEnv, o.appSpecificPasswordEnv].filter((name): name is string => typeof name === 'string' && name !== '');
}

/** build-ios, then the upload: altool with the API key, or the project's fastlane lane given the built .ipa. */
export default async function deployIosExecutor(options: DeployIosExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const root = join(context.root, projectRoot(context));
    // Nx passes enumerated values as any string; the normaliser checks each one.
    const normalized = normalizeDeployIosOptions(options as Partial<DeployIosOptions>, root, process.env, {
      workspaceRoot: context.root,
      warn: (message) => consoleLogger.warn(message),
      dryRun: !!options.dryRun,
    });
    const { plan, secrets } = deployIosPlan(
      normalized,
      normalized.fastlane
        ? (artifact) =>
            buildFastlanePlan(
              // The lane authenticates its upload with the same App Store Connect credentials the build was given.
              normalizeFastlaneOptions({ lane: normalized.fastlane!.lane, platform: 'ios', options: { ipa: artifact }, secretEnv: uploadSecretEnv(options) }, root),
            ).plan.steps
        : undefined,
    );
    return { plan, secrets };
  });
}
