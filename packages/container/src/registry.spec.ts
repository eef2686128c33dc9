// Against a real registry (distribution 2.8, TLS, htpasswd or token auth), read back with skopeo and umoci.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Logger, runPlan } from '@shipfleet/core';
import { registryMissing, startRegistry, TestRegistry } from '../../../tools/oci-registry/server';
import { pushSyntheticBase } from '../../../tools/oci-registry/synthetic-base';
import { copyToOciLayout, inspectConfig, inspectRaw, SkopeoAuth, umociUnpack } from '../../../tools/oci-registry/skopeo';
import { sha256Digest } from './digest';
import { buildContainerPlan, ContainerPlanContext } from './plan';
import { ContainerOptions, resolveContainerOptions } from './options';

const missing = registryMissing();
const describeReal = missing ? describe.skip : describe;
if (missing) console.warn(`registry tests skipped: ${missing}`);

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
}

function makeApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-app-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'api', main: 'server.js' }));
  writeFileSync(join(dir, 'server.js'), 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT);\n');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'migrate'), '#!/bin/sh\necho migrate\n');
  chmodSync(join(dir, 'bin', 'migrate'), 0o700);
  writeFileSync(join(dir, '.env'), 'DATABASE_URL=postgres://do-not-ship\n');
  mkdirSync(join(dir, 'node_modules', 'dep', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'dep', 'index.js'), 'module.exports = 42;\n'.repeat(500));
  writeFileSync(join(dir, 'node_modules', 'dep', 'bin', 'dep'), '#!/usr/bin/env node\n');
  chmodSync(join(dir, 'node_modules', 'dep', 'bin', 'dep'), 0o755);
  mkdirSync(join(dir, 'node_modules', '.bin'));
  symlinkSync('../dep/bin/dep', join(dir, 'node_modules', '.bin', 'dep'));
  return dir;
}

interface Pushed {
  digest: string;
  lines: string[];
  uploaded: number;
  requests: TestRegistry['requests'];
  result: ReturnType<typeof buildContainerPlan>['result'];
}

