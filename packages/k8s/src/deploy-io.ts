import type { TaskLog } from '@shipfleet/core';
import { ClusterClient } from './cluster';

/** What the deploy steps talk to: the API server, the log, the run's abort signal and clock. */
export interface DeployIO {
  client: ClusterClient;
  /** The task's log (on a terminal, rollout progress is a redrawn line). */
  log: TaskLog;
  /** Without a terminal: at most one rollout progress line per workload this often (default 5 s; changes of status only). */
  progressIntervalMs?: number;
  signal?: AbortSignal;
  /** How often a workload is read while waiting (watch events wake it sooner). Default 1000. */
  pollIntervalMs?: number;
  now?: () => number;
}
