import { createHash } from 'crypto';

/** `sha256:<64 hex>`. */
export type Digest = string;

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function sha256Digest(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}

/** The hex part, for blob paths (`blobs/sha256/<hex>`). */
export function digestHex(digest: Digest): string {
  if (!isDigest(digest)) throw new Error(`not a sha256 digest: ${digest}`);
  return digest.slice('sha256:'.length);
}

/** A JSON document as it is stored and hashed: the exact bytes, never re-serialised after hashing. */
export interface JsonBlob {
  mediaType: string;
  bytes: Buffer;
  digest: Digest;
  size: number;
}

export function jsonBlob(mediaType: string, value: unknown): JsonBlob {
  const bytes = Buffer.from(JSON.stringify(value));
  return { mediaType, bytes, digest: sha256Digest(bytes), size: bytes.length };
}
