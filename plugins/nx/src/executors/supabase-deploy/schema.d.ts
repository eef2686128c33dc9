// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Supabase migrations (and config, edge functions) through the workspace's Supabase CLI: a deploy lock on the database, a refusal of a history the repository does not know, the pending migrations by name, then db push. The password travels as PGPASSWORD, never on a command line. */
export interface SupabaseDeployExecutorOptions {
  /** The deploy environment (--env=staging): picks environments[env], whose values override the top-level ones. */
  env?: string;
  /** Environment name → any of projectRef, dbUrl, dbPasswordEnv, accessTokenEnv, migrations, includeAll, functions, noVerifyJwt, prune, configPush, lockTimeout. */
  environments?: Record<string, {
    /** The project's reference id (20 lowercase letters), for edge functions and config push. */
    projectRef?: string;
    /** The database, without password: postgresql://postgres.<ref>@<pooler host>:5432/postgres (a URL with a password is refused). */
    dbUrl?: string;
    /** Name of the variable holding the database password, passed as PGPASSWORD (default SUPABASE_DB_PASSWORD). */
    dbPasswordEnv?: string;
    /** Name of the variable holding a personal access token, sbp_… (default SUPABASE_ACCESS_TOKEN). */
    accessTokenEnv?: string;
    /** Push supabase/migrations (default true). */
    migrations?: boolean;
    /** Also apply pending files older than the newest applied one (db push --include-all). */
    includeAll?: boolean;
    /** Deploy edge functions: true for every one, or their names (default false). */
    functions?: boolean | string[];
    /** Deploy the functions with JWT verification off. */
    noVerifyJwt?: boolean;
    /** Delete deployed functions that supabase/functions no longer has. */
    prune?: boolean;
    /** Push supabase/config.toml to the project (supabase config push; default false). */
    configPush?: boolean;
    /** How long to wait for another pipeline's push to the same database, e.g. 10m (default 10m). */
    lockTimeout?: string | number;
  }>;
  /** The project's reference id (20 lowercase letters), for edge functions and config push. */
  projectRef?: string;
  /** The database, without password: postgresql://postgres.<ref>@<pooler host>:5432/postgres (a URL with a password is refused). */
  dbUrl?: string;
  /** Name of the variable holding the database password, passed as PGPASSWORD (default SUPABASE_DB_PASSWORD). */
  dbPasswordEnv?: string;
  /** Name of the variable holding a personal access token, sbp_… (default SUPABASE_ACCESS_TOKEN). */
  accessTokenEnv?: string;
  /** Push supabase/migrations (default true). */
  migrations?: boolean;
  /** Also apply pending files older than the newest applied one (db push --include-all). */
  includeAll?: boolean;
  /** Deploy edge functions: true for every one, or their names (default false). */
  functions?: boolean | string[];
  /** Deploy the functions with JWT verification off. */
  noVerifyJwt?: boolean;
  /** Delete deployed functions that supabase/functions no longer has. */
  prune?: boolean;
  /** Push supabase/config.toml to the project (supabase config push; default false). */
  configPush?: boolean;
  /** How long to wait for another pipeline's push to the same database, e.g. 10m (default 10m). */
  lockTimeout?: string | number;
  /** The folder holding supabase/ (config.toml, migrations, functions), relative to the workspace root (default: the project root). */
  workdir?: string;
  /** Hold a PostgreSQL advisory lock on the database during the push (default true; needs psql). */
  lock?: boolean;
  /** Limit for each Supabase CLI command, e.g. 30m (default 30m). */
  timeout?: string | number;
  /** Management API base URL, for stand-ins and proxies (default the CLI's). */
  apiUrl?: string;
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
