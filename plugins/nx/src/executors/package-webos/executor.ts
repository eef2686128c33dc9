import { ExecutorContext } from '@nx/devkit';
import { buildWebosPlan, normalizeWebosOptions, PROJECT_FILES_EXCLUDE } from '@shipfleet/tv';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { defaultAppDir, defaultOutputPath, packageExclude } from '../../utils/project-paths';
import type { PackageWebosExecutorOptions } from './schema';

export default async function packageWebosExecutor(options: PackageWebosExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const appDir = options.appDir ?? defaultAppDir(context, 'appinfo.json');
    const exclude = packageExclude(context, appDir, options.exclude, PROJECT_FILES_EXCLUDE);
    const normalized = normalizeWebosOptions({ appDir, outputPath: options.outputPath ?? defaultOutputPath(context), exclude }, context.root);
    return { plan: buildWebosPlan(normalized), secrets: [] };
  });
}
