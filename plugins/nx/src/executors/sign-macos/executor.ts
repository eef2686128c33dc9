import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { normalizeSignMacosOptions, SignMacosOptions, signMacosPlan } from '@shipfleet/apple';
import { CommonExecutorOptions, runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';

export type SignMacosExecutorOptions = Partial<SignMacosOptions> & CommonExecutorOptions;

export default async function signMacosExecutor(options: SignMacosExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const { plan, secrets } = signMacosPlan(normalizeSignMacosOptions(options, join(context.root, projectRoot(context))));
    return { plan, secrets };
  });
}
