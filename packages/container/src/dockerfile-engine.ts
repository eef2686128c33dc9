// Dockerfile builds with the user's engine, as argv:
//   docker buildx build --platform a,b --push -t … --label … --secret id=…,env=… --cache-from/--cache-to type=registry,…
//     --metadata-file <f> (its "containerimage.digest" is the pushed digest)
//   podman build / buildah bud --platform a,b --manifest <list> … then `<tool> manifest push --all --digestfile <f> <list> docker://<ref>` per tag
import { join } from 'path';
import { readFileSync } from 'fs';
import { cleanupStep, runStep, Step, taskStep } from '@shipfleet/core';
import { NormalizedContainerOptions } from './options';
import { isDigest } from './digest';

export interface DockerfileRun {
  /** The pushed digest, once read. */
  digest?: string;
}

function commonFlags(o: NormalizedContainerOptions): string[] {
  const d = o.dockerfile!;
  return [
    '--platform', o.platforms!.join(','),
    ...Object.entries(o.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...Object.entries(d.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    ...Object.entries(d.buildSecrets).flatMap(([id, name]) => ['--secret', `id=${id},env=${name}`]),
    ...(d.target ? ['--target', d.target] : []),
    '--file', d.dockerfile,
  ];
}

/** Reads the digest the engine wrote; a missing or malformed one fails the step. */
export function readPushedDigest(file: string, engine: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    throw new Error(`${engine} wrote no ${file}: the push did not happen`);
  }
  let digest = text;
  if (text.startsWith('{')) digest = String((JSON.parse(text) as Record<string, unknown>)['containerimage.digest'] ?? '');
  if (!isDigest(digest)) throw new Error(`${file} holds no image digest (got ${JSON.stringify(digest.slice(0, 80))})`);
  return digest;
}

export function dockerfileSteps(o: NormalizedContainerOptions, run: DockerfileRun): Step[] {
  const d = o.dockerfile!;
  const refs = o.tags.map((t) => `${o.imageName}:${t}`);
  const secretEnv = Object.values(d.buildSecrets);
  const digestStep = (file: string, engine: string) =>
    taskStep('Read the pushed digest', `reads ${file}, which ${engine} wrote after the push`, (ctx) => {
      run.digest = readPushedDigest(file, engine);
      ctx.log(`pushed ${o.imageName}@${run.digest} (${refs.join(', ')})`);
      ctx.setOutput('imageDigest', run.digest);
      ctx.setOutput('image', `${o.imageName}@${run.digest}`);
    });

  if (o.engine === 'docker') {
    const metadata = join(o.outputPath, 'buildx-metadata.json');
    const cache = d.cacheRef ? ['--cache-from', `type=registry,ref=${d.cacheRef}`, '--cache-to', `type=registry,ref=${d.cacheRef},mode=max`] : [];
    return [
      runStep(`docker buildx build and push ${refs.join(', ')}`, 'docker', ['buildx', 'build', ...commonFlags(o), '--push', ...refs.flatMap((r) => ['--tag', r]), ...cache, '--metadata-file', metadata, d.context], { secretEnv, cwd: d.context }),
      digestStep(metadata, 'docker buildx'),
    ];
  }
  // podman and buildah: a manifest list in local storage, then pushed with every platform.
  const tool = o.engine;
  const list = `localhost/shipfleet-${o.image.repository.replace(/\//g, '-')}:build`;
  const digestFile = join(o.outputPath, `${tool}-digest`);
  // --cache-from/--cache-to take a repository (no tag) and need --layers.
  const cacheRepo = d.cacheRef ? d.cacheRef.replace(/:[^/]*$/, '') : undefined;
  const cache = cacheRepo ? ['--layers', '--cache-from', cacheRepo, '--cache-to', cacheRepo] : [];
  const build = tool === 'podman' ? ['build'] : ['bud'];
  return [
    cleanupStep(`Remove the local manifest list ${list}`, { kind: 'run', file: tool, args: ['manifest', 'rm', list], okExitCodes: [0, 1, 125] }),
    runStep(`${tool} ${build[0]} for ${o.platforms!.join(', ')}`, tool, [...build, ...commonFlags(o), '--manifest', list, ...cache, d.context], { secretEnv, cwd: d.context }),
    ...refs.map((ref) => runStep(`${tool} manifest push ${ref}`, tool, ['manifest', 'push', '--all', '--digestfile', digestFile, list, `docker://${ref}`])),
    digestStep(digestFile, `${tool} manifest push`),
  ];
}
