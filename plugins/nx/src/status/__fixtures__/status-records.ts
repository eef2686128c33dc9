import { LedgerRecord } from '@shipfleet/core';

export const NOW = new Date('2026-05-01T12:00:00.000Z');
export const COMMIT_A = 'a'.repeat(40);
export const COMMIT_B = 'b'.repeat(40);
export const DIGEST = `sha256:${'9f86d081'.repeat(8)}`;

/** A ledger record `minutesAgo` before NOW; the rest as given. */
export function deployed(project: string, environment: string, minutesAgo: number, extra: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    project,
    target: 'deploy',
    environment,
    inputHash: 'abc123',
    result: 'succeeded',
    time: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
    ...extra,
  };
}
