import { createReadStream } from 'fs';
import http from 'http';
import https from 'https';
import { Readable } from 'stream';
import { Redactor } from '@shipfleet/core';

/**
 * The one HTTP client of this package: every call to the Vercel REST API goes
 * through `VercelClient.request`. It sends the token as a Bearer header and
 * `teamId` as a query parameter, retries what is worth retrying, counts
 * requests and uploaded bytes, and never puts the token in a message. Calls
 * go through fetch, except a file body streamed from disk (see sendStream).
 *
 * Why not @vercel/client (what `vercel deploy` uses)? It would fit in part:
 * it takes an `apiUrl` override, deploys prebuilt `.vercel/output` folders
 * (`prebuilt` + `vercelOutputDir`) and reports progress as an async stream of
 * events (hashes-calculated, file-count, file-uploaded, created, building,
 * ready, alias-assigned, error). But it cannot be added here (no new
 * dependencies in this repo; 18.x brings 13 of its own, among them
 * @vercel/build-utils, @vercel/routing-utils, @vercel/microfrontends, tar-fs
 * and fs-extra), and its upload path is not what a CI deploy wants: it reads
 * each file into a Buffer to hash it and keeps those Buffers until they are
 * uploaded (only files over 2 GiB are streamed), uploads 50 at a time with no
 * setting for it, retries an upload only on network errors (a 429 or 5xx from
 * POST /v2/files fails the deploy), and does not retry the create request
 * (its status polling does honour Retry-After). Its deploy API covers deploy
 * only; `vercel promote` and `vercel rollback` make their own requests in the
 * CLI. The calls themselves are few and documented, so this package makes
 * them directly.
 */

export interface RetryConfig {
  /** Retries after the first attempt (429, 5xx, network errors). */
  retries: number;
  /** First backoff delay; doubles on each retry. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured; a longer one is waited this long. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryConfig = { retries: 5, minDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

export interface VercelClientOptions {
  apiUrl: string;
  token: string;
  teamId?: string;
  retry?: Partial<RetryConfig>;
  /** Aborts requests in flight and waits between retries. */
  signal?: AbortSignal;
  /** Told about each retry (one line, no secrets). */
  onRetry?: (line: string) => void;
  /** One line per request and response (no secrets). */
  trace?: (line: string) => void;
  userAgent?: string;
  /** Counters to add to (shared by several clients of one run); default a fresh set. */
  stats?: VercelClientStats;
}

export interface VercelClientStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Files uploaded with POST /v2/files (answered 200). */
  uploadedFiles: number;
  /** Bytes of those files. */
  uploadedBytes: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** Sent as a JSON body. */
  json?: unknown;
  /** A raw body, made afresh for each attempt (a stream cannot be replayed). */
  body?: () => { data: Buffer | Readable; length: number };
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A request to the API failed: it names the method, the path, the status and the API's own message. */
export class VercelApiError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly code?: string;
  /** The API's error object, when it sent one. */
  readonly apiError?: Record<string, unknown>;

  constructor(method: string, path: string, detail: string, extra: { status?: number; code?: string; apiError?: Record<string, unknown> } = {}) {
    super(`${method} ${path} failed: ${detail}`);
    this.name = 'VercelApiError';
    this.method = method;
    this.path = path;
    this.status = extra.status;
    this.code = extra.code;
    this.apiError = extra.apiError;
  }
}

/** The run was stopped (SIGINT): no retry, no further request. */
export class AbortedError extends Error {
  constructor(what: string) {
    super(`${what} was stopped`);
    this.name = 'AbortedError';
  }
}

// Errors from the socket layer that a new attempt may not meet again.
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

function networkErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const nested = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(nested) && nested.length) {
      const inner = networkErrorCode(nested[0]);
      if (inner) return inner;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function describeBody(data: unknown): string {
  if (data && typeof data === 'object') {
    const error = (data as { error?: unknown }).error;
    if (error && typeof error === 'object') {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return [typeof code === 'string' ? code : undefined, typeof message === 'string' ? message : undefined].filter(Boolean).join(': ');
    }
    const message = (data as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return typeof data === 'string' ? data.slice(0, 300) : '';
}

interface RawResponse {
  status: number;
  retryAfter: string | null;
  text: string;
}

/** The file being sent could not be read (not a network problem: no retry). */
class BodyReadError extends Error {}

async function sendFetch(url: string, method: string, headers: Record<string, string>, body: string | Buffer | undefined, signal?: AbortSignal): Promise<RawResponse> {
  const response = await fetch(url, { method, headers, body, signal });
  const text = await response.text().catch(() => '');
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text };
}

/**
 * A streamed body goes over node:http(s) rather than fetch: Node 20's fetch
 * holds a streamed request body in memory whole before it is sent (a 200 MiB
 * upload kept 200 MiB of buffers alive), while a piped http request reads the
 * file only as fast as the socket drains (about 30 MiB for the same upload).
 */
function sendStream(url: string, method: string, headers: Record<string, string>, body: Readable, signal?: AbortSignal): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? https : http).request(target, { method, headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: retryAfter === undefined ? null : String(retryAfter), text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    // After a response has arrived, a late write error (the server answered early) changes nothing.
    request.on('error', reject);
    body.on('error', (err) => {
      const failure = new BodyReadError(err.message);
      request.destroy(failure);
      reject(failure);
    });
    body.pipe(request);
  });
}

