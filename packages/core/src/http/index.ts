export * from './http-error';
export * from './request';
export * from './client';
export { parseRetryAfter } from './retry-after';
export { networkErrorCode, RETRYABLE_NETWORK_CODES } from './network-errors';
export { SECRET_HEADERS } from './secret-headers';