describeReal('daemonless build pushed to a real registry (htpasswd, TLS)', () => {
  let registry: TestRegistry;
  let auth: SkopeoAuth;
  let user: string;
  let password: string;
  let app: string;
  let work: string;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    [[user, password]] = Object.entries(registry.users);
    auth = { certDir: registry.pki.certDir, creds: `${user}:${password}` };
    await pushSyntheticBase(registry.host, 'base/node', '20', auth);
    app = makeApp();
    work = mkdtempSync(join(tmpdir(), 'shipfleet-container-'));
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
  });

  const env = () => ({ REG_USER: user, REG_PASSWORD: password, HOME: work });
  // An empty Docker certs.d: what this machine has in /etc/docker/certs.d plays no part.
  const noCertsDir = () => mkdtempSync(join(tmpdir(), 'shipfleet-certs.d-'));
  async function push(extra: Partial<ContainerOptions> = {}, context: ContainerPlanContext = {}, dockerCertsDir = noCertsDir()): Promise<Pushed> {
    const resolved = resolveContainerOptions(
      { image: `${registry.host}/acme/api`, tags: ['1.0.0', 'latest'], engine: 'daemonless', appDir: app, baseImage: `${registry.host}/base/node:20`, usernameEnv: 'REG_USER', passwordEnv: 'REG_PASSWORD', source: 'https://github.com/acme/api', revision: '3f2c1ab', version: '1.0.0', outputPath: join(work, 'out'), caFile: registry.pki.caFile, ...extra },
      { workspaceRoot: work, projectRoot: app, dockerCertsDir },
      env(),
    );
    const { plan, result, secrets } = buildContainerPlan(resolved, { env: env(), retry: { delayMs: 10 }, ...context });
    const logger = capture();
    const mark = registry.requests.length;
    const report = await runPlan(plan, { logger, secrets, handleSignals: false, printSummary: true });
    if (report.status !== 'succeeded') throw new Error(`push failed: ${report.error}\n${logger.lines.join('\n')}`);
    return { digest: report.outputs.imageDigest, lines: logger.lines, uploaded: registry.uploadedBytesSince(mark), requests: registry.since(mark), result };
  }

  let first: Pushed;
  it('pushes an index with every platform of the base, mounting the base layers; skopeo reads it back', async () => {
    first = await push();
    expect(first.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const raw = await inspectRaw(`${registry.directHost}/acme/api:1.0.0`, auth);
    expect(sha256Digest(raw)).toBe(first.digest);
    const index = JSON.parse(raw);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64']);
    expect(sha256Digest(await inspectRaw(`${registry.directHost}/acme/api:latest`, auth))).toBe(first.digest);
    // Base layers came by cross-repository mount: no base byte was uploaded.
    const mounts = first.requests.filter((r) => r.method === 'POST' && r.path.includes('mount=') && r.status === 201);
    expect(mounts).toHaveLength(2);
    expect(first.result).toMatchObject({ push: { mounted: 2 }, platforms: ['linux/amd64', 'linux/arm64/v8'] });
    expect(first.result.baseDigest).toMatch(/^sha256:/);
    const uploadedBlobs = first.requests.filter((r) => r.method === 'PUT' && r.path.includes('digest=')).length;
    expect(uploadedBlobs).toBe(4); // dependencies, app, two configs
    expect(first.uploaded).toBe(first.result.layers.reduce((n, l) => n + l.size, 0) + first.requests.filter((r) => r.method === 'PUT' && r.path.includes('digest=') && !first.result.layers.some((l) => r.path.includes(encodeURIComponent(l.digest)))).reduce((n, r) => n + r.bytes, 0));
    // Bearer/Basic credentials never show.
    const all = first.lines.join('\n');
    expect(all).not.toContain(password);
    expect(all).not.toContain(Buffer.from(`${user}:${password}`).toString('base64'));
    expect(all).toContain(`imageDigest: ${first.digest}`);
  });

  it('the config has entrypoint, user, workdir, env, port and OCI labels; skopeo copy + umoci unpack show the files with owners and modes', async () => {
    const config = await inspectConfig(`${registry.directHost}/acme/api:1.0.0`, auth, 'arm64') as { architecture: string; config: Record<string, unknown>; created: string; rootfs: { diff_ids: string[] } };
    expect(config.architecture).toBe('arm64');
    expect(config.created).toBe('1970-01-01T00:00:00Z');
    expect(config.rootfs.diff_ids).toHaveLength(3);
    expect(config.config).toMatchObject({
      Entrypoint: ['node', 'server.js'],
      User: '1000:1000',
      WorkingDir: '/app',
      ExposedPorts: { '3000/tcp': {} },
      Labels: { 'org.opencontainers.image.source': 'https://github.com/acme/api', 'org.opencontainers.image.revision': '3f2c1ab', 'org.opencontainers.image.version': '1.0.0', 'org.opencontainers.image.created': '1970-01-01T00:00:00Z' },
    });
    expect(config.config.Cmd ?? null).toBeNull(); // a new entrypoint drops the base's Cmd
    expect(config.config.Env).toEqual(expect.arrayContaining(['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production', 'PORT=3000']));

    const layout = mkdtempSync(join(tmpdir(), 'shipfleet-readback-'));
    await copyToOciLayout(`${registry.directHost}/acme/api:1.0.0`, join(layout, 'oci'), 'arm64', auth, 'arm64');
    const bundle = join(layout, 'bundle');
    const { rootless } = await umociUnpack(join(layout, 'oci'), 'arm64', bundle);
    const rootfs = join(bundle, 'rootfs');
    expect(readFileSync(join(rootfs, 'etc/os-release'), 'utf8')).toContain('ARCH=arm64');
    expect(readFileSync(join(rootfs, 'app/server.js'), 'utf8')).toContain('createServer');
    expect(existsSync(join(rootfs, 'app/.env'))).toBe(false);
    const mode = (p: string) => statSync(join(rootfs, p)).mode & 0o7777;
    expect(mode('app/server.js')).toBe(0o644);
    expect(mode('app/bin/migrate')).toBe(0o755);
    expect(mode('app/node_modules/dep/bin/dep')).toBe(0o755);
    expect(mode('app')).toBe(0o755);
    expect(require('fs').readlinkSync(join(rootfs, 'app/node_modules/.bin/dep'))).toBe('../dep/bin/dep');
    if (!rootless) {
      expect([statSync(join(rootfs, 'app/server.js')).uid, statSync(join(rootfs, 'app/server.js')).gid]).toEqual([0, 0]);
      expect(statSync(join(rootfs, 'app/node_modules/dep/index.js')).uid).toBe(0);
    }
    const runtime = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    expect(runtime.process.args).toEqual(['node', 'server.js']);
    expect(runtime.process.cwd).toBe('/app');
    if (!rootless) expect([runtime.process.user.uid, runtime.process.user.gid]).toEqual([1000, 1000]);
  });

  it('the same input again: the same digest, and 0 blob bytes uploaded', async () => {
    const again = await push();
    expect(again.digest).toBe(first.digest);
    expect(again.uploaded).toBe(0);
    expect(again.requests.filter((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/')))).toHaveLength(0);
    expect(again.result.push).toMatchObject({ uploaded: 0, present: 6 });
  });

  it('without caFile the CA comes from Docker\'s certs.d/<host:port>/ca.crt; with neither the run stops naming caFile', async () => {
    const certsDir = noCertsDir();
    mkdirSync(join(certsDir, registry.host));
    writeFileSync(join(certsDir, registry.host, 'ca.crt'), registry.pki.caPem);
    const viaCertsD = await push({ caFile: undefined }, {}, certsDir);
    expect(viaCertsD.digest).toBe(first.digest);
    expect(viaCertsD.lines.join('\n')).not.toContain(password);

    const resolved = resolveContainerOptions({ image: `${registry.host}/acme/api`, engine: 'daemonless', appDir: app, baseImage: `${registry.host}/base/node:20`, usernameEnv: 'REG_USER', passwordEnv: 'REG_PASSWORD', outputPath: join(work, 'out-untrusted') }, { workspaceRoot: work, projectRoot: app, dockerCertsDir: noCertsDir() }, env());
    const { plan, secrets } = buildContainerPlan(resolved, { env: env() });
    const logger = capture();
    const report = await runPlan(plan, { logger, secrets, handleSignals: false });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/Option "caFile"/);
    expect(report.error).toMatch(/TLS certificate is signed by a CA that is not trusted here/);
    expect(logger.lines.join('\n')).not.toContain(password);
  });

  it('a one-file code change uploads only the app layer (and the two small configs)', async () => {
    writeFileSync(join(app, 'server.js'), 'require("http").createServer((q, s) => s.end("ok v2")).listen(process.env.PORT);\n');
    const changed = await push();
    expect(changed.digest).not.toBe(first.digest);
    const appLayer = changed.result.layers.find((l) => l.description === 'app')!;
    const depsLayer = changed.result.layers.find((l) => l.description.startsWith('dependencies'))!;
    expect(depsLayer.digest).toBe(first.result.layers.find((l) => l.description.startsWith('dependencies'))!.digest);
    const blobPuts = changed.requests.filter((r) => r.method === 'PUT' && r.path.includes('digest='));
    expect(blobPuts.some((r) => r.path.includes(encodeURIComponent(appLayer.digest)))).toBe(true);
    expect(blobPuts.some((r) => r.path.includes(encodeURIComponent(depsLayer.digest)))).toBe(false);
    expect(blobPuts).toHaveLength(3);
    const configBytes = blobPuts.filter((r) => !r.path.includes(encodeURIComponent(appLayer.digest))).reduce((n, r) => n + r.bytes, 0);
    expect(configBytes).toBeLessThan(4096);
    expect(changed.uploaded).toBe(appLayer.size + configBytes);
  });

  it('uploads in PATCH chunks (Content-Range) when a blob is larger than the chunk size', async () => {
    writeFileSync(join(app, 'big.js'), require('crypto').randomBytes(300_000).toString('base64'));
    const chunked = await push({ tags: ['chunked'] }, { chunkSize: 65_536 });
    const patches = chunked.requests.filter((r) => r.method === 'PATCH');
    const appLayer = chunked.result.layers.find((l) => l.description === 'app')!;
    expect(appLayer.size).toBeGreaterThan(3 * 65_536);
    expect(patches).toHaveLength(Math.ceil(appLayer.size / 65_536));
    expect(patches.reduce((n, r) => n + r.bytes, 0)).toBe(appLayer.size);
    expect(patches.every((r) => r.status === 202)).toBe(true);
    expect(sha256Digest(await inspectRaw(`${registry.directHost}/acme/api:chunked`, auth))).toBe(chunked.digest);
  });

  it('wrong credentials stop the run naming the option, without the password', async () => {
    const wrong = 'not-the-password-123';
    const resolved = resolveContainerOptions({ image: `${registry.host}/acme/api`, engine: 'daemonless', appDir: app, baseImage: `${registry.host}/base/node:20`, usernameEnv: 'U', passwordEnv: 'P', outputPath: join(work, 'out-wrong'), caFile: registry.pki.caFile }, { workspaceRoot: work, projectRoot: app }, { U: user, P: wrong });
    const { plan, secrets } = buildContainerPlan(resolved, { env: { HOME: work } });
    const logger = capture();
    const report = await runPlan(plan, { logger, secrets, handleSignals: false });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/Option "usernameEnv"/);
    expect(logger.lines.join('\n')).not.toContain(wrong);
  });
});