export class VercelClient {
  readonly stats: VercelClientStats;
  private readonly retry: RetryConfig;
  private readonly redactor: Redactor;

  constructor(private readonly options: VercelClientOptions) {
    this.stats = options.stats ?? { requests: 0, retries: 0, uploadedFiles: 0, uploadedBytes: 0 };
    this.retry = { ...DEFAULT_RETRY, ...(options.retry ?? {}) };
    this.redactor = new Redactor([options.token]);
  }

  /** Text that may reach a log, with the token masked (a safety net: the client never writes it into text). */
  private safe(text: string): string {
    return this.redactor.redact(text);
  }

  private backoff(retry: number): number {
    const base = Math.min(this.retry.maxDelayMs, this.retry.minDelayMs * Math.pow(2, retry - 1));
    // Up to a quarter less, so parallel uploads that failed together do not retry together.
    return Math.round(base * (0.75 + Math.random() * 0.25));
  }

  url(path: string, query: RequestOptions['query'] = {}): string {
    const url = new URL(this.options.apiUrl + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    if (this.options.teamId) url.searchParams.set('teamId', this.options.teamId);
    return url.toString();
  }

  /**
   * One API call. Retries with exponential backoff on 429 (waiting Retry-After
   * when the API sends it), on 5xx and on network errors (connection reset or
   * refused, socket closed, DNS); any other 4xx fails at once.
   */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const signal = opts.signal ?? this.options.signal;
    const url = this.url(path, opts.query);
    const label = `${method} ${path}`;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new AbortedError(label);
      const headers: Record<string, string> = {
        authorization: `Bearer ${this.options.token}`,
        accept: 'application/json',
        'user-agent': this.options.userAgent ?? 'shipfleet-vercel/0.1.0',
        ...(opts.headers ?? {}),
      };
      let body: string | Buffer | Readable | undefined;
      let bodyBytes = 0;
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        headers['content-type'] = 'application/json';
        bodyBytes = Buffer.byteLength(body);
      } else if (opts.body) {
        const made = opts.body();
        body = made.data;
        headers['content-length'] = String(made.length);
        bodyBytes = made.length;
      }

      this.stats.requests++;
      const started = Date.now();
      this.options.trace?.(this.safe(`→ ${label}${bodyBytes ? ` (${bodyBytes} bytes)` : ''}${attempt > 1 ? ` [attempt ${attempt}]` : ''}`));
      let response: RawResponse;
      try {
        response = body instanceof Readable ? await sendStream(url, method, headers, body, signal) : await sendFetch(url, method, headers, body, signal);
      } catch (err) {
        if (signal?.aborted) throw new AbortedError(label);
        if (err instanceof BodyReadError) throw new VercelApiError(method, path, this.safe(`could not read the file to send: ${err.message}`));
        const code = networkErrorCode(err);
        const retryable = code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
        const what = `network error (${code ?? (err instanceof Error ? err.message : String(err))})`;
        if (retryable && attempt <= this.retry.retries) {
          await this.wait(label, what, this.backoff(attempt), attempt, signal);
          continue;
        }
        throw new VercelApiError(method, path, this.safe(`${what}${attempt > 1 ? ` after ${attempt} attempts` : ''}`));
      }

      const { text } = response;
      this.options.trace?.(this.safe(`← ${label} ${response.status} (${Date.now() - started} ms)`));
      let data: unknown = undefined;
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      if (response.status >= 200 && response.status < 300) {
        if (path === '/v2/files' && method === 'POST') {
          this.stats.uploadedFiles++;
          this.stats.uploadedBytes += bodyBytes;
        }
        return data as T;
      }

