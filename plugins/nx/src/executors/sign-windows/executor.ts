import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { consoleLogger } from '@shipfleet/core';
import { normalizeSignWindowsOptions, SignWindowsOptions, signWindowsPlan } from '@shipfleet/desktop';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { SignWindowsExecutorOptions } from './schema';

/**
 * Authenticode signing of .exe/.msi/.dll…: osslsigncode on any OS (the .p12
 * password through a 0600 file, never argv), signtool on Windows, or a cloud
 * signing command; each signature verified before the signed file replaces
 * the original.
 */
export default async function signWindowsExecutor(options: SignWindowsExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const { dryRun, planJson, logFile, ...given } = options;
    const normalized = normalizeSignWindowsOptions(given as Partial<SignWindowsOptions>, join(context.root, projectRoot(context)), process.env, {
      workspaceRoot: context.root,
      warn: (m) => consoleLogger.warn(m),
      dryRun: !!dryRun,
    });
    const { plan, secrets } = signWindowsPlan(normalized);
    return { plan, secrets };
  });
}
