import { ClusterClient } from './cluster';

/** What the deploy steps talk to: the API server, the log, the run's abort signal and clock. */
export interface DeployIO {
  client: ClusterClient;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** How often a workload is read while waiting (watch events wake it sooner). Default 1000. */
  pollIntervalMs?: number;
  now?: () => number;
}
