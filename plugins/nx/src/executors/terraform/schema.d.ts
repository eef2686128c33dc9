// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** terraform or tofu with -input=false: init, workspace per environment, a saved plan summarised per resource (terminal and GitHub step summary), a guard against destroys and replaces, then apply of exactly that plan. */
export interface TerraformExecutorOptions {
  /** terraform (default terraform) or tofu (OpenTofu: the same commands). */
  binary?: "terraform" | "tofu";
  /** The root module, relative to the workspace root (default: the project root, infra/ or terraform/, the first holding *.tf files). */
  dir?: string;
  /** apply (default apply): plan, summary, guard, then apply that saved plan; plan: stop after the summary and the guard (pull requests). */
  action?: "plan" | "apply";
  /** The deploy environment: selects (or creates) the Terraform workspace of that name (Terraform 1.4+). */
  env?: string;
  /** init -backend-config=key=value settings; never a credential (those come from secretEnv). */
  backendConfig?: Record<string, string | number | boolean>;
  /** Credentials Terraform reads from its environment: names passed as they are (["AWS_SECRET_ACCESS_KEY"]), or name Terraform reads → variable holding it ({"ARM_ACCESS_KEY": "STAGING_STORAGE_KEY"}). Masked. */
  secretEnv?: string[] | Record<string, string>;
  /** Plain input variables, written to a private .auto.tfvars.json given with -var-file (never secrets). */
  vars?: Record<string, unknown>;
  /** Secret input variables: name → the NAME of the environment variable holding it, passed as TF_VAR_<name> (never -var), masked. */
  secretVars?: Record<string, string>;
  /** Apply a plan that destroys or replaces resources (default false). */
  allowDestroy?: boolean;
  /** Resource addresses whose replacement is accepted without allowDestroy, exactly as the summary writes them. */
  allowReplace?: string[];
  /** How long to wait for the state lock, e.g. 5m (default 5m). */
  lockTimeout?: string | number;
  /** init -lockfile=readonly: the committed .terraform.lock.hcl must cover every provider (default: when CI is true). */
  lockfileReadonly?: boolean;
  /** Where the plan file and its summaries go (default tmp/terraform/<project>/<env>). */
  outputPath?: string;
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
