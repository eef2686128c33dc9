import { ExecutorContext } from '@nx/devkit';
import { consoleLogger } from '@shipfleet/core';
import { buildTerraformPlan, resolveTerraformOptions, TerraformOptions } from '@shipfleet/terraform';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { TerraformExecutorOptions } from './schema';

/**
 * terraform (or tofu): init, the environment's workspace, a saved plan, its
 * summary (terminal and GitHub step summary), the destroy guard, then apply
 * of exactly that plan. The plan file's SHA-256 becomes the deploy ledger's
 * artefact digest.
 */
export default async function terraformExecutor(options: TerraformExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const warn = (m: string) => consoleLogger.warn(m);
    const { dryRun, planJson, logFile, ...given } = options;
    const resolved = resolveTerraformOptions(given as Partial<TerraformOptions>, { workspaceRoot: context.root, projectRoot: projectRoot(context), projectName: context.projectName }, process.env, warn, !!dryRun);
    const { plan, secrets } = buildTerraformPlan(resolved, { stepSummaryFile: process.env.GITHUB_STEP_SUMMARY });
    return { plan, secrets: [...resolved.secrets, ...secrets] };
  });
}
