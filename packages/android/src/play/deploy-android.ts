import { Plan, Step } from '@shipfleet/core';
import { ANDROID_BUILD_DEFAULTS, AndroidBuildOptions, buildAndroidBuildSteps, resolveAndroidBuild } from '../build';
import { buildPlayPlan, PlayPlanContext, PlayRunResult } from './plan';
import { PLAY_DEFAULTS, PlayOptionContext, PlayOptions, resolvePlayOptions } from './options';

/**
 * deploy-android's options: the Play publish's and, for an upload that
 * builds, build-android's. `timeout` is the Play one (each API call); the
 * build keeps build-android's default.
 */
export type DeployAndroidOptions = PlayOptions & AndroidBuildOptions;

const { timeout: _buildTimeout, ...BUILD_DEFAULTS } = ANDROID_BUILD_DEFAULTS;
export const DEPLOY_ANDROID_DEFAULTS = { ...BUILD_DEFAULTS, ...PLAY_DEFAULTS } as const;

/** The options that belong to the build, passed through to it as they are. */
export const ANDROID_BUILD_OPTION_NAMES = [
  'module', 'flavor', 'buildType', 'format', 'versionName', 'versionCode', 'versionCodeOffset',
  'keystore', 'keystoreEnv', 'keystorePasswordEnv', 'keyAlias', 'keyAliasEnv', 'keyPasswordEnv', 'noDaemon',
] as const;

export interface DeployAndroidPlan {
  plan: Plan;
  secrets: string[];
  result: PlayRunResult;
  /** Whether the plan builds (an upload without `artifact`). */
  builds: boolean;
}

function split(given: Partial<DeployAndroidOptions>): { build: Record<string, unknown>; play: Record<string, unknown> } {
  const build: Record<string, unknown> = {};
  const play: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given ?? {})) ((ANDROID_BUILD_OPTION_NAMES as readonly string[]).includes(k) ? build : play)[k] = v;
  return { build, play };
}

/**
 * deploy-android: build-android's steps, then the Play upload of what they
 * built; or, with `artifact` or an action other than upload, the Play steps
 * alone (build options are then not used, and said so).
 */
export function deployAndroidPlan(given: Partial<DeployAndroidOptions>, ctx: PlayOptionContext, context: Omit<PlayPlanContext, 'artifact' | 'artifactLabel' | 'artifactKind'> = {}): DeployAndroidPlan {
  const { build: buildGiven, play: playGiven } = split(given);
  const play = resolvePlayOptions(playGiven as Partial<PlayOptions>, ctx);
  const o = play.options;
  if (o.action !== 'upload' || o.artifact) {
    // A given artefact's version name still names its release.
    const versionName = o.artifact && typeof buildGiven.versionName === 'string' && buildGiven.versionName.trim() ? buildGiven.versionName.trim() : undefined;
    const ignored = Object.keys(buildGiven).filter((k) => buildGiven[k] !== undefined && !(k === 'versionName' && versionName));
    if (ignored.length) ctx.warn?.(`Build options ${ignored.join(', ')} are not used: ${o.action !== 'upload' ? `action ${o.action} builds nothing` : 'artifact is given, so nothing is built'}`);
    const p = buildPlayPlan(o, play.credentials, versionName ? { ...context, artifact: () => ({ path: o.artifact!, versionName }) } : context);
    return { plan: p.plan, secrets: p.secrets, result: p.result, builds: false };
  }
  const resolved = resolveAndroidBuild(buildGiven as AndroidBuildOptions, { projectRoot: ctx.projectRoot, workspaceRoot: ctx.workspaceRoot, env: ctx.env, warn: ctx.warn, dryRun: ctx.dryRun });
  const build = buildAndroidBuildSteps(resolved);
  const p = buildPlayPlan(o, play.credentials, {
    ...context,
    artifact: () => {
      const r = build.result;
      if (!r.artifact) throw new Error('the build reported no artefact to upload');
      return { path: r.artifact, mapping: r.mapping, nativeSymbols: r.nativeSymbols, versionCode: r.versionCode, versionName: r.versionName };
    },
    artifactLabel: `the ${resolved.format === 'apk' ? 'APK' : 'app bundle'} the build steps above write`,
    artifactKind: resolved.format === 'apk' ? 'apk' : 'bundle',
  });
  const steps: Step[] = [...build.steps, ...p.steps];
  return {
    plan: { title: `Build ${o.packageName} and publish it to Play track ${o.track.name}`, steps, outputs: build.outputs },
    secrets: [...build.secrets, ...p.secrets],
    result: p.result,
    builds: true,
  };
}
