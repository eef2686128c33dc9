import { join } from 'path';
import { mkdirSync } from 'fs';
import { Plan, Redactor, RetryPolicy, Step, startProgress, taskStep, TaskContext } from '@shipfleet/core';
import { resolveBaseImage } from './base-image';
import { BuiltApp, buildAppLayers, assembleAndWriteLayout } from './daemonless';
import { credentialsFromDockerConfig, dockerConfigPath, readDockerConfig, RegistryCredentials } from './docker-config';
import { dockerfileSteps, DockerfileRun } from './dockerfile-engine';
import { AssembledImage, BaseImage, platformString } from './image';
import { ResolvedContainerOptions } from './options';
import { pushImage, PushResult } from './push';
import { formatReference } from './reference';
import { emptyRegistryStats, RegistryClient, RegistryStats } from './registry-client';

export interface ContainerPlanContext {
  /** For the Docker config's location ($DOCKER_CONFIG, $HOME). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Retry tuning of registry requests (tests, benchmarks). */
  retry?: Partial<RetryPolicy>;
  /** Upload chunk size (default 64 MiB). */
  chunkSize?: number;
}

/** Filled in while the plan runs. */
export interface ContainerRunResult {
  engine: string;
  /** registry/repository. */
  image: string;
  tags: string[];
  /** The pushed index (or, for a Dockerfile engine, what it reported). */
  digest?: string;
  /** daemonless: the base as written, and the digest it was pinned to. */
  baseImage?: string;
  baseDigest?: string;
  platforms: string[];
  /** daemonless: the app layers. */
  layers: Array<{ description: string; digest: string; size: number }>;
  push?: PushResult['blobs'];
  stats: RegistryStats;
}

