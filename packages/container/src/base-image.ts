// Resolves a base image: its tag to a digest (pinned), and every platform's manifest and config.
// Reads OCI and Docker v2 schema 2 manifests and indexes (manifest lists).
import { UserError } from '@shipfleet/core';
import { Digest, sha256Digest } from './digest';
import { BaseImage, BasePlatform, Descriptor, ImageConfig, Platform, platformString } from './image';
import { DOCKER_FOREIGN_LAYER, INDEX_TYPES, MANIFEST_TYPES, ociLayerType } from './media-types';
import { ImageReference } from './reference';
import { RegistryClient } from './registry-client';

interface ManifestDoc {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

const parse = (bytes: Buffer): ManifestDoc => JSON.parse(bytes.toString('utf8')) as ManifestDoc;

/** linux/amd64 matches linux/amd64 and linux/amd64/v1; linux/arm64 matches linux/arm64/v8. */
export function platformMatches(p: Platform, wanted: string): boolean {
  const [os, arch, variant] = wanted.split('/');
  return p.os === os && p.architecture === arch && (!variant || p.variant === variant);
}

async function platformOf(client: RegistryClient, repository: string, digest: Digest, known: Platform | undefined): Promise<BasePlatform> {
  const m = await client.getManifest(repository, digest);
  const doc = parse(m.bytes);
  if (!MANIFEST_TYPES.includes(m.mediaType) || !doc.config || !Array.isArray(doc.layers)) throw new Error(`${repository}@${digest} is not an image manifest (${m.mediaType})`);
  const configBytes = await client.getBlob(repository, doc.config.digest, doc.config.size);
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  if (doc.layers.some((l) => l.mediaType === DOCKER_FOREIGN_LAYER)) throw new UserError('baseImage', `${repository}@${digest} has foreign (Windows) layers`, 'Use a Linux base image');
  if (config.rootfs?.diff_ids?.length !== doc.layers.length) throw new Error(`${repository}@${digest}: its config lists ${config.rootfs?.diff_ids?.length} layers and its manifest ${doc.layers.length}`);
  const platform: Platform = known ?? { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  return {
    platform,
    manifestDigest: m.digest,
    layers: doc.layers.map((l) => ({ mediaType: ociLayerType(l.mediaType), digest: l.digest, size: l.size })),
    config,
  };
}

/**
 * Every platform of the base (attestation entries, os "unknown", left out), or those named in
 * `platforms`. A single-platform base (a manifest, not an index) gives one.
 */
export async function resolveBaseImage(client: RegistryClient, ref: ImageReference, name: string, platforms?: string[]): Promise<BaseImage> {
  const top = await client.getManifest(ref.repository, ref.digest ?? ref.tag!);
  const doc = parse(top.bytes);
  let resolved: BasePlatform[];
  if (INDEX_TYPES.includes(top.mediaType) || Array.isArray(doc.manifests)) {
    const entries = (doc.manifests ?? []).filter((d) => d.platform && d.platform.os !== 'unknown' && MANIFEST_TYPES.includes(d.mediaType));
    const chosen = platforms?.length ? entries.filter((d) => platforms.some((p) => platformMatches(d.platform!, p))) : entries;
    const missing = (platforms ?? []).filter((p) => !entries.some((d) => platformMatches(d.platform!, p)));
    if (missing.length) throw new UserError('platforms', `the base image ${name} has no ${missing.join(', ')} (it has ${entries.map((d) => platformString(d.platform!)).join(', ')})`, 'Leave platforms out to build for every platform of the base, or pick a base that has them');
    resolved = [];
    for (const d of chosen) resolved.push(await platformOf(client, ref.repository, d.digest, d.platform));
  } else {
    const single = await platformOf(client, ref.repository, top.digest, undefined);
    if (platforms?.length && !platforms.some((p) => platformMatches(single.platform, p))) {
      throw new UserError('platforms', `the base image ${name} is ${platformString(single.platform)} only`, 'Leave platforms out, or pick a multi-platform base');
    }
    resolved = [single];
  }
  if (!resolved.length) throw new UserError('baseImage', `${name} lists no image for any platform`, 'Pick another base image');
  return { registry: ref.registry, repository: ref.repository, name, digest: top.digest ?? sha256Digest(top.bytes), platforms: resolved };
}
