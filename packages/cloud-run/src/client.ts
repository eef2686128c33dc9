import { AccessTokenProvider } from '@shipfleet/android';
import { HttpAbortedError, HttpClient, HttpError, HttpResponse, HttpRetryEvent, isPlainObject, RetryPolicy } from '@shipfleet/core';

/** 429 and 5xx (after Retry-After), network errors and timeouts: four attempts, 1 s, 2 s, 4 s apart. */
export const CLOUD_RUN_RETRY: RetryPolicy = { attempts: 4, delayMs: 1000, factor: 2, maxDelayMs: 30_000, jitter: 0.25 };

export type TrafficType = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST' | 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';
export const LATEST: TrafficType = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST';
export const REVISION: TrafficType = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION';

// ── shapes (the fields this package reads and writes; JSON leaves zero and empty values out) ──

export interface Condition {
  type?: string;
  state?: 'CONDITION_PENDING' | 'CONDITION_RECONCILING' | 'CONDITION_FAILED' | 'CONDITION_SUCCEEDED' | string;
  message?: string;
  reason?: string;
  revisionReason?: string;
  severity?: string;
}

export interface TrafficTarget {
  type?: TrafficType;
  /** Short name. */
  revision?: string;
  percent?: number;
  tag?: string;
}

export interface TrafficTargetStatus extends TrafficTarget {
  uri?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueSource?: { secretKeyRef: { secret: string; version?: string } };
}

export interface Container {
  name?: string;
  image: string;
  env?: EnvVar[];
  resources?: { limits?: Record<string, string>; [field: string]: unknown };
  ports?: Array<{ name?: string; containerPort?: number }>;
  [field: string]: unknown;
}

export interface RevisionTemplate {
  revision?: string;
  labels?: Record<string, string>;
  scaling?: { minInstanceCount?: number; maxInstanceCount?: number };
  timeout?: string;
  serviceAccount?: string;
  containers?: Container[];
  maxInstanceRequestConcurrency?: number;
  [field: string]: unknown;
}

export interface CloudRunService {
  /** projects/{project}/locations/{location}/services/{id}. */
  name: string;
  generation?: string;
  labels?: Record<string, string>;
  ingress?: string;
  template?: RevisionTemplate;
  traffic?: TrafficTarget[];
  observedGeneration?: string;
  terminalCondition?: Condition;
  conditions?: Condition[];
  /** Full resource names. */
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  trafficStatuses?: TrafficTargetStatus[];
  uri?: string;
  reconciling?: boolean;
  etag?: string;
  [field: string]: unknown;
}

export interface CloudRunRevision {
  /** Full resource name. */
  name: string;
  createTime?: string;
  conditions?: Condition[];
  containers?: Container[];
  logUri?: string;
  reconciling?: boolean;
}

export interface Operation {
  name: string;
  done?: boolean;
  error?: { code?: number; message?: string };
  metadata?: Record<string, unknown>;
  response?: Record<string, unknown>;
}

/** A refused or failed call: the API method, Google's status and message. */
export class CloudRunApiError extends Error {
  constructor(
    readonly call: string,
    readonly status: number | undefined,
    readonly googleMessage: string,
    readonly googleStatus?: string,
  ) {
    super(`Cloud Run ${call} ${status ? `answered ${status}${googleStatus ? ` ${googleStatus}` : ''}` : 'failed'}: ${googleMessage}`);
    this.name = 'CloudRunApiError';
  }
}

/** The caller's signal stopped a call. */
export class CloudRunAbortedError extends Error {
  constructor(call: string) {
    super(`Cloud Run ${call} was stopped`);
    this.name = 'AbortError';
  }
}

function apiError(call: string, res: HttpResponse): CloudRunApiError {
  const data = res.data();
  const e = isPlainObject(data) && isPlainObject(data.error) ? data.error : undefined;
  if (e) return new CloudRunApiError(call, res.status, typeof e.message === 'string' ? e.message : res.statusText, typeof e.status === 'string' ? e.status : undefined);
  const text = typeof data === 'string' ? data.replace(/\s+/g, ' ').trim().slice(0, 300) : '';
  return new CloudRunApiError(call, res.status, text || res.statusText || 'no message');
}

