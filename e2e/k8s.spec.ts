import { execFile, spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { SampleWorkspace } from '../tools/sample-workspace';
import { K8sApi, startK8sApi } from '../tools/k8s-api/server';

// With SHIPFLEET_E2E_KUBECONFIG the suite runs against that cluster instead of the stand-in. The good
// image must be pullable there: SHIPFLEET_E2E_IMAGE (repository) and SHIPFLEET_E2E_TAG (default: the
// stand-in's registry.example.com/api and 1.0.0, which only the stand-in "pulls").
const REAL_KUBECONFIG = process.env.SHIPFLEET_E2E_KUBECONFIG;
const IMAGE = process.env.SHIPFLEET_E2E_IMAGE ?? 'registry.example.com/api';
const GOOD_TAG = process.env.SHIPFLEET_E2E_TAG ?? '1.0.0';
const BAD_TAG = '0.0.0-shipfleet-does-not-exist';
// Set with --image on the command line; on a real cluster it must be pullable too.
const NEXT_TAG = process.env.SHIPFLEET_E2E_NEXT_TAG ?? (REAL_KUBECONFIG ? GOOD_TAG : '1.0.1');
const KUBECTL = process.env.SHIPFLEET_KUBECTL ?? 'kubectl';

describe(`k8s-deploy through the real nx CLI, against ${REAL_KUBECONFIG ? 'the cluster of SHIPFLEET_E2E_KUBECONFIG' : 'the Kubernetes API stand-in'}`, () => {
  let ws: SampleWorkspace;
  let api: K8sApi | undefined;
  const kubeconfig = () => REAL_KUBECONFIG ?? api!.kubeconfigPath;
  // The deploy chain builds the image first (container-image through the docker stand-in, whose calls go beside the workspace).
  const env = () => ({ KUBECONFIG: kubeconfig(), SHIPFLEET_STANDIN_LOG: `${ws.root}-calls.jsonl` });
  const imageOf = (): string | undefined => {
    if (api) return api.get('Deployment', 'default', 'api')?.spec.template.spec.containers[0].image;
    const r = spawnSync(process.env.SHIPFLEET_KUBECTL ?? 'kubectl', ['--kubeconfig', kubeconfig(), 'get', 'deployment', 'api', '-n', 'default', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const setTag = (tag: string) => {
    const p = JSON.parse(ws.read('services/api/project.json'));
    p.targets['k8s-deploy'].options.images = { [IMAGE]: tag };
    // A real cluster reports a bad image only when the wait times out: keep that inside the test's time.
    if (REAL_KUBECONFIG) p.targets['k8s-deploy'].options.timeout = '2m';
    ws.write('services/api/project.json', JSON.stringify(p, null, 2));
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', `api ${tag}`);
  };
  // The Deployment's image as the real kubectl reads it back (the stand-in lets kubectl in without a token: it sends none over http).
  // Not spawnSync: the stand-in answers from this process.
  const kubectlImage = (): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(KUBECTL, ['--kubeconfig', kubeconfig(), 'get', 'deployment', 'api', '-n', 'default', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${KUBECTL} get deployment api failed: ${stderr || error.message}`)) : resolve(stdout.trim()),
      );
    });
  const ledger = () => (existsSync(ws.path('.shipfleet/ledger')) ? JSON.parse(readFileSync(ws.path('.shipfleet/ledger'), 'utf8')).records : []);

  beforeAll(async () => {
    if (!REAL_KUBECONFIG) api = await startK8sApi({ port: 0, allowAnonymous: true, scenario: { deadlineFactor: 0.01, images: { [`${IMAGE}:${BAD_TAG}`]: 'bad' } } });
    ws = new SampleWorkspace('k8s');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    expect(ws.nx(['g', '@shipfleet/nx:k8s-service', 'api', `--image=${IMAGE}`, `--appVersion=${GOOD_TAG}`, '--replicas=2']).code).toBe(0);
    ws.write('services/api/k8s/secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-db\ntype: Opaque\nstringData:\n  password: e2e-db-Secret-pw-991\n');
    const kustomization = ws.read('services/api/k8s/kustomization.yaml').replace('  - service.yaml', '  - service.yaml\n  - secret.yaml');
    ws.write('services/api/k8s/kustomization.yaml', kustomization);
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'api');
  });
  afterAll(async () => {
    await api?.close();
    // On a real cluster, leave nothing behind.
    if (REAL_KUBECONFIG) spawnSync(process.env.SHIPFLEET_KUBECTL ?? 'kubectl', ['--kubeconfig', REAL_KUBECONFIG, 'delete', 'deployment,service,secret', '-l', 'shipfleet.dev/project=api', '-n', 'default']);
  });

  it('infers k8s-deploy and deploy for the generated service', () => {
    const show = ws.nx(['show', 'project', 'api', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['k8s-deploy']).toMatchObject({ executor: '@shipfleet/nx:k8s-deploy', cache: false, options: { manifests: ['services/api/k8s'] } }); // Nx resolves {projectRoot} in inferred options
    expect(project.targets.deploy.options).toEqual({ targets: ['container-image', 'k8s-deploy'] });
  });

  it('--dry-run shows the plan and runs nothing', async () => {
    const r = await ws.nxAsync(['run', 'api:k8s-deploy', '--dry-run'], env());
    expect({ code: r.code, output: r.code ? r.output : "" }).toEqual({ code: 0, output: "" });
    expect(r.output).toContain('Dry run: nothing was executed.');
    if (api) expect(imageOf()).toBeUndefined();
    // kubectl kustomize is read-only: the dry run shows the kustomization's objects, Secret values masked.
    expect(r.output).toContain('Rendered manifests (Secret values masked):');
    expect(r.output).toMatch(/kind: Secret[\s\S]*password: "\*\*\*"/);
    expect(r.output).toContain(`image: ${IMAGE}:${GOOD_TAG}`);
    expect(r.output).not.toContain('e2e-db-Secret-pw-991');
  });

  // What the first deploy runs: the digest container-image pushed (the docker stand-in reports one as buildx does).
  let deployedImage = '';
  it('a healthy rollout succeeds and is recorded in the ledger; it runs the image deploy just built, by digest', async () => {
    // A real cluster cannot pull the stand-in's digest: there the image is named, which wins over the pushed one.
    if (REAL_KUBECONFIG) setTag(GOOD_TAG);
    const r = await ws.nxAsync(['run', 'api:deploy', '--env=staging', '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : "" }).toEqual({ code: 0, output: "" });
    const pushed = JSON.parse(ws.read('dist/services/api/container-image.json'));
    deployedImage = `${IMAGE}@${pushed.digest}`;
    expect(imageOf()).toBe(REAL_KUBECONFIG ? `${IMAGE}:${GOOD_TAG}` : deployedImage);
    expect(r.output).toContain('api deployed to staging');
    expect(r.output).not.toContain('e2e-db-Secret-pw-991');
    expect(ledger().map((x: { result: string }) => x.result)).toEqual(['succeeded']);
  });

  it('a bad image rolls back to the previous image and fails with the reason; the ledger records it as failed', async () => {
    setTag(BAD_TAG);
    const r = await ws.nxAsync(['run', 'api:deploy', '--env=staging', '--output-style=static'], env());
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/deployment\/api rolled back to revision 1/);
    expect(r.output).toMatch(/ImagePullBackOff|ErrImagePull/);
    expect(imageOf()).toBe(REAL_KUBECONFIG ? `${IMAGE}:${GOOD_TAG}` : deployedImage);
    expect(ledger().map((x: { result: string }) => x.result)).toEqual(['succeeded', 'failed']);
    expect(r.output).not.toContain('e2e-db-Secret-pw-991');
  });

  it('--image on the command line sets the image, over the images of project.json; kubectl reads it back', async () => {
    const r = await ws.nxAsync(['run', 'api:k8s-deploy', `--image=${IMAGE}:${NEXT_TAG}`, '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(await kubectlImage()).toBe(`${IMAGE}:${NEXT_TAG}`);
    expect(r.output).not.toContain('e2e-db-Secret-pw-991');
    // Repeated, Nx hands the executor a list: the same image twice with different tags is refused before anything runs.
    const twice = await ws.nxAsync(['run', 'api:k8s-deploy', `--image=${IMAGE}:${NEXT_TAG}`, `--image=${IMAGE}:9.9.9`], env());
    expect(twice.code).not.toBe(0);
    expect(twice.output).toContain(`Option "image": ${IMAGE} is given twice with different targets: "${IMAGE}:${NEXT_TAG}" (image) and "${IMAGE}:9.9.9" (image)`);
    const bare = await ws.nxAsync(['run', 'api:k8s-deploy', `--image=${IMAGE}`], env());
    expect(bare.output).toContain(`Option "image": "${IMAGE}" has no tag or digest. Write <name>:<tag> or <name>@sha256:<64 hex digits>`);
    expect(await kubectlImage()).toBe(`${IMAGE}:${NEXT_TAG}`);
  });

  it('--diff shows what would change, one line for a new image, and changes nothing', async () => {
    const digest = `sha256:${'5e'.repeat(32)}`;
    const r = await ws.nxAsync(['run', 'api:k8s-deploy', '--diff', `--images=${IMAGE}=${digest}`, '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(r.output).toContain('--- deployment.apps/api (namespace default) live');
    expect(r.output).toContain(`-        - image: ${IMAGE}:${NEXT_TAG}`);
    expect(r.output).toContain(`+        - image: ${IMAGE}@${digest}`);
    expect(r.output).toMatch(/secret\/api-db \(namespace default\) unchanged/);
    expect(r.output).toContain('diff: 1 changed, 2 unchanged, 0 new');
    expect(r.output).not.toContain('e2e-db-Secret-pw-991');
    expect(await kubectlImage()).toBe(`${IMAGE}:${NEXT_TAG}`);
  });

  it('a missing manifests folder is named', async () => {
    const r = await ws.nxAsync(['run', 'api:k8s-deploy', '--manifests=nope'], env());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "manifests"');
  });
});
