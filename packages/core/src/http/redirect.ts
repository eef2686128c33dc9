import { Readable } from 'stream';

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** A request body, made afresh for each attempt and redirect (a stream cannot be replayed). */
export type HttpBody = string | Uint8Array | (() => { data: Uint8Array | Readable; length?: number });

export interface Hop {
  url: URL;
  method: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: HttpBody;
}

/**
 * The request to send after a redirect, as browsers do it: 303 (and 301/302
 * after a POST) becomes a GET without body; credentials and every secret
 * header are dropped when the target is another origin (scheme, host or port).
 * Throws when the target is not http(s).
 */
export function redirectedHop(hop: Hop, status: number, location: string, secretHeaders: ReadonlySet<string>): Hop {
  const url = new URL(location, hop.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`redirected to a ${url.protocol.replace(/:$/, '')} URL`);
  const headers = { ...hop.headers };
  let { method, body } = hop;
  if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    method = 'GET';
    body = undefined;
    delete headers['content-type'];
    delete headers['content-length'];
  }
  if (url.origin !== hop.url.origin) for (const name of secretHeaders) delete headers[name];
  delete headers.host;
  return { url, method, headers, body };
}
