import http, { IncomingMessage } from 'http';
import https from 'https';
import { Readable } from 'stream';

/** One request on the wire: no redirects followed, no retry, no timeout of its own. */
export interface WireRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array | Readable;
  signal: AbortSignal;
  /** https only: the agent (and so the trusted CAs) to connect with, over node:https instead of fetch. */
  agent?: https.Agent;
}

export interface WireResponse {
  status: number;
  statusText: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array>;
  /** Stops reading the body and frees the connection. */
  discard(): void;
}

/** The request body (a stream the caller gave) failed: not a network problem. */
export class BodyStreamError extends Error {
  constructor(cause: unknown) {
    // Duck-typed: errors from Node's own modules fail `instanceof Error` inside test sandboxes.
    super(typeof (cause as { message?: unknown })?.message === 'string' ? (cause as Error).message : String(cause), { cause });
  }
}

const EMPTY: AsyncIterable<Uint8Array> = { async *[Symbol.asyncIterator]() {} };

async function sendFetch(req: WireRequest & { body?: Uint8Array }): Promise<WireResponse> {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: req.signal, redirect: 'manual' });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => { headers[name] = value; });
  const body = res.body;
  return {
    status: res.status,
    statusText: res.statusText,
    headers,
    body: (body as unknown as AsyncIterable<Uint8Array> | null) ?? EMPTY,
    discard: () => void body?.cancel().catch(() => undefined),
  };
}

/** A response of node:http(s) as a WireResponse; the body fails (rather than ends early) when `signal` aborts. */
function nodeResponse(res: IncomingMessage, signal: AbortSignal): WireResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const onAbort = () => res.destroy(new Error('aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  res.once('close', () => signal.removeEventListener('abort', onAbort));
  async function* body(): AsyncIterable<Uint8Array> {
    for await (const chunk of res) yield chunk as Buffer;
    // A request destroyed on abort may leave its answer ended rather than failed.
    if (signal.aborted || !res.complete) throw new Error('the answer was cut short');
  }
  return { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers, body: body(), discard: () => res.destroy() };
}

/**
 * Over node:http(s) rather than fetch: for a streamed body (Node 20's fetch holds a streamed
 * request body in memory whole before it is sent, while a piped http request reads it only as
 * fast as the socket drains), and for https with an agent of its own (Node 20's fetch takes no
 * public Agent, so no CA of the caller's).
 */
function sendNode(req: WireRequest): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const body = req.body;
    const agent = req.url.protocol === 'https:' ? req.agent : undefined;
    const request = (req.url.protocol === 'https:' ? https : http).request(req.url, { method: req.method, headers: req.headers, signal: req.signal, ...(agent ? { agent } : {}) }, (res) => resolve(nodeResponse(res, req.signal)));
    // After an answer has arrived, a late write error (the server answered early) changes nothing.
    request.on('error', reject);
    if (!(body instanceof Readable)) {
      request.end(body);
      return;
    }
    request.once('close', () => { if (!body.readableEnded) body.destroy(); });
    body.on('error', (err) => {
      const failure = new BodyStreamError(err);
      request.destroy(failure);
      reject(failure);
    });
    body.pipe(request);
  });
}

export function sendOnWire(req: WireRequest): Promise<WireResponse> {
  if (req.body instanceof Readable || (req.agent && req.url.protocol === 'https:')) return sendNode(req);
  return sendFetch({ ...req, body: req.body });
}
