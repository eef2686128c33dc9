import type { Agent } from 'https';
import { Readable } from 'stream';
import { displayUrl } from '../display-url';
import { Redactor } from '../redactor';
import { backoffDelay, DEFAULT_HTTP_RETRY, DEFAULT_RETRY_STATUSES, retryAfterDelay, RetryPolicy } from '../retry';
import { sleep } from '../sleep';
import { HttpAbortedError, HttpError } from './http-error';
import { codedError, RETRYABLE_NETWORK_CODES, TLS_CERTIFICATE_CODES, UNKNOWN_ISSUER_CODES } from './network-errors';
import { BodyTooLargeError, readCapped } from './read-body';
import { parseRetryAfter } from './retry-after';
import { Hop, HttpBody, REDIRECT_STATUSES, redirectedHop } from './redirect';
import { secretHeaderNames, secretHeaderRedactor, unsendableHeader } from './secret-headers';
import { caAgent, TlsCa } from './tls-agent';
import { BodyStreamError, sendOnWire, WireResponse } from './transport';

export type { HttpBody, TlsCa };

export interface HttpRequestOptions {
  url: string | URL;
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  /** More headers whose values are secret (Authorization, Proxy-Authorization, Cookie and X-Api-Key always are). */
  secretHeaders?: readonly string[];
  /** Added to the URL's query. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as a JSON body (content-type application/json unless given). */
  json?: unknown;
  body?: HttpBody;
  /** Per attempt and per redirect, answer body included (default 30 s; 0: none). */
  timeoutMs?: number;
  /** Aborts the request and the waits between attempts: HttpAbortedError. */
  signal?: AbortSignal;
  /** Longest answer body read (default 10 MiB); answers without a body (to HEAD, 204, 304) are not limited by their Content-Length. */
  maxResponseBytes?: number;
  /**
   * PEM certificates of CAs to trust for https, besides Node's bundled ones (a registry or
   * API behind a private CA). Such requests go over node:https with a keep-alive agent of
   * their own (one per HttpClient), redirects included.
   */
  ca?: TlsCa;
  /** Over DEFAULT_HTTP_RETRY. Every method is retried: give { attempts: 1 } to a call that must not repeat. */
  retry?: Partial<RetryPolicy>;
  /** Default 5. */
  maxRedirects?: number;
  /** Default true: an answer outside 2xx (after retries) is an HttpError. False: it is returned. */
  throwHttpErrors?: boolean;
  /** Before each request sent (retries and redirects included). */
  onAttempt?: (event: HttpAttemptEvent) => void;
  /** When the headers of an answer arrive. */
  onResponse?: (event: HttpResponseEvent) => void;
  /** Before the wait that precedes a retry. */
  onRetry?: (event: HttpRetryEvent) => void;
}

export interface HttpAttemptEvent {
  method: string;
  /** Shown without credentials or query. */
  url: string;
  attempt: number;
  /** Redirects followed so far in this attempt. */
  redirects: number;
  bodyBytes?: number;
}

export interface HttpResponseEvent {
  method: string;
  url: string;
  attempt: number;
  status: number;
  durationMs: number;
}

