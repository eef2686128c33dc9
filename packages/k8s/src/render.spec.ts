import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MASK, UserError } from '@shipfleet/core';
import { parse } from 'yaml';
import {
  addCommonMetadata,
  applyNamespace,
  canonicalImageName,
  K8sObject,
  listImages,
  loadManifests,
  maskSecrets,
  orderForApply,
  parseImageRef,
  parseImageTarget,
  parseManifests,
  renderManifests,
  setImages,
} from './index';

const tmp = () => mkdtempSync(join(tmpdir(), 'shipfleet-k8s-render-'));

const deployment = (name: string, image: string, extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { initContainers: [{ name: 'migrate', image }], containers: [{ name, image }, { name: 'sidecar', image: 'docker.io/library/envoy:1.29' }] },
    },
    ...extra,
  },
});

function expectUserError(fn: () => unknown, option: string, text?: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).option).toBe(option);
    if (text) expect((e as UserError).message).toMatch(text);
    return;
  }
  throw new Error(`expected a UserError for option ${option}`);
}

describe('loadManifests', () => {
  it('reads multi-document YAML, skips empty documents and expands kind: List', () => {
    const objects = parseManifests(
      ['---', '# only a comment', '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: a}', '---', 'apiVersion: v1', 'kind: List', 'items:', '- {apiVersion: v1, kind: Service, metadata: {name: b}}', '- {apiVersion: v1, kind: Secret, metadata: {name: c}}', '---', ''].join('\n'),
      'all.yaml',
    );
    expect(objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual(['ConfigMap/a', 'Service/b', 'Secret/c']);
    expect(objects[0].source).toBe('all.yaml (document 2)');
  });

  it('reads a folder in file-name order (not recursively) and accepts JSON', () => {
    const dir = tmp();
    writeFileSync(join(dir, '20-svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n');
    writeFileSync(join(dir, '10-cm.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n');
    writeFileSync(join(dir, '30-sa.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } }));
    writeFileSync(join(dir, 'README.md'), '# not a manifest');
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'x.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nested\n');
    const loaded = loadManifests([dir]);
    expect(loaded.kind).toBe('files');
    if (loaded.kind !== 'files') return;
    expect(loaded.objects.map((o) => o.object.metadata.name)).toEqual(['cm', 'svc', 'sa']);
    expect(loaded.files.map((f) => f.slice(dir.length + 1))).toEqual(['10-cm.yml', '20-svc.yaml', '30-sa.json']);
  });

  it('detects a kustomization folder or file, which must be the only entry', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [deploy.yaml]\n');
    expect(loadManifests([dir])).toEqual({ kind: 'kustomize', dir, kustomizationFile: join(dir, 'kustomization.yaml') });
    expect(loadManifests([join(dir, 'kustomization.yaml')])).toMatchObject({ kind: 'kustomize', dir });
    const other = tmp();
    writeFileSync(join(other, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    expectUserError(() => loadManifests([dir, join(other, 'a.yaml')]), 'manifests', /kustomization, which must be the only entry/);
  });

  it('names the file and problem for bad input', () => {
    const dir = tmp();
    expectUserError(() => loadManifests([join(dir, 'missing.yaml')]), 'manifests', /does not exist/);
    expectUserError(() => loadManifests([dir]), 'manifests', /holds no .yaml/);
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n');
    expectUserError(() => loadManifests([join(dir, 'bad.yaml')]), 'manifests', /bad\.yaml is not valid YAML/);
    writeFileSync(join(dir, 'noname.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n');
    expectUserError(() => loadManifests([join(dir, 'noname.yaml')]), 'manifests', /\(ConfigMap\) has no metadata.name/);
    writeFileSync(join(dir, 'nokind.yaml'), 'apiVersion: v1\nmetadata: {name: x}\n');
    expectUserError(() => loadManifests([join(dir, 'nokind.yaml')]), 'manifests', /has no kind/);
    writeFileSync(join(dir, 'scalar.yaml'), 'just text\n');
    expectUserError(() => loadManifests([join(dir, 'scalar.yaml')]), 'manifests', /is not a Kubernetes object/);
    writeFileSync(join(dir, 'twice.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    expectUserError(() => loadManifests([join(dir, 'twice.yaml')]), 'manifests', /configmap\/x is defined twice/);
    writeFileSync(join(dir, 'empty.yaml'), '---\n---\n');
    expectUserError(() => loadManifests([join(dir, 'empty.yaml')]), 'manifests', /no Kubernetes objects found/);
  });
});

describe('image references', () => {
  it('splits registries with ports, tags and digests', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageRef('localhost:5000/app:1')).toEqual({ name: 'localhost:5000/app', tag: '1' });
    expect(parseImageRef('localhost:5000/app')).toEqual({ name: 'localhost:5000/app' });
    expect(parseImageRef(`registry.example.com:443/team/app:1.2.3@${digest}`)).toEqual({ name: 'registry.example.com:443/team/app', tag: '1.2.3', digest });
    expect(parseImageRef(`nginx@${digest}`)).toEqual({ name: 'nginx', digest });
    expect(parseImageRef('[::1]:5000/app:v2')).toEqual({ name: '[::1]:5000/app', tag: 'v2' });
    for (const bad of ['', 'app/UPPER', 'app:', 'app:-x', 'app@sha256:short', 'a//b', 'app:tag:again']) expect(parseImageRef(bad)).toBeUndefined();
  });

  it('matches names the way registries resolve them', () => {
    expect(canonicalImageName('nginx')).toBe('docker.io/library/nginx');
    expect(canonicalImageName('library/nginx')).toBe('docker.io/library/nginx');
    expect(canonicalImageName('index.docker.io/library/nginx')).toBe('docker.io/library/nginx');
    expect(canonicalImageName('bitnami/redis')).toBe('docker.io/bitnami/redis');
    expect(canonicalImageName('localhost/app')).toBe('localhost/app');
    expect(canonicalImageName('localhost:5000/app')).toBe('localhost:5000/app');
  });

  it('reads targets: tag, digest, or both', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    expect(parseImageTarget('1.4.2')).toEqual({ tag: '1.4.2' });
    expect(parseImageTarget(':1.4.2')).toEqual({ tag: '1.4.2' });
    expect(parseImageTarget(digest)).toEqual({ digest });
    expect(parseImageTarget(`@${digest}`)).toEqual({ digest });
    expect(parseImageTarget(`1.4.2@${digest}`)).toEqual({ tag: '1.4.2', digest });
    for (const bad of ['', '-x', 'a b', 'sha256:zz', `x@sha256:12`]) expect(parseImageTarget(bad)).toBeUndefined();
  });
});

describe('setImages', () => {
  const digest = `sha256:${'c'.repeat(64)}`;

  it('sets tags on containers and init containers by name, keeping the registry and port', () => {
    const input = [deployment('api', 'localhost:5000/api:1.0.0')];
    const { objects, changes, unmatched } = setImages(input, { 'localhost:5000/api': '1.1.0' });
    const spec = (objects[0].spec as { template: { spec: { containers: Array<{ image: string }>; initContainers: Array<{ image: string }> } } }).template.spec;
    expect(spec.containers.map((c) => c.image)).toEqual(['localhost:5000/api:1.1.0', 'docker.io/library/envoy:1.29']);
    expect(spec.initContainers[0].image).toBe('localhost:5000/api:1.1.0');
    expect(changes).toEqual([
      { object: 'deployment/api', container: 'init:migrate', image: 'localhost:5000/api:1.1.0', from: 'localhost:5000/api:1.0.0', to: 'localhost:5000/api:1.1.0' },
      { object: 'deployment/api', container: 'api', image: 'localhost:5000/api:1.1.0', from: 'localhost:5000/api:1.0.0', to: 'localhost:5000/api:1.1.0' },
    ]);
    expect(unmatched).toEqual([]);
    // The input is left alone.
    expect(listImages(input).map((i) => i.image)).toContain('localhost:5000/api:1.0.0');
  });

  it('replaces a tag with a digest and a digest with a tag, and matches Docker Hub short names', () => {
    const input = [deployment('api', `registry:5000/api:1.0.0`), deployment('web', `registry:5000/web@${digest}`)];
    const { objects } = setImages(input, { 'registry:5000/api': digest, 'registry:5000/web': '2.0.0', envoy: `1.30@${digest}` });
    expect(listImages(objects).map((i) => `${i.object} ${i.container} ${i.image}`)).toEqual([
      `deployment/api init:migrate registry:5000/api@${digest}`,
      `deployment/api api registry:5000/api@${digest}`,
      `deployment/api sidecar docker.io/library/envoy:1.30@${digest}`,
      'deployment/web init:migrate registry:5000/web:2.0.0',
      'deployment/web web registry:5000/web:2.0.0',
      `deployment/web sidecar docker.io/library/envoy:1.30@${digest}`,
    ]);
  });

  it('does not match another repository with the same last path segment, and reports unmatched keys', () => {
    const { objects, unmatched } = setImages([deployment('api', 'registry:5000/team/api:1')], { 'registry:5000/api': '2', 'other/api': '3' });
    expect(listImages(objects)[0].image).toBe('registry:5000/team/api:1');
    expect(unmatched).toEqual(['registry:5000/api', 'other/api']);
  });

  it('reaches pod templates of any kind (CronJob, Pod, custom resources)', () => {
    const cron: K8sObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'job', image: 'registry:5000/api:1' }] } } } } } };
    const pod: K8sObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'registry:5000/api' }] } };
    const rollout: K8sObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'registry:5000/api:0' }] } } } };
    const { objects } = setImages([cron, pod, rollout], { 'registry:5000/api': '9' });
    expect(listImages(objects).map((i) => i.image)).toEqual(['registry:5000/api:9', 'registry:5000/api:9', 'registry:5000/api:9']);
  });
});