function failure(e: HttpRetryEvent): string {
  if (e.response) {
    const err = apiError('', e.response);
    return `${e.response.status}${err.googleStatus ? ` ${err.googleStatus}` : ''} ${err.googleMessage}`;
  }
  return e.error?.kind === 'timeout' ? 'timed out' : `network error (${e.error?.code ?? e.error?.detail ?? 'unknown'})`;
}

export interface CloudRunClientOptions {
  apiUrl: string;
  project: string;
  region: string;
  auth: AccessTokenProvider;
  retry?: Partial<RetryPolicy>;
  /** Per attempt of each call (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Told each retry, in words. */
  onRetry?: (line: string) => void;
}

/**
 * The Cloud Run Admin API v2 calls of one project and region on core's HttpClient: the access
 * token as a secret Authorization header, fresh from the provider for each call; 429 and 5xx
 * retried with backoff (Retry-After honoured); errors naming the method, with Google's message.
 */
export class CloudRunClient {
  private readonly http: HttpClient;
  readonly parent: string;

  constructor(readonly options: CloudRunClientOptions) {
    this.parent = `projects/${options.project}/locations/${options.region}`;
    this.http = new HttpClient({ baseUrl: options.apiUrl, retry: { ...CLOUD_RUN_RETRY, ...options.retry }, timeoutMs: options.timeoutMs ?? 60_000, throwHttpErrors: false, headers: { accept: 'application/json', 'user-agent': 'shipfleet-cloud-run/0.1.0' } });
  }

  serviceName(service: string): string {
    return `${this.parent}/services/${service}`;
  }

  private async call<T>(call: string, method: string, path: string, o: { query?: Record<string, string | boolean | undefined>; json?: unknown; notFound?: boolean } = {}): Promise<T | undefined> {
    let res: HttpResponse;
    try {
      const token = await this.options.auth.accessToken();
      res = await this.http.request(method, `/v2/${path}`, {
        query: o.query,
        json: o.json,
        headers: { authorization: `Bearer ${token}` },
        signal: this.options.signal,
        onRetry: (e) => this.options.onRetry?.(`${call}: ${failure(e)}; retrying in ${(e.delayMs / 1000).toFixed(1)}s (retry ${e.attempt} of ${e.attempts - 1})`),
      });
    } catch (err) {
      if (err instanceof HttpAbortedError || this.options.signal?.aborted) throw new CloudRunAbortedError(call);
      if (err instanceof HttpError) throw new CloudRunApiError(call, undefined, err.detail);
      throw err;
    }
    if (res.status === 404 && o.notFound) return undefined;
    if (res.status < 200 || res.status >= 300) throw apiError(call, res);
    return res.data() as T;
  }

  /** services.get; undefined when the service does not exist. */
  getService(service: string): Promise<CloudRunService | undefined> {
    return this.call<CloudRunService>('services.get', 'GET', this.serviceName(service), { notFound: true });
  }

  /** services.create. */
  async createService(service: string, body: Partial<CloudRunService>): Promise<Operation> {
    return (await this.call<Operation>('services.create', 'POST', `${this.parent}/services`, { query: { serviceId: service }, json: body }))!;
  }

  /** services.patch of the fields in `updateMask` (the service's etag guards against a change made meanwhile). */
  async patchService(service: string, body: Partial<CloudRunService>, updateMask: string[]): Promise<Operation> {
    return (await this.call<Operation>('services.patch', 'PATCH', this.serviceName(service), { query: { updateMask: updateMask.join(',') }, json: body }))!;
  }

  /** revisions.get; undefined when there is no such revision. */
  getRevision(service: string, revision: string): Promise<CloudRunRevision | undefined> {
    return this.call<CloudRunRevision>('revisions.get', 'GET', `${this.serviceName(service)}/revisions/${revision}`, { notFound: true });
  }

  /** revisions.list, every page: newest first. */
  async listRevisions(service: string): Promise<CloudRunRevision[]> {
    const all: CloudRunRevision[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.call<{ revisions?: CloudRunRevision[]; nextPageToken?: string }>('revisions.list', 'GET', `${this.serviceName(service)}/revisions`, { query: { pageSize: '100', pageToken } });
      all.push(...(page?.revisions ?? []));
      pageToken = page?.nextPageToken || undefined;
    } while (pageToken);
    return all;
  }

  /** operations.get. */
  async getOperation(name: string): Promise<Operation> {
    return (await this.call<Operation>('operations.get', 'GET', name))!;
  }
}
