import { ExecutorContext } from '@nx/devkit';
import { consoleLogger, pathOption } from '@shipfleet/core';
import { buildWebosPlan, normalizeWebosOptions, PROJECT_FILES_EXCLUDE } from '@shipfleet/tv';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { defaultAppDir, defaultOutputPath, packageExclude, projectRoot } from '../../utils/project-paths';
import type { PackageWebosExecutorOptions } from './schema';

export default async function packageWebosExecutor(options: PackageWebosExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const paths = { projectRoot: projectRoot(context), warn: (message: string) => consoleLogger.warn(message) };
    // Absolute from here on, so that the default excludes can tell the project folder itself.
    const appDir = pathOption('appDir', options.appDir, { workspaceRoot: context.root, ...paths }) ?? defaultAppDir(context, 'appinfo.json');
    const exclude = packageExclude(context, appDir, options.exclude, PROJECT_FILES_EXCLUDE);
    const normalized = normalizeWebosOptions({ appDir, outputPath: options.outputPath ?? defaultOutputPath(context), exclude, installOn: options.installOn, dryRun: options.dryRun }, context.root, paths);
    return { plan: buildWebosPlan(normalized), secrets: [] };
  });
}
