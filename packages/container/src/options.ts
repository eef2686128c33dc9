import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  durationOption,
  envNameOption,
  integerOption,
  isPlainObject,
  oneOfOption,
  pathOption,
  patternOption,
  plainObjectOption,
  positiveIntegerOption,
  requiredOption,
  secretFromEnv,
  stringListOption,
  UserError,
} from '@shipfleet/core';
import { checkBuildArgs, looksSecret } from './build-args';
import { ImageReference, isLoopbackRegistry, parseImageReference } from './reference';
import { readCaFile, RegistryCa, registryCa } from './registry-ca';

export type ContainerEngine = 'docker' | 'podman' | 'buildah' | 'daemonless';
export type AppKind = 'service' | 'static';

/** Options as a user writes them. Paths are relative to the workspace root. */
export interface ContainerOptions {
  /** Where the image goes, without tag: ghcr.io/acme/api, 127.0.0.1:5000/api. */
  image?: string;
  /** Tags pushed (default ["latest"]). */
  tags?: string[];
  /** auto (default): the engine `docker` when a Dockerfile is there, else daemonless. */
  engine?: 'auto' | ContainerEngine;
  /** Dockerfile engines: the build context (default: the project root). */
  context?: string;
  /** Dockerfile engines: default <context>/Dockerfile. */
  dockerfile?: string;
  /** Dockerfile engines: the stage to build. */
  target?: string;
  /** Dockerfile engines: --build-arg NAME=value; none may hold a secret. */
  buildArgs?: Record<string, string>;
  /** Dockerfile engines: secret id → name of the variable that holds it (--secret id=<id>,env=<NAME>). */
  buildSecrets?: Record<string, string>;
  /** Dockerfile engines: registry cache ref (default <image>:buildcache); false: no cache. */
  cacheRef?: string | false;
  /** daemonless: service (a Node app, default) or static (a built site served by nginx). */
  kind?: AppKind;
  /** daemonless: the folder whose files go into the image (default: the project root). */
  appDir?: string;
  /** daemonless: the base (default docker.io/library/node:20-slim for a service, docker.io/nginxinc/nginx-unprivileged:alpine for a static site). */
  baseImage?: string;
  entrypoint?: string[];
  cmd?: string[];
  /** Environment of the image (not secret: it is in the image config). */
  env?: Record<string, string>;
  /** Where the app goes (default /app; static: /usr/share/nginx/html). */
  workdir?: string;
  /** default 1000:1000 (service: the node user of the official images), 101:101 (static: nginx). */
  user?: string;
  /** default 3000 (service; also set as PORT), 8080 (static). */
  port?: number;
  /** More files to leave out (globs, .dockerignore style). */
  exclude?: string[];
  /** Dockerfile engines: default linux/amd64 and linux/arm64. daemonless: default every platform of the base. */
  platforms?: string[];
  labels?: Record<string, string>;
  /** org.opencontainers.image.source, .revision, .version. */
  source?: string;
  revision?: string;
  version?: string;
  /** Time of every file and of `created`, seconds since the epoch (default $SOURCE_DATE_EPOCH, else 0). */
  sourceDateEpoch?: number;
  /** Names of the variables holding the registry user and password (or token). Default: the Docker config. */
  usernameEnv?: string;
  passwordEnv?: string;
  /** A Docker config.json (default $DOCKER_CONFIG/config.json or ~/.docker/config.json). */
  dockerConfig?: string;
  /** Registries spoken to over plain http (loopback ones may be without being listed). */
  insecureRegistries?: string[];
  /**
   * daemonless: a PEM file of the CA that signed the registry's TLS certificate, trusted besides the
   * public CAs for the image's registry host (a base image or token service on that host included).
   * Default: /etc/docker/certs.d/<host[:port]>/ca.crt of each registry, when it exists (as Docker).
   */
  caFile?: string;
  /** Work folder: layers, the OCI layout, metadata files (default tmp/container/<repository>). */
  outputPath?: string;
  /** Blobs uploaded at once (default 4). */
  concurrency?: number;
  /** Per registry request (default 30s). */
  timeout?: string | number;
}

