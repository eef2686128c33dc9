import { ExecutorContext } from '@nx/devkit';
import { consoleLogger } from '@shipfleet/core';
import { buildGithubReleasePlan, GithubReleaseOptions, loadOctokit, resolveGithubReleaseOptions } from '@shipfleet/desktop';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { PublishGithubReleaseExecutorOptions } from './schema';

/**
 * A GitHub release as a plan: a draft for the tag, every file uploaded,
 * electron-updater's feeds written from what was uploaded, a check that the
 * draft holds it all, then publishing. The token travels only in the
 * Authorization header and is masked everywhere else.
 */
export default async function publishGithubReleaseExecutor(options: PublishGithubReleaseExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, async () => {
    const { dryRun, planJson, logFile, ...given } = options;
    const warn = (m: string) => consoleLogger.warn(m);
    const { options: resolved, token } = resolveGithubReleaseOptions(given as Partial<GithubReleaseOptions>, { workspaceRoot: context.root, projectRoot: projectRoot(context), env: process.env, warn, dryRun: !!dryRun });
    // @octokit/rest is ESM: loaded here once, with Node's own loader.
    const { plan, secrets } = buildGithubReleasePlan(resolved, { token, dryRun: !!dryRun, warn, octokit: dryRun ? undefined : await loadOctokit() });
    return { plan, secrets };
  });
}
