// The cloud-run action on the Cloud Run Admin API stand-in: moved by hand, then driven by
// canary-monitor in virtual time with metrics of the Cloud Monitoring stand-in (its scenario
// revisions are the revisions deployed here: "<scenario>-stable" and "<scenario>-canary").
import { buildCloudRunPlan, resolveCloudRunOptions } from '@shipfleet/cloud-run';
import { Logger, memoryLogger, runPlan, thrownUserError } from '@shipfleet/core';
import { CloudMonitoringApiStandIn, startCloudMonitoringApi } from '../../../../tools/cloud-monitoring-api/server';
import { CloudRunApiStandIn, startCloudRunApi } from '../../../../tools/cloud-run-api/server';
import { REPLAY_START, SCENARIOS } from '../../../../tools/prometheus/scenarios';
import { normalizeCanaryOptions } from '../options';
import { buildCanaryPlan } from '../plan';
import type { CanaryOptions } from '../types';
import { ActionContext } from './action';
import { cloudRunActionType } from './cloud-run-options';
import { trafficActionType } from './registry';

const PROJECT = 'shipfleet-stand-in';
const REGION = 'europe-west1';
const IMAGE = `${REGION}-docker.pkg.dev/${PROJECT}/apps/web@sha256:${'cd'.repeat(32)}`;

let run: CloudRunApiStandIn;
let gcm: CloudMonitoringApiStandIn;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  // Operations done in the write's answer: the rollout's moves need no polling.
  run = await startCloudRunApi({ operationPolls: 0 });
  gcm = await startCloudMonitoringApi({ scenarios: SCENARIOS.filter((s) => ['healthy', 'error-spike'].includes(s.name)) });
  env = { CLOUD_RUN_KEY: JSON.stringify(run.serviceAccountKey()), GCM_KEY: JSON.stringify(gcm.serviceAccountKey()), METADATA_SERVER_DETECTION: 'none' };
});
afterAll(async () => {
  await run?.close();
  await gcm?.close();
});

const parseCtx = () => ({ workspaceRoot: '/srv', projectRoot: '/srv/web', env, warn: () => undefined });
const where = { project: PROJECT, region: REGION, credentialsEnv: 'CLOUD_RUN_KEY' };
const spec = (service: string, extra: Record<string, unknown> = {}) => cloudRunActionType.parse({ type: 'cloud-run', ...where, apiUrl: run.url, tokenUrl: run.tokenUrl, service, ...extra }, parseCtx());
const serving = (service: string) => {
  const s = run.service(PROJECT, REGION, service) as { trafficStatuses: Array<{ revision: string; percent?: number; tag?: string }> };
  return Object.fromEntries(s.trafficStatuses.filter((t) => t.percent).map((t) => [t.revision, t.percent]));
};
const trafficPatches = (service: string) => run.requests.filter((q) => q.method === 'PATCH' && q.path.endsWith(`/services/${service}`) && q.query.updateMask === 'traffic');

/** Deploys version `version` of `service`: the first all at once, later ones as canaries at 0 %. */
async function deploy(service: string, version: string, strategy: 'all-at-once' | 'canary'): Promise<void> {
  const r = resolveCloudRunOptions({ ...where, apiUrl: run.url, tokenUrl: run.tokenUrl, service, image: IMAGE, version, strategy }, { env });
  const report = await runPlan(buildCloudRunPlan(r, { retry: { delayMs: 1, jitter: 0 } }).plan, { secrets: r.secrets, logger: memoryLogger().logger, handleSignals: false, printSummary: false, stepSummaryFile: '/dev/null' });
  expect(report.status).toBe('succeeded');
}

