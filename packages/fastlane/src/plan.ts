import { existsSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { cleanupStep, Plan, runStep, taskStep } from '@shipfleet/core';
import { NormalizedFastlaneOptions } from './options';
import { FastlaneAction, formatAction, parseFastlaneReport } from './report';

/** The environment fastlane wants on CI: no update check, no timestamps, UTF-8, CI=true when on CI. */
export function fastlaneEnv(hostEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {
    FASTLANE_SKIP_UPDATE_CHECK: '1',
    FASTLANE_HIDE_TIMESTAMP: '1',
    FASTLANE_HIDE_CHANGELOG: '1',
    FASTLANE_OPT_OUT_USAGE: '1',
    LC_ALL: 'en_US.UTF-8',
    LANG: 'en_US.UTF-8',
  };
  if (hostEnv.CI && hostEnv.CI !== 'false' && hostEnv.CI !== '0') env.CI = 'true';
  return env;
}

/** `fastlane [platform] <lane> [key:value …]`, as fastlane documents it. */
export function fastlaneArgs(o: Pick<NormalizedFastlaneOptions, 'platform' | 'lane' | 'options'>): string[] {
  return [...(o.platform ? [o.platform] : []), o.lane, ...Object.entries(o.options).map(([k, v]) => `${k}:${v}`)];
}

export interface FastlanePlanResult {
  plan: Plan;
  /** Filled in at the end of the run from report.xml (also when the lane failed). */
  report: { actions?: FastlaneAction[]; failed?: FastlaneAction };
}

export function buildFastlanePlan(o: NormalizedFastlaneOptions, hostEnv: NodeJS.ProcessEnv = process.env): FastlanePlanResult {
  const reportPath = join(o.fastlaneDir, 'report.xml');
  const report: FastlanePlanResult['report'] = {};
  const [file, args] = o.useBundler ? ['bundle', ['exec', 'fastlane', ...fastlaneArgs(o)]] : ['fastlane', fastlaneArgs(o)];
  const title = `fastlane ${o.platform ? o.platform + ' ' : ''}${o.lane}`;
  const plan: Plan = {
    title,
    outputs: { report: reportPath },
    steps: [
      taskStep('Remove a stale fastlane report', `delete ${reportPath} if present, so only this run's report is read`, () => rmSync(reportPath, { force: true })),
      cleanupStep('Read fastlane report and list each action', {
        kind: 'task',
        description: `parse ${reportPath} (JUnit) and print each action with its result`,
        run: (ctx) => {
          if (!existsSync(reportPath)) {
            ctx.log(`no report at ${reportPath} (fastlane did not get as far as writing one)`);
            return;
          }
          report.actions = parseFastlaneReport(readFileSync(reportPath, 'utf8'));
          report.failed = report.actions.find((a) => a.error !== undefined);
          for (const a of report.actions) ctx.log(formatAction(a));
          if (report.failed) ctx.setOutput('failedAction', `${report.failed.name}: ${report.failed.error}`);
        },
      }),
      runStep(`Run ${title}`, file, args, {
        cwd: o.cwd,
        env: { ...fastlaneEnv(hostEnv), ...o.envVars },
        // The lane reads these secrets from its environment.
        secretEnv: o.secretEnv,
        ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      }),
    ],
  };
  return { plan, report };
}
