/**
 * Blue-green deploys, the same on every platform: the new version is deployed
 * beside the live one without user traffic, checked at its preview URL, then
 * takes all traffic in one switch; the previous version stays ready for
 * `keepPrevious` (a rollback is one switch back) and is then retired.
 * The platform supplies a BlueGreenAdapter; this module orders its stages as
 * plan steps, so a dry run shows every stage and the runner runs them.
 *
 * Guarantees:
 * - a failed check (or analysis) never switches: the new version is retired, the live one untouched;
 * - a failure after the switch (the post-switch check, or an interruption before
 *   `keepPrevious` has passed) switches back to the previous version, then retires the new one;
 * - an interruption before the switch leaves the live version untouched and retires the new one.
 */
import { errorMessage } from '../errors';
import type { HttpClient } from '../http';
import { cleanupStep, Step, TaskContext, taskStep } from '../plan';
import { sleep as coreSleep } from '../sleep';
import { describeHttpCheck, durationText, HttpCheck, runHttpCheck } from './http-check';

// ---------------------------------------------------------------------------
// The platform's side
// ---------------------------------------------------------------------------

/** The new version once deployed beside the live one (what deployIdle returns). */
export interface IdleDeployment {
  /** Where the new version answers without user traffic: a tagged revision's URL, a preview Service's URL. */
  previewUrl: string;
  /** Where users reach the service, for the post-switch check (`postSwitchCheck.url` wins over it). */
  liveUrl?: string;
  /** The new version in words, for messages: "revision api-00042-xyz (tag green)", "deployment api-green". */
  describe: string;
  /** The version live before this deploy, in words ("deployment api-blue"); absent on a first deploy (nothing to switch back to or retire). */
  live?: string;
}

/** What each stage does, in words, for dry runs: the commands or API calls as exactly as the platform knows them before running. */
export interface BlueGreenDescriptions {
  deployIdle: string;
  waitReady: string;
  switchTo: string;
  switchBack: string;
  retireNew: string;
  retireOld: string;
}

/**
 * One platform's blue-green mechanics. Every method gets the running task's
 * context: log through `ctx.log` (masked), run tools through `ctx.exec`,
 * honour `ctx.signal` (an interrupted stage must stop promptly; cleanups get
 * a fresh signal). A method that fails throws; its message reaches the user.
 */
export interface BlueGreenAdapter {
  /** What is deployed, for step titles: "Cloud Run service api", "deployment api". */
  readonly target: string;
  readonly describe: BlueGreenDescriptions;
  /**
   * Deploys the new version beside the live one, receiving no user traffic
   * (Cloud Run: a revision at 0 % with a tag; Kubernetes: the idle colour's
   * Deployment and a preview Service). Does not wait for readiness.
   */
  deployIdle(ctx: TaskContext): Promise<IdleDeployment>;
  /** Resolves when the new version is ready to serve; throws when it will not be (with the platform's reason). */
  waitReady(ctx: TaskContext, idle: IdleDeployment): Promise<void>;
  /** Sends all traffic to the new version at once. */
  switchTo(ctx: TaskContext, idle: IdleDeployment): Promise<void>;
  /** Sends all traffic back to `idle.live`. Must work after a switchTo that failed part way, and be harmless if the switch never took effect. */
  switchBack(ctx: TaskContext, idle: IdleDeployment): Promise<void>;
  /**
   * Retires a version that no longer takes traffic (Cloud Run: drop its tag;
   * Kubernetes: scale its Deployment to zero). `'new'` is also called after a
   * deployIdle that failed part way (then `idle` is undefined): it must clean
   * up whatever was created, and do nothing if nothing was.
   */
  retire(ctx: TaskContext, which: 'new' | 'old', idle: IdleDeployment | undefined): Promise<void>;
}

/** An analysis of the new version before the switch, e.g. canary-monitor metrics read at the preview URL. Throws to stop the deploy (nothing switched). */
export interface BlueGreenAnalysis {
  /** For the dry run: what it reads and what fails it. */
  description: string;
  run(ctx: TaskContext, idle: IdleDeployment): Promise<void>;
}

// ---------------------------------------------------------------------------
// Options (validated from the user's JSON by blueGreenOptions, ./options.ts)
// ---------------------------------------------------------------------------

export interface PostSwitchCheck extends HttpCheck {
  /** The live URL to check; default the adapter's `liveUrl`. */
  url?: string;
}

