import { createReadStream } from 'fs';
import { HttpAbortedError, HttpBody, HttpClient, HttpError, HttpResponse, HttpRetryEvent, isPlainObject, RetryPolicy } from '@shipfleet/core';
import { AccessTokenProvider } from './auth';
import { LocalizedText } from './release-notes';
import { trackPath } from './tracks';

export const DEFAULT_API_URL = 'https://androidpublisher.googleapis.com';

/** 5 attempts from 1 s; Play's Retry-After is honoured up to a minute. */
export const DEFAULT_PLAY_RETRY: RetryPolicy = { attempts: 5, delayMs: 1000, factor: 2, maxDelayMs: 60_000, jitter: 0.25 };

// A commit that failed on the network may have happened: only answers that mean "not done" are retried.
const COMMIT_RETRY_STATUSES = [429, 503];

export interface PlayClientOptions {
  /** Without a trailing slash: the API root is `${apiUrl}/androidpublisher/v3`, uploads `${apiUrl}/upload/androidpublisher/v3`. */
  apiUrl: string;
  packageName: string;
  auth: AccessTokenProvider;
  retry?: Partial<RetryPolicy>;
  /** Per attempt of each call and each upload chunk. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Told about each retry, one line. */
  onRetry?: (line: string) => void;
}

/** Play answered a call with an error: names the call, the status, Play's reason and its message. */
export class PlayApiError extends Error {
  constructor(
    /** The API method: edits.insert, edits.bundles.upload… */
    readonly call: string,
    readonly status: number | undefined,
    /** Play's own message (error.message). */
    readonly playMessage: string,
    /** error.errors[0].reason or error.status: "forbidden", "PERMISSION_DENIED"… */
    readonly reason?: string,
    /** No answer came (network error, timeout) and another attempt may work. */
    readonly retryable = false,
  ) {
    super(`${call} failed: ${status !== undefined ? `${status}${reason ? ` ${reason}` : ''}: ` : ''}${playMessage}`);
    this.name = 'PlayApiError';
  }
}

/** The run was stopped while a call was under way. */
export class PlayAbortedError extends Error {
  constructor(call: string) {
    super(`${call} was stopped`);
    this.name = 'PlayAbortedError';
  }
}

/** Play's message and reason from a Google API error body. */
export function playError(call: string, res: HttpResponse): PlayApiError {
  const data = res.data();
  if (isPlainObject(data) && isPlainObject(data.error)) {
    const e = data.error;
    const first = Array.isArray(e.errors) && isPlainObject(e.errors[0]) ? e.errors[0] : undefined;
    const reason = typeof first?.reason === 'string' ? first.reason : typeof e.status === 'string' ? e.status : undefined;
    return new PlayApiError(call, res.status, typeof e.message === 'string' ? e.message : res.statusText, reason);
  }
  const text = typeof data === 'string' ? data.replace(/\s+/g, ' ').trim().slice(0, 300) : '';
  return new PlayApiError(call, res.status, text || res.statusText || 'no message');
}

/** What a retry line says failed. */
function failure(e: HttpRetryEvent): string {
  if (e.response) return `${e.response.status} ${playError('', e.response).playMessage}`;
  return e.error?.kind === 'timeout' ? 'timed out' : `network error (${e.error?.code ?? e.error?.detail ?? 'unknown'})`;
}

// ── shapes (the fields this package reads and writes) ─────────────────────

export interface PlayEdit {
  id: string;
  expiryTimeSeconds?: string;
}

export interface PlayBundle {
  versionCode: number;
  sha1?: string;
  sha256?: string;
}

export interface PlayApk {
  versionCode: number;
  binary?: { sha1?: string; sha256?: string };
}

export type ReleaseStatus = 'completed' | 'inProgress' | 'draft' | 'halted';

export interface PlayRelease {
  name?: string;
  /** int64 as strings, as the API writes them. */
  versionCodes?: string[];
  status: ReleaseStatus | string;
  userFraction?: number;
  releaseNotes?: LocalizedText[];
  inAppUpdatePriority?: number;
  [field: string]: unknown;
}

export interface PlayTrack {
  track: string;
  releases?: PlayRelease[];
}

export type DeobfuscationFileType = 'proguard' | 'nativeCode';

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  /** Made afresh for each attempt (a stream cannot be replayed). */
  body?: HttpBody;
  headers?: Record<string, string>;
  retry?: Partial<RetryPolicy>;
  /** Base of the path: the API (default) or the upload endpoint. */
  upload?: boolean;
  /** Return error answers instead of throwing (for statuses the caller reads itself). */
  raw?: boolean;
}

/**
 * The Play Developer API calls of one app, on core's HttpClient: the access
 * token as a secret Authorization header (fresh from the provider for each
 * call), retries with backoff on 429/5xx honouring Retry-After, and errors
 * that name the API method and carry Play's message.
 */
export class PlayClient {
  readonly apiRoot: string;
  readonly uploadRoot: string;
  readonly retry: RetryPolicy;
  private readonly http: HttpClient;