export interface NormalizedContainerOptions {
  engine: ContainerEngine;
  image: ImageReference;
  /** registry/repository as written, normalised (docker.io/library/x). */
  imageName: string;
  tags: string[];
  platforms?: string[];
  labels: Record<string, string>;
  sourceDateEpoch: number;
  usernameEnv?: string;
  passwordEnv?: string;
  dockerConfig?: string;
  insecureRegistries: string[];
  /** daemonless: registry (host[:port] as in the references) → the CA its certificate is checked against, besides the public ones. */
  registryCas: Record<string, RegistryCa>;
  outputPath: string;
  concurrency: number;
  timeoutMs: number;
  dockerfile?: { context: string; dockerfile: string; target?: string; buildArgs: Record<string, string>; buildSecrets: Record<string, string>; cacheRef?: string };
  daemonless?: {
    kind: AppKind;
    appDir: string;
    baseImage: ImageReference;
    baseImageName: string;
    entrypoint?: string[];
    cmd?: string[];
    env: Record<string, string>;
    workdir: string;
    user: string;
    port: number;
    exclude: string[];
  };
}

export interface ResolvedContainerOptions {
  options: NormalizedContainerOptions;
  /** The registry password (value of passwordEnv), when given. */
  credentials?: { username: string; password: string; source: string };
  /** Values to mask in every output of the run. */
  secrets: string[];
}

/** What container-image uses for an option left out (stated in its schema's descriptions: a schema default would clash between the engines' options). */
export const CONTAINER_IMAGE_DEFAULTS = { engine: 'auto', kind: 'service', concurrency: 4, timeout: '30s' } as const;

export const DEFAULT_BASE_IMAGES: Record<AppKind, string> = {
  service: 'docker.io/library/node:20-slim',
  static: 'docker.io/nginxinc/nginx-unprivileged:alpine',
};
const DEFAULT_USER: Record<AppKind, string> = { service: '1000:1000', static: '101:101' };
const DEFAULT_PORT: Record<AppKind, number> = { service: 3000, static: 8080 };
const DEFAULT_WORKDIR: Record<AppKind, string> = { service: '/app', static: '/usr/share/nginx/html' };
export const DEFAULT_DOCKERFILE_PLATFORMS = ['linux/amd64', 'linux/arm64'];

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const USER = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/;

function stringMap(option: string, value: unknown, key: RegExp, example: string): Record<string, string> {
  const obj = plainObjectOption(option, value, { example }) ?? {};
  for (const [k, v] of Object.entries(obj)) {
    if (!key.test(k)) throw new UserError(option, `"${k}" is not a valid name`, `Example: "${option}": ${example}`);
    if (typeof v !== 'string') throw new UserError(option, `the value of "${k}" must be a string`, `Example: "${option}": ${example}`);
  }
  return obj as Record<string, string>;
}

function reference(option: string, value: string): ImageReference {
  try {
    return parseImageReference(value);
  } catch (err) {
    throw new UserError(option, (err as Error).message, 'Example: ghcr.io/acme/api');
  }
}

/** The entrypoint of a Node service: package.json "main", else server.js or index.js. */
function defaultEntrypoint(appDir: string): string[] | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { main?: unknown };
    if (typeof pkg.main === 'string' && pkg.main) return ['node', pkg.main];
  } catch {
    // no package.json, or not JSON: look for the usual files
  }
  for (const f of ['server.js', 'index.js', 'main.js', 'dist/main.js']) if (existsSync(join(appDir, f))) return ['node', f];
  return undefined;
}

/**
 * Validates the options of a container build and push; each problem is a UserError naming the
 * option. A dry run without the password variable set shows it as missing (with a warning).
 */
