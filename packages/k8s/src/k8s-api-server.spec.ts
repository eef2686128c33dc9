// The Kubernetes API stand-in itself (tools/k8s-api/server.ts), over plain HTTP from jest.
import { request } from 'http';
import { stringify } from 'yaml';
import { K8sApi, parseYaml, startK8sApi } from '../../../tools/k8s-api/server';
import { sleep } from './__fixtures__/stand-in';

let api: K8sApi;
beforeEach(async () => {
  api = await startK8sApi({ scenario: { deadlineFactor: 0.005 } });
});
afterEach(async () => {
  await api.close();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json', token: string | null = api.token) {
  const res = await fetch(api.url + path, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': contentType } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}

const deployment = (image: string, replicas = 2, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'default', labels: { app: 'api' } },
  spec: { replicas, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image }] } }, ...extra },
});
const APPLY = '/apis/apps/v1/namespaces/default/deployments/api?fieldManager=shipfleet';

describe('the Kubernetes API stand-in', () => {
  it('answers discovery the way clients read it', async () => {
    expect((await call('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call('GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['apps', 'batch', 'networking.k8s.io', 'apiextensions.k8s.io']));
    const apps = (await call('GET', '/apis/apps/v1')).body;
    expect(apps.resources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'] }), expect.objectContaining({ name: 'deployments/status' })]));
    expect((await call('GET', '/api/v1')).body.resources.find((r: { name: string }) => r.name === 'namespaces')).toMatchObject({ namespaced: false });
    expect((await call('GET', '/version')).body.gitVersion).toMatch(/^v1\.30/);
  });

  it('requires the bearer token unless anonymous access is allowed', async () => {
    expect((await call('GET', '/api', undefined, undefined, null)).status).toBe(401);
    expect((await call('GET', '/api', undefined, undefined, 'wrong')).body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const open = await startK8sApi({ allowAnonymous: true });
    try {
      expect((await fetch(`${open.url}/api`)).status).toBe(200);
      expect((await fetch(`${open.url}/api`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
      expect(open.requests.map((r) => r.user)).toEqual(['anonymous', 'invalid']);
    } finally {
      await open.close();
    }
  });

  it('server-side applies YAML and JSON bodies: creates, bumps generation only on spec change, records the manager', async () => {
    const created = await call('PATCH', APPLY, stringify(deployment('a:1')), 'application/apply-patch+yaml');
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ generation: 1, managedFields: [expect.objectContaining({ manager: 'shipfleet', operation: 'Apply', fieldsType: 'FieldsV1' })] });
    expect(created.body.metadata.managedFields[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers']).toEqual({ 'k:{"name":"api"}': { 'f:name': {}, 'f:image': {} } });
    // Defaults, as the API server fills them in.
    expect(created.body.spec).toMatchObject({ progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    const same = await call('PATCH', APPLY, deployment('a:1'), 'application/apply-patch+json');
    expect(same.body.metadata.generation).toBe(1);
    const labelOnly = await call('PATCH', APPLY, { ...deployment('a:1'), metadata: { ...deployment('a:1').metadata, labels: { app: 'api', extra: 'x' } } }, 'application/apply-patch+yaml');
    expect(labelOnly.body.metadata.generation).toBe(1);
    const changed = await call('PATCH', APPLY, deployment('a:2'), 'application/apply-patch+yaml');
    expect(changed.body.metadata.generation).toBe(2);
    // A field the manager stops applying is removed.
    expect(changed.body.metadata.labels).toEqual({ app: 'api' });
  });

  it('honours dryRun=All by storing nothing, and validates like the API server', async () => {
    const dry = await call('PATCH', `${APPLY}&dryRun=All`, deployment('a:1'), 'application/apply-patch+yaml');
    expect(dry.status).toBe(201);
    expect(api.get('Deployment', 'default', 'api')).toBeUndefined();
    expect((await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/api', deployment('a:1'), 'application/apply-patch+yaml')).body.message).toMatch(/fieldManager: Required value/);
    expect((await call('PATCH', '/apis/apps/v1/namespaces/nope/deployments/api?fieldManager=x', { ...deployment('a:1'), metadata: { name: 'api' } }, 'application/apply-patch+yaml')).body).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
    const mismatch = deployment('a:1');
    (mismatch.spec.template.metadata.labels as Record<string, string>).app = 'other';
    expect((await call('PATCH', APPLY, mismatch, 'application/apply-patch+yaml')).body).toMatchObject({ code: 422, message: expect.stringContaining('`selector` does not match template `labels`') });
    await call('PATCH', APPLY, deployment('a:1'), 'application/apply-patch+yaml');
    const immutable = { ...deployment('a:1'), spec: { ...deployment('a:1').spec, selector: { matchLabels: { app: 'api', tier: 'x' } }, template: { metadata: { labels: { app: 'api', tier: 'x' } }, spec: { containers: [{ name: 'api', image: 'a:1' }] } } } };
    expect((await call('PATCH', APPLY, immutable, 'application/apply-patch+yaml')).body.message).toMatch(/field is immutable/);
    expect((await call('PATCH', APPLY, 'not: [valid', 'application/apply-patch+yaml')).status).toBe(400);
  });

  it('turns a Secret\'s stringData into data, as the API server does', async () => {
    const r = await call('PATCH', '/api/v1/namespaces/default/secrets/s?fieldManager=x', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' } }, 'application/apply-patch+yaml');
    expect(r.body.data).toEqual({ a: Buffer.from('b').toString('base64') });
    expect(r.body.stringData).toBeUndefined();
  });

  it('plays the deployment controller: a new ReplicaSet per template with the next revision, pods, status', async () => {
    await call('PATCH', APPLY, deployment('a:1', 3), 'application/apply-patch+yaml');
    await sleep(1500);
    let rs = api.list('ReplicaSet', 'default');
    expect(rs).toHaveLength(1);
    expect(rs[0].metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect(rs[0].metadata.labels['pod-template-hash']).toMatch(/^[a-z0-9]{10}$/);
    expect(api.list('Pod', 'default')).toHaveLength(3);
    expect(api.get('Deployment', 'default', 'api')!.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 });
    await call('PATCH', APPLY, deployment('a:2', 3), 'application/apply-patch+yaml');
    await sleep(2500);
    rs = api.list('ReplicaSet', 'default');
    expect(rs.map((x) => `${x.metadata.annotations['deployment.kubernetes.io/revision']}:${x.spec.replicas}`).sort()).toEqual(['1:0', '2:3']);
    const list = await call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dapi');
    expect(list.body.items).toHaveLength(3);
    expect(list.body.items.every((p: { spec: { containers: Array<{ image: string }> } }) => p.spec.containers[0].image === 'a:2')).toBe(true);
    expect((await call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body.items).toEqual([]);
    expect((await call('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dapi')).body.items.map((e: { reason: string }) => e.reason)).toContain('ScalingReplicaSet');
  });

  it('streams watch events for matching objects', async () => {
    const events: Array<{ type: string; object: { metadata: { name: string } } }> = [];
    const url = new URL(`${api.url}/apis/apps/v1/namespaces/default/deployments?watch=true&fieldSelector=metadata.name%3Dapi`);
    const req = request(url, { headers: { Authorization: `Bearer ${api.token}` } }, (res) => {
      let buffer = '';
      res.on('data', (c) => {
        buffer += c;
        let i: number;
        while ((i = buffer.indexOf('\n')) !== -1) {
          events.push(JSON.parse(buffer.slice(0, i)));
          buffer = buffer.slice(i + 1);
        }
      });
    });
    req.end();
    await sleep(100);
    await call('PATCH', APPLY, deployment('a:1'), 'application/apply-patch+yaml');
    await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/other?fieldManager=x', { ...deployment('a:1'), metadata: { name: 'other' } }, 'application/apply-patch+yaml');
    await sleep(500);
    req.destroy();
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'api' } } });
    expect(events.slice(1).every((e) => e.type === 'MODIFIED' && e.object.metadata.name === 'api')).toBe(true);
    expect(events.length).toBeGreaterThan(2);
  });

  it('supports JSON patch and merge patch (what kubectl rollout undo and kubectl patch send), taking ownership as an update', async () => {
    await call('PATCH', APPLY, deployment('a:1'), 'application/apply-patch+yaml');
    const patched = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/api?fieldManager=kubectl-rollout', [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'a:0' }], 'application/json-patch+json');
    expect(patched.body.spec.template.spec.containers[0].image).toBe('a:0');
    expect(patched.body.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`)).toEqual(['shipfleet/Apply', 'kubectl-rollout/Update']);
    const merged = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/api', { spec: { replicas: 5 } }, 'application/merge-patch+json');
    expect(merged.body.spec.replicas).toBe(5);
    const conflict = await call('PATCH', APPLY, deployment('a:1'), 'application/apply-patch+yaml');
    expect(conflict.body).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(conflict.body.message).toContain('conflict with "kubectl-rollout" using apps/v1: .spec.template.spec.containers[name="api"].image');
  });

  it('reads the block YAML that apply bodies and manifests use', () => {
    const text = 'a: 1\nb:\n  - x\n  - {k: v, n: [1, 2]}\n  - name: n\n    value: "quoted: yes"\nc: |\n  line 1\n  line 2\nd: >-\n  folded\n  text\ne: \'it\'\'s\'\nf: ~\ng: [] # comment\n';
    expect(parseYaml(text)).toEqual({ a: 1, b: ['x', { k: 'v', n: [1, 2] }, { name: 'n', value: 'quoted: yes' }], c: 'line 1\nline 2\n', d: 'folded text', e: "it's", f: null, g: [] });
    const obj = deployment('registry:5000/a:1', 2, { strategy: { type: 'RollingUpdate' }, paused: false });
    for (const lineWidth of [0, 20, 80]) expect(parseYaml(stringify(obj, { lineWidth }))).toEqual(obj);
  });
});
