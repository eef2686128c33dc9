import { abortError } from './clock';

export type FetchFn = typeof fetch;

export interface HttpAnswer {
  status: number;
  body: string;
  /** Time to the complete answer, ms. */
  ms: number;
}

/** A request that got no HTTP answer: refused, reset, DNS, or timed out. The caller's abort is an AbortError instead. */
export class HttpRequestError extends Error {
  readonly timedOut: boolean;

  constructor(message: string, timedOut: boolean) {
    super(message);
    this.name = 'HttpRequestError';
    this.timedOut = timedOut;
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/**
 * One HTTP request with a timeout that also honours the caller's signal.
 * Any HTTP status is an answer; only a missing answer throws.
 */
export async function httpRequest(
  fetchFn: FetchFn,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number; signal?: AbortSignal; now?: () => number },
): Promise<HttpAnswer> {
  if (init.signal?.aborted) throw abortError();
  const now = init.now ?? (() => performance.now());
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), init.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
  const started = now();
  try {
    const res = await fetchFn(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body, signal, redirect: 'manual' });
    const body = await res.text();
    return { status: res.status, body, ms: now() - started };
  } catch (err) {
    if (init.signal?.aborted) throw abortError();
    if (timeout.signal.aborted) throw new HttpRequestError(`no answer within ${init.timeoutMs} ms`, true);
    throw new HttpRequestError(`request failed: ${causeOf(err)}`, false);
  } finally {
    clearTimeout(timer);
  }
}

/** The start of a response body for an error message. */
export function snippet(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
