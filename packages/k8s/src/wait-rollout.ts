import { sleep, startProgress } from '@shipfleet/core';
import { DeployIO } from './deploy-io';
import { RolloutStatus, rolloutStatus } from './rollout-status';
import { describeRef, K8sObject, ObjectRef } from './types';
import { Waker } from './waker';
import { podsOf } from './workload-pods';

export interface WaitResult {
  ref: ObjectRef;
  outcome: 'done' | 'failed' | 'timeout' | 'cancelled';
  status: RolloutStatus;
  object?: K8sObject;
}

/**
 * Waits for one workload by the rules of `kubectl rollout status`, showing its
 * status line as progress: redrawn on a terminal, otherwise each new status at
 * most every few seconds, and the last one always.
 */
async function waitOne(io: DeployIO, ref: ObjectRef, deadline: number, signal: AbortSignal): Promise<WaitResult> {
  const now = io.now ?? Date.now;
  const poll = io.pollIntervalMs ?? 1000;
  const waker = new Waker();
  let stopWatch: () => void = () => undefined;
  if (io.client.watch) {
    try {
      stopWatch = await io.client.watch(ref, () => waker.wake());
    } catch {
      // Polling alone will do.
    }
  }
  const name = describeRef(ref);
  let status: RolloutStatus = { done: false, message: 'not read yet' };
  let object: K8sObject | undefined;
  const progress = startProgress(io.log, { label: name, intervalMs: io.progressIntervalMs, now });
  try {
    for (;;) {
      if (signal.aborted) return { ref, outcome: 'cancelled', status, object };
      const readAt = now();
      let read: K8sObject | undefined;
      try {
        read = await io.client.get(ref);
      } catch (e) {
        // A dropped connection or an API server restart: keep trying until the deadline, as kubectl's watch does.
        status = { done: false, message: `cannot read ${name}: ${(e as Error).message}` };
        progress.note(`${status.message} (retrying)`);
        const remaining = deadline - now();
        if (remaining <= 0) return { ref, outcome: 'timeout', status, object };
        await waker.sleep(Math.min(poll, remaining), signal);
        continue;
      }
      if (!read) return { ref, outcome: 'failed', status: { done: false, failed: true, reason: 'NotFound', message: `${name} no longer exists` } };
      object = read;
      status = rolloutStatus(object);
      if (!status.done && !status.failed && object.kind === 'Deployment') {
        try {
          status = rolloutStatus(object, { pods: await podsOf(io.client, object) });
        } catch {
          // The warning is a nicety; the status stands without it.
        }
      }
      progress.note(status.message);
      if (status.done) return { ref, outcome: 'done', status, object };
      if (status.failed) return { ref, outcome: 'failed', status, object };
      const remaining = deadline - now();
      if (remaining <= 0) return { ref, outcome: 'timeout', status, object };
      await waker.sleep(Math.min(poll, remaining), signal);
      // Watch events come in bursts: read at most every 100 ms.
      const since = now() - readAt;
      if (since < 100 && !signal.aborted) await sleep(100 - since, signal);
    }
  } finally {
    stopWatch();
    progress.end();
  }
}

/**
 * Waits for all the workloads at once, until each has rolled out, one has
 * failed (the others are then no longer waited for) or the time is up.
 */
export async function waitForRollouts(io: DeployIO, refs: ObjectRef[], timeoutMs: number): Promise<WaitResult[]> {
  const now = io.now ?? Date.now;
  const deadline = now() + timeoutMs;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.all(
      refs.map(async (ref) => {
        const r = await waitOne(io, ref, deadline, stop.signal);
        if (r.outcome === 'failed') stop.abort();
        return r;
      }),
    );
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
  }
}