describeReal('token auth (a token server the registry trusts), credentials from the Docker config', () => {
  let registry: TestRegistry;
  let auth: SkopeoAuth;
  let work: string;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token' });
    const [[user, password]] = Object.entries(registry.users);
    auth = { certDir: registry.pki.certDir, creds: `${user}:${password}` };
    await pushSyntheticBase(registry.host, 'base/node', '20', auth);
    work = mkdtempSync(join(tmpdir(), 'shipfleet-container-token-'));
    mkdirSync(join(work, '.docker'));
    writeFileSync(join(work, '.docker', 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } }));
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('asks the token server for push on the target and pull on the mount source, and pushes', async () => {
    const app = makeApp();
    const env = { HOME: work };
    // The token server is on the registry's host (another port): the same CA applies to it.
    const resolved = resolveContainerOptions({ image: `${registry.host}/acme/web`, engine: 'daemonless', appDir: app, baseImage: `${registry.host}/base/node:20`, outputPath: join(work, 'out'), caFile: registry.pki.caFile }, { workspaceRoot: work, projectRoot: app }, env);
    const { plan, secrets, result } = buildContainerPlan(resolved, { env });
    const logger = capture();
    const report = await runPlan(plan, { logger, secrets, handleSignals: false });
    expect(report.status).toBe('succeeded');
    expect(result.push?.mounted).toBe(2);
    const scopes = registry.tokenServer!.requests.flatMap((r) => r.scopes);
    expect(scopes).toEqual(expect.arrayContaining(['repository:acme/web:pull,push', 'repository:base/node:pull']));
    expect(registry.tokenServer!.requests.every((r) => r.account === Object.keys(registry.users)[0] && !r.refused)).toBe(true);
    expect(sha256Digest(await inspectRaw(`${registry.directHost}/acme/web:latest`, auth))).toBe(report.outputs.imageDigest);
    const all = logger.lines.join('\n');
    expect(all).toContain(`credentials from ${join(work, '.docker', 'config.json')} auths`);
    expect(all).not.toContain(Object.values(registry.users)[0]);
  });
});
