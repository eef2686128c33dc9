export * from './http-error';
export { httpJson, httpRequest } from './request';
export type { HttpAttemptEvent, HttpBody, HttpRequestOptions, HttpResponse, HttpResponseEvent, HttpRetryEvent, TlsCa } from './request';
export * from './client';
export { parseRetryAfter } from './retry-after';
export { networkErrorCode, RETRYABLE_NETWORK_CODES } from './network-errors';
export { SECRET_HEADERS } from './secret-headers';
