import { ExecutorContext } from '@nx/devkit';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { runCaptured } from '@shipfleet/core';
import { buildK8sPlan, K8sDeployOptions, normalizeK8sOptions } from '@shipfleet/k8s';
import { CommonExecutorOptions, runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';

export type K8sDeployExecutorOptions = Partial<K8sDeployOptions> & CommonExecutorOptions;

/**
 * Server-side apply of the project's manifests, a rollout wait with kubectl's
 * rules, and an undo when it does not complete. The Nx project, its version and
 * the commit are recorded as labels and annotations unless given.
 */
export default async function k8sDeployExecutor(options: K8sDeployExecutorOptions, context: ExecutorContext) {
  const root = join(context.root, projectRoot(context));
  const pkg = join(root, 'package.json');
  const head = await runCaptured('git', ['rev-parse', 'HEAD'], { cwd: context.root }).catch(() => undefined);
  return runExecutorPlan(options, () => {
    const normalized = normalizeK8sOptions(
      {
        ...options,
        manifests: options.manifests ?? 'k8s',
        project: options.project ?? context.projectName,
        version: options.version ?? (existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : undefined),
        commit: options.commit ?? (head?.exitCode === 0 ? head.stdout.trim() : undefined),
        dryRun: options.dryRun,
      },
      root,
    );
    const { plan } = buildK8sPlan(normalized);
    return { plan, secrets: normalized.secrets };
  });
}
