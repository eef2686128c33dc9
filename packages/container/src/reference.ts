// Image references as docker writes them: [registry[:port]/]repository[:tag][@sha256:…].
import { isLoopbackHost } from '@shipfleet/core';
import { isDigest } from './digest';

export interface ImageReference {
  /** As written (docker.io for Docker Hub). */
  registry: string;
  /** Lower-case path components; `library/` added for Docker Hub official images. */
  repository: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = 'docker.io';
/** The host Docker Hub's registry API answers on. */
export const DOCKER_HUB_API = 'registry-1.docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Parses a reference; throws an Error saying what is wrong (callers wrap it in a UserError naming their option). */
export function parseImageReference(ref: string): ImageReference {
  if (typeof ref !== 'string' || !ref.trim() || /\s/.test(ref)) throw new Error('an image reference has no spaces, e.g. ghcr.io/acme/api:1.2.3');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw new Error(`"${digest}" is not a sha256 digest (sha256: and 64 lower-case hex digits)`);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new Error(`"${tag}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  // The first component is a registry when it has a dot or a port, or is localhost (docker's rule).
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) registry = parts.shift()!;
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  for (const p of parts) {
    if (!COMPONENT.test(p)) throw new Error(`"${p}" is not a valid repository path component (lower-case letters, digits, and . _ - between them)`);
  }
  if (!tag && !digest) tag = 'latest';
  return { registry, repository: parts.join('/'), tag, digest };
}

/** registry/repository[:tag][@digest]. */
export function formatReference(r: ImageReference, parts: { tag?: boolean; digest?: boolean } = { tag: true, digest: true }): string {
  return `${r.registry}/${r.repository}${parts.tag !== false && r.tag ? `:${r.tag}` : ''}${parts.digest !== false && r.digest ? `@${r.digest}` : ''}`;
}

/** The host:port the registry's HTTP API answers on. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** The registry's host name (no port), for loopback checks. */
export function registryHostname(registry: string): string {
  const bracket = /^\[([^\]]+)\]/.exec(registry);
  return bracket ? bracket[1] : registry.replace(/:\d+$/, '');
}

/** A registry on this machine (localhost, 127.0.0.0/8, [::1]): it may be spoken to over plain http. */
export function isLoopbackRegistry(registry: string): boolean {
  return isLoopbackHost(registryHostname(registry));
}