export interface HttpRetryEvent {
  method: string;
  url: string;
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** Attempts allowed in all. */
  attempts: number;
  delayMs: number;
  /** What the server's Retry-After asked for, before capping. */
  retryAfterMs?: number;
  /** The answer that is retried (a retryable status)... */
  response?: HttpResponse;
  /** ...or the error (network error, timeout). */
  error?: HttpError;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** The URL that answered, after redirects. */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
  /** Attempts it took. */
  attempts: number;
  text(): string;
  /** The body parsed as JSON; HttpError (invalid-json) when it is not JSON. */
  json<T = unknown>(): T;
  /** The body as JSON when it is JSON, else its text; undefined when empty (for APIs whose errors may be either). */
  data(): unknown;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 2 ** 20;
const DEFAULT_MAX_REDIRECTS = 5;
const EXCERPT_CHARS = 200;

/** Everything a request keeps across attempts and redirects. */
interface Exchange {
  method: string;
  shown: string;
  first: Hop;
  secret: ReadonlySet<string>;
  redactor: Redactor;
  options: HttpRequestOptions;
  /** For https hops, when a `ca` is given. */
  agent?: Agent;
}

const isOk = (status: number) => status >= 200 && status < 300;

function excerpt(body: Buffer, redactor: Redactor): string | undefined {
  const text = redactor.redact(body.toString('utf8').replace(/\s+/g, ' ').trim());
  if (!text) return undefined;
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function requestError(method: string, url: string, detail: string): HttpError {
  return new HttpError({ kind: 'request', method, url, detail, retryable: false });
}

/** The first hop: URL with query, credentials moved to a Basic header, JSON body, header checks. */
function firstHop(o: HttpRequestOptions, method: string): Hop {
  let url: URL;
  try {
    url = new URL(String(o.url));
  } catch {
    throw requestError(method, displayUrl(String(o.url)), 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw requestError(method, displayUrl(url), 'only http and https URLs can be requested');
  for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = v;
  if (url.username || url.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  let body = o.body;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] ??= 'application/json';
  }
  const bad = unsendableHeader(headers);
  if (bad) throw requestError(method, displayUrl(url), `header "${bad}" has a name or value that cannot be sent (a line break or control character)`);
  return { url, method, headers, body };
}

function makeBody(body: HttpBody | undefined): { data?: Uint8Array | Readable; length?: number } {
  if (body === undefined) return {};
  if (typeof body === 'string') return { data: Buffer.from(body), length: Buffer.byteLength(body) };
  if (body instanceof Uint8Array) return { data: body, length: body.byteLength };
  const made = body();
  return { data: made.data, length: made.length ?? (made.data instanceof Uint8Array ? made.data.byteLength : undefined) };
}

function makeResponse(x: Exchange, url: URL, wire: WireResponse, body: Buffer, attempts: number): HttpResponse {
  return {
    status: wire.status,
    statusText: wire.statusText,
    url: url.href,
    headers: wire.headers,
    body,
    attempts,
    text: () => body.toString('utf8'),
    data(): unknown {
      const text = body.toString('utf8');
      if (!text) return undefined;
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    },
    json<T>(): T {
      try {
        return JSON.parse(body.toString('utf8')) as T;
      } catch {
        throw new HttpError({ kind: 'invalid-json', method: x.method, url: displayUrl(url), detail: `${wire.status}: the answer is not JSON`, status: wire.status, bodyExcerpt: excerpt(body, x.redactor), retryable: false, attempts });
      }
    },
  };
}

function statusError(x: Exchange, res: HttpResponse, retryable: boolean): HttpError {
  const bodyExcerpt = excerpt(res.body, x.redactor);
  const detail = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}${bodyExcerpt ? `: ${bodyExcerpt}` : ''}${res.attempts > 1 ? ` (after ${res.attempts} attempts)` : ''}`;
  return new HttpError({ kind: 'status', method: x.method, url: displayUrl(res.url), detail, status: res.status, bodyExcerpt, retryable, attempts: res.attempts });
}

// Duck-typed: errors from Node's own modules fail `instanceof Error` inside test sandboxes.
const messageOf = (err: unknown) => (typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : String(err));

function afterAttempts(err: HttpError, attempts: number): HttpError {
  const { kind, method, url, status, code, bodyExcerpt, retryable } = err;
  return new HttpError({ kind, method, url, status, code, bodyExcerpt, retryable, detail: `${err.detail} (after ${attempts} attempts)`, attempts, cause: err.cause });
}

/** Classifies what an attempt threw. */
function attemptError(x: Exchange, hop: Hop, err: unknown, timedOut: boolean, timeoutMs: number, attempt: number): Error {
  const url = displayUrl(hop.url);
  if (x.options.signal?.aborted) return new HttpAbortedError(x.method, url);
  if (err instanceof HttpError) return err;
  if (timedOut) return new HttpError({ kind: 'timeout', method: x.method, url, detail: `no complete answer within ${timeoutMs / 1000}s`, code: 'ETIMEDOUT', retryable: true, attempts: attempt });
  if (err instanceof BodyTooLargeError) {
    return new HttpError({ kind: 'too-large', method: x.method, url, detail: `the answer is larger than ${err.maxBytes} bytes (maxResponseBytes)`, retryable: false, attempts: attempt });
  }
  if (err instanceof BodyStreamError) {
    return new HttpError({ kind: 'body', method: x.method, url, detail: x.redactor.redact(`could not read the request body: ${err.message}`), retryable: false, attempts: attempt, cause: err.cause });
  }
  const coded = codedError(err);
  const code = coded?.code;
  if (code && TLS_CERTIFICATE_CODES.has(code)) {
    const what = UNKNOWN_ISSUER_CODES.has(code) ? 'is signed by a CA that is not trusted here' : 'was not accepted';
    return new HttpError({ kind: 'tls', method: x.method, url, detail: x.redactor.redact(`the server's TLS certificate ${what} (${code}: ${messageOf(coded).split('\n')[0]})`), code, retryable: false, attempts: attempt, cause: err });
  }
  const message = messageOf(err).split('\n')[0];
  return new HttpError({ kind: 'network', method: x.method, url, detail: x.redactor.redact(`network error (${code ?? message})`), code, retryable: code !== undefined && RETRYABLE_NETWORK_CODES.has(code), attempts: attempt, cause: err });
}

/** One attempt: sends, follows redirects, reads the final answer; each hop under its own timeout. */
async function attemptOnce(x: Exchange, attempt: number): Promise<HttpResponse> {
  const o = x.options;
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRedirects = o.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let hop = x.first;
  for (let redirects = 0; ; redirects++) {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs) : undefined;
    const started = Date.now();
    try {
      let body: ReturnType<typeof makeBody>;
      try {
        body = makeBody(hop.body);
      } catch (err) {
        throw new BodyStreamError(err);
      }
      const headers = body.data instanceof Readable && body.length !== undefined ? { 'content-length': String(body.length), ...hop.headers } : hop.headers;
      o.onAttempt?.({ method: hop.method, url: displayUrl(hop.url), attempt, redirects, bodyBytes: body.length });
      const wire = await sendOnWire({ url: hop.url, method: hop.method, headers, body: body.data, signal: controller.signal, agent: x.agent });
      o.onResponse?.({ method: hop.method, url: displayUrl(hop.url), attempt, status: wire.status, durationMs: Date.now() - started });
      const location = wire.headers.location;
      if (REDIRECT_STATUSES.has(wire.status) && location) {
        wire.discard();
        if (redirects >= maxRedirects) throw new HttpError({ kind: 'redirect', method: x.method, url: x.shown, detail: `more than ${maxRedirects} redirects`, retryable: false, attempts: attempt });
        try {
          hop = redirectedHop(hop, wire.status, location, x.secret);
        } catch (err) {
          throw new HttpError({ kind: 'redirect', method: x.method, url: displayUrl(hop.url), detail: (err as Error).message, retryable: false, attempts: attempt });
        }
        continue;
      }
      // The Content-Length of an answer without body is that of the resource, not of bytes to read.
      const bodiless = hop.method === 'HEAD' || wire.status === 204 || wire.status === 304;
      const data = bodiless ? await readCapped(wire.body, Number.POSITIVE_INFINITY) : await readCapped(wire.body, o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, wire.headers['content-length']);
      return makeResponse(x, hop.url, wire, data, attempt);
    } catch (err) {
      throw attemptError(x, hop, err, timedOut, timeoutMs, attempt);
    } finally {
      if (timer) clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * One HTTP request on Node's fetch (node:http(s) for a streamed body or a
 * `ca`), with a timeout per attempt, a cap on the answer's size, redirects
 * followed by hand (credentials dropped across origins), and retries with
 * backoff on network errors, timeouts and the policy's statuses (honouring
 * Retry-After, capped by maxDelayMs). Errors are HttpError or
 * HttpAbortedError; none shows a secret header's value.
 */
export async function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  if (options.ca === undefined) return requestWithAgent(options, undefined);
  const agent = newCaAgent(options);
  try {
    return await requestWithAgent(options, agent);
  } finally {
    agent.destroy();
  }
}

