import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { BuildIosOptions, buildIosPlan, normalizeBuildIosOptions } from '@shipfleet/apple';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { BuildIosExecutorOptions } from './schema';

export default async function buildIosExecutor(options: BuildIosExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    // Nx passes enumerated values as any string; the normaliser checks each one.
    const { plan, secrets } = buildIosPlan(normalizeBuildIosOptions(options as Partial<BuildIosOptions>, join(context.root, projectRoot(context))));
    return { plan, secrets };
  });
}