export interface ContainerPlanResult {
  plan: Plan;
  result: ContainerRunResult;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

interface State {
  base?: BaseImage;
  app?: BuiltApp;
  image?: AssembledImage;
  clients: Map<string, RegistryClient>;
}

/**
 * The plan of a container build and push. With a Dockerfile: the engine's commands as argv.
 * Without (daemonless): tasks that resolve the base, write the layers, assemble and push.
 */
export function buildContainerPlan(resolved: ResolvedContainerOptions, context: ContainerPlanContext = {}): ContainerPlanResult {
  const o = resolved.options;
  const env = context.env ?? process.env;
  const redactor = new Redactor(resolved.secrets);
  const stats = emptyRegistryStats();
  const result: ContainerRunResult = { engine: o.engine, image: o.imageName, tags: o.tags, platforms: o.platforms ?? [], layers: [], stats };
  const refs = o.tags.map((t) => `${o.imageName}:${t}`);
  const prepare = taskStep(`Prepare ${o.outputPath}`, 'creates the work folder (layers, OCI layout, metadata files)', () => { mkdirSync(o.outputPath, { recursive: true }); });

  if (o.engine !== 'daemonless') {
    const run: DockerfileRun = {};
    const steps = [prepare, ...dockerfileSteps(o, run)];
    const last = steps[steps.length - 1];
    if (last.kind === 'task') {
      const read = last.run;
      last.run = async (ctx) => {
        await read(ctx);
        result.digest = run.digest;
      };
    }
    return { plan: { title: `Build ${o.dockerfile!.dockerfile} with ${o.engine} and push ${refs.join(', ')}`, steps, outputs: { outputPath: o.outputPath } }, result, secrets: resolved.secrets };
  }

  const d = o.daemonless!;
  const state: State = { clients: new Map() };
  const configPath = o.dockerConfig ?? dockerConfigPath(env);

  /** One client per registry for the run; credentials from the options (target registry) or the Docker config. */
  const clientFor = async (registry: string, ctx: TaskContext, scopes: string[]): Promise<RegistryClient> => {
    const existing = state.clients.get(registry);
    if (existing) {
      existing.addScopes(scopes);
      return existing;
    }
    let credentials: RegistryCredentials | undefined;
    if (resolved.credentials && registry === o.image.registry) credentials = resolved.credentials;
    else {
      const config = readDockerConfig(configPath);
      credentials = config ? await credentialsFromDockerConfig(config, registry) : undefined;
      for (const v of [credentials?.password, credentials?.identityToken]) {
        // A value too short to mask is still never printed; the runner refuses to take it as a mask.
        if (v) try { ctx.addSecret(v); } catch { /* too short to mask */ }
      }
    }
    ctx.log(`${registry}: ${credentials ? `credentials from ${credentials.source}` : 'anonymous'}`);
    const client = new RegistryClient({
      registry, credentials, insecureRegistries: o.insecureRegistries, ca: o.registryCas[registry]?.pem, caSource: o.registryCas[registry]?.file, scopes, retry: context.retry, timeoutMs: o.timeoutMs, chunkSize: context.chunkSize,
      signal: ctx.signal, stats, log: (l) => ctx.log(redactor.redact(l)),
      addSecret: (v) => { try { ctx.addSecret(v); } catch { /* too short to mask */ } },
    });
    state.clients.set(registry, client);
    return client;
  };
  const pull = (repo: string) => `repository:${repo}:pull`;
  const pushScope = `repository:${o.image.repository}:pull,push`;
  const sameRegistry = d.baseImage.registry === o.image.registry;
  const tls = (registry: string) => (o.registryCas[registry] ? `; TLS certificate checked against the CA in ${o.registryCas[registry].file} besides the public ones` : '');

  const steps: Step[] = [
    prepare,
    taskStep(
      `Resolve base image ${d.baseImageName}`,
      `GET /v2/${d.baseImage.repository}/manifests/${d.baseImage.digest ?? d.baseImage.tag} on ${d.baseImage.registry} (OCI or Docker index), then the manifest and config of ${o.platforms?.length ? o.platforms.join(', ') : 'every platform it lists'}; the base is pinned to the digest it resolves to${tls(d.baseImage.registry)}`,
      async (ctx) => {
        const client = await clientFor(d.baseImage.registry, ctx, sameRegistry ? [pushScope, pull(d.baseImage.repository)] : [pull(d.baseImage.repository)]);
        state.base = await resolveBaseImage(client, d.baseImage, d.baseImageName, o.platforms);
        result.baseImage = d.baseImageName;
        result.baseDigest = state.base.digest;
        result.platforms = state.base.platforms.map((p) => platformString(p.platform));
        const pinned = formatReference({ ...d.baseImage, digest: state.base.digest });
        ctx.log(`${pinned}: ${result.platforms.join(', ')}`);
        ctx.setOutput('baseImage', pinned);
      },
    ),
    taskStep(
      d.kind === 'service' ? 'Write the dependencies and app layers' : 'Write the site layer',
      `${d.appDir} → ${d.workdir} in the image${d.kind === 'service' ? ': node_modules in one layer, the rest in another (a code change re-uploads only the app layer)' : ''}; tar entries sorted, mtime ${o.sourceDateEpoch} (${o.sourceDateEpoch === 0 ? '1970-01-01, no SOURCE_DATE_EPOCH' : 'SOURCE_DATE_EPOCH'}), owner 0:0, modes 0644/0755, gzip without name or time; left out: .git, .env*, and the exclude option's globs`,
      async (ctx) => {
        state.app = await buildAppLayers(o, ctx.log);
        result.layers = state.app.layers.map((l) => ({ description: l.description, digest: l.layer.digest, size: l.layer.size }));
      },
    ),
    taskStep(
      'Assemble the image for every platform of the base',
      `one config and manifest per platform (entrypoint ${JSON.stringify(d.entrypoint ?? 'of the base')}, user ${d.user}, workdir ${d.workdir}, port ${d.port}/tcp, labels ${Object.keys(o.labels).join(', ')}), an OCI index over them, and an OCI layout in ${join(o.outputPath, 'layout')}`,
      (ctx) => {
        state.image = assembleAndWriteLayout(o, state.base!, state.app!, ctx.log);
      },
    ),
    taskStep(
      `Push ${refs.join(', ')}`,
      `HEAD each blob on ${o.image.registry}/${o.image.repository} and send only the missing ones (${sameRegistry ? `base layers mounted from ${d.baseImage.repository}` : `base layers copied from ${d.baseImage.registry}`}; uploads in one PUT, or PATCH chunks, ${o.concurrency} at a time), then each platform's manifest and the index under ${o.tags.join(', ')}; the registry's Docker-Content-Digest is checked against the local sha256. Credentials: ${o.usernameEnv ? `$${o.usernameEnv}/$${o.passwordEnv}` : `the Docker config (${configPath})`}${tls(o.image.registry)}`,
      async (ctx) => {
        const client = await clientFor(o.image.registry, ctx, [pushScope, ...(sameRegistry ? [pull(d.baseImage.repository)] : [])]);
        const baseClient = state.clients.get(d.baseImage.registry)!;
        const pushed = await pushImage(client, { registry: o.image.registry, repository: o.image.repository, tags: o.tags }, state.image!, {
          baseClient,
          blobDir: join(o.outputPath, 'layout', 'blobs'),
          concurrency: o.concurrency,
          log: ctx.log,
          startProgress: (total, blobs) => (blobs ? startProgress(ctx.log, { label: `uploading ${blobs} blob${blobs === 1 ? '' : 's'}`, total, signal: ctx.signal }) : undefined),
        });
        result.digest = pushed.digest;
        result.push = pushed.blobs;
        ctx.log(`pushed ${o.imageName}@${pushed.digest}: ${pushed.blobs.uploaded} blobs uploaded (${pushed.blobs.bytes} bytes), ${pushed.blobs.present} already there, ${pushed.blobs.mounted} mounted`);
        ctx.setOutput('imageDigest', pushed.digest);
        ctx.setOutput('image', `${o.imageName}@${pushed.digest}`);
      },
    ),
  ];
  return { plan: { title: `Build ${d.appDir} (${d.kind}) on ${d.baseImageName} and push ${refs.join(', ')}`, steps, outputs: { outputPath: o.outputPath, layout: join(o.outputPath, 'layout') } }, result, secrets: resolved.secrets };
}
