import { ExecutorContext } from '@nx/devkit';
import { buildTizenPlan, normalizeTizenOptions, PackageTizenOptions, PROJECT_FILES_EXCLUDE } from '@shipfleet/tv';
import { CommonExecutorOptions, runExecutorPlan } from '../../utils/run-executor-plan';
import { defaultAppDir, defaultOutputPath, packageExclude } from '../../utils/project-paths';

export type PackageTizenExecutorOptions = Partial<PackageTizenOptions> & CommonExecutorOptions;

export default async function packageTizenExecutor(options: PackageTizenExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const appDir = options.appDir ?? defaultAppDir(context, 'config.xml');
    const normalized = normalizeTizenOptions(
      {
        ...options,
        appDir,
        exclude: packageExclude(context, appDir, options.exclude, PROJECT_FILES_EXCLUDE),
        outputPath: options.outputPath ?? defaultOutputPath(context),
        devCertDir: options.devCertDir ?? '.shipfleet/tizen',
        // The `production` configuration means a store release.
        release: options.release ?? context.configurationName === 'production',
      },
      context.root,
    );
    return { plan: buildTizenPlan(normalized), secrets: normalized.secrets };
  });
}
