// The demo workspace's deploy ledger (.shipfleet/ledger), read back to check what each run did.
import { existsSync, readFileSync } from 'fs';
import type { LedgerRecord } from '@shipfleet/core';
import type { SampleWorkspace } from '../sample-workspace';

export function ledgerRecords(ws: SampleWorkspace): LedgerRecord[] {
  const file = ws.path('.shipfleet/ledger');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).records as LedgerRecord[]) : [];
}

/** The ledger as a plain table, one row per record. */
export function ledgerTable(records: LedgerRecord[]): string {
  const rows = records.map((r) => [r.project, r.environment, r.result, r.version ?? '', r.commit?.slice(0, 7) ?? '', r.time, r.durationMs === undefined ? '' : `${(r.durationMs / 1000).toFixed(1)}s`, r.artifactDigest?.slice(0, 19) ?? '']);
  const header = ['project', 'env', 'result', 'version', 'commit', 'time', 'took', 'artefact'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
