// Pushes an assembled image: each blob the repository lacks (HEAD first), mounted from the base's
// repository when both are on one registry, else uploaded; then one manifest per platform (by
// digest) and the index under each tag. An unchanged image sends no blob byte.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { formatBytes, Progress } from '@shipfleet/core';
import { Digest, digestHex } from './digest';
import { AssembledImage } from './image';
import { BlobSource, bufferBlobSource, fileBlobSource, RegistryClient } from './registry-client';

export interface PushTarget {
  registry: string;
  repository: string;
  tags: string[];
}

export interface PushOptions {
  /** The base image's registry (the same client as the target's when both are one registry). */
  baseClient: RegistryClient;
  /** Local blobs (layers) are here; base blobs copied across registries are kept here too. */
  blobDir: string;
  /** Blobs sent at once (default 4). */
  concurrency?: number;
  log?: (line: string) => void;
  /** Called once the bytes to send are known (after the HEADs): the caller starts its progress. */
  startProgress?: (totalBytes: number, blobs: number) => Progress | undefined;
}

export interface PushResult {
  /** The index's digest, as the registry answered it. */
  digest: Digest;
  manifests: Digest[];
  blobs: { present: number; mounted: number; uploaded: number; bytes: number };
}

type Origin = { kind: 'local'; source: BlobSource } | { kind: 'base'; size: number };

interface PendingBlob {
  digest: Digest;
  size: number;
  origin: Origin;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

export async function pushImage(client: RegistryClient, target: PushTarget, image: AssembledImage, o: PushOptions): Promise<PushResult> {
  const log = o.log ?? (() => undefined);
  const blobs = new Map<Digest, PendingBlob>();
  for (const l of image.layers) blobs.set(l.layer.digest, { digest: l.layer.digest, size: l.layer.size, origin: { kind: 'local', source: fileBlobSource(l.layer.path, l.layer.digest, l.layer.size) } });
  for (const p of image.images) {
    blobs.set(p.config.digest, { digest: p.config.digest, size: p.config.size, origin: { kind: 'local', source: bufferBlobSource(p.config.bytes, p.config.digest) } });
    for (const b of p.baseLayers) if (!blobs.has(b.digest)) blobs.set(b.digest, { digest: b.digest, size: b.size, origin: { kind: 'base', size: b.size } });
  }
  const concurrency = o.concurrency ?? 4;
  const result: PushResult = { digest: '', manifests: [], blobs: { present: 0, mounted: 0, uploaded: 0, bytes: 0 } };

  const missing: PendingBlob[] = [];
  await pool([...blobs.values()], 8, async (b) => {
    if (await client.hasBlob(target.repository, b.digest)) {
      result.blobs.present++;
      client.stats.blobsPresent++;
    } else {
      missing.push(b);
    }
  });
  // Deterministic order for logs: largest first also keeps the parallel uploads busy.
  missing.sort((a, b) => b.size - a.size || a.digest.localeCompare(b.digest));
  const sameRegistry = o.baseClient.registry === client.registry;
  const base = image.base;
  const mountable = sameRegistry && base.repository !== target.repository;
  const toSend = missing.filter((b) => !(b.origin.kind === 'base' && mountable));
  const progress = o.startProgress?.(toSend.reduce((n, b) => n + b.size, 0), toSend.length);
  let sent = 0;
  const onBytes = (n: number) => {
    sent += n;
    progress?.update(sent, `${result.blobs.uploaded}/${toSend.length} blobs`);
  };

  /** A base blob's bytes, fetched once into the blob dir. */
  const baseSource = async (b: PendingBlob): Promise<BlobSource> => {
    const path = join(o.blobDir, 'sha256', digestHex(b.digest));
    if (!existsSync(path)) {
      const bytes = await o.baseClient.getBlob(base.repository, b.digest, b.size);
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    }
    return fileBlobSource(path, b.digest, b.size);
  };

  try {
    await pool(missing, concurrency, async (b) => {
      let location: string | undefined;
      if (b.origin.kind === 'base' && mountable) {
        const m = await client.mountBlob(target.repository, b.digest, base.repository);
        if (m.mounted) {
          result.blobs.mounted++;
          client.stats.blobsMounted++;
          log(`mounted ${b.digest} (${formatBytes(b.size)}) from ${base.repository}`);
          return;
        }
        location = m.location;
        log(`${client.registry} did not mount ${b.digest} from ${base.repository}: uploading it`);
      }
      const source = b.origin.kind === 'local' ? b.origin.source : await baseSource(b);
      await client.uploadBlob(target.repository, source, { location, onBytes });
      result.blobs.uploaded++;
      result.blobs.bytes += b.size;
      progress?.update(sent, `${result.blobs.uploaded}/${toSend.length} blobs`);
    });
  } finally {
    progress?.end(`${result.blobs.uploaded} blobs sent, ${result.blobs.present} already there, ${result.blobs.mounted} mounted`);
  }

  for (const p of image.images) result.manifests.push(await client.putManifest(target.repository, p.manifest.digest, p.manifest));
  for (const tag of target.tags) {
    const digest = await client.putManifest(target.repository, tag, image.index);
    if (digest !== image.index.digest) throw new Error(`${client.registry} stored the index under ${tag} as ${digest}, not ${image.index.digest}`);
    result.digest = digest;
  }
  if (!target.tags.length) result.digest = await client.putManifest(target.repository, image.index.digest, image.index);
  return result;
}
