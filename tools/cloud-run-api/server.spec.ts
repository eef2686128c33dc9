// The stand-in's own contract: what services.patch applies with and without updateMask, what it
// refuses, how operations advance, and how the service and tag URLs answer.
import { createAccessTokenProvider, resolvePlayCredentials } from '@shipfleet/android';
import { CloudRunApiStandIn, startCloudRunApi } from './server';
import { SLOW_ANSWER_MS } from './endpoints';

const P = 'shipfleet-stand-in';
const L = 'us-central1';
let run: CloudRunApiStandIn;
let token: string;
beforeAll(async () => {
  run = await startCloudRunApi({ operationPolls: 1 });
  const credentials = resolvePlayCredentials({ serviceAccountKeyEnv: 'KEY', env: { KEY: JSON.stringify(run.serviceAccountKey()) } });
  token = await createAccessTokenProvider(credentials, { tokenUrl: run.tokenUrl, scope: 'https://www.googleapis.com/auth/cloud-platform', onSecret: () => undefined }).accessToken();
});
afterAll(() => run?.close());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${run.url}/v2/${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
const svc = (id: string) => `projects/${P}/locations/${L}/services/${id}`;
const template = (image: string, revision?: string) => ({ ...(revision ? { revision } : {}), containers: [{ image }] });
/** Polls the operation until done, as a client would. */
async function done(op: { name: string; done?: boolean }) {
  let cur = op;
  while (!cur.done) cur = (await call('GET', cur.name)).json;
  return cur as { done: true; error?: { code: number; message: string }; response?: Record<string, unknown> };
}

describe('Cloud Run Admin API stand-in', () => {
  it('creates a service (operation done after a poll), generating a revision name when none is given', async () => {
    const created = await call('POST', `projects/${P}/locations/${L}/services?serviceId=api`, { template: template('reg/api:healthy') });
    expect(created.json).toMatchObject({ done: false, metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service' } });
    expect(created.json.name).toMatch(new RegExp(`^projects/${P}/locations/${L}/operations/`));
    const op = await done(created.json);
    expect(op.response).toMatchObject({ name: svc('api'), traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }] });
    const s = (await call('GET', svc('api'))).json;
    expect(s.latestReadyRevision).toMatch(new RegExp(`^${svc('api')}/revisions/api-00001-[0-9a-f]{3}$`));
    expect(s.trafficStatuses).toEqual([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', revision: s.latestReadyRevision.split('/').pop(), percent: 100 }]);
    expect(s.template.containers[0]).toMatchObject({ resources: { limits: { cpu: '1000m', memory: '512Mi' } }, ports: [{ containerPort: 8080 }] });
  });

  it('patches only the fields in updateMask; without one, replaces every updatable field', async () => {
    const before = (await call('GET', svc('api'))).json;
    await done((await call('PATCH', `${svc('api')}?updateMask=labels`, { labels: { team: 'web' }, template: template('reg/api:crash') })).json);
    const masked = (await call('GET', svc('api'))).json;
    expect(masked.labels).toEqual({ team: 'web' });
    expect(masked.template).toEqual(before.template);
    await done((await call('PATCH', svc('api'), { template: before.template })).json);
    expect((await call('GET', svc('api'))).json.labels).toEqual({});
  });

  it.each([
    ['an output-only field in the mask', 'updateMask=etag', {}, 400, 'Field "etag" is output only'],
    ['a revision not prefixed by the service', 'updateMask=template', { template: template('reg/api:healthy', 'web-1') }, 400, 'must be prefixed by the name of the enclosing Service: "api-"'],
    ['percents not adding up to 100', 'updateMask=traffic', { traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 90 }] }, 400, 'Traffic percentages must add up to 100, not 90'],
    ['an unknown revision', 'updateMask=traffic', { traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-nope', percent: 100 }] }, 404, "Revision named 'api-nope' does not exist."],
    ['a stale etag', 'updateMask=labels', { labels: {}, etag: '"stale"' }, 409, 'does not match the current etag'],
    ['a reserved variable', 'updateMask=template', { template: { containers: [{ image: 'reg/api:healthy', env: [{ name: 'PORT', value: '1' }] }] } }, 400, 'reserved env names were provided: PORT'],
  ])('refuses %s', async (_what, query, body, status, message) => {
    const r = await call('PATCH', `${svc('api')}?${query}`, body);
    expect(r.status).toBe(status);
    expect(r.json.error.message).toContain(message);
  });

  it('refuses a revision name that exists with another configuration', async () => {
    await done((await call('PATCH', `${svc('api')}?updateMask=template`, { template: template('reg/api:healthy', 'api-v2') })).json);
    const again = await call('PATCH', `${svc('api')}?updateMask=template`, { template: template('reg/api:error', 'api-v2') });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe("Revision named 'api-v2' with different configuration already exists.");
  });

  it('routes the service URL by percent, a tag URL to its revision, and answers by image name', async () => {
    await done((await call('PATCH', `${svc('api')}?updateMask=template,traffic`, {
      template: template('reg/api:slow', 'api-v3'),
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-v2', percent: 75 }, { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-v3', percent: 25, tag: 'slow' }],
    })).json);
    const s = (await call('GET', svc('api'))).json;
    const counts: Record<string, number> = {};
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(s.uri)));
    for (const a of answers) counts[a.headers.get('x-cloud-run-revision')!] = (counts[a.headers.get('x-cloud-run-revision')!] ?? 0) + 1;
    expect(counts).toEqual({ 'api-v2': 6, 'api-v3': 2 });
    const tagged = s.trafficStatuses.find((t: { tag?: string }) => t.tag === 'slow');
    const started = Date.now();
    expect((await fetch(tagged.uri)).headers.get('x-cloud-run-revision')).toBe('api-v3');
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_ANSWER_MS - 50);
  }, 10_000);

  it('fails the operation of a revision whose image crashes, leaving the routes as they were', async () => {
    const op = await done((await call('PATCH', `${svc('api')}?updateMask=template,traffic`, { template: template('reg/api:crash', 'api-v4'), traffic: [{ revision: 'api-v4', percent: 100 }] })).json);
    expect(op.error).toMatchObject({ code: 9, message: expect.stringContaining("Revision 'api-v4' is not ready and cannot serve traffic. The user-provided container failed to start and listen on the port defined provided by the PORT=8080") });
    const rev = (await call('GET', `${svc('api')}/revisions/api-v4`)).json;
    expect(rev.conditions[0]).toMatchObject({ type: 'Ready', state: 'CONDITION_FAILED', revisionReason: 'HEALTH_CHECK_CONTAINER_ERROR' });
    expect(rev.logUri).toContain('resource=cloud_run_revision/service_name/api/revision_name/api-v4');
    const s = (await call('GET', svc('api'))).json;
    expect(s.terminalCondition).toMatchObject({ state: 'CONDITION_FAILED' });
    expect(s.trafficStatuses.map((t: { revision: string }) => t.revision)).toEqual(['api-v2', 'api-v3']);
  });
});
