import { ExecutorContext } from '@nx/devkit';
import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { consoleLogger, pathOption } from '@shipfleet/core';
import { buildVercelPlan, resolveVercelOptions, VercelOptions } from '@shipfleet/vercel';
import { CommonExecutorOptions, runExecutorPlan } from '../../utils/run-executor-plan';
import { defaultAppDir, projectRoot } from '../../utils/project-paths';

export type VercelDeployExecutorOptions = VercelOptions & CommonExecutorOptions;

/** projectId/orgId from `vercel link`'s .vercel/project.json when the options leave them out. */
function linkedProject(root: string): { projectId?: string; orgId?: string } {
  const file = join(root, '.vercel', 'project.json');
  if (!existsSync(file)) return {};
  try {
    const { projectId, orgId } = JSON.parse(readFileSync(file, 'utf8'));
    return { projectId, orgId };
  } catch {
    return {};
  }
}

export default async function vercelDeployExecutor(options: VercelDeployExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const root = resolve(context.root, projectRoot(context));
    const linked = linkedProject(root);
    // outputPath is relative to the workspace root in Nx options; a prebuilt .vercel/output in the project wins when none is given.
    const outputPath = options.outputPath
      ? pathOption('outputPath', options.outputPath, { workspaceRoot: context.root, projectRoot: root, warn: (m) => consoleLogger.warn(m) })
      : existsSync(join(root, '.vercel', 'output')) ? undefined : resolve(context.root, defaultAppDir(context, 'index.html'));
    const meta = {
      nxProject: context.projectName!,
      ...(process.env.GITHUB_SHA ? { githubCommitSha: process.env.GITHUB_SHA } : {}),
      ...(process.env.GITHUB_REF_NAME ? { githubCommitRef: process.env.GITHUB_REF_NAME } : {}),
      ...(options.meta ?? {}),
    };
    const resolved = resolveVercelOptions({ ...linked, ...options, outputPath, meta }, root);
    const { plan, secrets } = buildVercelPlan(resolved.options, { token: resolved.token });
    return { plan, secrets: [...resolved.secrets, ...secrets] };
  });
}
