import { ExecutorContext } from '@nx/devkit';
import { consoleLogger } from '@shipfleet/core';
import { buildPackageElectronPlan, PackageElectronOptions, resolvePackageElectronOptions } from '@shipfleet/desktop';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { PackageElectronExecutorOptions } from './schema';

/**
 * electron-builder's build() with the project's own configuration, plus the
 * targets, archs, output folder, version and build number; publish never
 * (publishing and notarizing are other targets'). Signing values by env var
 * name, set only while it runs.
 */
export default async function packageElectronExecutor(options: PackageElectronExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const { dryRun, planJson, logFile, ...given } = options;
    const resolved = resolvePackageElectronOptions(given as Partial<PackageElectronOptions>, { workspaceRoot: context.root, projectRoot: projectRoot(context) }, process.env, (m) => consoleLogger.warn(m), !!dryRun);
    const { plan, secrets } = buildPackageElectronPlan(resolved);
    return { plan, secrets };
  });
}
