import { LedgerRecord } from '@shipfleet/core';

/** Whether a project changed since the commit live in an environment: unknown when it could not be told (and why). */
export type ChangeSinceLive = { changed: true } | { changed: false } | { changed: null; why: string };

/** One project's deploy target in one environment, as the ledger tells it. */
export interface StatusCell {
  project: string;
  target: string;
  environment: string;
  /** The newest successful deploy: what is live. */
  live?: LedgerRecord;
  /** The newest deploy of any result. */
  latest: LedgerRecord;
  /** The newest deploys first, at most the history limit. */
  history: LedgerRecord[];
  change: ChangeSinceLive;
}

/** live: the newest deploy succeeded; failed: it failed after an earlier one went live; never-live: none succeeded. */
export type CellState = 'live' | 'failed' | 'never-live';

export function cellState(cell: StatusCell): CellState {
  if (!cell.live) return 'never-live';
  return cell.latest.result === 'failed' ? 'failed' : 'live';
}

export interface FleetStatus {
  /** Where the ledger was read from (a path or a git ref). */
  ledger: string;
  /** The commit checked out, when in git. */
  head?: string;
  environments: string[];
  /** Sorted by environment, then project, then target. */
  cells: StatusCell[];
}

export interface BuildStatusOptions {
  /** Only this environment. */
  environment?: string;
  /** How many deploys each cell's history keeps (default 10). */
  historyLimit?: number;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The deploy target shown after the project when it is not the usual `deploy`. */
export function rowLabel(cell: Pick<StatusCell, 'project' | 'target'>): string {
  return cell.target === 'deploy' ? cell.project : `${cell.project}:${cell.target}`;
}

/**
 * Groups ledger records into project × environment cells. Records are ordered
 * by their time (ledger order breaks ties: it is the order they were written);
 * every cell starts as not checked for changes.
 */
export function buildFleetStatus(records: LedgerRecord[], ledger: string, o: BuildStatusOptions = {}): FleetStatus {
  const limit = o.historyLimit ?? 10;
  const ordered = records
    .map((record, index) => ({ record, index, at: Date.parse(record.time) }))
    .filter(({ record }) => !o.environment || record.environment === o.environment)
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ record }) => record);
  const groups = new Map<string, LedgerRecord[]>();
  for (const r of ordered) {
    const key = JSON.stringify([r.environment, r.project, r.target]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const cells: StatusCell[] = [...groups.values()].map((deploys) => {
    const newestFirst = [...deploys].reverse();
    const latest = newestFirst[0];
    return {
      project: latest.project,
      target: latest.target,
      environment: latest.environment,
      live: newestFirst.find((r) => r.result === 'succeeded'),
      latest,
      history: newestFirst.slice(0, limit),
      change: { changed: null, why: 'not checked' },
    };
  });
  cells.sort((a, b) => compare(a.environment, b.environment) || compare(a.project, b.project) || compare(a.target, b.target));
  return { ledger, environments: [...new Set(cells.map((c) => c.environment))], cells };
}
