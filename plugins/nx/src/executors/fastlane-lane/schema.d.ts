// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Run a fastlane lane. Secrets are never passed as flags: name the environment variables that hold them in secretEnv. */
export interface FastlaneLaneExecutorOptions {
  /** Lane to run, as declared in the Fastfile (e.g. beta). */
  lane?: string;
  /** fastlane platform: ios or android. Default: the Fastfile's default_platform. */
  platform?: string;
  /** Lane options, passed as key:value arguments. */
  options?: Record<string, unknown>;
  /** Environment variables for fastlane (not secrets: name those in secretEnv). */
  envVars?: Record<string, string>;
  /**
   * Deprecated: the old name of envVars.
   * @deprecated use envVars
   */
  env?: Record<string, string>;
  /** Names of environment variables whose values are secrets; they must be set and are masked as *** in all output. */
  secretEnv?: string[];
  /** Folder fastlane runs in (holds fastlane/Fastfile), relative to the workspace root ({projectRoot} and {workspaceRoot} are replaced). Default: the project root. */
  cwd?: string;
  /**
   * auto (bundle exec when a Gemfile is present), always or never.
   * @default "auto"
   */
  bundler?: string;
  /** Stop fastlane after this long: a duration such as "45m" or "1h30m", or a number of seconds. Default: no limit. */
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
