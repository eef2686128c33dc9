import { ExecutorContext } from '@nx/devkit';
import { consoleLogger } from '@shipfleet/core';
import { DeployAndroidOptions, deployAndroidPlan } from '@shipfleet/android';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { DeployAndroidExecutorOptions } from './schema';

/** build-android's steps, then the Play publish of what they built (or of `artifact`); promote, rollout, halt, resume and complete build nothing. */
export default async function deployAndroidExecutor(options: DeployAndroidExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const { dryRun, planJson: _planJson, logFile: _logFile, ...given } = options;
    // Nx passes enumerated values as any string; the library checks each one.
    const { plan, secrets } = deployAndroidPlan(given as Partial<DeployAndroidOptions>, {
      projectRoot: projectRoot(context),
      workspaceRoot: context.root,
      env: process.env,
      warn: (message) => consoleLogger.warn(message),
      dryRun: !!dryRun,
    });
    return { plan, secrets };
  });
}
