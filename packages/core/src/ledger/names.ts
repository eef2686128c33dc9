// What the deploy ledger accepts as names and ids, both from options and in
// records read back: anything else could reach a command line or a message.

/** An environment: lowercase letters, digits and -, e.g. staging, prod-eu-1. */
export const ENVIRONMENT_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** An Nx project or target name, e.g. tv, @acme/web, deploy:prod (no spaces, quotes, $ or backticks). */
export const NX_NAME = /^@?[A-Za-z0-9][A-Za-z0-9._:@/-]{0,213}$/;

/** A full git object id: SHA-1 (40 hex) or SHA-256 (64 hex). */
export const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** A deploy's input hash: hex (or the decimal digits of an Nx task hash). */
export const INPUT_HASH = /^[0-9a-f]{1,128}$/i;

/** An artefact digest, e.g. sha256:<hex>. */
export const ARTIFACT_DIGEST = /^[a-z0-9]+:[0-9a-f]{16,128}$/;

/** A version label: printable, no control characters. */
export const VERSION_LABEL = /^[^\x00-\x1f\x7f]{1,200}$/;

/** An ISO 8601 time with a zone, as toISOString() writes it, that is a real date. */
export function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
}
