import { displayUrl } from '../display-url';
import { UserError } from '../errors';
import { isAbsent, showValue } from '../options/value';

const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** user@host:path, git's scp-like syntax (a colon before any slash, no scheme). */
const SCP_LIKE = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*@)?[A-Za-z0-9][A-Za-z0-9.-]*:(?!\/\/)[A-Za-z0-9._~/+-]+$/;
const URL_PROTOCOLS = ['https:', 'ssh:', 'git:', 'file:'];
const REMOTE_FIX = 'Give a remote name (e.g. origin) or a repository URL: https://, ssh://, git://, file:// or user@host:path';

function refuseOptionLike(option: string, value: string, fix: string): void {
  if (value.startsWith('-')) throw new UserError(option, `starts with "-", so git would read it as an option`, fix);
}

/** user:password@ in any form, or a user name in an https URL (where it is a token). */
function hasCredentials(value: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)@/i.exec(value);
  if (scheme) return scheme[1].toLowerCase() === 'https' || scheme[1].toLowerCase() === 'http' || scheme[2].includes(':');
  return /^[^/@]*:[^/@]*@/.test(value);
}

function isRemoteUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (!URL_PROTOCOLS.includes(url.protocol) || /[\s\x00-\x1f\x7f]/.test(value)) return false;
  if (url.protocol === 'file:') return !url.hostname && url.pathname.length > 1;
  return !!url.hostname && !url.hostname.startsWith('-') && !url.username.startsWith('-');
}

/**
 * A git remote: a configured remote's name, or a repository URL (https, ssh,
 * git, file, or scp-like user@host:path) without credentials. Never a value
 * git would read as an option (--upload-pack=…) or a remote helper (ext::…).
 */
export function gitRemoteOption(option: string, value: unknown): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw new UserError(option, `${showValue(value)} is not a git remote`, REMOTE_FIX);
  refuseOptionLike(option, value, REMOTE_FIX);
  if (hasCredentials(value)) {
    throw new UserError(option, 'contains credentials (a password or token in the URL)', 'Give the URL without them and let git authenticate (credential helper, SSH key), or name a configured remote such as origin');
  }
  if (REMOTE_NAME.test(value) || SCP_LIKE.test(value) || isRemoteUrl(value)) return value;
  throw new UserError(option, `${showValue(displayUrl(value))} is not a git remote`, REMOTE_FIX);
}

/** A ref under refs/ that git accepts (no "..", "//", component starting with ".", trailing "/" or ".lock"). */
export function gitRefOption(option: string, value: unknown): string | undefined {
  if (isAbsent(value)) return undefined;
  const fix = 'Use a ref under refs/, e.g. refs/shipfleet/ledger';
  if (typeof value === 'string') refuseOptionLike(option, value, fix);
  if (typeof value !== 'string' || !/^refs\/[A-Za-z0-9._/-]+$/.test(value) || /\.\.|\/\/|\/\.|\/$|\.lock$|\.$/.test(value)) {
    throw new UserError(option, `${showValue(value)} is not a git ref name`, fix);
  }
  return value;
}

/** A commit-ish as git reads it (a SHA, HEAD~1, origin/main, v1.2.3, main@{1}), never an option. */
export function commitIshOption(option: string, value: unknown): string | undefined {
  if (isAbsent(value)) return undefined;
  const fix = `Give a commit, branch or tag, e.g. --${option}=origin/main`;
  if (typeof value === 'string') refuseOptionLike(option, value, fix);
  if (typeof value !== 'string' || !/^[A-Za-z0-9._/~^@{}-]+$/.test(value)) throw new UserError(option, `${showValue(value)} is not a commit, branch or tag`, fix);
  return value;
}
