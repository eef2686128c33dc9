import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { secretsFromEnv } from '@shipfleet/core';
import { buildFastlanePlan, FastlaneLaneOptions, normalizeFastlaneOptions } from '@shipfleet/fastlane';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import type { FastlaneLaneExecutorOptions } from './schema';

export default async function fastlaneLaneExecutor(options: FastlaneLaneExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const projectRoot = join(context.root, context.projectsConfigurations.projects[context.projectName!].root);
    // Nx passes enumerated values as any string; the normaliser checks each one.
    const normalized = normalizeFastlaneOptions(options as Partial<FastlaneLaneOptions>, projectRoot);
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