describe('orderForApply', () => {
  it('puts namespaces, CRDs, config, services, workloads, ingresses in that order, unknown kinds last, stable within a kind', () => {
    const o = (kind: string, name: string, apiVersion = 'v1'): K8sObject => ({ apiVersion, kind, metadata: { name } });
    const input = [
      o('Ingress', 'web', 'networking.k8s.io/v1'),
      o('Widget', 'w1', 'example.com/v1'),
      o('Deployment', 'api', 'apps/v1'),
      o('Service', 'api'),
      o('Secret', 's1'),
      o('ConfigMap', 'c1'),
      o('Secret', 's2'),
      o('CustomResourceDefinition', 'widgets.example.com', 'apiextensions.k8s.io/v1'),
      o('Namespace', 'shop'),
      o('StatefulSet', 'db', 'apps/v1'),
      o('ServiceAccount', 'api'),
      o('HorizontalPodAutoscaler', 'api', 'autoscaling/v2'),
      o('ValidatingWebhookConfiguration', 'hook', 'admissionregistration.k8s.io/v1'),
    ];
    expect(orderForApply(input).map((x) => `${x.kind}/${x.metadata.name}`)).toEqual([
      'Namespace/shop',
      'CustomResourceDefinition/widgets.example.com',
      'ServiceAccount/api',
      'Secret/s1',
      'ConfigMap/c1',
      'Secret/s2',
      'Service/api',
      'Deployment/api',
      'StatefulSet/db',
      'HorizontalPodAutoscaler/api',
      'Ingress/web',
      'ValidatingWebhookConfiguration/hook',
      'Widget/w1',
    ]);
  });
});

