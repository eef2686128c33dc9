// Deploys, canaries, rollbacks and blue-green switches against the Cloud Run Admin API stand-in
// (tools/cloud-run-api), through the real runner: what is sent, what serves afterwards, what is said.
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Logger, RunReport, runPlan } from '@shipfleet/core';
import { CloudRunApiStandIn, startCloudRunApi } from '../../../tools/cloud-run-api/server';
import { buildCloudRunPlan, CloudRunRunResult } from './plan';
import { CloudRunOptions, resolveCloudRunOptions } from './options';

const PROJECT = 'shipfleet-stand-in';
const REGION = 'europe-west1';
const retry = { delayMs: 1, maxDelayMs: 20, jitter: 0 };
const REGISTRY = 'europe-west1-docker.pkg.dev/shipfleet-stand-in/apps';
const image = (name: string) => `${REGISTRY}/${name}@sha256:${'ab'.repeat(32)}`;

let run: CloudRunApiStandIn;
let env: NodeJS.ProcessEnv;
let dir: string;
beforeAll(async () => {
  run = await startCloudRunApi();
  env = { CLOUD_RUN_KEY: JSON.stringify(run.serviceAccountKey()), METADATA_SERVER_DETECTION: 'none' };
  dir = mkdtempSync(join(tmpdir(), 'shipfleet-cloud-run-'));
});
afterAll(async () => {
  await run?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Deployed {
  report: RunReport;
  result: CloudRunRunResult;
  text: string;
  warnings: string[];
}

async function deploy(given: Partial<CloudRunOptions>, o: { env?: NodeJS.ProcessEnv; dryRun?: boolean; blueGreen?: unknown } = {}): Promise<Deployed> {
  const warnings: string[] = [];
  const r = resolveCloudRunOptions(
    { project: PROJECT, region: REGION, credentialsEnv: 'CLOUD_RUN_KEY', apiUrl: run.url, tokenUrl: run.tokenUrl, ...(o.blueGreen ? { blueGreen: o.blueGreen } : {}), ...given },
    { projectName: 'web-app', env: o.env ?? env, warn: (m) => warnings.push(m), dryRun: o.dryRun },
  );
  const { plan, result, secrets } = buildCloudRunPlan(r, { retry, pollIntervalMs: 5, blueGreenHooks: { sleep: async () => undefined } });
  const lines: string[] = [];
  const logger: Logger = { info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
  const report = await runPlan(plan, { logger, secrets, dryRun: o.dryRun, handleSignals: false, printSummary: true, stepSummaryFile: '/dev/null' });
  return { report, result, text: [...lines, JSON.stringify(report), JSON.stringify(result)].join('\n'), warnings };
}

const service = (id: string) => run.service(PROJECT, REGION, id) as { traffic: unknown[]; trafficStatuses: Array<{ revision: string; percent?: number; tag?: string; uri?: string }>; uri: string; labels: Record<string, string>; template: Record<string, any> };
const serving = (id: string) => Object.fromEntries(service(id).trafficStatuses.filter((t) => t.percent).map((t) => [t.revision, t.percent]));
const tags = (id: string) => Object.fromEntries(service(id).trafficStatuses.filter((t) => t.tag).map((t) => [t.tag, t.revision]));
const answeredBy = async (url: string) => (await fetch(url)).headers.get('x-cloud-run-revision');
const patches = (id: string) => run.requests.filter((q) => q.method === 'PATCH' && q.path.endsWith(`/services/${id}`));

/** Every credential the stand-in saw or issued: none may appear in any output. */
function secretsOf(): string[] {
  const key = run.serviceAccountKey();
  return [env.CLOUD_RUN_KEY!, key.private_key_id, ...key.private_key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')), ...run.accessTokens];
}
const expectNoSecret = (text: string) => {
  expect(run.accessTokens.length).toBeGreaterThan(0);
  for (const s of secretsOf()) expect(text).not.toContain(s);
};

describe('all-at-once', () => {
  it('creates the service with its first revision, then sends all traffic to each new one, named from version and commit', async () => {
    const first = await deploy({ service: 'shop', image: image('shop:healthy'), version: '1.0.0', commit: 'a1b2c3d4e5' });
    expect(first.report.status).toBe('succeeded');
    expect(first.result).toMatchObject({ revision: 'shop-1-0-0-a1b2c3d', created: true, tag: 'rev-a1b2c3d' });
    expect(serving('shop')).toEqual({ 'shop-1-0-0-a1b2c3d': 100 });
    expect(run.requests.some((q) => q.method === 'POST' && q.path === `/v2/projects/${PROJECT}/locations/${REGION}/services` && q.query.serviceId === 'shop')).toBe(true);

    const second = await deploy({ service: 'shop', image: image('shop:healthy'), version: '1.1.0', commit: 'f00dfeed99', env: { LOG_LEVEL: 'debug' }, secrets: { DB_PASSWORD: 'projects/shipfleet-stand-in/secrets/db-password:3', API_TOKEN: 'api-token:latest' }, cpu: 2, memory: '1Gi', concurrency: 40, minInstances: 1, maxInstances: 5, port: 3000, requestTimeout: '90s', labels: { team: 'web' } });
    expect(second.report.status).toBe('succeeded');
    expect(second.result).toMatchObject({ revision: 'shop-1-1-0-f00dfee', previousRevision: 'shop-1-0-0-a1b2c3d', created: false, url: service('shop').uri });
    expect(serving('shop')).toEqual({ 'shop-1-1-0-f00dfee': 100 });
    // The earlier deploy's tag is dropped once its revision no longer is the candidate.
    expect(tags('shop')).toEqual({ 'rev-f00dfee': 'shop-1-1-0-f00dfee' });
    expect(await answeredBy(service('shop').uri)).toBe('shop-1-1-0-f00dfee');

    // The revision is created with the traffic kept as it was, plus the new revision tagged at 0 %.
    const [create, promote] = patches('shop').slice(-2);
    expect(create.query.updateMask).toBe('labels,template,traffic');
    expect(create.body!.traffic).toEqual([
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'shop-1-0-0-a1b2c3d', percent: 100, tag: 'rev-a1b2c3d' },
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'shop-1-1-0-f00dfee', percent: 0, tag: 'rev-f00dfee' },
    ]);
    expect(typeof create.body!.etag).toBe('string');
    expect(promote.query.updateMask).toBe('traffic');
    const template = service('shop').template;
    expect(template).toMatchObject({
      revision: 'shop-1-1-0-f00dfee',
      labels: { team: 'web', 'nx-project': 'web-app', version: '1_1_0', commit: 'f00dfeed99' },
      scaling: { minInstanceCount: 1, maxInstanceCount: 5 },
      timeout: '90s',
      maxInstanceRequestConcurrency: 40,
    });
    expect(template.containers[0]).toMatchObject({
      image: image('shop:healthy'),
      ports: [{ name: 'http1', containerPort: 3000 }],
      resources: { limits: { cpu: '2', memory: '1Gi' } },
      env: [
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'DB_PASSWORD', valueSource: { secretKeyRef: { secret: 'projects/shipfleet-stand-in/secrets/db-password', version: '3' } } },
        { name: 'API_TOKEN', valueSource: { secretKeyRef: { secret: 'api-token', version: 'latest' } } },
      ],
    });
    expect(service('shop').labels).toMatchObject({ team: 'web', 'nx-project': 'web-app', version: '1_1_0' });
    expect(second.report.outputs).toMatchObject({ revision: 'shop-1-1-0-f00dfee', previousRevision: 'shop-1-0-0-a1b2c3d', url: service('shop').uri });
    expectNoSecret(first.text + second.text);
  });

  it('names a redeploy of the same version and commit "-2", and keeps fields of the template the options do not set', async () => {
    await deploy({ service: 'again', image: image('again:healthy'), version: '2.0.0', commit: 'abcdef1' });
    const redeploy = await deploy({ service: 'again', image: image('again:healthy'), version: '2.0.0', commit: 'abcdef1', memory: '2Gi' });
    expect(redeploy.report.status).toBe('succeeded');
    expect(redeploy.result.revision).toBe('again-2-0-0-abcdef1-2');
    expect(redeploy.text).toContain('revision again-2-0-0-abcdef1 exists already');
    // The stand-in's defaults (cpu, service account) were in the template; the deploy kept them.
    expect(service('again').template.containers[0].resources.limits).toEqual({ cpu: '1000m', memory: '2Gi' });
    expect(service('again').template.serviceAccount).toBe('123456789012-compute@developer.gserviceaccount.com');
  });

  it('retries 429 and 503 answers, saying so', async () => {
    run.setFaults({ tooManyRequests: 2, unavailable: 1 });
    const d = await deploy({ service: 'flaky', image: image('flaky:healthy'), version: '1.0.0' });
    expect(d.report.status).toBe('succeeded');
    expect(d.text).toMatch(/services\.get: 429 RESOURCE_EXHAUSTED Quota exceeded[^\n]*; retrying in/);
    expect(d.text).toMatch(/503 UNAVAILABLE The service is currently unavailable\.; retrying in/);
    expect(serving('flaky')).toEqual({ 'flaky-1-0-0': 100 });
  });
});

describe('a revision that cannot serve', () => {
  beforeAll(async () => {
    expect((await deploy({ service: 'broken', image: image('broken:healthy'), version: '1.0.0' })).report.status).toBe('succeeded');
  });

  it.each([
    ['crash', 'the container failed to start and listen on the port (HEALTH_CHECK_CONTAINER_ERROR)', 'failed to start and listen on the port defined provided by the PORT=8080 environment variable'],
    ['missing', 'the image was not found (CONTAINER_MISSING)', `Image '${image('broken:missing')}' not found.`],
    ['denied', 'Cloud Run was denied permission to pull the image (CONTAINER_PERMISSION_DENIED)', 'must have permission to read the image'],
  ])('%s: fails with its condition in words and the logs URL; traffic stays on the old revision', async (behaviour, words, said) => {
    const d = await deploy({ service: 'broken', image: image(`broken:${behaviour}`), version: `1.1.0-${behaviour}` });
    expect(d.report.status).toBe('failed');
    const revision = `broken-1-1-0-${behaviour}`;
    expect(d.report.error).toContain(`revision ${revision} cannot serve: ${words}.`);
    expect(d.report.error).toContain(said);
    expect(d.report.error).toContain(`Logs: https://console.cloud.google.com/logs/viewer?project=${PROJECT}&resource=cloud_run_revision/service_name/broken/revision_name/${revision}`);
    // Cloud Run's own "Logs URL:" is not repeated.
    expect(d.report.error).not.toContain('Logs URL:');
    expect(serving('broken')).toEqual({ 'broken-1-0-0': 100 });
    expect(await answeredBy(service('broken').uri)).toBe('broken-1-0-0');
    expectNoSecret(d.text);
  });

  it('an operation that ends with an error fails with its message', async () => {
    run.setFaults({ operationError: 1 });
    const d = await deploy({ service: 'broken', image: image('broken:healthy'), version: '1.2.0' });
    expect(d.report.status).toBe('failed');
    expect(d.report.error).toMatch(/revision broken-1-2-0 cannot serve: Ready failed \(INTERNAL\)\. Cloud Run says: Internal error encountered while creating the revision\. Logs: https:\/\/console/);
    expect(serving('broken')).toEqual({ 'broken-1-0-0': 100 });
  });

  it('a revision still reconciling after timeout is reported as not done', async () => {
    const slow = await startCloudRunApi({ operationPolls: 1000 });
    try {
      const d = await deploy({ service: 'late', image: image('late:healthy'), version: '1.0.0', apiUrl: slow.url, tokenUrl: slow.tokenUrl, timeout: '1s' }, { env: { CLOUD_RUN_KEY: JSON.stringify(slow.serviceAccountKey()), METADATA_SERVER_DETECTION: 'none' } });
      expect(d.report.status).toBe('failed');
      expect(d.report.error).toMatch(/revision late-1-0-0 failed: revision late-1-0-0 was not done after 1s \(operation projects\/shipfleet-stand-in\/locations\/europe-west1\/operations\/[0-9a-f-]+, Ready: reconciling\)/);
    } finally {
      await slow.close();
    }
  });
});

describe('canary', () => {
  it('stops after deploying the revision behind its tag at 0 %; the tag URL answers as the new revision', async () => {
    await deploy({ service: 'cart', image: image('cart:healthy'), version: '1.0.0' });
    const d = await deploy({ service: 'cart', image: image('cart:healthy'), version: '1.1.0', commit: '0badc0de', strategy: 'canary' });
    expect(d.report.status).toBe('succeeded');
    expect(serving('cart')).toEqual({ 'cart-1-0-0': 100 });
    expect(tags('cart')).toMatchObject({ 'rev-0badc0d': 'cart-1-1-0-0badc0d' });
    expect(d.result.tagUrl).toBe(service('cart').trafficStatuses.find((t) => t.tag === 'rev-0badc0d')!.uri);
    expect(await answeredBy(d.result.tagUrl!)).toBe('cart-1-1-0-0badc0d');
    expect(await answeredBy(service('cart').uri)).toBe('cart-1-0-0');
    expect(d.report.outputs).toMatchObject({ canaryRevision: 'cart-1-1-0-0badc0d', baselineRevision: 'cart-1-0-0', tagUrl: d.result.tagUrl });
    expect(d.text).toContain('canary: revision cart-1-1-0-0badc0d waits at 0 %');
  });
});

describe('rollback', () => {
  it('sends all traffic back to the previous revision in one call, then to a named one', async () => {
    await deploy({ service: 'back', image: image('back:healthy'), version: '1.0.0' });
    await deploy({ service: 'back', image: image('back:healthy'), version: '1.1.0' });
    await deploy({ service: 'back', image: image('back:crash'), version: '1.2.0' });
    const before = patches('back').length;
    const r = await deploy({ service: 'back', action: 'rollback' });
    expect(r.report.status).toBe('succeeded');
    // The failed 1.2.0 never served: the previous serving one is 1.0.0, older than 1.1.0.
    expect(r.result).toMatchObject({ revision: 'back-1-0-0', previousRevision: 'back-1-1-0' });
    expect(serving('back')).toEqual({ 'back-1-0-0': 100 });
    expect(patches('back').length - before).toBe(1);
    expect(patches('back').at(-1)!.query.updateMask).toBe('traffic');
    expect(await answeredBy(service('back').uri)).toBe('back-1-0-0');

    expect((await deploy({ service: 'back', action: 'rollback', revision: 'back-1-1-0' })).report.status).toBe('succeeded');
    expect(serving('back')).toEqual({ 'back-1-1-0': 100 });
    const refused = await deploy({ service: 'back', action: 'rollback', revision: 'back-1-2-0' });
    expect(refused.report.error).toContain('Option "revision": revision back-1-2-0 is not ready: it cannot take traffic');
  });
});

describe('blue-green', () => {
  const blueGreen = { check: { path: '/healthz', attempts: 2, spacing: '1s', maxLatency: '1s', timeout: '5s' }, keepPrevious: '10m' };

  it('checks the tagged revision at its URL, switches all traffic to it, and drops the old one\'s tag', async () => {
    await deploy({ service: 'bg', image: image('bg:healthy'), version: '1.0.0', commit: '1111111' });
    const d = await deploy({ service: 'bg', image: image('bg:healthy'), version: '2.0.0', commit: '2222222', strategy: 'blue-green' }, { blueGreen });
    expect(d.report.status).toBe('succeeded');
    expect(serving('bg')).toEqual({ 'bg-2-0-0-2222222': 100 });
    expect(tags('bg')).toEqual({ 'rev-2222222': 'bg-2-0-0-2222222' });
    expect(d.report.outputs.previewUrl).toBe(d.result.tagUrl);
    expect(d.text).toMatch(/attempt 2\/2: 200 in \d+ ms: passed/);
    expect(d.text).toContain('revision bg-1-0-0-1111111 retired');
  });

  it('never switches to a revision that fails the check: traffic stays, its tag is dropped', async () => {
    const d = await deploy({ service: 'bg', image: image('bg:error'), version: '3.0.0', commit: '3333333', strategy: 'blue-green' }, { blueGreen });
    expect(d.report.status).toBe('failed');
    expect(d.report.error).toContain('The check of revision bg-3-0-0-3333333 (tag rev-3333333) at its preview URL failed; traffic stays on revision bg-2-0-0-2222222');
    expect(d.report.error).toContain('status 500 is outside 200–299');
    expect(serving('bg')).toEqual({ 'bg-2-0-0-2222222': 100 });
    expect(tags('bg')).toEqual({ 'rev-2222222': 'bg-2-0-0-2222222' });
  });
});

describe('dry run', () => {
  it('shows the service update as JSON (secret references, never values) and the traffic moves, without credentials and without a call', async () => {
    const before = run.requests.length;
    const d = await deploy(
      { service: 'dry', image: image('dry:healthy'), version: '1.0.0', commit: 'cafe123', secrets: { DB_PASSWORD: 'db-password:latest' }, env: { MODE: 'dry' }, ingress: 'internal' },
      { env: { METADATA_SERVER_DETECTION: 'none' }, dryRun: true },
    );
    expect(d.report.status).toBe('dry-run');
    expect(run.requests.length).toBe(before);
    expect(d.warnings.join('\n')).toContain('No Google credentials: CLOUD_RUN_KEY is not set (a real run stops here)');
    expect(d.text).toContain('PATCH ' + run.url + `/v2/projects/${PROJECT}/locations/${REGION}/services/dry?updateMask=labels,template,ingress,traffic`);
    expect(d.text).toContain('"revision": "dry-1-0-0-cafe123"');
    expect(d.text).toContain('"secretKeyRef": {');
    expect(d.text).toContain('"secret": "db-password"');
    expect(d.text).toContain('"ingress": "INGRESS_TRAFFIC_INTERNAL_ONLY"');
    expect(d.text).toContain('"traffic": [<the traffic as it serves now, every entry by revision name>, {"type":"TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION","revision":"dry-1-0-0-cafe123","tag":"rev-cafe123","percent":0}]');
    expect(d.text).toContain('Send all traffic to revision dry-1-0-0-cafe123');
  });
});

describe('dry run of the other strategies', () => {
  it('blue-green: every stage with the calls it makes; canary: stops at 0 %', async () => {
    const bg = await deploy({ service: 'dry', image: image('dry:healthy'), version: '1.0.0', strategy: 'blue-green' }, { dryRun: true, blueGreen: { check: { path: '/healthz' } } });
    expect(bg.report.status).toBe('dry-run');
    expect(bg.text).toContain('Deploy the new version of Cloud Run service dry beside the live one, without user traffic');
    expect(bg.text).toContain('GET <preview URL>/healthz');
    expect(bg.text).toContain(`PATCH ${run.url}/v2/projects/${PROJECT}/locations/${REGION}/services/dry?updateMask=traffic: revision dry-1-0-0 100 %, tags kept`);
    expect(bg.text).toContain('tag candidate dropped');
    const canary = await deploy({ service: 'dry', image: image('dry:healthy'), version: '1.0.0', strategy: 'canary' }, { dryRun: true });
    expect(canary.text).toContain('Leave revision dry-1-0-0 at 0 % for canary-monitor');
    expect(canary.text).not.toContain('Send all traffic');
  });
});

describe('credentials', () => {
  it('gets tokens by workload identity federation (external_account), masking the OIDC token', async () => {
    const tokenFile = join(dir, 'oidc-token');
    writeFileSync(tokenFile, run.oidcToken);
    const wif = { CLOUD_RUN_KEY: JSON.stringify(run.externalAccountConfig(tokenFile)), METADATA_SERVER_DETECTION: 'none' };
    const d = await deploy({ service: 'wif', image: image('wif:healthy'), version: '1.0.0' }, { env: wif });
    expect(d.report.status).toBe('succeeded');
    expect(run.requests.some((q) => q.path === '/v1/token' && q.status === 200)).toBe(true);
    expect(d.text).not.toContain(run.oidcToken);
    expectNoSecret(d.text);
  });

  it('a refused grant fails without showing the key', async () => {
    const key: Record<string, string> = { ...run.serviceAccountKey(), client_email: 'stranger@shipfleet-stand-in.iam.gserviceaccount.com' };
    const d = await deploy({ service: 'nokey', image: image('nokey:healthy'), version: '1.0.0' }, { env: { CLOUD_RUN_KEY: JSON.stringify(key), METADATA_SERVER_DETECTION: 'none' } });
    expect(d.report.status).toBe('failed');
    expect(d.report.error).toContain('could not get an access token for the Cloud Run Admin API with the credentials from $CLOUD_RUN_KEY: 400 invalid_grant');
    expect(d.text).not.toContain(key.private_key_id);
  });

  it('an account without access to the project fails with Google\'s message', async () => {
    const d = await deploy({ service: 'web', image: image('web:healthy'), version: '1.0.0', project: 'someone-else' });
    expect(d.report.status).toBe('failed');
    expect(d.report.error).toContain("Cloud Run services.get answered 403 PERMISSION_DENIED: Permission 'run.services.get' denied on resource 'projects/someone-else/locations/europe-west1/services/web' (or resource may not exist).");
  });
});
