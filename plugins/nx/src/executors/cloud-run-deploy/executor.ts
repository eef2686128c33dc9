import { ExecutorContext } from '@nx/devkit';
import { readFileSync } from 'fs';
import { consoleLogger, pathOption, UserError } from '@shipfleet/core';
import { buildCloudRunPlan, CloudRunOptions, resolveCloudRunOptions } from '@shipfleet/cloud-run';
import { imageRecordPath, readImageRecord } from '@shipfleet/container';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import { headCommit, projectVersion } from '../../utils/release-info';
import type { CloudRunDeployExecutorOptions } from './schema';

function readConfig(file: string): Partial<CloudRunOptions> {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError('config', `${file} is not valid JSON (${(e as Error).message})`, 'Fix the JSON syntax');
  }
}

/**
 * A new Cloud Run revision behind a tag without traffic, then the strategy's
 * traffic moves (all at once, blue-green, or left to canary-monitor), or a
 * rollback in one update. Options come from cloud-run.json (inferred) and the
 * target; the image defaults to the digest container-image pushed.
 */
export default async function cloudRunDeployExecutor(options: CloudRunDeployExecutorOptions, context: ExecutorContext) {
  const commit = options.commit ?? (await headCommit(context.root));
  const version = options.version ?? projectVersion(context);
  return runExecutorPlan(options, () => {
    const warn = (m: string) => consoleLogger.warn(m);
    const root = projectRoot(context);
    const { config, dryRun, planJson, logFile, ...overrides } = options;
    const configFile = pathOption('config', config, { workspaceRoot: context.root, projectRoot: root, warn, mustExist: 'file', fix: 'Create it (see the README for cloud-run.json) or point config at it, relative to the workspace root' });
    const given: Partial<CloudRunOptions> = { ...(configFile ? readConfig(configFile) : {}), ...(overrides as Partial<CloudRunOptions>) };
    if (!given.image && (given.action ?? 'deploy') === 'deploy') {
      const pushed = readImageRecord(imageRecordPath(context.root, root));
      if (pushed) {
        given.image = pushed.image;
        consoleLogger.info(`image ${pushed.image} (pushed by container-image ${pushed.pushedAt})`);
      }
    }
    const resolved = resolveCloudRunOptions({ ...given, version: given.version ?? version, commit: given.commit ?? commit }, { projectName: context.projectName, env: process.env, warn, dryRun: !!dryRun });
    const { plan, secrets } = buildCloudRunPlan(resolved);
    return { plan, secrets: [...resolved.secrets, ...secrets] };
  });
}