describe('cloud-run action', () => {
  const masked: string[] = [];
  const lines: string[] = [];
  const ctx: ActionContext = { log: (l) => lines.push(l), addSecret: (v) => masked.push(v), signal: new AbortController().signal, exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }) };

  it('is registered, and its options are checked', () => {
    expect(trafficActionType('cloud-run')).toBe(cloudRunActionType);
    const refused = (a: Record<string, unknown>) => thrownUserError(() => cloudRunActionType.parse({ type: 'cloud-run', ...a }, parseCtx()));
    expect(refused({ region: REGION, service: 'web' }).option).toBe('action.project');
    expect(refused({ project: PROJECT, service: 'web' }).option).toBe('action.region');
    expect(refused({ project: PROJECT, region: REGION }).option).toBe('action.service');
    expect(refused({ project: PROJECT, region: REGION, service: 'web', revision: 'api-1' }).message).toContain('"api-1" is not a revision of service web');
    expect(refused({ project: PROJECT, region: REGION, service: 'web', credentialsEnv: 'NOT_SET' }).message).toContain('environment variable NOT_SET is not set');
    expect(cloudRunActionType.parse({ type: 'cloud-run', project: PROJECT, region: REGION, service: 'web', credentialsEnv: 'CLOUD_RUN_KEY' }, parseCtx())).toEqual({
      type: 'cloud-run', project: PROJECT, region: REGION, service: 'web', credentialsEnv: 'CLOUD_RUN_KEY', apiUrl: 'https://run.googleapis.com', tokenUrl: 'https://oauth2.googleapis.com/token', waitTimeoutMs: 600_000,
    });
  });

  it('moves percents to the revision, the rest to the previous one; promotes to 100 %; rolls back to 0 %', async () => {
    await deploy('shop', '1.0.0', 'all-at-once');
    await deploy('shop', '2.0.0', 'canary');
    const { action, secrets } = cloudRunActionType.create(spec('shop', { revision: 'shop-2-0-0' }), { canary: 'shop', env });
    expect(secrets).toContain(env.CLOUD_RUN_KEY);
    expect(action.describe('setWeight', 25)).toBe(`PATCH ${run.url}/v2/projects/${PROJECT}/locations/${REGION}/services/shop?updateMask=traffic, waiting up to 10m for it to serve: revision shop-2-0-0 25 %, the rest to the revisions that served before it, in their proportions`);

    await action.setWeight(25, ctx);
    expect(serving('shop')).toEqual({ 'shop-2-0-0': 25, 'shop-1-0-0': 75 });
    await action.setWeight(50, ctx);
    expect(serving('shop')).toEqual({ 'shop-2-0-0': 50, 'shop-1-0-0': 50 });
    await action.rollback(ctx);
    expect(serving('shop')).toEqual({ 'shop-1-0-0': 100 });
    await action.setWeight(10, ctx);
    expect(serving('shop')).toEqual({ 'shop-2-0-0': 10, 'shop-1-0-0': 90 });
    const before = trafficPatches('shop').length;
    await action.setWeight(100, ctx);
    expect(serving('shop')).toEqual({ 'shop-2-0-0': 100 });
    // The promote after a last step of 100 % has nothing left to move.
    await action.promote(ctx);
    expect(trafficPatches('shop').length - before).toBe(1);
    // Its baseline is remembered: a rollback after 100 % still knows where to go.
    await action.rollback(ctx);
    expect(serving('shop')).toEqual({ 'shop-1-0-0': 100 });
    expect(masked.length).toBeGreaterThan(0);
    for (const token of masked) expect(run.accessTokens).toContain(token);
    for (const token of run.accessTokens) expect(lines.join('\n')).not.toContain(token);
  });

  it('without a revision, moves the service\'s latest ready revision; a fresh action rolls back to the revision before it', async () => {
    await deploy('cart', '1.0.0', 'all-at-once');
    await deploy('cart', '1.1.0', 'canary');
    const first = cloudRunActionType.create(spec('cart'), { canary: 'cart', env }).action;
    await first.setWeight(100, ctx);
    expect(serving('cart')).toEqual({ 'cart-1-1-0': 100 });
    expect(lines.join('\n')).toContain('canary revision: cart-1-1-0 (the service\'s latest ready revision)');
    await cloudRunActionType.create(spec('cart'), { canary: 'cart', env }).action.rollback(ctx);
    expect(serving('cart')).toEqual({ 'cart-1-0-0': 100 });
  });
});

describe('cloud-run action driven by canary-monitor with Cloud Monitoring metrics', () => {
  const options = (scenario: string): CanaryOptions => ({
    name: scenario,
    steps: 'standard',
    pause: '2m',
    interval: '1m',
    window: '4m',
    deadline: '10m',
    evaluationTime: REPLAY_START,
    comparison: { step: '1m' },
    metrics: [{ name: 'error-rate', provider: 'cloud-monitoring', measure: 'errorRate', success: '< 0.01', failure: '> 0.05' }],
    cloudMonitoring: { project: gcm.project, revisions: gcm.revisions(scenario), credentialsEnv: 'GCM_KEY', apiUrl: gcm.url, tokenUrl: gcm.tokenUrl },
    action: { type: 'cloud-run', project: PROJECT, region: REGION, service: scenario, revision: gcm.revisions(scenario).canary, credentialsEnv: 'CLOUD_RUN_KEY', apiUrl: run.url, tokenUrl: run.tokenUrl },
  });

  /** The scenario's service: "<scenario>-stable" serving, "<scenario>-canary" deployed at 0 %; then the rollout. */
  async function rollout(scenario: string) {
    await deploy(scenario, 'stable', 'all-at-once');
    await deploy(scenario, 'canary', 'canary');
    const o = normalizeCanaryOptions(options(scenario), `/srv/${scenario}`, env);
    const { plan, result, secrets } = buildCanaryPlan(o, { env });
    const log: string[] = [];
    const logger: Logger = { info: (l) => log.push(l), warn: (l) => log.push(l), error: (l) => log.push(l) };
    await runPlan(plan, { logger, secrets, handleSignals: false, printSummary: true, stepSummaryFile: '/dev/null' });
    const canaryPercents = trafficPatches(scenario).map((q) => (q.body!.traffic as Array<{ revision: string; percent: number }>).find((t) => t.revision === `${scenario}-canary`)?.percent ?? 0);
    return { result, log: log.join('\n'), canaryPercents };
  }

  it('promotes the healthy revision step by step to 100 %', async () => {
    const { result, log, canaryPercents } = await rollout('healthy');
    if (result.outcome !== 'promoted') throw new Error(log);
    expect(canaryPercents).toEqual([5, 25, 50, 100]);
    expect(serving('healthy')).toEqual({ 'healthy-canary': 100 });
    for (const secret of [...run.accessTokens, ...gcm.accessTokens, run.serviceAccountKey().private_key_id]) expect(log).not.toContain(secret);
  }, 60_000);

  it('rolls the error spike back to 0 %, the stable revision taking everything again', async () => {
    const { result, log, canaryPercents } = await rollout('error-spike');
    if (result.outcome !== 'rolled back') throw new Error(log);
    expect(result.reason).toMatch(/error-rate/);
    expect(canaryPercents[0]).toBe(5);
    expect(canaryPercents.at(-1)).toBe(0);
    expect(serving('error-spike')).toEqual({ 'error-spike-stable': 100 });
    expect(log).toContain('revision error-spike-canary takes no traffic: error-spike-stable 100 %');
    for (const secret of [...run.accessTokens, ...gcm.accessTokens]) expect(log).not.toContain(secret);
  }, 60_000);
});
