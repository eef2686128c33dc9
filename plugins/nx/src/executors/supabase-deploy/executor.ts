import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { consoleLogger, errorMessage, UserError } from '@shipfleet/core';
import { buildSupabasePlan, previewSupabaseDeploy, resolveSupabaseOptions, SupabaseDeployOptions } from '@shipfleet/supabase';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { SupabaseDeployExecutorOptions } from './schema';

/**
 * Supabase migrations (and, when asked, config and edge functions) through the
 * workspace's own Supabase CLI: a deploy lock on the database, a check that its
 * history holds nothing the repository lacks, the pending migrations by name,
 * then the push. A dry run reads the pending migrations (read-only) when it can.
 */
export default async function supabaseDeployExecutor(options: SupabaseDeployExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, async () => {
    const warn = (m: string) => consoleLogger.warn(m);
    const { dryRun, planJson, logFile, ...given } = options;
    const resolved = resolveSupabaseOptions(given as Partial<SupabaseDeployOptions>, { workspaceRoot: context.root, projectRoot: projectRoot(context), env: process.env, warn, dryRun: !!dryRun });
    let preview;
    try {
      preview = dryRun ? await previewSupabaseDeploy(resolved, warn) : undefined;
    } catch (err) {
      // Drift: the database holds a migration the repository lacks; the message carries the repair command.
      throw new UserError('migrations', errorMessage(err), 'Bring the repository and the database history together first');
    }
    const label = `${context.projectName}${options.env ? `@${options.env}` : ''}`;
    const { plan, secrets } = buildSupabasePlan(resolved, { label, workDir: join(context.root, 'tmp', 'supabase', context.projectName ?? 'project'), preview });
    return { plan, secrets: [...resolved.secrets, ...secrets] };
  });
}
