import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { UserError } from '@shipfleet/core';
import { K8sDeployOptions, normalizeK8sOptions, toLabelValue } from './index';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: 'https://prod.example.com:6443'}
- name: staging
  cluster: {server: 'https://staging.example.com:6443'}
contexts:
- name: prod
  context: {cluster: prod, user: deployer, namespace: shop}
- name: staging
  context: {cluster: staging, user: deployer}
- name: broken
  context: {cluster: nowhere, user: deployer}
current-context: staging
users:
- name: deployer
  user: {token: kube-token-abcdef123456}
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: registry:5000/api:1.0.0
---
apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  password: ${Buffer.from('pg-password-42').toString('base64')}
`;

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'shipfleet-k8s-options-'));
  mkdirSync(join(root, 'k8s'));
  writeFileSync(join(root, 'k8s', 'app.yaml'), DEPLOYMENT);
  writeFileSync(join(root, 'kubeconfig'), KUBECONFIG);
  const home = join(root, 'home');
  mkdirSync(home);
  return { root, env: { HOME: home } as NodeJS.ProcessEnv };
}

const base = (over: Partial<K8sDeployOptions> = {}): K8sDeployOptions => ({ manifests: ['k8s'], kubeconfig: 'kubeconfig', ...over });

function expectOptionError(raw: unknown, option: string, text: RegExp, env?: NodeJS.ProcessEnv) {
  const { root, env: wsEnv } = workspace();
  let error: unknown;
  try {
    normalizeK8sOptions(raw as K8sDeployOptions, root, env ?? wsEnv);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).option).toBe(option);
  expect((error as UserError).message).toMatch(text);
  expect((error as UserError).fix.length).toBeGreaterThan(5);
}

describe('normalizeK8sOptions', () => {
  it('fills in defaults, renders the manifests and collects the secrets to mask', () => {
    const { root, env } = workspace();
    const o = normalizeK8sOptions(base({ images: { 'registry:5000/api': '1.1.0' }, version: '1.1.0', commit: 'abc1234', project: '@shop/api' }), root, env);
    expect(o).toMatchObject({
      timeoutSeconds: 300,
      serverDryRun: false,
      forceConflicts: false,
      rollbackOnFailure: true,
      diff: false,
      fieldManager: 'shipfleet',
      kubectl: 'kubectl',
      labels: { 'app.kubernetes.io/version': '1.1.0', 'shipfleet.dev/project': 'shop-api' },
      annotations: { 'shipfleet.dev/commit': 'abc1234', 'shipfleet.dev/project': '@shop/api' },
      kubeconfig: { context: 'staging', server: 'https://staging.example.com:6443', paths: [join(root, 'kubeconfig')], inCluster: false },
    });
    expect(o.prune).toBeUndefined();
    expect(o.rendered!.objects.map((x) => x.kind)).toEqual(['Secret', 'Deployment']);
    expect(o.rendered!.yaml).toContain('registry:5000/api:1.1.0');
    expect(o.secrets).toEqual(expect.arrayContaining(['pg-password-42', Buffer.from('pg-password-42').toString('base64'), 'kube-token-abcdef123456']));
  });

  it('resolves the kubeconfig like kubectl: KUBECONFIG (merged, first wins), else ~/.kube/config, else in-cluster', () => {
    const { root, env } = workspace();
    const second = join(root, 'second');
    writeFileSync(second, 'apiVersion: v1\nkind: Config\ncurrent-context: other\ncontexts:\n- name: other\n  context: {cluster: c2, user: u2}\n- name: prod\n  context: {cluster: c2, user: u2}\nclusters:\n- name: c2\n  cluster: {server: "https://second:6443"}\nusers:\n- name: u2\n  user: {password: pw-second-cluster}\n');
    const merged = normalizeK8sOptions({ manifests: 'k8s', context: 'prod' }, root, { ...env, KUBECONFIG: `${join(root, 'kubeconfig')}:${join(root, 'missing')}:${second}` });
    expect(merged.kubeconfig).toMatchObject({ context: 'prod', server: 'https://prod.example.com:6443', namespace: 'shop', paths: [join(root, 'kubeconfig'), second] });
    const other = normalizeK8sOptions({ manifests: 'k8s', context: 'other' }, root, { ...env, KUBECONFIG: `${join(root, 'kubeconfig')}:${second}` });
    expect(other.kubeconfig).toMatchObject({ server: 'https://second:6443', secrets: ['pw-second-cluster'] });
    mkdirSync(join(env.HOME!, '.kube'));
    writeFileSync(join(env.HOME!, '.kube', 'config'), KUBECONFIG);
    expect(normalizeK8sOptions({ manifests: 'k8s' }, root, env).kubeconfig).toMatchObject({ context: 'staging', paths: [join(env.HOME!, '.kube', 'config')] });
    const bare = workspace();
    expect(normalizeK8sOptions({ manifests: 'k8s' }, bare.root, { ...bare.env, KUBERNETES_SERVICE_HOST: '10.0.0.1' }).kubeconfig).toEqual({ paths: [], inCluster: true, secrets: [] });
    // A plan dry run needs no cluster at all.
    expect(normalizeK8sOptions({ manifests: 'k8s', dryRun: true }, bare.root, bare.env).kubeconfig).toBeUndefined();
  });

  it('reads timeout as a duration; the old timeoutSeconds still works, with a warning', () => {
    const { root, env } = workspace();
    expect(normalizeK8sOptions(base({ timeout: '1m30s' }), root, env).timeoutSeconds).toBe(90);
    expect(normalizeK8sOptions(base({ timeout: 45 }), root, env).timeoutSeconds).toBe(45);
    const warnings: string[] = [];
    expect(normalizeK8sOptions(base({ timeoutSeconds: 600 }), root, env, { warn: (m) => warnings.push(m) }).timeoutSeconds).toBe(600);
    expect(warnings).toEqual(['Option "timeoutSeconds" is deprecated: write "timeout" instead — the old name will be removed']);
  });

  it('reads manifests, kubeconfig and a kubectl path against the workspace root; a project-relative path the old way, with a warning', () => {
    const { root: workspaceRoot, env } = workspace();
    const project = join(workspaceRoot, 'apps/api');
    mkdirSync(join(project, 'deploy'), { recursive: true });
    writeFileSync(join(project, 'deploy', 'app.yaml'), DEPLOYMENT);
    const warnings: string[] = [];
    const where = { workspaceRoot, warn: (m: string) => warnings.push(m) };
    const o = normalizeK8sOptions({ manifests: ['{projectRoot}/deploy'], kubeconfig: 'kubeconfig' }, project, env, where);
    expect(o.manifestPaths).toEqual([join(project, 'deploy')]);
    expect(o.kubeconfig?.paths).toEqual([join(workspaceRoot, 'kubeconfig')]);
    expect(normalizeK8sOptions({ manifests: 'apps/api/deploy', kubeconfig: '{workspaceRoot}/kubeconfig' }, project, env, where).manifestPaths).toEqual([join(project, 'deploy')]);
    expect(warnings).toEqual([]);
    expect(normalizeK8sOptions({ manifests: ['deploy'], kubeconfig: 'kubeconfig' }, project, env, where).manifestPaths).toEqual([join(project, 'deploy')]);
    expect(warnings).toEqual(['Option "manifests": "deploy" is resolved against the project root; write "apps/api/deploy" (paths are relative to the workspace root) — the old reading will be removed']);
    // The workspace root comes first: a workspace-level k8s folder wins over the project's.
    mkdirSync(join(project, 'k8s'));
    writeFileSync(join(project, 'k8s', 'app.yaml'), DEPLOYMENT);
    expect(normalizeK8sOptions({ manifests: ['k8s'], kubeconfig: 'kubeconfig' }, project, env, where).manifestPaths).toEqual([join(workspaceRoot, 'k8s')]);
    writeFileSync(join(project, 'k8s', 'kustomization.yaml'), 'resources: [app.yaml]\n');
    expect(() => normalizeK8sOptions({ manifests: ['{projectRoot}/k8s'], kubeconfig: 'kubeconfig', kubectl: 'bin/kubectl' }, project, env, where)).toThrow(`${join(workspaceRoot, 'bin/kubectl')} is not an executable file`);
  });

  it('sets images from --image and from an images string, --image replacing the same image of images', () => {
    const { root, env } = workspace();
    const o = normalizeK8sOptions(base({ images: { 'registry:5000/api': '1.0.0' }, image: ['registry:5000/api:1.2.0'] }), root, env);
    expect(o.images).toEqual({ 'registry:5000/api': '1.2.0' });
    expect(o.imageSources).toEqual({ 'registry:5000/api': 'image' });
    expect(o.imagesReplaced).toEqual(['image registry:5000/api:1.2.0 replaces images registry:5000/api=1.0.0']);
    expect(o.rendered!.yaml).toContain('image: registry:5000/api:1.2.0');
    const digest = `sha256:${'e'.repeat(64)}`;
    expect(normalizeK8sOptions(base({ images: `registry:5000/api@${digest}` }), root, env).rendered!.yaml).toContain(`image: registry:5000/api@${digest}`);
    expect(normalizeK8sOptions(base({ diff: true }), root, env).diff).toBe(true);
  });

  it('turns prune on with the project label as the default selector', () => {
    const { root, env } = workspace();
    expect(normalizeK8sOptions(base({ prune: true, project: 'api' }), root, env).prune).toEqual({ selector: 'shipfleet.dev/project=api' });
    expect(normalizeK8sOptions(base({ prune: true, pruneSelector: 'app in (api, web),tier!=db' }), root, env).prune).toEqual({ selector: 'app in (api, web),tier!=db' });
  });

  it('makes project names valid label values', () => {
    expect(toLabelValue('@shop/api')).toBe('shop-api');
    expect(toLabelValue('apps-web_1.0')).toBe('apps-web_1.0');
    expect(toLabelValue('x'.repeat(70) + '-')).toBe('x'.repeat(63));
  });

  describe('names the option for each bad input', () => {
    const cases: Array<[string, unknown, string, RegExp]> = [
      ['missing manifests', { kubeconfig: 'kubeconfig' }, 'manifests', /is required/],
      ['empty manifests list', base({ manifests: [] }), 'manifests', /is required/],
      ['manifests of the wrong type', base({ manifests: [3] as unknown as string[] }), 'manifests', /must be a path or a list of paths/],
      ['nonexistent manifests', base({ manifests: ['nope'] }), 'manifests', /nope does not exist/],
      ['images not a map', base({ images: ['registry:5000/api:2'] as unknown as Record<string, string> }), 'images', /must be a map/],
      ['image value not a string', base({ images: { 'registry:5000/api': 2 as unknown as string } }), 'images', /value of "registry:5000\/api" is 2, not a string/],
      ['bad image name', base({ images: { 'Registry/API!': '2' } }), 'images', /"Registry\/API!" is not a valid image name/],
      ['image name with a tag', base({ images: { 'registry:5000/api:1': '2' } }), 'images', /includes a tag/],
      ['image name with a digest', base({ images: { [`registry:5000/api@sha256:${'a'.repeat(64)}`]: '2' } }), 'images', /includes a digest/],
      ['bad tag', base({ images: { 'registry:5000/api': '-bad tag' } }), 'images', /"-bad tag" \(for registry:5000\/api\) is neither a tag nor a digest/],
      ['bad digest', base({ images: { 'registry:5000/api': 'sha256:1234' } }), 'images', /is neither a tag nor a digest/],
      ['image that matches nothing', base({ images: { 'registry:5000/web': '2' } }), 'images', /matches no container image/],
      ['--image that matches nothing', base({ image: 'registry:5000/web:2' }), 'image', /"registry:5000\/web" matches no container image in the manifests \(images there: registry:5000\/api:1.0.0\)/],
      ['--image without a tag', base({ image: 'registry:5000/api' }), 'image', /"registry:5000\/api" has no tag or digest/],
      ['images string that is no list', base({ images: 'registry:5000/api=' }), 'images', /needs a name before "=" and a tag or digest after it/],
      ['diff not a boolean', base({ diff: 'yes' as unknown as boolean }), 'diff', /must be true or false/],
      ['namespace not a DNS-1123 label', base({ namespace: 'Shop_Prod' }), 'namespace', /"Shop_Prod" is not a valid namespace name/],
      ['namespace too long', base({ namespace: 'a'.repeat(64) }), 'namespace', /is not a valid namespace name/],
      ['namespace not a string', base({ namespace: 7 as unknown as string }), 'namespace', /7 is not a valid namespace name/],
      ['labels not a map', base({ labels: 'team=pay' as unknown as Record<string, string> }), 'labels', /must be a map/],
      ['bad label key', base({ labels: { 'bad key': 'x' } }), 'labels', /key "bad key" name part must start and end/],
      ['bad label key prefix', base({ labels: { 'Example.com/team': 'x' } }), 'labels', /prefix "Example.com" is not a DNS subdomain/],
      ['label key with two slashes', base({ labels: { 'a/b/c': 'x' } }), 'labels', /has more than one "\/"/],
      ['label value too long', base({ labels: { team: 'x'.repeat(64) } }), 'labels', /value "x+" of "team" is longer than 63 characters/],
      ['label value with spaces', base({ labels: { team: 'pay ments' } }), 'labels', /value "pay ments" of "team" must start and end/],
      ['bad annotation key', base({ annotations: { '/x': 'y' } }), 'annotations', /key "\/x"/],
      ['version that is no label value', base({ version: '1.2.3+build.7' }), 'version', /"1.2.3\+build.7" must start and end .* app.kubernetes.io\/version/],
      ['commit with spaces', base({ commit: 'not a sha' }), 'commit', /is not a commit id/],
      ['project with no letters', base({ project: '@@@' }), 'project', /has no letters or digits/],
      ['timeout zero', base({ timeout: 0 }), 'timeout', /0 is shorter than 1s/],
      ['timeout negative', base({ timeout: -5 }), 'timeout', /-5 is not a duration/],
      ['timeout not a duration', base({ timeout: '5 minutes' }), 'timeout', /"5 minutes" is not a duration/],
      ['timeoutSeconds (the old name) negative', base({ timeoutSeconds: -5 }), 'timeout', /-5 is not a duration/],
      ['timeout and timeoutSeconds that differ', base({ timeout: '2m', timeoutSeconds: 60 }), 'timeoutSeconds', /old name of "timeout", and both are given with different values/],
      ['serverDryRun not a boolean', base({ serverDryRun: 'yes' as unknown as boolean }), 'serverDryRun', /must be true or false, got "yes"/],
      ['forceConflicts not a boolean', base({ forceConflicts: 1 as unknown as boolean }), 'forceConflicts', /must be true or false/],
      ['rollbackOnFailure not a boolean', base({ rollbackOnFailure: 'false' as unknown as boolean }), 'rollbackOnFailure', /must be true or false/],
      ['prune without a selector', base({ prune: true }), 'prune', /needs a label selector/],
      ['prune with an empty selector', base({ prune: true, pruneSelector: ' ' }), 'pruneSelector', /is empty/],
      ['prune with a bad selector', base({ prune: true, pruneSelector: 'app in api' }), 'pruneSelector', /"app in api": "app in api" is not a valid requirement/],
      ['kubectl empty', base({ kubectl: '' }), 'kubectl', /must be the name or path/],
      ['kubeconfig missing', base({ kubeconfig: 'nope/config' }), 'kubeconfig', /nope\/config does not exist/],
      ['kubeconfig empty', base({ kubeconfig: ' ' }), 'kubeconfig', /is empty/],
      ['context not in the kubeconfig', base({ context: 'dev' }), 'context', /"dev" is not a context in .*kubeconfig; contexts there: prod, staging, broken/],
      ['context naming a missing cluster', base({ context: 'broken' }), 'kubeconfig', /context "broken" names cluster "nowhere"/],
    ];
    it.each(cases)('%s', (_name, raw, option, text) => expectOptionError(raw, option, text));

    it('a kubeconfig that is not YAML, or has no current-context', () => {
      const { root, env } = workspace();
      writeFileSync(join(root, 'garbage'), 'clusters: [unclosed\n');
      writeFileSync(join(root, 'nocurrent'), KUBECONFIG.replace('current-context: staging\n', ''));
      for (const [file, option, text] of [['garbage', 'kubeconfig', /is not valid YAML/], ['nocurrent', 'context', /has no current-context/]] as const) {
        let error: unknown;
        try {
          normalizeK8sOptions(base({ kubeconfig: file }), root, env);
        } catch (e) {
          error = e;
        }
        expect((error as UserError).option).toBe(option);
        expect((error as UserError).message).toMatch(text);
      }
    });

    it('a kustomization without kubectl to render it', () => {
      const { root, env } = workspace();
      writeFileSync(join(root, 'k8s', 'kustomization.yaml'), 'resources: [app.yaml]\n');
      let error: unknown;
      try {
        normalizeK8sOptions(base(), root, { ...env, PATH: join(root, 'no-bin') });
      } catch (e) {
        error = e;
      }
      expect((error as UserError).option).toBe('kubectl');
      expect((error as UserError).message).toBe(`Option "kubectl": kubectl is not on PATH; it renders the kustomization in ${join(root, 'k8s')}. Install kubectl (Debian: apt-get install kubernetes-client), or set kubectl to its path`);
      expect(() => normalizeK8sOptions(base({ kubectl: 'bin/kubectl' }), root, env)).toThrow(`${join(root, 'bin/kubectl')} is not an executable file`);
      // A plan dry run does not run it.
      expect(normalizeK8sOptions(base({ dryRun: true }), root, { ...env, PATH: '' }).manifests.kind).toBe('kustomize');
    });

    it('no kubeconfig anywhere, and KUBECONFIG naming only missing files', () => {
      const { env } = workspace();
      expectOptionError({ manifests: ['k8s'] }, 'kubeconfig', /no kubeconfig found: KUBECONFIG is not set and ~\/.kube\/config does not exist/, env);
      expectOptionError({ manifests: ['k8s'] }, 'kubeconfig', /none of the files in KUBECONFIG/, { ...env, KUBECONFIG: '/nonexistent/a:/nonexistent/b' });
    });
  });
});
