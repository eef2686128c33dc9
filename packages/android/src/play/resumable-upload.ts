import { createReadStream } from 'fs';
import { backoffDelay, DEFAULT_PROGRESS_INTERVAL_MS, DEFAULT_RETRY_STATUSES, formatBytes, HttpResponse, parseRetryAfter, retryAfterDelay, sleep, startProgress, TaskLog } from '@shipfleet/core';
import { PlayAbortedError, PlayApiError, PlayClient, playError } from './client';

/** Google's resumable uploads take chunks in multiples of 256 KiB (the last one aside). */
export const CHUNK_GRANULARITY = 256 * 1024;
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
/** At most one progress line this often where lines cannot be redrawn (the last one always). */
export { DEFAULT_PROGRESS_INTERVAL_MS };

export interface UploadRequest {
  /** The API method, for messages: edits.bundles.upload. */
  call: string;
  /** The upload URL, without uploadType. */
  url: string;
  file: string;
  size: number;
  chunkSize: number;
  /** The task's log: on a terminal, the upload's progress is one redrawn line. */
  log: TaskLog;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

/** Reads `bytes=0-1234` (the Range of a 308): the next offset to send. */
export function nextOffset(range: string | undefined): number {
  const m = /bytes=\d+-(\d+)/.exec(range ?? '');
  return m ? Number(m[1]) + 1 : 0;
}

const done = (res: HttpResponse) => res.status === 200 || res.status === 201;

function body<T>(res: HttpResponse): T {
  const text = res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Uploads a file: in one request when it fits in one chunk, else as a
 * resumable upload (a session, then PUTs of `chunkSize` bytes). A chunk that
 * fails (5xx, 429, network) is not sent again blindly: after the retry
 * policy's backoff (or the server's Retry-After) the session is asked how
 * much it has (`Content-Range: bytes *\/total`) and the upload resumes there;
 * the policy's attempts bound the failures in a row.
 */
export async function uploadFile<T>(client: PlayClient, r: UploadRequest): Promise<T> {
  if (r.size <= r.chunkSize) {
    const answer = await client.uploadMedia<T>(r.call, r.url, r.file, r.size);
    r.log(`${r.call}: ${formatBytes(r.size)} sent in one request`);
    return answer;
  }

  const init = await client.call(r.call, 'POST', r.url, {
    query: { uploadType: 'resumable' },
    headers: { 'x-upload-content-type': 'application/octet-stream', 'x-upload-content-length': String(r.size) },
  });
  const session = init.headers.location;
  if (!session) throw new PlayApiError(r.call, init.status, 'the resumable upload was accepted without a session URL (no Location header)');
  // The session gets the Authorization header: it must be Play's own origin.
  if (new URL(session, r.url).origin !== new URL(r.url).origin) throw new PlayApiError(r.call, init.status, `the resumable upload session is on another origin (${new URL(session, r.url).origin})`);
  const sessionUrl = new URL(session, r.url).href;

  const policy = client.retry;
  const bar = startProgress(r.log, { label: r.call, total: r.size, unit: 'bytes', intervalMs: r.progressIntervalMs, signal: r.signal });
  try {
    return await sendChunks<T>(client, r, sessionUrl, policy, (sent) => bar.update(sent));
  } finally {
    bar.end();
  }
}

/** PUTs the chunks to the session from byte 0, resuming where the session says after a failure, until it answers with the upload's result. */
async function sendChunks<T>(client: PlayClient, r: UploadRequest, sessionUrl: string, policy: PlayClient['retry'], progress: (sent: number) => void): Promise<T> {

  // The session's own state: how much it has, or the finished upload's answer.
  const query = async (): Promise<{ offset: number; answer?: HttpResponse }> => {
    const res = await client.call(r.call, 'PUT', sessionUrl, { headers: { 'content-range': `bytes */${r.size}` }, raw: true });
    if (done(res)) return { offset: r.size, answer: res };
    if (res.status === 308) return { offset: nextOffset(res.headers.range) };
    throw sessionError(r.call, res);
  };

  let offset = 0;
  let failures = 0;
  for (;;) {
    const end = Math.min(offset + r.chunkSize, r.size);
    const start = offset;
    let res: HttpResponse | undefined;
    let error: PlayApiError | undefined;
    try {
      res = await client.call(r.call, 'PUT', sessionUrl, {
        headers: { 'content-range': `bytes ${start}-${end - 1}/${r.size}`, 'content-type': 'application/octet-stream' },
        body: () => ({ data: createReadStream(r.file, { start, end: end - 1 }), length: end - start }),
        retry: { attempts: 1 },
        raw: true,
      });
    } catch (err) {
      if (!(err instanceof PlayApiError) || !err.retryable) throw err;
      error = err;
    }
    if (res && done(res)) {
      progress(r.size);
      return body<T>(res);
    }
    if (res?.status === 308) {
      offset = nextOffset(res.headers.range);
      failures = 0;
      progress(offset);
      continue;
    }
    if (res && !(DEFAULT_RETRY_STATUSES.includes(res.status))) throw sessionError(r.call, res);
    failures++;
    const why = res ? `${res.status} ${playError(r.call, res).playMessage}` : error!.playMessage;
    if (failures >= policy.attempts) throw new PlayApiError(r.call, res?.status, `the chunk at byte ${start} failed ${failures} times in a row; last: ${why}`);
    const retryAfter = res ? parseRetryAfter(res.headers['retry-after']) : undefined;
    const delay = retryAfter !== undefined ? retryAfterDelay(policy, retryAfter) : backoffDelay(policy, failures);
    r.log(`${r.call}: the chunk at byte ${start} failed (${why}); asking the session how much it has in ${(delay / 1000).toFixed(1)}s (retry ${failures} of ${policy.attempts - 1})`);
    await sleep(delay, r.signal);
    if (r.signal?.aborted) throw new PlayAbortedError(r.call);
    const state = await query();
    if (state.answer) {
      progress(r.size);
      return body<T>(state.answer);
    }
    r.log(`${r.call}: resuming at byte ${state.offset} of ${r.size}`);
    offset = state.offset;
  }
}

function sessionError(call: string, res: HttpResponse): PlayApiError {
  if (res.status === 404 || res.status === 410) {
    const err = playError(call, res);
    return new PlayApiError(call, res.status, `the upload session is gone (${err.playMessage}); run again to start a new one`, err.reason);
  }
  return playError(call, res);
}
