import { formatDuration, sleep, startProgress, TaskLog } from '@shipfleet/core';
import { CloudRunClient, CloudRunService, Condition, Operation } from './client';

export interface WaitOptions {
  /** What is waited for, for the progress line: "revision web-1-4-0". */
  label: string;
  timeoutMs: number;
  /** First wait between two polls; then 1.5 times longer each time, up to 10 s (default 1 s). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  log: TaskLog;
}

/** An operation that ended with an error, or did not end in time. */
export class OperationFailedError extends Error {
  constructor(
    message: string,
    readonly operation: Operation | undefined,
  ) {
    super(message);
    this.name = 'OperationFailedError';
  }
}

const MAX_POLL_MS = 10_000;

/** "reconciling: Ready is CONDITION_RECONCILING": the service snapshot an operation carries, in words. */
function stateOf(op: Operation): string {
  const service = op.metadata as CloudRunService | undefined;
  const c: Condition | undefined = service?.terminalCondition;
  return c?.type ? `${c.type}: ${(c.state ?? 'unknown').replace(/^CONDITION_/, '').toLowerCase()}${c.message ? ` (${c.message.split('\n')[0]})` : ''}` : 'in progress';
}

/**
 * Polls operations.get until the operation is done (backoff from `pollIntervalMs`, ×1.5, at most
 * 10 s), with a progress line; an operation done with an error, or still running after the
 * timeout, is an OperationFailedError.
 */
export async function waitForOperation(client: CloudRunClient, first: Operation, o: WaitOptions): Promise<Operation> {
  if (first.done) return checked(first);
  const progress = startProgress(o.log, { label: o.label, signal: o.signal });
  const started = Date.now();
  let delay = o.pollIntervalMs ?? 1000;
  let op = first;
  try {
    while (!op.done) {
      if (Date.now() - started >= o.timeoutMs) {
        throw new OperationFailedError(`${o.label} was not done after ${formatDuration(o.timeoutMs)} (operation ${op.name}, ${stateOf(op)}); it may still complete: see the service in the console, or raise timeout`, op);
      }
      await sleep(Math.min(delay, Math.max(0, o.timeoutMs - (Date.now() - started))), o.signal);
      delay = Math.min(delay * 1.5, MAX_POLL_MS);
      op = await client.getOperation(op.name);
      progress.note(op.done ? 'done' : stateOf(op));
    }
  } finally {
    progress.end(op.done ? (op.error ? 'failed' : 'done') : undefined);
  }
  return checked(op);
}

function checked(op: Operation): Operation {
  if (op.error) throw new OperationFailedError(op.error.message ?? `operation ${op.name} failed (code ${op.error.code ?? 'unknown'})`, op);
  return op;
}