/** The agent for options.ca; a `request` HttpError when it holds no certificate. */
export function newCaAgent(options: Pick<HttpRequestOptions, 'ca' | 'url' | 'method'>): Agent {
  try {
    return caAgent(options.ca!);
  } catch (err) {
    throw requestError((options.method ?? 'GET').toUpperCase(), displayUrl(String(options.url)), (err as Error).message);
  }
}

/** httpRequest over a given agent for https (HttpClient keeps one per client). */
export async function requestWithAgent(options: HttpRequestOptions, agent: Agent | undefined): Promise<HttpResponse> {
  const method = (options.method ?? 'GET').toUpperCase();
  const first = firstHop(options, method);
  const secret = secretHeaderNames(options.secretHeaders);
  const x: Exchange = { method, shown: displayUrl(first.url), first, secret, redactor: secretHeaderRedactor(first.headers, secret), options, agent };
  const policy: RetryPolicy = { ...DEFAULT_HTTP_RETRY, ...options.retry };
  const attempts = Math.max(1, Math.floor(policy.attempts));
  const statuses = policy.retryStatuses ?? DEFAULT_RETRY_STATUSES;

  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new HttpAbortedError(method, x.shown);
    let response: HttpResponse | undefined;
    let error: HttpError | undefined;
    try {
      response = await attemptOnce(x, attempt);
      if (isOk(response.status)) return response;
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      error = err;
    }
    const retryable = response ? statuses.includes(response.status) : error!.retryable && policy.retryNetworkErrors !== false;
    if (!retryable || attempt >= attempts) {
      if (response) {
        if (options.throwHttpErrors === false) return response;
        throw statusError(x, response, retryable);
      }
      throw attempt > 1 ? afterAttempts(error!, attempt) : error!;
    }
    const retryAfterMs = response ? parseRetryAfter(response.headers['retry-after']) : undefined;
    const delayMs = retryAfterMs !== undefined ? retryAfterDelay(policy, retryAfterMs) : backoffDelay(policy, attempt);
    options.onRetry?.({ method, url: x.shown, attempt, attempts, delayMs, retryAfterMs, response, error });
    await sleep(delayMs, options.signal);
  }
}

/** httpRequest, then the answer's body as JSON (sends Accept: application/json unless given). */
export async function httpJson<T = unknown>(options: HttpRequestOptions): Promise<T> {
  const res = await httpRequest({ ...options, headers: { accept: 'application/json', ...options.headers } });
  return res.json<T>();
}