describe('addCommonMetadata and applyNamespace', () => {
  it('labels every object and the pod templates, never selectors, and does not change a label the selector matches on', () => {
    const cm: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { keep: 'me' } } };
    const [d, c] = addCommonMetadata([deployment('api', 'a:1'), cm], { labels: { 'app.kubernetes.io/version': '1.2.0', app: 'other' }, annotations: { 'shipfleet.dev/commit': 'abc123' } });
    const spec = d.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations?: unknown } } };
    expect(d.metadata.labels).toEqual({ 'app.kubernetes.io/version': '1.2.0', app: 'other' });
    expect(spec.selector.matchLabels).toEqual({ app: 'api' });
    expect(spec.template.metadata.labels).toEqual({ app: 'api', 'app.kubernetes.io/version': '1.2.0' });
    expect(spec.template.metadata.annotations).toBeUndefined();
    expect(d.metadata.annotations).toEqual({ 'shipfleet.dev/commit': 'abc123' });
    expect(c.metadata.labels).toEqual({ keep: 'me', 'app.kubernetes.io/version': '1.2.0', app: 'other' });
  });

  it('fills in the namespace of namespaced kinds only, and reports objects of another namespace', () => {
    const ns: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const crd: K8sObject = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x.example.com' } };
    const cr: K8sObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const { objects, problems } = applyNamespace([ns, crd, cr, deployment('api', 'a:1')], 'shop');
    expect(objects.map((o) => o.metadata.namespace)).toEqual([undefined, undefined, undefined, 'shop']);
    expect(problems).toEqual([]);
    const other = applyNamespace([{ ...deployment('api', 'a:1'), metadata: { name: 'api', namespace: 'prod' } }], 'shop');
    expect(other.problems).toEqual(['deployment/api names namespace "prod", not "shop"']);
  });
});

