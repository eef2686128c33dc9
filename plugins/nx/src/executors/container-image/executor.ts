import { ExecutorContext } from '@nx/devkit';
import { consoleLogger, taskStep } from '@shipfleet/core';
import { buildContainerPlan, ContainerOptions, imageRecordPath, resolveContainerOptions, writeImageRecord } from '@shipfleet/container';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import { headCommit, projectVersion } from '../../utils/release-info';
import type { ContainerImageExecutorOptions } from './schema';

/**
 * Builds and pushes the project's image, then records the pushed digest in
 * dist/<projectRoot>/container-image.json, where k8s-deploy finds it.
 * Version and commit label the image and name its default tags.
 */
export default async function containerImageExecutor(options: ContainerImageExecutorOptions, context: ExecutorContext) {
  const revision = options.revision ?? (await headCommit(context.root));
  const version = options.version ?? projectVersion(context);
  return runExecutorPlan(options, () => {
    const warn = (message: string) => consoleLogger.warn(message);
    const root = projectRoot(context);
    const given: Partial<ContainerOptions> = {
      ...(options as Partial<ContainerOptions>),
      tags: options.tags ?? (version ? [version, 'latest'] : ['latest']),
      ...(revision ? { revision } : {}),
      ...(version ? { version } : {}),
    };
    const resolved = resolveContainerOptions(given, { workspaceRoot: context.root, projectRoot: root, projectName: context.projectName }, process.env, warn, !!options.dryRun);
    const { plan, result, secrets } = buildContainerPlan(resolved);
    const record = imageRecordPath(context.root, root);
    plan.steps.push(
      taskStep('Record the pushed image for k8s-deploy', `writes ${record}: ${options.image}@<digest>, the tags and the time; k8s-deploy sets matching containers to it`, (ctx) => {
        if (!result.digest) throw new Error('the push reported no digest');
        const image = `${options.image}@${result.digest}`;
        writeImageRecord(record, { name: options.image!, repository: result.image, digest: result.digest, image, tags: result.tags, pushedAt: new Date().toISOString() });
        ctx.log(`${image} (${result.tags.map((t) => `:${t}`).join(', ')})`);
      }),
    );
    return { plan, secrets: [...resolved.secrets, ...secrets] };
  });
}
