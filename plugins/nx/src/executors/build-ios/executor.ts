import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { consoleLogger } from '@shipfleet/core';
import { BuildIosOptions, buildIosPlan, normalizeBuildIosOptions } from '@shipfleet/apple';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { BuildIosExecutorOptions } from './schema';

export default async function buildIosExecutor(options: BuildIosExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    // Nx passes enumerated values as any string; the normaliser checks each one.
    const normalized = normalizeBuildIosOptions(options as Partial<BuildIosOptions>, join(context.root, projectRoot(context)), process.env, {
      workspaceRoot: context.root,
      warn: (message) => consoleLogger.warn(message),
      dryRun: !!options.dryRun,
    });
    const { plan, secrets } = buildIosPlan(normalized);
    return { plan, secrets };
  });
}
