/**
 * The one retry policy of the project: the runner retries steps with it, the
 * HTTP client retries requests with it. Backoff is exponential from `delayMs`,
 * capped at `maxDelayMs`, with optional jitter so that callers that failed
 * together do not retry together.
 */
export interface RetryPolicy {
  /** Total attempts, including the first (>= 1). */
  attempts: number;
  /** Delay before the second attempt; multiplied by `factor` after each. */
  delayMs: number;
  /** Default 2. */
  factor?: number;
  /** Longest wait between attempts, a server's Retry-After included (default 60 s). */
  maxDelayMs?: number;
  /** Up to this fraction (0–1) of each backoff delay is taken off at random (default 0: none). */
  jitter?: number;
  /** HTTP: response statuses that are retried (default DEFAULT_RETRY_STATUSES). */
  retryStatuses?: readonly number[];
  /** HTTP: retry network errors and timeouts (default true). */
  retryNetworkErrors?: boolean;
}

/** 408 Request Timeout, 425 Too Early, 429 Too Many Requests, 500, 502, 503, 504. */
export const DEFAULT_RETRY_STATUSES: readonly number[] = [408, 425, 429, 500, 502, 503, 504];

export const DEFAULT_MAX_DELAY_MS = 60_000;

/** What HTTP requests use unless told otherwise: 4 attempts, 0.5 s, 1 s, 2 s apart (less up to a quarter). */
export const DEFAULT_HTTP_RETRY: RetryPolicy = { attempts: 4, delayMs: 500, factor: 2, maxDelayMs: 30_000, jitter: 0.25 };

/** The wait after the `failedAttempt`-th attempt (1 for the first) failed. */
export function backoffDelay(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const delay = Math.min(policy.delayMs * Math.pow(policy.factor ?? 2, failedAttempt - 1), policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0));
  return Math.round(delay * (1 - jitter * random()));
}

/** A server's Retry-After, capped by the policy's maxDelayMs (no jitter: the server asked for no sooner). */
export function retryAfterDelay(policy: RetryPolicy, retryAfterMs: number): number {
  return Math.min(retryAfterMs, policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
}
