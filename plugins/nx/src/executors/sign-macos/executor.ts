import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { consoleLogger } from '@shipfleet/core';
import { normalizeSignMacosOptions, signMacosPlan } from '@shipfleet/apple';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { SignMacosExecutorOptions } from './schema';

export default async function signMacosExecutor(options: SignMacosExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const normalized = normalizeSignMacosOptions(options, join(context.root, projectRoot(context)), process.env, {
      workspaceRoot: context.root,
      warn: (message) => consoleLogger.warn(message),
      dryRun: !!options.dryRun,
    });
    const { plan, secrets } = signMacosPlan(normalized);
    return { plan, secrets };
  });
}
