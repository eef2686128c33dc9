import { ExecutorContext } from '@nx/devkit';
import { consoleLogger, pathOption } from '@shipfleet/core';
import { buildTizenPlan, buildVerifyWgtPlan, normalizeTizenOptions, PROJECT_FILES_EXCLUDE } from '@shipfleet/tv';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { defaultAppDir, defaultOutputPath, packageExclude, projectRoot } from '../../utils/project-paths';
import type { PackageTizenExecutorOptions } from './schema';

export default async function packageTizenExecutor(options: PackageTizenExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const paths = { projectRoot: projectRoot(context), warn: (message: string) => consoleLogger.warn(message) };
    // --verify=<file.wgt>: check that package, package nothing.
    if (options.verify !== undefined) return { plan: buildVerifyWgtPlan(options.verify, context.root, paths), secrets: [] };
    // Absolute from here on, so that the default excludes can tell the project folder itself.
    const appDir = pathOption('appDir', options.appDir, { workspaceRoot: context.root, ...paths }) ?? defaultAppDir(context, 'config.xml');
    const normalized = normalizeTizenOptions(
      {
        ...options,
        appDir,
        exclude: packageExclude(context, appDir, options.exclude, PROJECT_FILES_EXCLUDE),
        outputPath: options.outputPath ?? defaultOutputPath(context),
        // The `production` configuration means a store release.
        release: options.release ?? context.configurationName === 'production',
      },
      context.root,
      process.env,
      paths,
    );
    return { plan: buildTizenPlan(normalized), secrets: normalized.secrets };
  });
}
