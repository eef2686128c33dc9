// Types of the Vercel REST API stand-in (server.js), for TypeScript tests.

export interface VercelApiFaults {
  /** Answer 429 (with Retry-After) to the first n uploads (POST /v2/files). */
  rateLimitFirst?: number;
  /** Retry-After seconds sent with those 429s (default 1). */
  retryAfter?: number;
  /** Answer 500 to the next n requests (those matching `match`, when given). */
  serverErrors?: number;
  /** Destroy the socket of the next n requests without answering (those matching `match`, when given). */
  dropConnections?: number;
  /** Scope of serverErrors/dropConnections: a substring or RegExp of "METHOD /path". */
  match?: string | RegExp;
  /** Every deployment ends in ERROR (with this errorMessage when a string). */
  deploymentError?: boolean | string;
  /** Answer matching requests with this error, `times` times (default: always). */
  errors?: Array<{ match?: string | RegExp; status?: number; code?: string; message?: string; times?: number }>;
}

export interface RecordedRequest {
  /** Date.now() when the request arrived. */
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Request headers, without Authorization. */
  headers: Record<string, string | string[] | undefined>;
  bodySize: number;
  /** Response status; 'dropped' when the socket was destroyed; undefined while in flight. */
  status?: number | 'dropped';
}

export interface StandInDeployment {
  id: string;
  url: string;
  name: string;
  projectId: string;
  ownerId: string;
  target: 'production' | 'staging' | null;
  customEnvironment?: { id: string; slug: string; type: string };
  readyState: 'QUEUED' | 'BUILDING' | 'READY' | 'ERROR' | 'CANCELED';
  errorMessage: string | null;
  alias: string[];
  aliasAssigned: boolean;
  meta: Record<string, string>;
  createdAt: number;
  files: Array<{ file: string; sha: string; size?: number; mode?: number }>;
  prebuilt: boolean;
  wasProduction: boolean;
}

export interface StandInProject {
  id: string;
  name: string;
  accountId: string;
  customEnvironments: string[];
  productionDeploymentId: string | null;
  lastAliasRequest: null | { type: 'promote' | 'rollback'; fromDeploymentId: string | null; toDeploymentId: string; jobStatus: string; requestedAt: number };
}

export interface VercelApiOptions {
  port?: number;
  host?: string;
  /** The one accepted bearer token (default DEFAULT_TOKEN). */
  token?: string;
  /** Several accepted tokens instead of one. */
  tokens?: string[];
  user?: { id: string; username: string; email?: string; name?: string };
  teams?: Array<{ id: string; slug: string; name: string }>;
  projects?: Array<{ id: string; name: string; accountId?: string; customEnvironments?: string[] }>;
  /** GETs of a deployment until it is READY (default 2: BUILDING, then READY). */
  pollsToReady?: number;
  /** Hold each upload this long before answering. */
  uploadDelayMs?: number;
  faults?: VercelApiFaults;
}

export interface VercelApi {
  url: string;
  token: string;
  requests: RecordedRequest[];
  /** sha → content of every uploaded file */
  files: Map<string, Buffer>;
  deployments: Map<string, StandInDeployment>;
  projects: Map<string, StandInProject>;
  aliases: Map<string, string>;
  stats: { uploadsInFlight: number; maxConcurrentUploads: number };
  user: { id: string; username: string };
  teams: Array<{ id: string; slug: string; name: string }>;
  /** The current production deployment id of a project (id or name). */
  production(projectIdOrName: string): string | null | undefined;
  setFaults(faults: VercelApiFaults): void;
  close(): Promise<void>;
}

export const DEFAULT_TOKEN: string;
export function startVercelApi(options?: VercelApiOptions): Promise<VercelApi>;
