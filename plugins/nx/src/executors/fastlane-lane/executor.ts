import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { consoleLogger, secretsFromEnv } from '@shipfleet/core';
import { buildFastlanePlan, FastlaneLaneOptions, normalizeFastlaneOptions } from '@shipfleet/fastlane';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { FastlaneLaneExecutorOptions } from './schema';

export default async function fastlaneLaneExecutor(options: FastlaneLaneExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    // Nx passes enumerated values as any string; the normaliser checks each one.
    const normalized = normalizeFastlaneOptions(options as Partial<FastlaneLaneOptions>, join(context.root, projectRoot(context)), {
      workspaceRoot: context.root,
      warn: (message) => consoleLogger.warn(message),
    });
    const secrets = secretsFromEnv('secretEnv', normalized.secretEnv);
    const { plan, report } = buildFastlanePlan(normalized);
    return {
      plan,
      secrets,
      explainFailure: (run) =>
        report.failed
          ? `Lane ${normalized.lane} failed at action "${report.failed.name}": ${report.failed.error}${run.exitCode !== undefined ? ` (fastlane exit code ${run.exitCode})` : ''}`
          : run.error,
    };
  });
}
