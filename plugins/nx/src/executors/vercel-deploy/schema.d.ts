// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Deploy a build output through the Vercel REST API, uploading only files Vercel does not have; promote or roll back. The token is read from an env var (VERCEL_TOKEN by default), never from a flag. */
export interface VercelDeployExecutorOptions {
  /** deploy, promote or rollback (default deploy). */
  action?: string;
  /** The built app to deploy: a static build output or a prebuilt .vercel/output folder (relative to the workspace root; {projectRoot} and {workspaceRoot} are replaced). Default: the project's .vercel/output, else its build output. */
  appDir?: string;
  /**
   * Deprecated: the old name of appDir.
   * @deprecated use appDir
   */
  outputPath?: string;
  /** Vercel project id or name. Default: from .vercel/project.json. */
  projectId?: string;
  /** Team id (team_…) or personal account id. Default: from .vercel/project.json. */
  orgId?: string;
  /** Team to act for (team_…). */
  teamId?: string;
  /** preview, production, or a custom environment (default preview). */
  target?: string;
  /** Name of the env var holding the Vercel token (default VERCEL_TOKEN). */
  tokenEnv?: string;
  /** API base URL (default https://api.vercel.com); plain http only to 127.0.0.1, localhost or [::1]. */
  apiUrl?: string;
  /** Extra domains to point at the deployment once ready. */
  alias?: string[];
  /** Metadata stored on the deployment (the Nx project and CI commit are added). */
  meta?: Record<string, string>;
  /** promote: the deployment to promote; rollback: the one to roll back to (default: the previous production deployment). */
  deploymentId?: string;
  /** Parallel uploads (default 8). */
  concurrency?: number;
  /** How long to wait for READY, or for a promote/rollback: a duration such as "10m" or a number of seconds (default 10m). */
  timeout?: string | number;
  /**
   * Deprecated: the old name of timeout (seconds).
   * @deprecated use timeout
   */
  timeoutSeconds?: number;
  /**
   * Print the plan and run nothing.
   * @default false
   */
  dryRun?: boolean;
  /** Write the plan (secrets masked) as JSON to this file. */
  planJson?: string;
  /** Append every line of the run (secrets masked) to this file. */
  logFile?: string;
}