export function resolveContainerOptions(given: Partial<ContainerOptions>, ctx: { workspaceRoot: string; projectRoot: string; projectName?: string; dockerCertsDir?: string }, env: NodeJS.ProcessEnv = process.env, warn: (message: string) => void = () => {}, dryRun = false): ResolvedContainerOptions {
  if (!isPlainObject(given)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"image": "ghcr.io/acme/api"}');
  const raw = given as Record<string, unknown>;
  const imageText = requiredOption('image', raw.image === '' ? undefined : (raw.image as string | undefined), 'Give the image to push, without tag, e.g. "image": "ghcr.io/acme/api"');
  if (typeof imageText !== 'string') throw new UserError('image', 'must be a string', 'Example: "image": "ghcr.io/acme/api"');
  const image = reference('image', imageText);
  if (image.digest || /:[^/]*$/.test(imageText.replace(/^[^/]*\//, ''))) throw new UserError('image', `"${imageText}" has a tag or digest`, 'Give the repository alone and the tags in "tags", e.g. "image": "ghcr.io/acme/api", "tags": ["1.2.3"]');
  const imageName = `${image.registry}/${image.repository}`;
  const tags = stringListOption('tags', raw.tags, { example: '1.2.3', pattern: TAG, what: 'a tag (letters, digits, _ . -, at most 128)', items: 'tags' }) ?? ['latest'];
  if (!tags.length) throw new UserError('tags', 'is empty', 'Give at least one tag, e.g. ["1.2.3", "latest"]');

  const root = ctx.workspaceRoot;
  const path = (option: string, v: unknown, mustExist?: 'file' | 'dir') => pathOption(option, v, { workspaceRoot: root, projectRoot: ctx.projectRoot, mustExist, warn });
  const projectRoot = path('projectRoot', ctx.projectRoot)!;
  const engineOption = oneOfOption('engine', raw.engine, ['auto', 'docker', 'podman', 'buildah', 'daemonless'] as const, { fix: 'Use auto (default), docker, podman, buildah or daemonless' }) ?? 'auto';
  const context = path('context', raw.context, 'dir') ?? projectRoot;
  const dockerfilePath = path('dockerfile', raw.dockerfile) ?? join(context, 'Dockerfile');
  const engine: ContainerEngine = engineOption === 'auto' ? (existsSync(dockerfilePath) ? 'docker' : 'daemonless') : engineOption;

  const platforms = stringListOption('platforms', raw.platforms, { example: 'linux/arm64', pattern: PLATFORM, what: 'a platform (os/arch[/variant])', items: 'platforms' });
  const labels = stringMap('labels', raw.labels, LABEL_KEY, '{"org.opencontainers.image.title": "api"}');
  const source = typeof raw.source === 'string' && raw.source ? raw.source : undefined;
  const revision = patternOption('revision', raw.revision, { pattern: /^[A-Za-z0-9._/-]{1,100}$/, what: 'a revision (a commit hash)', example: '3f2c1ab' });
  const version = patternOption('version', raw.version, { pattern: /^[A-Za-z0-9._+-]{1,128}$/, what: 'a version', example: '1.2.3' });
  const epochEnv = env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH) ? Number(env.SOURCE_DATE_EPOCH) : undefined;
  const sourceDateEpoch = integerOption('sourceDateEpoch', raw.sourceDateEpoch, { min: 0, unit: 'seconds since 1970' }) ?? epochEnv ?? 0;
  const oci: Record<string, string> = {};
  if (source) oci['org.opencontainers.image.source'] = source;
  if (revision) oci['org.opencontainers.image.revision'] = revision;
  if (version) oci['org.opencontainers.image.version'] = version;
  oci['org.opencontainers.image.created'] = new Date(sourceDateEpoch * 1000).toISOString().replace(/\.000Z$/, 'Z');

  const usernameEnv = envNameOption('usernameEnv', raw.usernameEnv, { what: 'the registry user name' });
  const passwordEnv = envNameOption('passwordEnv', raw.passwordEnv, { what: 'the registry password or token' });
  if (!!usernameEnv !== !!passwordEnv) throw new UserError(usernameEnv ? 'passwordEnv' : 'usernameEnv', 'is needed with the other one', 'Give both usernameEnv and passwordEnv, or neither (the Docker config is used then)');
  let credentials: ResolvedContainerOptions['credentials'];
  const secrets: string[] = [];
  if (usernameEnv && passwordEnv) {
    const username = env[usernameEnv];
    const missing = dryRun && (!env[passwordEnv] || !username);
    if (missing) warn(`Dry run without registry credentials: ${!username ? usernameEnv : passwordEnv} is not set; a real run stops here`);
    else {
      if (!username) throw new UserError('usernameEnv', `environment variable ${usernameEnv} is not set`, `Set ${usernameEnv} to the registry user name`);
      const password = secretFromEnv('passwordEnv', passwordEnv, { env, what: 'the registry password or token' })!.text;
      credentials = { username, password, source: `$${usernameEnv}/$${passwordEnv}` };
      secrets.push(password);
    }
  }
  const dockerConfig = path('dockerConfig', raw.dockerConfig, 'file');
  const insecureRegistries = stringListOption('insecureRegistries', raw.insecureRegistries, { example: 'registry.internal:5000', pattern: /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-f:]+\](:\d+)?$/i, what: 'a registry host[:port]' }) ?? [];
  if (insecureRegistries.includes(image.registry) && !isLoopbackRegistry(image.registry)) warn(`${image.registry} is in insecureRegistries: credentials and the image travel in clear text`);
  const outputPath = path('outputPath', raw.outputPath) ?? join(root, 'tmp', 'container', image.repository.replace(/\//g, '-'));
  const concurrency = positiveIntegerOption('concurrency', raw.concurrency, { max: 16 }) ?? 4;
  const timeoutMs = durationOption('timeout', raw.timeout, { min: 1000 }) ?? 30_000;

  const out: NormalizedContainerOptions = { engine, image, imageName, tags, platforms, labels: { ...oci, ...labels }, sourceDateEpoch, usernameEnv, passwordEnv, dockerConfig, insecureRegistries, registryCas: {}, outputPath, concurrency, timeoutMs };

  if (engine === 'daemonless') {
    for (const o of ['buildArgs', 'buildSecrets', 'target', 'cacheRef'] as const) if (raw[o] !== undefined) throw new UserError(o, 'applies to Dockerfile builds only', existsSync(dockerfilePath) ? 'Remove it, or set engine to docker, podman or buildah' : `Remove it, or add ${dockerfilePath}`);
    const kind = oneOfOption('kind', raw.kind, ['service', 'static'] as const, { fix: 'Use service (a Node app) or static (a built site)' }) ?? 'service';
    const appDir = path('appDir', raw.appDir, 'dir') ?? projectRoot;
    const baseImageName = typeof raw.baseImage === 'string' && raw.baseImage ? raw.baseImage : DEFAULT_BASE_IMAGES[kind];
    const baseImage = reference('baseImage', baseImageName);
    const list = (option: string, v: unknown) => stringListOption(option, v, { example: 'node', items: 'arguments' });
    const entrypoint = list('entrypoint', raw.entrypoint) ?? (kind === 'service' ? defaultEntrypoint(appDir) : undefined);
    if (kind === 'service' && !entrypoint) throw new UserError('entrypoint', `no entrypoint given and ${appDir} has no package.json "main", server.js or index.js`, 'Give it, e.g. "entrypoint": ["node", "dist/main.js"]');
    const imageEnv = stringMap('env', raw.env, ENV_NAME, '{"LOG_LEVEL": "info"}');
    const secretLike = Object.keys(imageEnv).find(looksSecret);
    if (secretLike) throw new UserError('env', `"${secretLike}" looks like a secret, and the image config (with its env) is readable by anyone who can pull the image`, 'Give secrets to the running container (a Kubernetes Secret, the platform\'s secret store), not to the image');
    const port = integerOption('port', raw.port, { min: 1, max: 65535 }) ?? DEFAULT_PORT[kind];
    const workdir = patternOption('workdir', raw.workdir, { pattern: /^\/[A-Za-z0-9._/-]*$/, what: 'an absolute path in the image', example: '/app' }) ?? DEFAULT_WORKDIR[kind];
    if (workdir === '/') throw new UserError('workdir', 'is /', 'Use a folder of its own, e.g. /app');
    const user = patternOption('user', raw.user, { pattern: USER, what: 'a user[:group]', example: '1000:1000' }) ?? DEFAULT_USER[kind];
    const exclude = stringListOption('exclude', raw.exclude, { example: 'test/**' }) ?? [];
    const defaultEnv: Record<string, string> = kind === 'service' ? { NODE_ENV: 'production', PORT: String(port) } : {};
    out.daemonless = { kind, appDir, baseImage, baseImageName, entrypoint, cmd: list('cmd', raw.cmd), env: { ...defaultEnv, ...imageEnv }, workdir, user, port, exclude };
    const caPath = path('caFile', raw.caFile, 'file');
    const caFile = caPath ? readCaFile(caPath, 'caFile') : undefined;
    for (const registry of new Set([image.registry, baseImage.registry])) {
      const ca = registryCa(registry, { caFile, imageRegistry: image.registry, certsDir: ctx.dockerCertsDir });
      if (ca) out.registryCas[registry] = ca;
    }
  } else {
    if (raw.caFile !== undefined) throw new UserError('caFile', `applies to daemonless builds only (the engine here is ${engine}, from ${dockerfilePath})`, `Give the CA to ${engine} itself (docker: /etc/docker/certs.d/<host[:port]>/ca.crt; podman, buildah: /etc/containers/certs.d/<host[:port]>/ca.crt), or set engine to daemonless`);
    for (const o of ['kind', 'appDir', 'baseImage', 'entrypoint', 'cmd', 'env', 'workdir', 'user', 'port', 'exclude'] as const) if (raw[o] !== undefined) throw new UserError(o, `applies to daemonless builds only (the engine here is ${engine}, from ${dockerfilePath})`, 'Set it in the Dockerfile, or set engine to daemonless');
    if (!existsSync(dockerfilePath)) throw new UserError('dockerfile', `${dockerfilePath} does not exist`, 'Point dockerfile at it, or set engine to daemonless to build without one');
    const buildArgs = stringMap('buildArgs', raw.buildArgs, ENV_NAME, '{"NODE_VERSION": "20"}');
    const buildSecrets = stringMap('buildSecrets', raw.buildSecrets, /^[A-Za-z0-9_.-]+$/, '{"npm": "NPM_TOKEN"}');
    const secretVars: Record<string, string | undefined> = {};
    for (const [id, name] of Object.entries(buildSecrets)) {
      envNameOption('buildSecrets', name, { what: `the secret "${id}"` });
      const value = env[name];
      if (!value && !dryRun) throw new UserError('buildSecrets', `environment variable ${name} (secret "${id}") is not set`, `Set ${name} in the environment of this run`);
      if (!value) warn(`Dry run without build secret "${id}": ${name} is not set; a real run stops here`);
      else secrets.push(secretFromEnv('buildSecrets', name, { env, what: `the build secret "${id}"` })!.text);
      secretVars[name] = value;
    }
    if (passwordEnv) secretVars[passwordEnv] = env[passwordEnv];
    checkBuildArgs(buildArgs, secretVars);
    const cacheRef = raw.cacheRef === false ? undefined : typeof raw.cacheRef === 'string' ? (reference('cacheRef', raw.cacheRef), raw.cacheRef) : `${imageName}:buildcache`;
    const target = patternOption('target', raw.target, { pattern: /^[A-Za-z0-9_.-]+$/, what: 'a stage name', example: 'runtime' });
    out.platforms = platforms ?? DEFAULT_DOCKERFILE_PLATFORMS;
    out.dockerfile = { context, dockerfile: dockerfilePath, target, buildArgs, buildSecrets, cacheRef };
  }
  return { options: out, credentials, secrets };
}
