import { pathToFileURL } from 'url';
import { HttpBody, HttpClient, HttpRetryEvent, RetryPolicy } from '@shipfleet/core';

/** The @octokit/rest module (ESM only). */
export type OctokitModule = typeof import('@octokit/rest');
export type Octokit = InstanceType<OctokitModule['Octokit']>;

// TypeScript compiles import() to require() for CommonJS output; this keeps a real import(),
// which loads the ESM package on every Node 20 (require() of ESM needs 20.19 or later).
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** Loads @octokit/rest with Node's ESM loader, resolved from this package. */
export async function loadOctokit(): Promise<OctokitModule> {
  return (await importModule(pathToFileURL(require.resolve('@octokit/rest')).href)) as OctokitModule;
}

/** What octokit hands to its `request.fetch` (a subset of fetch's RequestInit). */
interface OctokitFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | null;
}

export interface FetchOverHttpOptions {
  /** Per attempt (default: the client's). */
  timeoutMs?: number;
  /** For GET, PATCH, PUT and DELETE. POST is sent once: a repeated create or upload could make a second release or asset. */
  retry?: Partial<RetryPolicy>;
  onRetry?: (event: HttpRetryEvent) => void;
  /** Every request sent (retries included). */
  onAttempt?: () => void;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A fetch for octokit's `request.fetch` that sends through core's HttpClient:
 * its timeouts, retries with backoff and Retry-After, size cap and error
 * messages that never show the Authorization header. Answers outside 2xx are
 * handed back as they are, for octokit to turn into its RequestError. A body
 * may also be core's HttpBody factory (a file stream opened per attempt),
 * which octokit passes through untouched as the `data` of an upload.
 */
export function fetchOverHttp(http: HttpClient, options: FetchOverHttpOptions = {}) {
  return async (url: string, init: OctokitFetchInit = {}): Promise<Response> => {
    const method = (init.method ?? 'GET').toUpperCase();
    const body = init.body as HttpBody | undefined;
    const res = await http.request(method, url, {
      headers: init.headers,
      body,
      signal: init.signal ?? undefined,
      timeoutMs: options.timeoutMs,
      throwHttpErrors: false,
      retry: method === 'POST' ? { attempts: 1 } : options.retry,
      onRetry: options.onRetry,
      onAttempt: options.onAttempt,
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) headers.set(k, v);
    return new Response(NULL_BODY_STATUSES.has(res.status) ? null : res.body, { status: res.status, statusText: res.statusText, headers });
  };
}

/** What octokit's RequestError carries (duck-typed: in tests it comes from another realm). */
export interface OctokitError {
  status: number;
  message: string;
  response?: { data?: unknown };
  cause?: unknown;
}

export function isOctokitError(err: unknown): err is OctokitError {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number' && typeof (err as { message?: unknown }).message === 'string';
}

/** The `errors[].code` values of a GitHub validation error (422), e.g. ["already_exists"]. */
export function validationCodes(err: unknown): string[] {
  if (!isOctokitError(err)) return [];
  const data = err.response?.data as { errors?: Array<{ code?: unknown }> } | undefined;
  return Array.isArray(data?.errors) ? data!.errors.map((e) => String(e?.code)) : [];
}
