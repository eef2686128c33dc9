// A synthetic multi-platform base image (linux/amd64 + linux/arm64, one tiny rootfs layer each),
// written as an OCI layout and copied into the test registry with skopeo: base images cannot be
// pulled here (no internet). Its layers and documents are made with @shipfleet/container's own
// layer writer; the copy into the registry is skopeo's.
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildLayer, BuiltLayer, LayerEntry } from '../../packages/container/src/layer';
import { jsonBlob } from '../../packages/container/src/digest';
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST } from '../../packages/container/src/media-types';
import { writeOciLayout } from '../../packages/container/src/oci-layout';
import { skopeo, SkopeoAuth } from './skopeo';

export const BASE_PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];

/** Writes the base as an OCI layout in a new temp dir, tagged `tag`; `extraBytes` of random data per layer make it heavier. */
export async function writeSyntheticBase(tag: string, options: { extraBytes?: number } = {}): Promise<{ dir: string; layers: BuiltLayer[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-base-'));
  const manifests = [];
  const blobs = [];
  const layers: BuiltLayer[] = [];
  for (const p of BASE_PLATFORMS) {
    const root = join(dir, `rootfs-${p.architecture}`);
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'os-release'), `ID=shipfleet-test\nARCH=${p.architecture}\n`);
    const entries: LayerEntry[] = [
      { path: 'etc', type: 'directory' },
      { path: 'etc/os-release', type: 'file', source: join(root, 'etc', 'os-release'), size: statSync(join(root, 'etc', 'os-release')).size },
    ];
    if (options.extraBytes) {
      const big = join(root, 'base.bin');
      writeFileSync(big, require('crypto').randomBytes(options.extraBytes));
      entries.push({ path: 'opt', type: 'directory' }, { path: 'opt/base.bin', type: 'file', source: big, size: options.extraBytes });
    }
    const layer = await buildLayer(entries, join(dir, 'blobs'));
    layers.push(layer);
    const config = jsonBlob(OCI_CONFIG, {
      created: '1970-01-01T00:00:00Z',
      architecture: p.architecture,
      os: p.os,
      ...(p.variant ? { variant: p.variant } : {}),
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['node'], Entrypoint: ['docker-entrypoint.sh'] },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: 'synthetic test base' }],
    });
    const manifest = jsonBlob(OCI_MANIFEST, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size }, layers: [{ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.size }] });
    blobs.push({ digest: config.digest, bytes: config.bytes }, { digest: manifest.digest, bytes: manifest.bytes });
    manifests.push({ mediaType: OCI_MANIFEST, digest: manifest.digest, size: manifest.size, platform: p });
  }
  const index = jsonBlob(OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests });
  writeOciLayout(dir, index, tag, blobs);
  return { dir, layers };
}

/** The synthetic base in the registry as <host>/<repository>:<tag> (skopeo copy --all). */
export async function pushSyntheticBase(host: string, repository: string, tag: string, auth: SkopeoAuth): Promise<void> {
  const { dir } = await writeSyntheticBase(tag);
  await skopeo(['copy', '--all', '--dest-cert-dir', auth.certDir, '--dest-creds', auth.creds, `oci:${dir}:${tag}`, `docker://${host}/${repository}:${tag}`]);
}