export interface BlueGreenOptions {
  /** Checked at the preview URL before any user sees the new version. */
  check: HttpCheck;
  /** How long the previous version stays ready after the switch, ms (0: retired at once). */
  keepPreviousMs: number;
  /** Checked at the live URL right after the switch; a failure switches back. */
  postSwitchCheck?: PostSwitchCheck;
}

/** What the platform passes besides the options. */
export interface BlueGreenHooks {
  analysis?: BlueGreenAnalysis;
  /** The checks' requests go through it (e.g. with an identity token for a private service). */
  client?: HttpClient;
  /** Every wait (between check attempts, keepPrevious) goes through it: tests pass one that does not really wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

// ---------------------------------------------------------------------------
// The steps
// ---------------------------------------------------------------------------

/** What the steps learn while they run, shared with the cleanups. */
interface State {
  deployStarted: boolean;
  idle?: IdleDeployment;
  /** switchTo was called (it may have taken effect part way). */
  switched: boolean;
  switchedBack: boolean;
  /** keepPrevious has passed: the new version stays whatever happens next. */
  settled: boolean;
  /** Why the deploy stopped, from the stage that failed. */
  failure?: string;
  /** The stage still running: a cleanup after an interrupt waits for it before acting. */
  inFlight?: Promise<unknown>;
  signal?: AbortSignal;
}

function stopped(): Error {
  return new Error('interrupted');
}

/** Runs one stage, remembering why it failed and keeping its promise for the cleanups. */
function stage(state: State, fn: (ctx: TaskContext) => Promise<void>): (ctx: TaskContext) => Promise<void> {
  return async (ctx) => {
    state.signal = ctx.signal;
    const running = fn(ctx).catch((err) => {
      state.failure ??= ctx.signal.aborted ? 'the deploy was interrupted' : errorMessage(err);
      throw err;
    });
    state.inFlight = running.catch(() => undefined);
    await running;
  };
}

/** Why a cleanup has to undo something: the recorded failure, an interrupt, or a later step of the plan that failed. */
async function reasonToUndo(state: State): Promise<string> {
  await state.inFlight;
  if (state.failure) return state.failure;
  return state.signal?.aborted ? 'the deploy was interrupted' : 'the deploy did not complete';
}

/**
 * The plan steps of a blue-green deploy through `adapter`: deploy the new
 * version idle, wait until ready, check it at its preview URL (and the
 * analysis hook), switch all traffic, check the live URL (optional), keep the
 * previous version ready for `keepPreviousMs`, retire it. Two cleanups undo
 * what a failure or an interruption leaves: a switch back (after the switch)
 * and the retirement of the new version (when it holds no traffic).
 * The steps share state: build them for one plan, run it once.
 */
export function blueGreenSteps(adapter: BlueGreenAdapter, options: BlueGreenOptions, hooks: BlueGreenHooks = {}): Step[] {
  const state: State = { deployStarted: false, switched: false, switchedBack: false, settled: false };
  const wait = hooks.sleep ?? coreSleep;
  const { check, postSwitchCheck, keepPreviousMs } = options;
  const idle = (): IdleDeployment => state.idle!;

  const runCheck = async (ctx: TaskContext, url: string, what: string, c: HttpCheck) => {
    const result = await runHttpCheck(url, c, { client: hooks.client, signal: ctx.signal, log: ctx.log, sleep: wait });
    if (!result.passed) throw new Error(`${what}: ${result.summary}`);
  };

  const steps: Step[] = [
    cleanupStep('Retire the new version unless it took the traffic', {
      kind: 'task',
      description: `When the deploy stopped before the switch, or switched back: ${adapter.describe.retireNew}`,
      run: async (ctx) => {
        if (!state.deployStarted) return;
        const reason = await reasonToUndo(state);
        const name = state.idle?.describe ?? 'the new version';
        if (state.switched && !state.switchedBack) {
          ctx.log(state.settled || !state.idle?.live ? `${name} is live: nothing to retire` : `${name} may still take traffic (switching back did not succeed): left running`);
          return;
        }
        ctx.log(`Retiring ${name}: ${state.switched ? 'traffic went back to the previous version' : 'it never took traffic'} (${reason})`);
        await adapter.retire(ctx, 'new', state.idle);
      },
    }),
    taskStep(`Deploy the new version of ${adapter.target} beside the live one, without user traffic`, adapter.describe.deployIdle, stage(state, async (ctx) => {
      state.deployStarted = true;
      state.idle = await adapter.deployIdle(ctx);
      ctx.setOutput('previewUrl', state.idle.previewUrl);
      ctx.log(`${state.idle.describe} deployed beside ${state.idle.live ?? 'nothing (first deploy)'}; preview at ${state.idle.previewUrl}`);
      if (postSwitchCheck && !postSwitchCheck.url && !state.idle.liveUrl) {
        throw new Error(`${adapter.target} has no live URL for the post-switch check: give blueGreen.postSwitchCheck.url`);
      }
    })),
    taskStep('Wait until the new version is ready', adapter.describe.waitReady, stage(state, (ctx) => adapter.waitReady(ctx, idle()))),
    taskStep('Check the new version at its preview URL, before any user sees it', `${describeHttpCheck('<preview URL>', check)}; a failure stops the deploy before the switch`, stage(state, (ctx) =>
      runCheck(ctx, idle().previewUrl, `The check of ${idle().describe} at its preview URL failed; ${idle().live ? `traffic stays on ${idle().live}` : 'no traffic was switched'} and the new version is retired`, check),
    )),
  ];

  if (hooks.analysis) {
    const analysis = hooks.analysis;
    steps.push(taskStep('Analyse the new version before the switch', `${analysis.description}; a failure stops the deploy before the switch`, stage(state, (ctx) => analysis.run(ctx, idle()))));
  }

  steps.push(
    cleanupStep('Switch traffic back to the previous version unless the deploy completed', {
      kind: 'task',
      description: `After a failure or an interruption once traffic has switched, until keepPrevious has passed: ${adapter.describe.switchBack}`,
      run: async (ctx) => {
        if (!state.switched) return;
        const reason = await reasonToUndo(state);
        const name = idle().describe;
        if (state.settled) return ctx.log(`The deploy completed: traffic stays on ${name}`);
        if (!idle().live) return ctx.log(`Nothing was live before ${name}: it keeps the traffic (${reason})`);
        ctx.log(`Switching traffic back to ${idle().live} because ${reason}`);
        await adapter.switchBack(ctx, idle());
        state.switchedBack = true;
        ctx.log(`Traffic is back on ${idle().live}`);
      },
    }),
    taskStep('Switch all traffic to the new version', adapter.describe.switchTo, stage(state, async (ctx) => {
      if (ctx.signal.aborted) throw stopped();
      state.switched = true;
      await adapter.switchTo(ctx, idle());
      ctx.log(`All traffic now goes to ${idle().describe}`);
    })),
  );

  if (postSwitchCheck) {
    steps.push(taskStep('Check the live URL after the switch', `${describeHttpCheck(postSwitchCheck.url ?? '<live URL>', postSwitchCheck)}; a failure switches traffic back`, stage(state, (ctx) =>
      runCheck(ctx, postSwitchCheck.url ?? idle().liveUrl!, `The check of ${idle().describe} at the live URL after the switch failed; ${idle().live ? `traffic goes back to ${idle().live}` : 'nothing was live before, so it keeps the traffic'}`, postSwitchCheck),
    )));
  }

  if (keepPreviousMs > 0) {
    steps.push(taskStep(`Keep the previous version ready for ${durationText(keepPreviousMs)}`, `A rollback meanwhile is one switch back; an interruption during the wait switches back`, stage(state, async (ctx) => {
      if (!idle().live) return ctx.log('Nothing was live before: nothing to keep');
      ctx.log(`Keeping ${idle().live} ready until ${new Date(Date.now() + keepPreviousMs).toISOString()}`);
      await wait(keepPreviousMs, ctx.signal);
      if (ctx.signal.aborted) throw stopped();
    })));
  }

  steps.push(taskStep('Retire the previous version', adapter.describe.retireOld, stage(state, async (ctx) => {
    if (ctx.signal.aborted) throw stopped();
    state.settled = true;
    if (!idle().live) return ctx.log('Nothing was live before: nothing to retire');
    try {
      await adapter.retire(ctx, 'old', idle());
    } catch (err) {
      throw new Error(`${idle().describe} is live, but retiring ${idle().live} failed: ${errorMessage(err)}`);
    }
    ctx.log(`${idle().live} retired`);
  })));

  return steps;
}
