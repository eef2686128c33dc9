// container-image through the real nx CLI: a daemonless Node service pushed to a real registry
// (Debian's docker-registry, htpasswd behind TLS), read back with skopeo; the generated service's
// Dockerfile built through the docker stand-in; the pushed digest handed to k8s-deploy in `deploy`.
import { readFileSync } from 'fs';
import { SampleWorkspace } from '../tools/sample-workspace';
import { K8sApi, startK8sApi } from '../tools/k8s-api/server';
import { registryMissing, startRegistry, TestRegistry } from '../tools/oci-registry/server';
import { inspectRaw, SkopeoAuth } from '../tools/oci-registry/skopeo';
import { pushSyntheticBase } from '../tools/oci-registry/synthetic-base';

const missing = registryMissing();
const describeReal = missing ? describe.skip : describe;
if (missing) console.warn(`container e2e skipped: ${missing}`);

describeReal('container-image through the real nx CLI', () => {
  let ws: SampleWorkspace;
  let registry: TestRegistry;
  let k8s: K8sApi;
  let auth: SkopeoAuth;
  let user: string;
  let password: string;
  const env = () => ({ REG_USER: user, REG_PASSWORD: password, KUBECONFIG: k8s.kubeconfigPath, SHIPFLEET_STANDIN_LOG: ws.path('calls.jsonl') });
  const record = (project: string) => JSON.parse(readFileSync(ws.path(`dist/${project}/container-image.json`), 'utf8'));

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    [[user, password]] = Object.entries(registry.users);
    auth = { certDir: registry.pki.certDir, creds: `${user}:${password}` };
    await pushSyntheticBase(registry.host, 'base/node', '20', auth);
    k8s = await startK8sApi({ port: 0 });
    ws = new SampleWorkspace('container');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    expect(ws.nx(['g', '@shipfleet/nx:k8s-service', 'api', `--image=${registry.host}/acme/api`, '--appVersion=1.0.0', '--replicas=1']).code).toBe(0);
    // A Node service without a Dockerfile: built daemonless onto the (synthetic, two-platform) base.
    ws.write('services/web/package.json', JSON.stringify({ name: 'web', version: '2.1.0', main: 'server.js' }, null, 2));
    ws.write('services/web/server.js', 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT);\n');
    ws.write('services/web/node_modules/dep/index.js', 'module.exports = 42;\n');
    ws.write(
      'services/web/project.json',
      JSON.stringify(
        {
          name: 'web',
          root: 'services/web',
          targets: {
            'container-image': {
              executor: '@shipfleet/nx:container-image',
              options: { image: `${registry.host}/acme/web`, baseImage: `${registry.host}/base/node:20`, usernameEnv: 'REG_USER', passwordEnv: 'REG_PASSWORD', sourceDateEpoch: 1700000000, caFile: registry.pki.caFile },
            },
          },
        },
        null,
        2,
      ),
    );
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'services');
  }, 180_000);
  afterAll(async () => {
    await registry?.stop();
    await k8s?.close();
  });

  it('infers container-image for the generated service and chains it before k8s-deploy', () => {
    const show = ws.nx(['show', 'project', 'api', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['container-image']).toMatchObject({ executor: '@shipfleet/nx:container-image', cache: false, options: { image: `${registry.host}/acme/api` } });
    expect(project.targets.deploy.options).toEqual({ targets: ['container-image', 'k8s-deploy'] });
  });

  it('--dry-run shows the plan and pushes nothing', async () => {
    const mark = registry.requests.length;
    const r = await ws.nxAsync(['run', 'web:container-image', '--dry-run'], env());
    expect(r.code).toBe(0);
    expect(r.output).toContain(`Resolve base image ${registry.host}/base/node:20`);
    expect(r.output).toContain('Dry run: nothing was executed.');
    expect(registry.requests.length).toBe(mark);
  });

  it('pushes a daemonless image for every platform of the base; the password is never printed', async () => {
    const r = await ws.nxAsync(['run', 'web:container-image', '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    expect(r.output).not.toContain(password);
    const pushed = record('services/web');
    expect(pushed).toMatchObject({ name: `${registry.host}/acme/web`, tags: ['2.1.0', 'latest'], digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/) });
    // Read back independently: the tag resolves to the recorded digest, an index of both base platforms.
    const index = JSON.parse(await inspectRaw(`${registry.directHost}/acme/web:2.1.0`, auth));
    expect(index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64']);
    const { createHash } = await import('crypto');
    expect(`sha256:${createHash('sha256').update(await inspectRaw(`${registry.directHost}/acme/web:2.1.0`, auth)).digest('hex')}`).toBe(pushed.digest);
  });

  it('pushing the same inputs again uploads no blob bytes and gives the same digest', async () => {
    const before = record('services/web').digest;
    const mark = registry.requests.length;
    const r = await ws.nxAsync(['run', 'web:container-image', '--output-style=static'], env());
    expect(r.code).toBe(0);
    expect(registry.uploadedBytesSince(mark)).toBe(0);
    expect(record('services/web').digest).toBe(before);
  });

  it('names a bad option and what to do', async () => {
    const r = await ws.nxAsync(['run', 'web:container-image', '--image=Registry.Example.com/API:1.0'], env());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('Option "image"');
    const wrong = await ws.nxAsync(['run', 'web:container-image', '--buildArgs.NPM_TOKEN=x'], env());
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain('Option "buildArgs": applies to Dockerfile builds only');
  });

  it('deploy builds the Dockerfile (docker buildx, stand-in) and k8s-deploy runs the pushed digest', async () => {
    const r = await ws.nxAsync(['run', 'api:deploy', '--env=staging', '--output-style=static'], env());
    expect({ code: r.code, output: r.code ? r.output : '' }).toEqual({ code: 0, output: '' });
    const calls = readFileSync(ws.path('calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((c) => c.tool === 'docker');
    const argv: string[] = calls[calls.length - 1].argv;
    expect(argv.slice(0, 2)).toEqual(['buildx', 'build']);
    expect(argv).toEqual(expect.arrayContaining(['--platform', 'linux/amd64,linux/arm64', '--push', '--tag', `${registry.host}/acme/api:1.0.0`]));
    const pushed = record('services/api');
    expect(k8s.get('Deployment', 'default', 'api')?.spec.template.spec.containers[0].image).toBe(`${registry.host}/acme/api@${pushed.digest}`);
    expect(r.output).toContain(`${registry.host}/acme/api → ${pushed.digest}`);
  });
});
