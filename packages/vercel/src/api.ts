import { Readable } from 'stream';
import { HttpAbortedError, HttpClient, HttpError, HttpResponse, HttpRetryEvent, Redactor, RetryPolicy } from '@shipfleet/core';
import { HashedFile, openListedFile } from './files';

/**
 * The one HTTP client of this package: every call to the Vercel REST API goes
 * through `VercelClient.request`. It sends the token as a Bearer header and
 * `teamId` as a query parameter, retries what is worth retrying, counts
 * requests and uploaded bytes, and never puts the token in a message. The
 * transport, timeouts and retries are core's HttpClient.
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

/** 5 retries, from 0.5 s; a Retry-After of up to 2 minutes is honoured. */
export const DEFAULT_VERCEL_RETRY: RetryPolicy = { attempts: 6, delayMs: 500, factor: 2, maxDelayMs: 120_000, jitter: 0.25 };

/** Each API call gets this long per attempt; an upload gets more for its size (see uploadTimeoutMs). */
const CALL_TIMEOUT_MS = 120_000;

/** Two minutes plus one second per 100 kB: a slow link still finishes, a stalled one does not hang the deploy. */
export const uploadTimeoutMs = (bytes: number) => CALL_TIMEOUT_MS + Math.ceil(bytes / 100);

export interface VercelClientOptions {
  apiUrl: string;
  token: string;
  teamId?: string;
  retry?: Partial<RetryPolicy>;
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
  timeoutMs?: number;
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

/** What failed, as the retry line and the final error say it: "429 rate_limited: …" or "network error (ECONNRESET)". */
function describeFailure(response: HttpResponse | undefined, error: HttpError | undefined): string {
  if (response) {
    const detail = describeBody(response.data());
    return `${response.status}${detail ? ` ${detail}` : ''}`;
  }
  if (error?.kind === 'timeout') return 'network error (timeout)';
  return `network error (${error?.code ?? error?.detail ?? 'unknown'})`;
}

export class VercelClient {
  readonly stats: VercelClientStats;
  private readonly retry: RetryPolicy;
  private readonly redactor: Redactor;
  private readonly http: HttpClient;

  constructor(private readonly options: VercelClientOptions) {
    this.stats = options.stats ?? { requests: 0, retries: 0, uploadedFiles: 0, uploadedBytes: 0 };
    this.retry = { ...DEFAULT_VERCEL_RETRY, ...(options.retry ?? {}) };
    this.redactor = new Redactor([options.token]);
    this.http = new HttpClient({
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json', 'user-agent': options.userAgent ?? 'shipfleet-vercel/0.1.0' },
      retry: this.retry,
      timeoutMs: CALL_TIMEOUT_MS,
      throwHttpErrors: false,
    });
  }

  /** Text that may reach a log, with the token masked (a safety net: the client never writes it into text). */
  private safe(text: string): string {
    return this.redactor.redact(text);
  }

  url(path: string, query: RequestOptions['query'] = {}): string {
    const url = new URL(this.options.apiUrl + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    if (this.options.teamId) url.searchParams.set('teamId', this.options.teamId);
    return url.toString();
  }

  /**
   * One API call. Retries with exponential backoff on 429 (waiting Retry-After
   * when the API sends it), on 408, 425, 500, 502, 503, 504, on network errors
   * (connection reset or refused, socket closed, DNS) and on timeouts; any
   * other status fails at once.
   */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const label = `${method} ${path}`;
    const retries = this.retry.attempts - 1;
    let started = 0;
    let bodyBytes = 0;
    let response: HttpResponse;
    try {
      response = await this.http.request(method, this.url(path, opts.query), {
        json: opts.json,
        body: opts.body,
        headers: opts.headers,
        signal: opts.signal ?? this.options.signal,
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        onAttempt: ({ attempt, bodyBytes: bytes }) => {
          this.stats.requests++;
          started = Date.now();
          bodyBytes = bytes ?? 0;
          this.options.trace?.(this.safe(`→ ${label}${bodyBytes ? ` (${bodyBytes} bytes)` : ''}${attempt > 1 ? ` [attempt ${attempt}]` : ''}`));
        },
        onResponse: ({ status }) => this.options.trace?.(this.safe(`← ${label} ${status} (${Date.now() - started} ms)`)),
        onRetry: (e: HttpRetryEvent) => {
          this.stats.retries++;
          const retryAfter = e.retryAfterMs !== undefined ? ` (Retry-After ${Math.round(e.retryAfterMs / 1000)}s)` : '';
          this.options.onRetry?.(this.safe(`${label}: ${describeFailure(e.response, e.error)}${retryAfter}; retrying in ${(e.delayMs / 1000).toFixed(1)}s (retry ${e.attempt} of ${retries})`));
        },
      });
    } catch (err) {
      if (err instanceof HttpAbortedError) throw new AbortedError(label);
      if (!(err instanceof HttpError)) throw err;
      if (err.kind === 'body') throw new VercelApiError(method, path, this.safe(`could not read the file to send: ${String((err.cause as { message?: unknown } | undefined)?.message ?? err.detail)}`));
      const what = err.kind === 'network' || err.kind === 'timeout' ? describeFailure(undefined, err) : err.detail;
      throw new VercelApiError(method, path, this.safe(`${what}${err.attempts > 1 ? ` after ${err.attempts} attempts` : ''}`));
    }

    const data = response.data();
    const { status, attempts } = response;
    if (status >= 200 && status < 300) {
      if (path === '/v2/files' && method === 'POST') {
        this.stats.uploadedFiles++;
        this.stats.uploadedBytes += bodyBytes;
      }
      return data as T;
    }
    const detail = describeBody(data);
    const apiError = data && typeof data === 'object' && (data as { error?: unknown }).error && typeof (data as { error?: unknown }).error === 'object' ? ((data as { error: Record<string, unknown> }).error) : undefined;
    throw new VercelApiError(method, path, this.safe(`${status}${detail ? ` ${detail}` : ''}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`), {
      status,
      code: typeof apiError?.code === 'string' ? apiError.code : undefined,
      apiError,
    });
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

  /** POST /v2/files: the file's bytes, streamed from disk (only from the file hashed), with its SHA-1 in x-vercel-digest. */
  uploadFile(file: Pick<HashedFile, 'file' | 'path' | 'sha' | 'size' | 'dev' | 'ino' | 'symlinkTarget'>, signal?: AbortSignal): Promise<unknown> {
    return this.request('POST', '/v2/files', {
      headers: { 'content-type': 'application/octet-stream', 'x-vercel-digest': file.sha },
      body: () =>
        file.symlinkTarget !== undefined
          ? { data: Buffer.from(file.symlinkTarget, 'utf8'), length: Buffer.byteLength(file.symlinkTarget) }
          : { data: openListedFile(file, { size: file.size }), length: file.size },
      signal,
      timeoutMs: uploadTimeoutMs(file.size),
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
