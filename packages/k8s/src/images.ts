import { clone, describeRef, isPlainObject, K8sObject } from './types';

/** An image reference split the way container registries read it. */
export interface ImageRef {
  /** Repository name with its registry, if any: `localhost:5000/team/app`. */
  name: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const NAME_RE = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;

/** Parses `registry:5000/app:1.2@sha256:…`; undefined when it is not a valid reference. */
export function parseImageRef(ref: string): ImageRef | undefined {
  if (typeof ref !== 'string' || !ref || ref.length > 4096) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  // A colon after the last slash separates the tag; one before it is a registry port.
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return undefined;
  }
  if (!NAME_RE.test(rest)) return undefined;
  return { name: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/**
 * The name as registries resolve it, so `nginx`, `library/nginx` and
 * `docker.io/library/nginx` match each other.
 */
export function canonicalImageName(name: string): string {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const hasDomain = slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  let domain = hasDomain ? first : 'docker.io';
  let path = hasDomain ? name.slice(slash + 1) : name;
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return `${domain}/${path}`;
}

/** What an `images` entry sets: a tag, a digest, or both. */
export interface ImageTarget {
  tag?: string;
  digest?: string;
}

/** A target as an `images` value writes it: `1.2.3`, `sha256:…` or `1.2.3@sha256:…`. */
export function formatImageTarget(target: ImageTarget): string {
  return `${target.tag ?? ''}${target.tag && target.digest ? '@' : ''}${target.digest ?? ''}`;
}

/** Reads `1.2.3`, `:1.2.3`, `sha256:…`, `@sha256:…` or `1.2.3@sha256:…`; undefined when invalid. */
export function parseImageTarget(value: string): ImageTarget | undefined {
  if (typeof value !== 'string') return undefined;
  let v = value.trim();
  if (!v) return undefined;
  if (v.startsWith(':')) v = v.slice(1);
  if (v.startsWith('@')) return DIGEST_RE.test(v.slice(1)) ? { digest: v.slice(1) } : undefined;
  const at = v.indexOf('@');
  if (at !== -1) {
    const tag = v.slice(0, at);
    const digest = v.slice(at + 1);
    return TAG_RE.test(tag) && DIGEST_RE.test(digest) ? { tag, digest } : undefined;
  }
  if (DIGEST_RE.test(v)) return { digest: v };
  return TAG_RE.test(v) ? { tag: v } : undefined;
}

export interface ContainerImage {
  /** `deployment/api` */
  object: string;
  /** `api` or `init:migrate` */
  container: string;
  image: string;
}

export interface ImageChange extends ContainerImage {
  from: string;
  to: string;
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

/** Visits every container (and init container) of any pod spec inside an object, whatever its kind. */
function visitContainers(obj: K8sObject, visit: (container: Record<string, unknown>, list: string) => void): void {
  const walk = (node: unknown, depth: number) => {
    if (depth > 12) return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1);
      return;
    }
    if (!isPlainObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (CONTAINER_LISTS.includes(key) && Array.isArray(value)) {
        for (const c of value) if (isPlainObject(c) && typeof c.image === 'string') visit(c, key);
      } else if (isPlainObject(value) || Array.isArray(value)) {
        walk(value, depth + 1);
      }
    }
  };
  for (const [key, value] of Object.entries(obj)) if (key !== 'metadata' && key !== 'status') walk(value, 0);
}

const containerLabel = (c: Record<string, unknown>, list: string) => `${list === 'containers' ? '' : `${list === 'initContainers' ? 'init' : 'ephemeral'}:`}${String(c.name ?? '?')}`;

/** Every container image in the objects, for messages and checks. */
export function listImages(objects: K8sObject[]): ContainerImage[] {
  const out: ContainerImage[] = [];
  for (const obj of objects) visitContainers(obj, (c, list) => out.push({ object: describeRef(obj), container: containerLabel(c, list), image: String(c.image) }));
  return out;
}

/**
 * Sets new tags or digests on every container and init container whose
 * image name (without tag or digest) matches a key of `images`. A new tag
 * drops an old digest and vice versa, unless both are given. Returns copies;
 * the input is not changed. `unmatched` lists keys that matched no container.
 */
export function setImages(objects: K8sObject[], images: Record<string, string>): { objects: K8sObject[]; changes: ImageChange[]; unmatched: string[] } {
  const wanted = Object.entries(images).map(([key, value]) => {
    const ref = parseImageRef(key);
    const target = parseImageTarget(value);
    if (!ref || ref.tag || ref.digest) throw new Error(`images: "${key}" is not an image name (registry/path without tag or digest)`);
    if (!target) throw new Error(`images: "${value}" (for ${key}) is neither a tag nor a digest`);
    return { key, canonical: canonicalImageName(ref.name), target, used: false };
  });
  const changes: ImageChange[] = [];
  const out = objects.map((o) => {
    const copy = clone(o);
    visitContainers(copy, (c, list) => {
      const current = parseImageRef(String(c.image));
      if (!current) return;
      const match = wanted.find((w) => w.canonical === canonicalImageName(current.name));
      if (!match) return;
      match.used = true;
      const next = formatImageRef({ name: current.name, tag: match.target.tag, digest: match.target.digest });
      if (next !== c.image) {
        changes.push({ object: describeRef(copy), container: containerLabel(c, list), image: next, from: String(c.image), to: next });
        c.image = next;
      }
    });
    return copy;
  });
  return { objects: out, changes, unmatched: wanted.filter((w) => !w.used).map((w) => w.key) };
}
