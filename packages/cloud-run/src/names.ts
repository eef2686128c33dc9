// Names Cloud Run takes: revision names, traffic tags and labels, derived from what a deploy knows.

/** Revision names: lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63. */
export const REVISION_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Service ids: the same alphabet, fewer than 50 characters. */
export const SERVICE_ID = /^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$/;
/** Traffic tags: a DNS label, short enough to prefix the service's host name ("<tag>---<service>-…"). */
export const TAG = /^[a-z]([-a-z0-9]{0,44}[a-z0-9])?$/;
/** Label keys: lowercase letters, digits, _ and -, starting with a letter, at most 63. */
export const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
/** Label values: lowercase letters, digits, _ and -, at most 63 (may be empty). */
export const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

const MAX_REVISION = 63;

/** Lowercase letters, digits and single hyphens: "1.4.0+build.7" → "1-4-0-build-7". */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The first 7 characters of a commit hash, lowercased (what `git log --oneline` shows). */
export function shortCommit(commit: string | undefined): string | undefined {
  const s = commit ? slug(commit).slice(0, 7) : '';
  return s || undefined;
}

/**
 * The revision's name: "<service>-<version>-<short commit>", either part alone when the other is
 * unknown, undefined when both are (Cloud Run then names it "<service>-00042-xyz"). The version
 * is cut to fit 63 characters; `attempt` > 1 appends "-<attempt>" when a name is taken.
 */
export function revisionNameFor(service: string, version: string | undefined, commit: string | undefined, attempt = 1): string | undefined {
  const short = shortCommit(commit);
  const v = version ? slug(version) : '';
  if (!v && !short) return undefined;
  const suffix = [short, attempt > 1 ? String(attempt) : ''].filter(Boolean).join('-');
  const room = MAX_REVISION - service.length - 1 - (suffix ? suffix.length + 1 : 0);
  const versionPart = v.slice(0, Math.max(0, room)).replace(/-+$/, '');
  return [service, versionPart, suffix].filter(Boolean).join('-');
}

/** The tag of a new revision: "rev-<short commit>", else "candidate". */
export function defaultTag(commit: string | undefined): string {
  const short = shortCommit(commit);
  return short ? `rev-${short}` : 'candidate';
}

/** Tags this library puts on new revisions (and takes off older ones when they stop being candidates). */
export const isDeployTag = (tag: string | undefined): boolean => !!tag && (tag === 'candidate' || /^rev-[a-z0-9]{1,40}$/.test(tag));

/** A value in Cloud Run's label charset: lowercase, other characters as "_", at most 63. */
export function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

/** The short name of a revision from its resource name ("projects/…/revisions/web-1-2-3" → "web-1-2-3"). */
export const shortName = (name: string): string => name.slice(name.lastIndexOf('/') + 1);
