import { sleep } from '@shipfleet/core';

/**
 * Time as the monitor sees it. Everything that waits or reads the time goes
 * through a Clock, so tests and replays of recorded metric histories run in
 * virtual time: a wait advances the clock instead of blocking.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with an AbortError when the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError();
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    throwIfAborted(signal);
    await sleep(ms, signal);
    throwIfAborted(signal);
  },
};

/**
 * A clock that starts at `startMs` and moves only when something sleeps:
 * a replay of a recorded history runs as fast as its queries answer.
 */
export function virtualClock(startMs: number): Clock {
  let now = startMs;
  return {
    now: () => now,
    sleep: async (ms, signal) => {
      throwIfAborted(signal);
      // Yield once so an abort raised meanwhile (SIGINT) is seen before time moves on.
      await new Promise((resolve) => setImmediate(resolve));
      throwIfAborted(signal);
      now += ms;
    },
  };
}
