import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { consoleLogger } from '@shipfleet/core';
import { buildK8sPlan, normalizeK8sOptions } from '@shipfleet/k8s';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import { headCommit, projectVersion } from '../../utils/release-info';
import type { K8sDeployExecutorOptions } from './schema';

/**
 * Server-side apply of the project's manifests, a rollout wait with kubectl's
 * rules, and an undo when it does not complete. The Nx project, its version and
 * the commit are recorded as labels and annotations unless given.
 */
export default async function k8sDeployExecutor(options: K8sDeployExecutorOptions, context: ExecutorContext) {
  const root = join(context.root, projectRoot(context));
  const head = options.commit ? undefined : await headCommit(context.root);
  return runExecutorPlan(options, () => {
    const normalized = normalizeK8sOptions(
      {
        ...options,
        manifests: options.manifests ?? '{projectRoot}/k8s',
        project: options.project ?? context.projectName,
        version: options.version ?? projectVersion(context),
        commit: options.commit ?? head,
        dryRun: options.dryRun,
      },
      root,
      process.env,
      { workspaceRoot: context.root, warn: (message) => consoleLogger.warn(message) },
    );
    const { plan } = buildK8sPlan(normalized);
    return { plan, secrets: normalized.secrets };
  });
}
