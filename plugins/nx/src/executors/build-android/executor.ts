import { ExecutorContext } from '@nx/devkit';
import { consoleLogger } from '@shipfleet/core';
import { AndroidBuildOptions, buildAndroidBuildPlan, resolveAndroidBuild } from '@shipfleet/android';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { BuildAndroidExecutorOptions } from './schema';

/** Build and sign the project's Android app bundle or APK (Gradle, React Native or Flutter), verify it and print the signing certificate. */
export default async function buildAndroidExecutor(options: BuildAndroidExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const { dryRun, planJson: _planJson, logFile: _logFile, ...given } = options;
    // Nx passes enumerated values as any string; the library checks each one.
    const resolved = resolveAndroidBuild(given as AndroidBuildOptions, {
      projectRoot: projectRoot(context),
      workspaceRoot: context.root,
      env: process.env,
      warn: (message) => consoleLogger.warn(message),
      dryRun: !!dryRun,
    });
    const { plan, secrets } = buildAndroidBuildPlan(resolved);
    return { plan, secrets };
  });
}
