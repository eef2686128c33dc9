/**
 * What went wrong: `status` an answer outside 2xx; `network` no answer (reset,
 * refused, DNS…); `tls` the server's certificate was not accepted (an
 * unknown CA, expired, another name: `code` says which); `timeout` an
 * attempt took longer than its timeout; `too-large` the answer passed the
 * size cap; `redirect` too many or a bad one; `body` the request body could
 * not be read (e.g. a missing file); `request` the request itself cannot be
 * sent; `invalid-json` an answer that should be JSON is not.
 */
export type HttpErrorKind = 'status' | 'network' | 'tls' | 'timeout' | 'too-large' | 'redirect' | 'body' | 'request' | 'invalid-json';

/**
 * A failed HTTP request. The message is `METHOD URL failed: detail`, with the
 * URL shown without credentials or query and any excerpt of the answer masked
 * of secret header values. Header values never appear.
 */
export class HttpError extends Error {
  readonly kind: HttpErrorKind;
  readonly method: string;
  /** The URL without credentials, query or fragment. */
  readonly url: string;
  /** The message after "METHOD URL failed: ". */
  readonly detail: string;
  readonly status?: number;
  /** Network or certificate error code (ECONNREFUSED, UND_ERR_SOCKET, SELF_SIGNED_CERT_IN_CHAIN…). */
  readonly code?: string;
  /** The start of the answer's body, one line, secrets masked. */
  readonly bodyExcerpt?: string;
  /** Another attempt might succeed. */
  readonly retryable: boolean;
  /** Attempts made, the failing one included. */
  attempts: number;

  constructor(init: { kind: HttpErrorKind; method: string; url: string; detail: string; status?: number; code?: string; bodyExcerpt?: string; retryable: boolean; attempts?: number; cause?: unknown }) {
    super(`${init.method} ${init.url} failed: ${init.detail}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HttpError';
    this.kind = init.kind;
    this.method = init.method;
    this.url = init.url;
    this.detail = init.detail;
    this.status = init.status;
    this.code = init.code;
    this.bodyExcerpt = init.bodyExcerpt;
    this.retryable = init.retryable;
    this.attempts = init.attempts ?? 1;
  }
}

/** The caller's signal aborted the request (or the wait before a retry). */
export class HttpAbortedError extends Error {
  constructor(readonly method: string, readonly url: string) {
    super(`${method} ${url} was stopped`);
    this.name = 'HttpAbortedError';
  }
}
