import { ExecutorContext } from '@nx/devkit';
import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { consoleLogger, deprecatedOption, pathOption } from '@shipfleet/core';
import { buildVercelPlan, resolveVercelOptions, VercelOptions } from '@shipfleet/vercel';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { defaultAppDir, projectRoot } from '../../utils/project-paths';
import type { VercelDeployExecutorOptions } from './schema';

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

export default async function vercelDeployExecutor(given: VercelDeployExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(given, () => {
    const warn = (m: string) => consoleLogger.warn(m);
    const options = deprecatedOption(deprecatedOption(given, 'outputPath', 'appDir', warn), 'timeoutSeconds', 'timeout', warn);
    const root = resolve(context.root, projectRoot(context));
    const linked = linkedProject(root);
    // appDir is relative to the workspace root in Nx options; a prebuilt .vercel/output in the project wins when none is given.
    const appDir = options.appDir
      ? pathOption('appDir', options.appDir, { workspaceRoot: context.root, projectRoot: root, warn })
      : existsSync(join(root, '.vercel', 'output')) ? undefined : resolve(context.root, defaultAppDir(context, 'index.html'));
    const meta = {
      nxProject: context.projectName!,
      ...(process.env.GITHUB_SHA ? { githubCommitSha: process.env.GITHUB_SHA } : {}),
      ...(process.env.GITHUB_REF_NAME ? { githubCommitRef: process.env.GITHUB_REF_NAME } : {}),
      ...(options.meta ?? {}),
    };
    // The schema's types are wider than the library's (a bad value gets the library's clear error).
    const resolved = resolveVercelOptions({ ...linked, ...(options as Partial<VercelOptions>), appDir, meta }, root, process.env, warn, !!options.dryRun);
    const { plan, secrets } = buildVercelPlan(resolved.options, { token: resolved.token });
    return { plan, secrets: [...resolved.secrets, ...secrets] };
  });
}
