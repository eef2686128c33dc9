// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Deploy this project to one environment: skipped when the deploy ledger shows these inputs already live there, otherwise runs the project's platform targets in order and records the outcome. */
export interface DeployExecutorOptions {
  /**
   * Environment deployed to, e.g. --env=staging.
   * @default "default"
   */
  env?: string;
  /** This project's targets that make up the deploy, run in order (inferred: the platform chain). */
  targets?: string[];
  /**
   * Deploy even if the same inputs are already live in this environment.
   * @default false
   */
  force?: boolean;
  /** Version recorded in the ledger (default: the project's package.json version). */
  version?: string;
  /**
   * Where deploys are recorded: file or git.
   * @default "file"
   */
  ledger?: string;
  /**
   * File ledger path, workspace-relative.
   * @default ".shipfleet/ledger"
   */
  ledgerPath?: string;
  /** Git ledger: the remote it is shared through (e.g. origin). */
  ledgerRemote?: string;
  /**
   * Git ledger: the ref that holds it.
   * @default "refs/shipfleet/ledger"
   */
  ledgerRef?: string;
  /** Deploy only one runner's part of a split deploy (macos, windows or linux): its targets, with the options they take there; recorded in the ledger as deploy@<part>. shipfleet matrix gives one row per part. (--runner is Nx's own flag.) */
  part?: string;
  /** A split deploy's parts by runner, each {targets, options: {<target>: {...}}} (inferred for Electron apps built on several runners). */
  parts?: Record<string, unknown>;
  /**
   * Show each platform target's plan; deploy and record nothing.
   * @default false
   */
  dryRun?: boolean;
}
