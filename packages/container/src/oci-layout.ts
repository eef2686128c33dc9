// An OCI image layout (image-layout.md): oci-layout, index.json, blobs/sha256/<hex>. The builder
// writes one beside its layers so the image can be inspected or copied (skopeo copy oci:<dir>:<tag>).
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { digestHex, JsonBlob } from './digest';
import { OCI_INDEX } from './media-types';

export interface LayoutBlob {
  digest: string;
  /** A file to copy, or the bytes. */
  path?: string;
  bytes?: Buffer;
}

/** Writes `blobs` and an index.json naming `top` (an index or manifest) as `tag`. Blobs already there are kept. */
export function writeOciLayout(dir: string, top: JsonBlob, tag: string, blobs: LayoutBlob[]): void {
  const blobDir = join(dir, 'blobs', 'sha256');
  mkdirSync(blobDir, { recursive: true });
  for (const b of [...blobs, { digest: top.digest, bytes: top.bytes }]) {
    const path = join(blobDir, digestHex(b.digest));
    if (existsSync(path)) continue;
    if (b.bytes) writeFileSync(path, b.bytes);
    else copyFileSync(b.path!, path);
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ mediaType: top.mediaType, digest: top.digest, size: top.size, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
}
