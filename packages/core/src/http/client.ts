import type { Agent } from 'https';
import { httpRequest, HttpRequestOptions, HttpResponse, newCaAgent, requestWithAgent } from './request';

export type HttpClientOptions = Omit<HttpRequestOptions, 'url' | 'method' | 'json' | 'body' | 'query'> & {
  /** Paths given to request() are appended to it. */
  baseUrl?: string;
};

export type HttpCallOptions = Omit<HttpRequestOptions, 'url' | 'method'>;

const lowerKeys = (h: Record<string, string> = {}) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * httpRequest with defaults shared by the calls of one API (base URL,
 * headers such as Authorization, retry policy, timeout, hooks). A call's own
 * options win; headers and retry settings are merged. With a `ca`, https
 * requests share one keep-alive agent of the client's (a call with a `ca` of
 * its own gets one for that call).
 */
export class HttpClient {
  private agent?: Agent;

  constructor(readonly defaults: HttpClientOptions = {}) {}

  url(pathOrUrl: string): string {
    const base = this.defaults.baseUrl;
    return base && !/^https?:\/\//i.test(pathOrUrl) ? `${base.replace(/\/+$/, '')}/${pathOrUrl.replace(/^\/+/, '')}` : pathOrUrl;
  }

  async request(method: string, pathOrUrl: string, options: HttpCallOptions = {}): Promise<HttpResponse> {
    const { baseUrl: _baseUrl, ...defaults } = this.defaults;
    const merged: HttpRequestOptions = {
      ...defaults,
      ...options,
      method,
      url: this.url(pathOrUrl),
      headers: { ...lowerKeys(defaults.headers), ...lowerKeys(options.headers) },
      secretHeaders: [...(defaults.secretHeaders ?? []), ...(options.secretHeaders ?? [])],
      retry: { ...defaults.retry, ...options.retry },
    };
    if (merged.ca === undefined || (options.ca !== undefined && options.ca !== defaults.ca)) return httpRequest(merged);
    this.agent ??= newCaAgent(merged);
    return requestWithAgent(merged, this.agent);
  }

  /** Closes the connections kept open by a `ca` client's agent (requests in flight fail); later requests open new ones. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  /** request(), then the answer's body as JSON (Accept: application/json unless given). */
  async json<T = unknown>(method: string, pathOrUrl: string, options: HttpCallOptions = {}): Promise<T> {
    const res = await this.request(method, pathOrUrl, { ...options, headers: { accept: 'application/json', ...lowerKeys(options.headers) } });
    return res.json<T>();
  }
}
