import { generateKeyPairSync } from 'crypto';
import { thrownUserError } from '@shipfleet/core';
import { defaultTag, revisionNameFor } from './names';
import { CloudRunOptions, resolveCloudRunOptions } from './options';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY = JSON.stringify({ type: 'service_account', client_email: 'deployer@acme-prod.iam.gserviceaccount.com', private_key: privateKey, private_key_id: 'k'.repeat(40) });
const env = { RUN_KEY: KEY, METADATA_SERVER_DETECTION: 'none' };
const base: Partial<CloudRunOptions> = { project: 'acme-prod', region: 'europe-west1', service: 'web', image: 'europe-west1-docker.pkg.dev/acme-prod/web/web@sha256:' + 'a'.repeat(64), credentialsEnv: 'RUN_KEY' };
const resolve = (over: Record<string, unknown>, o: { dryRun?: boolean; env?: NodeJS.ProcessEnv; warn?: (m: string) => void } = {}) =>
  resolveCloudRunOptions({ ...base, ...over } as Partial<CloudRunOptions>, { projectName: 'Web.App', env: o.env ?? env, dryRun: o.dryRun, warn: o.warn });

describe('resolveCloudRunOptions', () => {
  it('normalises with the defaults, the built-in labels and the derived revision name and tag', () => {
    const r = resolve({ version: '1.4.0+build.7', commit: '3F2C1AB9E0' });
    expect(r.options).toMatchObject({
      action: 'deploy',
      strategy: 'all-at-once',
      revision: 'web-1-4-0-build-7-3f2c1ab',
      revisionDerived: true,
      tag: 'rev-3f2c1ab',
      labels: { 'nx-project': 'web_app', version: '1_4_0_build_7', commit: '3f2c1ab9e0' },
      apiUrl: 'https://run.googleapis.com',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      waitTimeoutMs: 600_000,
      env: {},
      secrets: {},
    });
    expect(r.credentials.kind).toBe('service-account');
    expect(r.secrets).toContain(KEY);
  });

  it('maps ingress, cpu, timeout and secret references to what the API takes', () => {
    const { options } = resolve({ ingress: 'internal-and-cloud-load-balancing', cpu: 0.5, requestTimeout: '2m', secrets: { DB_PASSWORD: 'projects/acme-prod/secrets/db:7', TOKEN: 'api-token:latest' } });
    expect(options).toMatchObject({ ingress: 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER', cpu: '0.5', requestTimeoutMs: 120_000 });
    expect(options.secrets).toEqual({ DB_PASSWORD: { secret: 'projects/acme-prod/secrets/db', version: '7' }, TOKEN: { secret: 'api-token', version: 'latest' } });
  });

  it.each([
    [{ project: 'Acme Prod' }, 'project', '"Acme Prod" is not a Google Cloud project id'],
    [{ project: undefined }, 'project', 'Give the id of the Google Cloud project'],
    [{ region: 'europe' }, 'region', '"europe" is not a Cloud Run region'],
    [{ service: 'Web_App' }, 'service', 'is not a Cloud Run service name'],
    [{ image: undefined }, 'image', 'Give the image to deploy'],
    [{ image: 'https://registry/web' }, 'image', 'is not a container image reference'],
    [{ strategy: 'rolling' }, 'strategy', 'Use all-at-once (default), canary or blue-green'],
    [{ action: 'promote' }, 'action', 'Use deploy (default) or rollback'],
    [{ env: { PORT: '80' } }, 'env', '"PORT" is set by Cloud Run itself'],
    [{ env: { STRIPE_API_KEY: 'x' } }, 'env', '"STRIPE_API_KEY" looks like a secret'],
    [{ env: { RETRIES: 3 } }, 'env', 'the value of "RETRIES" must be a string'],
    [{ env: { MODE: 'a' }, secrets: { MODE: 'mode:latest' } }, 'secrets', '"MODE" is also in env'],
    [{ cpu: '16' }, 'cpu', 'outside what Cloud Run offers'],
    [{ cpu: 'lots' }, 'cpu', 'is not a CPU limit'],
    [{ memory: '512MB' }, 'memory', 'is not a memory limit'],
    [{ concurrency: 0 }, 'concurrency', 'is not a whole number from 1 to 1000'],
    [{ minInstances: 5, maxInstances: 2 }, 'minInstances', '5 is more than maxInstances (2)'],
    [{ serviceAccount: 'me@example.com' }, 'serviceAccount', 'is not a service account e-mail'],
    [{ ingress: 'public' }, 'ingress', 'Use all, internal or internal-and-cloud-load-balancing'],
    [{ port: 70000 }, 'port', 'is not a whole number from 1 to 65535'],
    [{ requestTimeout: '2h' }, 'requestTimeout', 'is longer than 1h'],
    [{ requestTimeout: '1.5s' }, 'requestTimeout', 'is not a whole number of seconds'],
    [{ labels: { Team: 'web' } }, 'labels', '"Team" is not a Cloud Run label key'],
    [{ labels: { team: 'Web Team' } }, 'labels', 'the value of "team" is not a Cloud Run label value'],
    [{ labels: { version: '1' } }, 'labels', '"version" is set by the deploy'],
    [{ tag: 'Green' }, 'tag', '"Green" is not a traffic tag'],
    [{ revision: 'api-1-0-0' }, 'revision', '"api-1-0-0" does not start with "web-"'],
    [{ commit: 'not-a-hash' }, 'commit', 'is not a commit hash'],
    [{ apiUrl: 'http://run.example.com' }, 'apiUrl', ''],
    [{ timeout: 'soon' }, 'timeout', '"soon" is not a duration'],
    [{ credentialsEnv: 'NOT_SET' }, 'credentialsEnv', 'environment variable NOT_SET is not set'],
    [{ blueGreen: { keepPrevious: '1m' } }, 'blueGreen', 'applies to strategy blue-green (the strategy here is all-at-once)'],
    [{ strategy: 'blue-green', blueGreen: { check: { attempts: 0 } } }, 'blueGreen.check.attempts', '0 is not a whole number'],
  ])('%j is refused, naming %s', (over, option, problem) => {
    const e = thrownUserError(() => resolve(over));
    expect(e.option).toBe(option);
    expect(e.message).toContain(problem);
  });

  it('refuses a secret given as a value, never showing it', () => {
    for (const value of ['s3cr3t-P@ssw0rd-value', 'projects/acme-prod/secrets/db', 'db-password']) {
      const e = thrownUserError(() => resolve({ secrets: { DB_PASSWORD: value } }));
      expect(e.option).toBe('secrets');
      expect(e.message).toContain('the value for "DB_PASSWORD" is not a Secret Manager reference (it is not shown: it may be the secret itself)');
      expect(e.message).not.toContain(value);
    }
  });

  it('a dry run without credentials warns; a real run stops, naming the variable and never the key', () => {
    const warnings: string[] = [];
    const r = resolve({}, { dryRun: true, env: { METADATA_SERVER_DETECTION: 'none' }, warn: (m) => warnings.push(m) });
    expect(r.credentials.kind).toBe('missing');
    expect(warnings.join('\n')).toContain('No Google credentials: RUN_KEY is not set (a real run stops here)');
    const bad = thrownUserError(() => resolve({}, { env: { RUN_KEY: 'not json at all, but long' } }));
    expect(bad.option).toBe('credentialsEnv');
    expect(bad.message).toContain('$RUN_KEY does not hold JSON');
    expect(bad.message).not.toContain('not json at all');
  });

  it('warns about an image not pinned by digest', () => {
    const warnings: string[] = [];
    resolve({ image: 'ghcr.io/acme/web:1.4.0' }, { warn: (m) => warnings.push(m) });
    expect(warnings.join('\n')).toContain('image ghcr.io/acme/web:1.4.0 is not pinned by digest');
  });

  it('rollback takes no image and derives no revision name', () => {
    const { options } = resolve({ action: 'rollback', image: undefined });
    expect(options).toMatchObject({ action: 'rollback', revision: undefined, revisionDerived: false });
  });
});

describe('names', () => {
  it('keeps revision names within 63 characters, ending without a hyphen', () => {
    const service = 's'.repeat(40);
    const name = revisionNameFor(service, '10.20.30-beta.4-and-a-long-suffix', 'abcdef0123', 3)!;
    expect(name).toBe(`${service}-10-20-30-bet-abcdef0-3`);
    expect(name).toHaveLength(63);
    expect(revisionNameFor(service, '1.2.3-x', 'abcdef0123', 2)).toBe(`${service}-1-2-3-x-abcdef0-2`);
    expect(revisionNameFor('w'.repeat(49), '1.22.3', 'abcdef0123')).toBe(`${'w'.repeat(49)}-1-22-abcdef0`);
    expect(revisionNameFor('web', undefined, undefined)).toBeUndefined();
    expect(revisionNameFor('web', '2.0.0', undefined)).toBe('web-2-0-0');
    expect(defaultTag(undefined)).toBe('candidate');
  });
});