  constructor(readonly options: PlayClientOptions) {
    this.apiRoot = `${options.apiUrl}/androidpublisher/v3`;
    this.uploadRoot = `${options.apiUrl}/upload/androidpublisher/v3`;
    this.retry = { ...DEFAULT_PLAY_RETRY, ...options.retry };
    this.http = new HttpClient({ retry: this.retry, timeoutMs: options.timeoutMs, throwHttpErrors: false, headers: { 'user-agent': 'shipfleet-android/0.1.0' } });
  }

  get packageName(): string {
    return this.options.packageName;
  }

  /** `applications/<package>/edits/<id>…` under the API or upload root. */
  editUrl(editId: string, rest = '', upload = false): string {
    return `${upload ? this.uploadRoot : this.apiRoot}/applications/${encodeURIComponent(this.packageName)}/edits${editId ? `/${encodeURIComponent(editId)}` : ''}${rest}`;
  }

  async authorization(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.options.auth.accessToken()}` };
  }

  /** One call; `call` is the API method's name for messages. */
  async call(call: string, method: string, url: string, o: CallOptions = {}): Promise<HttpResponse> {
    let res: HttpResponse;
    try {
      res = await this.http.request(method, url, {
        query: o.query,
        json: o.json,
        body: o.body,
        headers: { ...(await this.authorization()), ...o.headers },
        retry: o.retry,
        signal: this.options.signal,
        onRetry: (e) => this.options.onRetry?.(`${call}: ${failure(e)}; retrying in ${(e.delayMs / 1000).toFixed(1)}s (retry ${e.attempt} of ${e.attempts - 1})`),
      });
    } catch (err) {
      if (err instanceof HttpAbortedError) throw new PlayAbortedError(call);
      if (err instanceof HttpError) {
        throw new PlayApiError(call, undefined, err.kind === 'body' ? `could not read the file to send (${err.detail})` : err.detail, undefined, err.retryable && err.kind !== 'body');
      }
      throw err;
    }
    if (!o.raw && (res.status < 200 || res.status >= 300)) throw playError(call, res);
    return res;
  }

  async json<T>(call: string, method: string, url: string, o: CallOptions = {}): Promise<T> {
    const res = await this.call(call, method, url, o);
    return res.data() as T;
  }

  // ── edits ─────────────────────────────────────────────────────────────

  insertEdit(): Promise<PlayEdit> {
    return this.json('edits.insert', 'POST', this.editUrl(''), { json: {} });
  }

  /** Deletes an edit; one Play no longer has (404) counts as deleted. Returns whether it was there. */
  async deleteEdit(editId: string): Promise<boolean> {
    const res = await this.call('edits.delete', 'DELETE', this.editUrl(editId), { raw: true });
    if (res.status === 404) return false;
    if (res.status < 200 || res.status >= 300) throw playError('edits.delete', res);
    return true;
  }

  validateEdit(editId: string): Promise<PlayEdit> {
    return this.json('edits.validate', 'POST', this.editUrl(editId, ':validate'));
  }

  commitEdit(editId: string, changesNotSentForReview: boolean): Promise<PlayEdit> {
    return this.json('edits.commit', 'POST', this.editUrl(editId, ':commit'), {
      query: changesNotSentForReview ? { changesNotSentForReview: true } : undefined,
      retry: { retryStatuses: COMMIT_RETRY_STATUSES, retryNetworkErrors: false },
    });
  }

  // ── artefacts ─────────────────────────────────────────────────────────

  async listBundles(editId: string): Promise<PlayBundle[]> {
    return (await this.json<{ bundles?: PlayBundle[] }>('edits.bundles.list', 'GET', this.editUrl(editId, '/bundles')))?.bundles ?? [];
  }

  async listApks(editId: string): Promise<PlayApk[]> {
    return (await this.json<{ apks?: PlayApk[] }>('edits.apks.list', 'GET', this.editUrl(editId, '/apks')))?.apks ?? [];
  }

  /** A whole file in one request (uploadType=media): for files that fit in one chunk. */
  uploadMedia<T>(call: string, url: string, file: string, size: number): Promise<T> {
    return this.json(call, 'POST', url, {
      query: { uploadType: 'media' },
      headers: { 'content-type': 'application/octet-stream' },
      body: () => ({ data: createReadStream(file), length: size }),
    });
  }

  uploadDeobfuscationFile(editId: string, versionCode: number, type: DeobfuscationFileType, file: string, size: number): Promise<unknown> {
    return this.uploadMedia('edits.deobfuscationfiles.upload', this.editUrl(editId, `/apks/${versionCode}/deobfuscationFiles/${type}`, true), file, size);
  }

  // ── tracks ────────────────────────────────────────────────────────────

  /** The track as the edit has it. */
  getTrack(editId: string, track: string): Promise<PlayTrack> {
    return this.json('edits.tracks.get', 'GET', this.editUrl(editId, `/tracks/${trackPath(track)}`));
  }

  updateTrack(editId: string, track: PlayTrack): Promise<PlayTrack> {
    return this.json('edits.tracks.update', 'PUT', this.editUrl(editId, `/tracks/${trackPath(track.track)}`), { json: track });
  }
}
