import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { BuildIosOptions, buildIosPlan, normalizeBuildIosOptions } from '@shipfleet/apple';
import { CommonExecutorOptions, runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';

export type BuildIosExecutorOptions = Partial<BuildIosOptions> & CommonExecutorOptions;

export default async function buildIosExecutor(options: BuildIosExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const { plan, secrets } = buildIosPlan(normalizeBuildIosOptions(options, join(context.root, projectRoot(context))));
    return { plan, secrets };
  });
}
