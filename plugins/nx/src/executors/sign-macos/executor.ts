import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { normalizeSignMacosOptions, signMacosPlan } from '@shipfleet/apple';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { SignMacosExecutorOptions } from './schema';

export default async function signMacosExecutor(options: SignMacosExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const { plan, secrets } = signMacosPlan(normalizeSignMacosOptions(options, join(context.root, projectRoot(context))));
    return { plan, secrets };
  });
}
