// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Deploy a build output through the Vercel REST API, uploading only files Vercel does not have; promote or roll back. The token is read from an env var (VERCEL_TOKEN by default), never from a flag. */
export interface VercelDeployExecutorOptions {
  /** deploy (default), promote or rollback. */
  action?: string;
  /** Static build output or a prebuilt .vercel/output folder (relative to the workspace root; {projectRoot} and {workspaceRoot} are replaced). Default: the project's .vercel/output, else its build output. */
  outputPath?: string;
  /** Vercel project id or name. Default: from .vercel/project.json. */
  projectId?: string;
  /** Team id (team_…) or personal account id. Default: from .vercel/project.json. */
  orgId?: string;
  /** Team to act for (team_…). */
  teamId?: string;
  /** preview (default), production, or a custom environment. */
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
  /** How long to wait for READY (default 600). */
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