      const status = response.status;
      const detail = describeBody(data);
      if ((status === 429 || status >= 500) && attempt <= this.retry.retries) {
        const retryAfter = status === 429 || status === 503 ? parseRetryAfter(response.retryAfter) : undefined;
        const delay = retryAfter !== undefined ? Math.min(retryAfter, this.retry.maxRetryAfterMs) : this.backoff(attempt);
        await this.wait(label, `${status}${detail ? ` ${detail}` : ''}${retryAfter !== undefined ? ` (Retry-After ${Math.round(retryAfter / 1000)}s)` : ''}`, delay, attempt, signal);
        continue;
      }
      const apiError = data && typeof data === 'object' && (data as { error?: unknown }).error && typeof (data as { error?: unknown }).error === 'object' ? ((data as { error: Record<string, unknown> }).error) : undefined;
      throw new VercelApiError(method, path, this.safe(`${status}${detail ? ` ${detail}` : ''}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`), {
        status,
        code: typeof apiError?.code === 'string' ? apiError.code : undefined,
        apiError,
      });
    }
  }

  private async wait(label: string, what: string, delay: number, attempt: number, signal?: AbortSignal): Promise<void> {
    this.stats.retries++;
    this.options.onRetry?.(this.safe(`${label}: ${what}; retrying in ${(delay / 1000).toFixed(1)}s (retry ${attempt} of ${this.retry.retries})`));
    await sleep(delay, signal);
    if (signal?.aborted) throw new AbortedError(label);
  }

  // ── endpoints ─────────────────────────────────────────────────────────────

  getUser(): Promise<{ user: VercelUser }> {
    return this.request('GET', '/v2/user');
  }

  getTeam(teamId: string): Promise<VercelTeam> {
    return this.request('GET', `/v2/teams/${encodeURIComponent(teamId)}`);
  }

  getProject(idOrName: string): Promise<VercelProject> {
    return this.request('GET', `/v9/projects/${encodeURIComponent(idOrName)}`);
  }

  createDeployment(body: CreateDeploymentBody, signal?: AbortSignal): Promise<VercelDeployment> {
    return this.request('POST', '/v13/deployments', { json: body, signal });
  }

  /** POST /v2/files: the file's bytes, streamed from disk, with its SHA-1 in x-vercel-digest. */
  uploadFile(file: { sha: string; size: number; path: string; symlinkTarget?: string }, signal?: AbortSignal): Promise<unknown> {
    return this.request('POST', '/v2/files', {
      headers: { 'content-type': 'application/octet-stream', 'x-vercel-digest': file.sha },
      body: () =>
        file.symlinkTarget !== undefined
          ? { data: Buffer.from(file.symlinkTarget, 'utf8'), length: Buffer.byteLength(file.symlinkTarget) }
          : { data: createReadStream(file.path), length: file.size },
      signal,
    });
  }

  getDeployment(idOrUrl: string, signal?: AbortSignal): Promise<VercelDeployment> {
    return this.request('GET', `/v13/deployments/${encodeURIComponent(idOrUrl)}`, { signal });
  }

  listDeployments(query: { projectId: string; target?: 'production' | 'preview'; state?: string; limit?: number; until?: number }): Promise<{ deployments: VercelDeploymentSummary[]; pagination?: { next?: number | null } }> {
    return this.request('GET', '/v6/deployments', { query });
  }

  promote(projectId: string, deploymentId: string): Promise<unknown> {
    return this.request('POST', `/v10/projects/${encodeURIComponent(projectId)}/promote/${encodeURIComponent(deploymentId)}`, { json: {} });
  }

  rollback(projectId: string, deploymentId: string): Promise<unknown> {
    return this.request('POST', `/v9/projects/${encodeURIComponent(projectId)}/rollback/${encodeURIComponent(deploymentId)}`, { json: {} });
  }

  assignAlias(deploymentId: string, alias: string): Promise<{ alias: string; oldDeploymentId?: string | null }> {
    return this.request('POST', `/v2/deployments/${encodeURIComponent(deploymentId)}/aliases`, { json: { alias } });
  }
}

// ── shapes (the fields this package reads) ───────────────────────────────────

export interface VercelUser {
  id: string;
  username?: string;
  email?: string;
}

export interface VercelTeam {
  id: string;
  slug?: string;
  name?: string;
}

export interface VercelProject {
  id: string;
  name: string;
  accountId?: string;
  targets?: { production?: { id: string; url?: string; createdAt?: number } | null };
  lastAliasRequest?: { type?: string; jobStatus?: string; toDeploymentId?: string; fromDeploymentId?: string | null; requestedAt?: number } | null;
}

export type ReadyState = 'QUEUED' | 'INITIALIZING' | 'BUILDING' | 'READY' | 'ERROR' | 'CANCELED' | 'BLOCKED' | string;

export interface VercelDeployment {
  id: string;
  url: string;
  name?: string;
  projectId?: string;
  target?: string | null;
  readyState: ReadyState;
  errorCode?: string;
  errorMessage?: string | null;
  alias?: string[];
  aliasAssigned?: boolean | number | null;
  aliasError?: { code?: string; message?: string } | null;
  inspectorUrl?: string | null;
  createdAt?: number;
}

/** GET /v6/deployments lists deployments in the older shape (uid, state, created). */
export interface VercelDeploymentSummary {
  uid: string;
  url: string;
  state?: ReadyState;
  readyState?: ReadyState;
  target?: string | null;
  created: number;
  isRollbackCandidate?: boolean | null;
}

export interface DeploymentFileEntry {
  file: string;
  sha: string;
  size: number;
  mode: number;
}

export interface CreateDeploymentBody {
  name: string;
  project: string;
  files: DeploymentFileEntry[];
  target?: 'production';
  customEnvironmentSlugOrId?: string;
  meta?: Record<string, string>;
}
