// Dockerfile engines through the docker/podman/buildah stand-ins, which record argv; each flag is
// checked against the engines' documented usage (docker buildx build, podman build / manifest push,
// buildah bud / manifest push).
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { formatPlan, Logger, Redactor, runPlan, thrownUserError } from '@shipfleet/core';
import { buildContainerPlan } from './plan';
import { ContainerOptions, resolveContainerOptions } from './options';

const standIns = resolve(__dirname, '../../../tools/stand-ins/bin');
const NPM_TOKEN = 'npm_secretTokenValue_0123456789';
const saved = { ...process.env };
let dir: string;
let log: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipfleet-dockerfile-'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20-slim\nRUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci\n');
  log = join(dir, 'calls.jsonl');
  Object.assign(process.env, { PATH: `${standIns}:${saved.PATH}`, SHIPFLEET_STANDIN_LOG: log, NPM_TOKEN });
});
afterEach(() => {
  process.env = { ...saved };
});

const quiet = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
};
const calls = () => readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tool: string; argv: string[]; env: Record<string, string> });
const resolveIn = (o: Partial<ContainerOptions>, env: NodeJS.ProcessEnv = process.env, dryRun = false) =>
  resolveContainerOptions({ image: 'ghcr.io/acme/api', tags: ['1.2.3', 'latest'], source: 'https://github.com/acme/api', revision: 'abc1234', version: '1.2.3', sourceDateEpoch: 1700000000, buildSecrets: { npm: 'NPM_TOKEN' }, buildArgs: { NODE_VERSION: '20' }, outputPath: join(dir, 'out'), ...o }, { workspaceRoot: dir, projectRoot: dir }, env, () => undefined, dryRun);

/** The value following each occurrence of `flag`. */
const values = (argv: string[], flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));

describe('docker buildx build', () => {
  it('builds both platforms and pushes with tags, OCI labels, registry cache, a secret by env, and reads the digest from --metadata-file', async () => {
    const resolved = resolveIn({});
    expect(resolved.options.engine).toBe('docker');
    const { plan, result, secrets } = buildContainerPlan(resolved);
    const logger = quiet();
    const report = await runPlan(plan, { logger, secrets, handleSignals: false });
    expect(report.status).toBe('succeeded');
    const [call] = calls();
    expect(call.tool).toBe('docker');
    const a = call.argv;
    expect(a.slice(0, 2)).toEqual(['buildx', 'build']);
    expect(values(a, '--platform')).toEqual(['linux/amd64,linux/arm64']);
    expect(a).toContain('--push');
    expect(values(a, '--tag')).toEqual(['ghcr.io/acme/api:1.2.3', 'ghcr.io/acme/api:latest']);
    expect(values(a, '--label')).toEqual([
      'org.opencontainers.image.source=https://github.com/acme/api',
      'org.opencontainers.image.revision=abc1234',
      'org.opencontainers.image.version=1.2.3',
      'org.opencontainers.image.created=2023-11-14T22:13:20Z',
    ]);
    expect(values(a, '--cache-from')).toEqual(['type=registry,ref=ghcr.io/acme/api:buildcache']);
    expect(values(a, '--cache-to')).toEqual(['type=registry,ref=ghcr.io/acme/api:buildcache,mode=max']);
    expect(values(a, '--secret')).toEqual(['id=npm,env=NPM_TOKEN']);
    expect(values(a, '--build-arg')).toEqual(['NODE_VERSION=20']);
    expect(values(a, '--file')).toEqual([join(dir, 'Dockerfile')]);
    expect(values(a, '--metadata-file')).toEqual([join(dir, 'out', 'buildx-metadata.json')]);
    expect(a[a.length - 1]).toBe(dir);
    // The secret reaches docker through its environment only (secretEnv), never argv.
    expect(call.env.NPM_TOKEN).toBe(NPM_TOKEN);
    expect(a.join(' ')).not.toContain(NPM_TOKEN);
    const metadata = JSON.parse(readFileSync(join(dir, 'out', 'buildx-metadata.json'), 'utf8'));
    expect(result.digest).toBe(metadata['containerimage.digest']);
    expect(report.outputs.image).toBe(`ghcr.io/acme/api@${metadata['containerimage.digest']}`);
    expect(logger.lines.join('\n')).not.toContain(NPM_TOKEN);
  });

  it('the dry run shows the command and runs nothing; a missing secret is a warning there', () => {
    const warnings: string[] = [];
    const resolved = resolveContainerOptions({ image: 'ghcr.io/acme/api', buildSecrets: { npm: 'UNSET_TOKEN_VAR' }, outputPath: join(dir, 'out') }, { workspaceRoot: dir, projectRoot: dir }, {}, (w) => warnings.push(w), true);
    const text = formatPlan(buildContainerPlan(resolved).plan, new Redactor([]));
    expect(text).toContain('docker buildx build --platform linux/amd64,linux/arm64');
    expect(text).toContain('--secret id=npm,env=UNSET_TOKEN_VAR');
    expect(warnings.join('\n')).toMatch(/UNSET_TOKEN_VAR is not set/);
    expect(() => readFileSync(log)).toThrow();
  });

  it('refuses build args that look secret or carry a secret, saying why', () => {
    const byName = thrownUserError(() => resolveIn({ buildArgs: { NPM_TOKEN: 'x' } }));
    expect(byName.option).toBe('buildArgs');
    expect(byName.message).toMatch(/image history/);
    expect(byName.message).toMatch(/buildSecrets/);
    expect(thrownUserError(() => resolveIn({ buildArgs: { GITHUB_PASSWORD: 'x' } })).option).toBe('buildArgs');
    const byRef = thrownUserError(() => resolveIn({ buildArgs: { REGISTRY_AUTH: 'x' } }));
    expect(byRef.option).toBe('buildArgs');
    const byValue = thrownUserError(() => resolveIn({ buildArgs: { NPMRC: `//registry.npmjs.org/:_authToken=${NPM_TOKEN}` } }));
    expect(byValue.message).toMatch(/holds the value of \$NPM_TOKEN/);
    expect(byValue.message).not.toContain(NPM_TOKEN);
    expect(thrownUserError(() => resolveIn({ buildArgs: { NPMRC: '${NPM_TOKEN}' } })).message).toMatch(/refers to \$NPM_TOKEN/);
    expect(resolveIn({ buildArgs: { KEYBOARD_LAYOUT: 'us', NODE_ENV: 'production' } }).options.dockerfile!.buildArgs).toEqual({ KEYBOARD_LAYOUT: 'us', NODE_ENV: 'production' });
  });

  it('cacheRef false leaves the cache flags out; platforms and target are passed', async () => {
    const { plan, secrets } = buildContainerPlan(resolveIn({ cacheRef: false, platforms: ['linux/arm64'], target: 'runtime', buildArgs: {} }));
    await runPlan(plan, { logger: quiet(), secrets, handleSignals: false });
    const a = calls()[0].argv;
    expect(a).not.toContain('--cache-from');
    expect(a).not.toContain('--cache-to');
    expect(values(a, '--platform')).toEqual(['linux/arm64']);
    expect(values(a, '--target')).toEqual(['runtime']);
  });
});

