import { ExecutorContext } from '@nx/devkit';
import { readFileSync } from 'fs';
import { resolve } from 'path';
import { consoleLogger, pathOption, UserError } from '@shipfleet/core';
import { ActionContext, buildCanaryPlan, CanaryOptions, K8sPatch, normalizeCanaryOptions } from '@shipfleet/canary';
import { connectCluster, KubeconfigTarget, resolveKubeconfig } from '@shipfleet/k8s';
import { runExecutorPlan } from '../../utils/run-executor-plan';
import { projectRoot } from '../../utils/project-paths';
import type { CanaryMonitorExecutorOptions } from './schema';

function readConfig(file: string): Partial<CanaryOptions> {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError('config', `${file} is not valid JSON (${(e as Error).message})`, 'Fix the JSON syntax');
  }
}

/** A Kubernetes traffic action applies partial objects with server-side apply, owning the fields it moves. */
function patchThroughCluster(target: KubeconfigTarget | undefined) {
  let client: ReturnType<typeof connectCluster> | undefined;
  return async (patch: K8sPatch, ctx: ActionContext) => {
    // Credentials an exec plugin or a token file yields are masked from the moment they are used.
    client ??= connectCluster(target, { addSecret: ctx.addSecret });
    // force: the deploy's field manager owns spec.replicas; the monitor takes it over while it steers.
    await client.apply(patch as never, { fieldManager: 'shipfleet-canary', force: true, dryRun: false });
  };
}

/**
 * Progressive rollout judged by metrics: at each step set the weight, wait,
 * analyse, then promote, hold or roll back. Succeeds when promoted, fails when
 * rolled back, with the timeline of every query, value and decision.
 */
export default async function canaryMonitorExecutor(options: CanaryMonitorExecutorOptions, context: ExecutorContext) {
  return runExecutorPlan(options, () => {
    const warn = (m: string) => consoleLogger.warn(m);
    const paths = { workspaceRoot: context.root, projectRoot: projectRoot(context), warn };
    const root = resolve(context.root, projectRoot(context));
    const { config, kubeconfig, context: kubeContext, dryRun, planJson, logFile, ...overrides } = options;
    const configFile = pathOption('config', config, { ...paths, mustExist: 'file', fix: 'Create it (see the README for canary.json) or point config at it, relative to the workspace root' });
    const fromFile = configFile ? readConfig(configFile) : {};
    // "~/…" is the user's home, read by resolveKubeconfig.
    const kubeconfigPath = kubeconfig?.trim() && !/^~(\/|$)/.test(kubeconfig) ? pathOption('kubeconfig', kubeconfig, paths) : kubeconfig;
    // Nx checks only the outline of nested options; the normaliser checks every value.
    const normalized = normalizeCanaryOptions({ ...fromFile, ...(overrides as Partial<CanaryOptions>) }, root, process.env, { workspaceRoot: context.root, warn });
    const kubernetes = normalized.action.type === 'kubernetes';
    // Read before the run, as k8s-deploy reads it: a wrong context fails before any traffic moves, and the credentials are masked.
    const target = kubernetes ? resolveKubeconfig({ kubeconfig: kubeconfigPath, context: kubeContext }, context.root, process.env, { required: !dryRun }) : undefined;
    const { plan, secrets } = buildCanaryPlan(normalized, kubernetes ? { patchObject: patchThroughCluster(target) } : {});
    return { plan, secrets: [...secrets, ...(target?.secrets ?? [])] };
  });
}
