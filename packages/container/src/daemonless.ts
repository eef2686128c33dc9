// The daemonless build: base resolved and pinned, app layers written, one image per platform of
// the base assembled, an OCI layout written, then pushed over the Distribution API.
import { rmSync } from 'fs';
import { join } from 'path';
import { formatBytes } from '@shipfleet/core';
import { collectAppFiles } from './app-files';
import { AppLayer, assembleImage, AssembledImage, BaseImage, ConfigChanges, platformString } from './image';
import { buildLayer } from './layer';
import { writeOciLayout } from './oci-layout';
import { NormalizedContainerOptions } from './options';

export interface BuiltApp {
  layers: AppLayer[];
  excluded: string[];
}

/** Writes the app layers into <outputPath>/layout/blobs. */
export async function buildAppLayers(o: NormalizedContainerOptions, log: (line: string) => void = () => undefined): Promise<BuiltApp> {
  const d = o.daemonless!;
  const blobDir = join(o.outputPath, 'layout', 'blobs');
  const files = collectAppFiles(d.appDir, d.workdir, { splitDependencies: d.kind === 'service', exclude: d.exclude });
  const layers: AppLayer[] = [];
  const options = { mtime: o.sourceDateEpoch };
  if (files.dependencies.length) layers.push({ layer: await buildLayer(files.dependencies, blobDir, options), description: 'dependencies (node_modules)' });
  layers.push({ layer: await buildLayer(files.app, blobDir, options), description: d.kind === 'service' ? 'app' : 'static site' });
  for (const l of layers) log(`${l.description}: ${l.layer.entries} entries, ${formatBytes(l.layer.contentBytes)} → ${l.layer.digest} (${formatBytes(l.layer.size)} gzip)`);
  if (files.excluded.length) log(`left out: ${files.excluded.slice(0, 10).join(', ')}${files.excluded.length > 10 ? ` and ${files.excluded.length - 10} more` : ''}`);
  return { layers, excluded: files.excluded };
}

export function configChanges(o: NormalizedContainerOptions): ConfigChanges {
  const d = o.daemonless!;
  return { created: o.sourceDateEpoch, entrypoint: d.entrypoint, cmd: d.cmd, env: d.env, workdir: d.workdir, user: d.user, ports: [d.port], labels: o.labels };
}

/** The image for every platform of the base, and an OCI layout of it in <outputPath>/layout (tag: the first tag). */
export function assembleAndWriteLayout(o: NormalizedContainerOptions, base: BaseImage, app: BuiltApp, log: (line: string) => void = () => undefined): AssembledImage {
  const image = assembleImage(base, app.layers, configChanges(o));
  const layout = join(o.outputPath, 'layout');
  rmSync(join(layout, 'index.json'), { force: true });
  writeOciLayout(layout, image.index, o.tags[0], image.images.flatMap((i) => [{ digest: i.config.digest, bytes: i.config.bytes }, { digest: i.manifest.digest, bytes: i.manifest.bytes }]));
  for (const i of image.images) log(`${platformString(i.platform)}: manifest ${i.manifest.digest}`);
  log(`index ${image.index.digest}`);
  return image;
}
