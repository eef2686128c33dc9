import { displayUrl } from '../display-url';
import { UserError } from '../errors';
import { isAbsent } from './value';

export interface UrlRules {
  /** A valid URL for the fix: "https://prometheus.example.com". */
  example: string;
  /** Accept http:// to any host (in-cluster services). Default: only to loopback hosts. */
  allowHttp?: boolean;
  /** Accept user:password@ in the URL. Default: refused (credentials go through an env var option). */
  allowCredentials?: boolean;
  /** Accept ?query and #fragment. Default true. */
  allowQuery?: boolean;
}

/** localhost, 127.0.0.0/8 or [::1]: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  const octets = host.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * An https URL, or http to a loopback host (or any host with allowHttp).
 * Messages show the URL without credentials or query (displayUrl). Returns
 * the URL normalised (new URL(value).href).
 */
export function urlOption(option: string, value: unknown, rules: UrlRules): string | undefined {
  if (isAbsent(value)) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const shown = typeof value === 'string' ? `"${displayUrl(value)}"` : String(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) {
    throw new UserError(option, `${shown} is not an http(s) URL`, `Give a full URL such as ${rules.example}`);
  }
  if (url.protocol === 'http:' && !rules.allowHttp && !isLoopbackHost(url.hostname)) {
    throw new UserError(option, `${shown} uses plain http to ${url.hostname}, which is not this machine`, `Use https://; plain http is accepted only for 127.0.0.1, localhost and [::1]`);
  }
  if ((url.username || url.password) && !rules.allowCredentials) {
    throw new UserError(option, 'must not contain a user name or password', 'Pass credentials through an environment variable option (such as tokenEnv) instead');
  }
  if ((url.search || url.hash) && rules.allowQuery === false) {
    throw new UserError(option, 'must not contain a query or fragment', `Give only the base URL, such as ${rules.example}`);
  }
  return url.href;
}
