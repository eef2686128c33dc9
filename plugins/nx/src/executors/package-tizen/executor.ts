import { ExecutorContext } from '@nx/devkit';
import { buildTizenPlan, normalizeTizenOptions, PROJECT_FILES_EXCLUDE } from '@shipfleet/tv';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { defaultAppDir, defaultOutputPath, packageExclude } from '../../utils/project-paths';
import type { PackageTizenExecutorOptions } from './schema';

export default async function packageTizenExecutor(options: PackageTizenExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const appDir = options.appDir ?? defaultAppDir(context, 'config.xml');
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
    );
    return { plan: buildTizenPlan(normalized), secrets: normalized.secrets };
  });
}
