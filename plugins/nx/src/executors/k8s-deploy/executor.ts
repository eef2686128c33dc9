import { ExecutorContext } from '@nx/devkit';
import { join } from 'path';
import { consoleLogger } from '@shipfleet/core';
import { buildK8sPlan, namesImage, normalizeK8sOptions, previewKustomization } from '@shipfleet/k8s';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import { pushedImage } from '../../utils/pushed-image';
import { headCommit, projectVersion } from '../../utils/release-info';
import type { K8sDeployExecutorOptions } from './schema';

/**
 * Server-side apply of the project's manifests, a rollout wait with kubectl's
 * rules, and an undo when it does not complete. The Nx project, its version and
 * the commit are recorded as labels and annotations unless given. With
 * strategy blue-green the Deployment runs as two colours behind a Service
 * switch (and action rollback switches back); see @shipfleet/k8s blue-green.
 */
export default async function k8sDeployExecutor(options: K8sDeployExecutorOptions, context: ExecutorContext) {
  const root = join(context.root, projectRoot(context));
  const head = options.commit ? undefined : await headCommit(context.root);
  return runExecutorPlan(options, async () => {
    // The image container-image pushed for this project, unless the options name that image themselves
    // (in images or image): then it joins the command line's images, which it cannot clash with.
    const pushed = pushedImage(context.root, projectRoot(context), (name) => namesImage(options, name));
    const given = options.image === undefined ? [] : Array.isArray(options.image) ? options.image : [options.image];
    let normalized = normalizeK8sOptions(
      {
        ...options,
        ...(pushed ? { image: [...given, `${pushed.name}@${pushed.digest}`] } : {}),
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
    // kubectl kustomize only reads local files: a dry run renders it to show its objects.
    if (options.dryRun) normalized = await previewKustomization(normalized, { env: process.env, warn: (message) => consoleLogger.warn(message) });
    const { plan } = buildK8sPlan(normalized);
    return { plan, secrets: normalized.secrets };
  });
}
