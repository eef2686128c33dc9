// The image model: descriptors, platforms, and the config/manifest/index documents the OCI image
// spec defines, assembled for every platform of a base image.
import { Digest, jsonBlob, JsonBlob } from './digest';
import { BuiltLayer } from './layer';
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST } from './media-types';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** The parts of an image config (OCI image spec, config.md) this builder reads and writes. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, object>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string>;
    StopSignal?: string;
    Volumes?: Record<string, object>;
  };
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** One platform of the base: its manifest's layers and its config. */
export interface BasePlatform {
  platform: Platform;
  manifestDigest: Digest;
  layers: Descriptor[];
  config: ImageConfig;
}

export interface BaseImage {
  /** registry/repository as resolved (docker.io/library/node). */
  registry: string;
  repository: string;
  /** The name as written in the options. */
  name: string;
  /** The digest the tag pointed at when resolved (an index, or a single manifest). */
  digest: Digest;
  platforms: BasePlatform[];
}

/** What the builder sets on top of the base's config. Undefined leaves the base's value. */
export interface ConfigChanges {
  /** Seconds since the epoch: `created` of the config and of the new history entries. */
  created: number;
  entrypoint?: string[];
  cmd?: string[];
  /** Added to (or replacing by name) the base's Env. */
  env: Record<string, string>;
  workdir?: string;
  user?: string;
  /** e.g. 8080: exposed as 8080/tcp. */
  ports: number[];
  labels: Record<string, string>;
}

export interface AppLayer {
  layer: BuiltLayer;
  /** Shown in the config's history: "dependencies (node_modules)", "app". */
  description: string;
}

export interface PlatformImage {
  platform: Platform;
  config: JsonBlob;
  manifest: JsonBlob;
  /** The base's layers this manifest lists (blobs that stay in the base's repository until pushed). */
  baseLayers: Descriptor[];
}

export interface AssembledImage {
  index: JsonBlob;
  images: PlatformImage[];
  layers: AppLayer[];
  base: BaseImage;
}

const isoTime = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');

function mergeEnv(base: string[] = [], changes: Record<string, string>): string[] {
  const out = base.filter((line) => !(line.split('=')[0] in changes));
  for (const [k, v] of Object.entries(changes)) out.push(`${k}=${v}`);
  return out;
}

export function imageConfig(base: ImageConfig, layers: AppLayer[], c: ConfigChanges): ImageConfig {
  const created = isoTime(c.created);
  const b = base.config ?? {};
  const ports: Record<string, object> = { ...(b.ExposedPorts ?? {}) };
  for (const p of c.ports) ports[`${p}/tcp`] = {};
  const entrypointChanged = c.entrypoint !== undefined;
  const config: NonNullable<ImageConfig['config']> = {
    ...b,
    Env: mergeEnv(b.Env, c.env),
    // As in a Dockerfile, a new ENTRYPOINT drops the base's CMD.
    Entrypoint: c.entrypoint ?? b.Entrypoint ?? null,
    Cmd: c.cmd ?? (entrypointChanged ? null : b.Cmd ?? null),
    WorkingDir: c.workdir ?? b.WorkingDir,
    User: c.user ?? b.User,
    Labels: { ...(b.Labels ?? {}), ...c.labels },
  };
  if (Object.keys(ports).length) config.ExposedPorts = ports;
  for (const key of Object.keys(config) as Array<keyof typeof config>) if (config[key] === undefined) delete config[key];
  const out: ImageConfig = {
    created,
    architecture: base.architecture,
    os: base.os,
    ...(base.variant ? { variant: base.variant } : {}),
    ...(base['os.version'] ? { 'os.version': base['os.version'] } : {}),
    config,
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, ...layers.map((l) => l.layer.diffId)] },
    history: [...(base.history ?? []), ...layers.map((l) => ({ created, created_by: `shipfleet container: ${l.description}`, comment: 'shipfleet' }))],
  };
  return out;
}

/** An OCI manifest and index per platform of the base: the same app layers on each (JS is the same on every architecture). */
export function assembleImage(base: BaseImage, layers: AppLayer[], changes: ConfigChanges, annotations: Record<string, string> = {}): AssembledImage {
  const images: PlatformImage[] = base.platforms.map((bp) => {
    const config = jsonBlob(OCI_CONFIG, imageConfig(bp.config, layers, changes));
    const manifest = jsonBlob(OCI_MANIFEST, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
      layers: [...bp.layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })), ...layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.layer.digest, size: l.layer.size }))],
      annotations: { 'org.opencontainers.image.base.name': `${base.registry}/${base.repository}`, 'org.opencontainers.image.base.digest': bp.manifestDigest, ...annotations },
    });
    return { platform: bp.platform, config, manifest, baseLayers: bp.layers };
  });
  const index = jsonBlob(OCI_INDEX, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((i) => ({ mediaType: OCI_MANIFEST, digest: i.manifest.digest, size: i.manifest.size, platform: i.platform })),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  });
  return { index, images, layers, base };
}
