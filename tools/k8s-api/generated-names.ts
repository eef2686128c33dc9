import { createHash, randomBytes } from 'crypto';
import { canonical } from './values';
import { Json } from './types';

/** Letters Kubernetes uses for generated name suffixes and hashes (no vowels, no confusable digits). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function safeEncode(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE[bytes[i] % SAFE.length];
  return out;
}

/** A random suffix for generated names (`api-x7k2p`). */
export const randomSuffix = (n = 5): string => safeEncode(randomBytes(n), n);

/** A stable hash of a value in the same letters (pod-template-hash, ControllerRevision names). */
export const hashOf = (value: Json, n = 10): string => safeEncode(createHash('sha256').update(JSON.stringify(canonical(value) ?? {})).digest(), n);
