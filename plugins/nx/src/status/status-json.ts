import { LedgerRecord } from '@shipfleet/core';
import { CellState, cellState, FleetStatus } from './fleet-status';
import { shortCommit } from './format-time';

/** One deploy as `shipfleet status --json` prints it: every field always present, null when the ledger has no value. */
export interface DeployJson {
  result: 'succeeded' | 'failed';
  time: string;
  ageSeconds: number;
  version: string | null;
  commit: string | null;
  shortCommit: string | null;
  durationMs: number | null;
  artifactDigest: string | null;
  inputHash: string;
}

export interface CellJson {
  project: string;
  target: string;
  environment: string;
  state: CellState;
  live: DeployJson | null;
  latest: DeployJson;
  /** true/false: whether nx finds the project affected since its live commit; null when it could not tell (see changeNote). */
  changedSinceLive: boolean | null;
  changeNote: string | null;
  /** Newest first. */
  history: DeployJson[];
}

export interface StatusJson {
  formatVersion: 1;
  generatedAt: string;
  ledger: string;
  head: string | null;
  environments: string[];
  cells: CellJson[];
}

function deployJson(r: LedgerRecord, now: Date): DeployJson {
  return {
    result: r.result,
    time: r.time,
    ageSeconds: Math.round((now.getTime() - Date.parse(r.time)) / 1000),
    version: r.version ?? null,
    commit: r.commit ?? null,
    shortCommit: shortCommit(r.commit) ?? null,
    durationMs: r.durationMs ?? null,
    artifactDigest: r.artifactDigest ?? null,
    inputHash: r.inputHash,
  };
}

/** The fleet for scripts: stable field names, documented in StatusJson. */
export function statusJson(status: FleetStatus, now: Date): StatusJson {
  return {
    formatVersion: 1,
    generatedAt: now.toISOString(),
    ledger: status.ledger,
    head: status.head ?? null,
    environments: status.environments,
    cells: status.cells.map((c) => ({
      project: c.project,
      target: c.target,
      environment: c.environment,
      state: cellState(c),
      live: c.live ? deployJson(c.live, now) : null,
      latest: deployJson(c.latest, now),
      changedSinceLive: c.change.changed,
      changeNote: c.change.changed === null ? c.change.why : null,
      history: c.history.map((r) => deployJson(r, now)),
    })),
  };
}