describe.each(['podman', 'buildah'] as const)('%s', (engine) => {
  it('builds a manifest list for both platforms, pushes it with --all per tag, reads --digestfile, and removes the list', async () => {
    const { plan, result, secrets } = buildContainerPlan(resolveIn({ engine }));
    const report = await runPlan(plan, { logger: quiet(), secrets, handleSignals: false });
    expect(report.status).toBe('succeeded');
    const c = calls();
    expect(c.map((x) => x.tool)).toEqual([engine, engine, engine, engine]);
    const build = c[0].argv;
    expect(build[0]).toBe(engine === 'podman' ? 'build' : 'bud');
    expect(values(build, '--platform')).toEqual(['linux/amd64,linux/arm64']);
    const list = values(build, '--manifest')[0];
    expect(list).toBe('localhost/shipfleet-acme-api:build');
    expect(values(build, '--secret')).toEqual(['id=npm,env=NPM_TOKEN']);
    expect(build).toContain('--layers');
    expect(values(build, '--cache-from')).toEqual(['ghcr.io/acme/api']);
    expect(values(build, '--cache-to')).toEqual(['ghcr.io/acme/api']);
    expect(values(build, '--label')).toContain('org.opencontainers.image.revision=abc1234');
    expect(c[0].env.NPM_TOKEN).toBe(NPM_TOKEN);
    expect(c[1].argv).toEqual(['manifest', 'push', '--all', '--digestfile', join(dir, 'out', `${engine}-digest`), list, 'docker://ghcr.io/acme/api:1.2.3']);
    expect(c[2].argv[c[2].argv.length - 1]).toBe('docker://ghcr.io/acme/api:latest');
    expect(c[3].argv).toEqual(['manifest', 'rm', list]);
    expect(result.digest).toBe(readFileSync(join(dir, 'out', `${engine}-digest`), 'utf8'));
    // The push steps do not get the build secret.
    expect(c[1].env.NPM_TOKEN).toBeUndefined();
  });
});

describe('options', () => {
  it('picks daemonless without a Dockerfile, and refuses Dockerfile-only options there', () => {
    const appDir = mkdtempSync(join(tmpdir(), 'shipfleet-nodockerfile-'));
    writeFileSync(join(appDir, 'index.js'), '');
    const ctx = { workspaceRoot: appDir, projectRoot: appDir };
    const r = resolveContainerOptions({ image: 'ghcr.io/acme/api' }, ctx, {});
    expect(r.options.engine).toBe('daemonless');
    expect(r.options.daemonless).toMatchObject({ kind: 'service', entrypoint: ['node', 'index.js'], user: '1000:1000', port: 3000, workdir: '/app' });
    expect(r.options.daemonless!.baseImage).toMatchObject({ registry: 'docker.io', repository: 'library/node', tag: '20-slim' });
    expect(resolveContainerOptions({ image: 'ghcr.io/acme/web', kind: 'static' }, ctx, {}).options.daemonless).toMatchObject({ user: '101:101', port: 8080, workdir: '/usr/share/nginx/html', baseImageName: 'docker.io/nginxinc/nginx-unprivileged:alpine' });
    expect(thrownUserError(() => resolveContainerOptions({ image: 'ghcr.io/acme/api', buildArgs: { A: 'b' } }, ctx, {})).option).toBe('buildArgs');
    expect(thrownUserError(() => resolveContainerOptions({ image: 'ghcr.io/acme/api:1.0' }, ctx, {})).option).toBe('image');
    expect(thrownUserError(() => resolveContainerOptions({ image: 'ghcr.io/acme/api', env: { DB_PASSWORD: 'x' } }, ctx, {})).option).toBe('env');
    expect(thrownUserError(() => resolveContainerOptions({ image: 'ghcr.io/acme/api', usernameEnv: 'U' }, ctx, {})).option).toBe('passwordEnv');
    expect(thrownUserError(() => resolveContainerOptions({ image: 'ghcr.io/acme/api', usernameEnv: 'U', passwordEnv: 'P' }, ctx, { U: 'me', P: 'short' })).option).toBe('passwordEnv');
  });
});