describe('maskSecrets', () => {
  it('masks data and stringData values (keys stay) and returns the values, decoded and encoded, for the redactor', () => {
    const secret: K8sObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMi1zZWNyZXQ="}}' } },
      data: { password: Buffer.from('hunter2-secret').toString('base64'), short: Buffer.from('ab').toString('base64') },
      stringData: { token: 'tok-123456', port: 5432 as unknown as string },
    };
    const cm: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { visible: 'yes' } };
    const { objects, secrets } = maskSecrets([secret, cm]);
    expect(objects[0].data).toEqual({ password: MASK, short: MASK });
    expect(objects[0].stringData).toEqual({ token: MASK, port: MASK });
    expect(objects[0].metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBe(MASK);
    expect(objects[1]).toBe(cm);
    expect(secrets).toEqual(expect.arrayContaining(['hunter2-secret', Buffer.from('hunter2-secret').toString('base64'), 'tok-123456']));
    // Too short to mask reliably everywhere: masked in the rendering above only.
    for (const short of ['ab', Buffer.from('ab').toString('base64'), '5432']) expect(secrets).not.toContain(short);
    // The original is untouched: it is what gets applied.
    expect(secret.stringData).toEqual({ token: 'tok-123456', port: 5432 });
  });
});

describe('renderManifests', () => {
  it('substitutes images, adds metadata, fills in the namespace, orders, and masks the YAML shown', () => {
    const secret: K8sObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'correct-horse-battery' } };
    const r = renderManifests([deployment('api', 'registry:5000/api:1'), secret], { images: { 'registry:5000/api': '2' }, namespace: 'shop', labels: { team: 'pay' }, annotations: {} });
    expect(r.objects.map((o) => o.kind)).toEqual(['Secret', 'Deployment']);
    expect(r.objects[0].stringData).toEqual({ password: 'correct-horse-battery' });
    expect(r.yaml).not.toContain('correct-horse-battery');
    expect(r.yaml).toContain('password: "***"');
    expect(r.yaml).toContain('image: registry:5000/api:2');
    const docs = r.yaml.split('---\n').map((d) => parse(d));
    expect(docs[1].metadata).toEqual({ name: 'api', namespace: 'shop', labels: { team: 'pay' } });
    expect(r.secrets).toContain('correct-horse-battery');
  });

  it('refuses an images entry that matches nothing, naming the images found', () => {
    expectUserError(() => renderManifests([deployment('api', 'registry:5000/api:1')], { images: { 'registry:5000/apx': '2' }, labels: {}, annotations: {} }), 'images', /"registry:5000\/apx" matches no container image in the manifests \(images there: registry:5000\/api:1, docker.io\/library\/envoy:1.29\)/);
  });

  it('refuses objects that name another namespace', () => {
    const d = deployment('api', 'a:1');
    d.metadata.namespace = 'prod';
    expectUserError(() => renderManifests([d], { images: {}, namespace: 'shop', labels: {}, annotations: {} }), 'namespace', /names namespace "prod"/);
  });
});
