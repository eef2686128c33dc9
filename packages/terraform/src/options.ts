import { existsSync, readdirSync, statSync } from 'fs';
import { basename, join } from 'path';
import {
  booleanOption,
  durationOption,
  envNameOption,
  isEnvName,
  isPlainObject,
  oneOfOption,
  pathOption,
  patternOption,
  plainObjectOption,
  secretFromEnv,
  stringListOption,
  UserError,
} from '@shipfleet/core';
import { secretBackendSetting } from './backend-secrets';

export type TerraformBinary = 'terraform' | 'tofu';
export type TerraformAction = 'plan' | 'apply';

/** Options as a user writes them. Paths are relative to the workspace root. */
export interface TerraformOptions {
  /** terraform (default) or tofu (OpenTofu, same commands and flags). */
  binary?: TerraformBinary;
  /** The folder of *.tf files (default: the project root). */
  dir?: string;
  /** apply (default): plan, summary, guard, then apply that plan. plan: stop after the summary and the guard (pull requests). */
  action?: TerraformAction;
  /** The deploy environment; selects (or creates) the Terraform workspace of that name. */
  env?: string;
  /** Backend settings for `init` (-backend-config=key=value); never a credential. */
  backendConfig?: Record<string, string>;
  /**
   * Credentials Terraform reads from its environment (backend and providers): a list of names
   * passed as they are (["AWS_SECRET_ACCESS_KEY"]), or a map from the name Terraform reads to the
   * variable holding the value ({"ARM_ACCESS_KEY": "STAGING_STORAGE_KEY"}). Values are masked.
   */
  secretEnv?: string[] | Record<string, string>;
  /** Plain input variables, written to a .auto.tfvars.json file given with -var-file. */
  vars?: Record<string, unknown>;
  /** Secret input variables: name → the environment variable holding the value, passed as TF_VAR_<name>. */
  secretVars?: Record<string, string>;
  /** Apply a plan that destroys or replaces resources (default false). */
  allowDestroy?: boolean;
  /** Resource addresses whose replacement is accepted without allowDestroy. */
  allowReplace?: string[];
  /** How long to wait for the state lock (-lock-timeout), default "5m". */
  lockTimeout?: string | number;
  /** init -lockfile=readonly (default: when CI is true): the committed .terraform.lock.hcl must cover every provider. */
  lockfileReadonly?: boolean;
  /** Where the plan file and its summaries go (default tmp/terraform/<project>/<env>). */
  outputPath?: string;
}

export interface NormalizedTerraformOptions {
  binary: TerraformBinary;
  dir: string;
  action: TerraformAction;
  workspace?: string;
  backendConfig: Record<string, string>;
  /** Names inherited as they are. */
  passSecretEnv: string[];
  /** Name Terraform reads → name of the variable holding it. */
  renamedSecretEnv: Record<string, string>;
  vars: Record<string, unknown>;
  /** Terraform variable name → environment variable holding its value. */
  secretVars: Record<string, string>;
  allowDestroy: boolean;
  allowReplace: string[];
  lockTimeoutMs: number;
  lockfileReadonly: boolean;
  outputPath: string;
  planFile: string;
  summaryJson: string;
  summaryMarkdown: string;
  /** For titles and the summary heading. */
  label: string;
}

export interface ResolvedTerraformOptions {
  options: NormalizedTerraformOptions;
  /**
   * Variables for the terraform commands: TF_VAR_<name> and renamed credentials. Values are the
   * secrets themselves in a real run; in a dry run "$NAME" (set or not).
   */
  stepEnv: Record<string, string>;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

export const TERRAFORM_DEFAULTS = { binary: 'terraform', action: 'apply', lockTimeout: '5m', allowDestroy: false } as const;

/** Terraform's own rule for names of variables (and so of TF_VAR_<name>, kept to a valid environment name here). */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Workspace names are used in paths and URLs: Terraform refuses path separators. */
const WORKSPACE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,89}$/;
const BACKEND_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A resource instance address: module.a["x"].aws_instance.web[0], data.x.y. */
const ADDRESS = /^(module\.[A-Za-z_][\w-]*(\[[^\]]+\])?\.)*(data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*(\[[^\]]+\])?$/;
const SECRET_NAME = /(^|_)(token|password|passwd|secret|api_?key|private_?key|credentials?)(_|$)/i;

function hasTfFiles(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.tf') || f.endsWith('.tf.json'));
  } catch {
    return false;
  }
}

/** The configuration folder a project's Terraform lives in: the project root, infra/ or terraform/ (the first with *.tf files). */
export function findTerraformDir(projectRoot: string): string | undefined {
  return [projectRoot, join(projectRoot, 'infra'), join(projectRoot, 'terraform')].find(hasTfFiles);
}

function secretEnvOption(value: unknown): { pass: string[]; renamed: Record<string, string> } {
  if (value === undefined || value === null) return { pass: [], renamed: {} };
  if (Array.isArray(value)) {
    const names = stringListOption('secretEnv', value, { example: 'AWS_SECRET_ACCESS_KEY', items: 'environment variable names', what: 'an environment variable name' })!;
    return { pass: names.map((n) => envNameOption('secretEnv', n, { what: 'a credential Terraform reads' })!), renamed: {} };
  }
  const map = plainObjectOption('secretEnv', value, { example: '{"ARM_ACCESS_KEY": "STAGING_STORAGE_KEY"}', what: 'a list of variable names or a map from the name Terraform reads to the variable holding the value' })!;
  const renamed: Record<string, string> = {};
  for (const [target, source] of Object.entries(map)) {
    if (!isEnvName(target)) throw new UserError('secretEnv', `"${target}" is not an environment variable name`, 'Use the name Terraform or the provider reads, e.g. "ARM_ACCESS_KEY"');
    renamed[target] = envNameOption('secretEnv', source, { what: `the value of ${target}` })!;
  }
  return { pass: [], renamed };
}

function varsOption(value: unknown): Record<string, unknown> {
  const vars = plainObjectOption('vars', value, { example: '{"region": "eu-west-1", "instance_count": 2}' }) ?? {};
  for (const [name, v] of Object.entries(vars)) {
    if (!VAR_NAME.test(name)) throw new UserError('vars', `"${name}" is not a Terraform variable name`, 'Use the name of a variable block in the configuration (letters, digits, _)');
    if (SECRET_NAME.test(name)) throw new UserError('vars', `"${name}" looks like a secret, and vars are written to a file and shown in the dry run`, `Move it to secretVars: "secretVars": {"${name}": "<NAME of the environment variable holding it>"}`);
    if (v === undefined) throw new UserError('vars', `"${name}" has no value`, 'Give a string, number, boolean, list or map, or leave it out to use the default');
  }
  return vars;
}

/**
 * Validates the options of a Terraform run; each problem is a UserError naming the option. In a
 * dry run a secret variable that is not set is shown as "$NAME" with a warning.
 */
export function resolveTerraformOptions(
  given: Partial<TerraformOptions>,
  ctx: { workspaceRoot: string; projectRoot: string; projectName?: string },
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => {},
  dryRun = false,
): ResolvedTerraformOptions {
  if (!isPlainObject(given)) throw new UserError('options', 'must be an object', 'Pass the options as a map, e.g. {"env": "staging"}');
  const raw = given as Record<string, unknown>;
  const path = (option: string, v: unknown, mustExist?: 'file' | 'dir') => pathOption(option, v, { workspaceRoot: ctx.workspaceRoot, projectRoot: ctx.projectRoot, mustExist, warn });
  const projectRoot = path('projectRoot', ctx.projectRoot)!;

  const binary = oneOfOption('binary', raw.binary, ['terraform', 'tofu'] as const, { fix: 'Use terraform (default) or tofu' }) ?? 'terraform';
  const action = oneOfOption('action', raw.action, ['plan', 'apply'] as const, { fix: 'Use apply (default: plan, check, apply) or plan (stop after the summary, e.g. for pull requests)' }) ?? 'apply';
  const dir = path('dir', raw.dir, 'dir') ?? findTerraformDir(projectRoot);
  if (!dir) throw new UserError('dir', `no *.tf files in ${projectRoot}, ${join(projectRoot, 'infra')} or ${join(projectRoot, 'terraform')}`, 'Point "dir" at the folder holding the configuration');
  if (!hasTfFiles(dir)) throw new UserError('dir', `${dir} has no *.tf files`, 'Point "dir" at the folder holding the configuration (the root module)');

  const workspace = patternOption('env', raw.env, { pattern: WORKSPACE, what: 'an environment name (letters, digits, _ . -; it becomes the Terraform workspace)', example: 'staging' });
  if (env.TF_WORKSPACE && workspace) throw new UserError('env', `TF_WORKSPACE is set (${env.TF_WORKSPACE}) and Terraform then refuses "workspace select"`, 'Unset TF_WORKSPACE and let "env" pick the workspace, or leave "env" out');

  const backendConfig = plainObjectOption('backendConfig', raw.backendConfig, { example: '{"bucket": "acme-tfstate", "key": "web/terraform.tfstate", "region": "eu-west-1"}' }) ?? {};
  for (const [key, value] of Object.entries(backendConfig)) {
    if (!BACKEND_KEY.test(key)) throw new UserError('backendConfig', `"${key}" is not a backend setting name`, 'Use the setting names of the backend block, e.g. "bucket"');
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new UserError('backendConfig', `the value of "${key}" must be a string, number or boolean`, `Example: "backendConfig": {"${key}": "value"}`);
    const instead = secretBackendSetting(key);
    if (instead) throw new UserError('backendConfig', `"${key}" holds a credential, and -backend-config values are on the command line and saved in .terraform/terraform.tfstate`, `Remove it and let the backend read it from the environment: ${instead}; name that variable in "secretEnv" so it is masked`);
  }

  const secretEnv = secretEnvOption(raw.secretEnv);
  const vars = varsOption(raw.vars);
  const secretVars = plainObjectOption('secretVars', raw.secretVars, { example: '{"db_password": "DB_PASSWORD"}' }) ?? {};
  for (const [name, source] of Object.entries(secretVars)) {
    if (!VAR_NAME.test(name)) throw new UserError('secretVars', `"${name}" is not a Terraform variable name`, 'Use the name of a variable block in the configuration (letters, digits, _)');
    if (name in vars) throw new UserError('secretVars', `"${name}" is also in vars`, 'Give each variable in one of vars or secretVars');
    envNameOption('secretVars', source, { what: `the value of the variable "${name}"` });
  }

  const allowDestroy = booleanOption('allowDestroy', raw.allowDestroy) ?? false;
  const allowReplace = stringListOption('allowReplace', raw.allowReplace, { example: 'aws_instance.web', items: 'resource addresses', pattern: ADDRESS, what: 'a resource instance address as the plan writes it' }) ?? [];
  const lockTimeoutMs = durationOption('lockTimeout', raw.lockTimeout, { example: '5m', max: 24 * 3_600_000 }) ?? 5 * 60_000;
  const lockfileReadonly = booleanOption('lockfileReadonly', raw.lockfileReadonly) ?? (env.CI === 'true' || env.CI === '1');

  const label = ctx.projectName ?? basename(projectRoot);
  const outputPath = path('outputPath', raw.outputPath) ?? join(ctx.workspaceRoot, 'tmp', 'terraform', label, workspace ?? 'default');
  if (existsSync(outputPath) && !statSync(outputPath).isDirectory()) throw new UserError('outputPath', `${outputPath} is a file`, 'Give a folder');

  // Secret values: TF_VAR_<name> and renamed credentials go into the terraform commands' environment.
  const secrets: string[] = [];
  const stepEnv: Record<string, string> = {};
  const read = (option: string, name: string, what: string): string => {
    if (!env[name]) {
      if (dryRun) {
        warn(`Dry run without ${what}: ${name} is not set; a real run stops here`);
        return `$${name}`;
      }
      throw new UserError(option, `environment variable ${name} (${what}) is not set`, `Set ${name} in the environment of this run`);
    }
    const secret = secretFromEnv(option, name, { env, what })!;
    secrets.push(...secret.mask);
    return dryRun ? `$${name}` : secret.text;
  };
  for (const [name, source] of Object.entries(secretVars as Record<string, string>)) stepEnv[`TF_VAR_${name}`] = read('secretVars', source, `the variable "${name}"`);
  for (const [target, source] of Object.entries(secretEnv.renamed)) stepEnv[target] = read('secretEnv', source, `${target} for Terraform`);
  for (const name of secretEnv.pass) read('secretEnv', name, 'a credential Terraform reads');
  const varsText = JSON.stringify(vars);
  if (secrets.some((s) => varsText.includes(s))) throw new UserError('vars', 'a value holds the value of a secret variable of this run, and vars are written to a file and shown in the dry run', 'Pass that value with secretVars instead');

  const options: NormalizedTerraformOptions = {
    binary,
    dir,
    action,
    workspace,
    backendConfig: Object.fromEntries(Object.entries(backendConfig).map(([k, v]) => [k, String(v)])),
    passSecretEnv: secretEnv.pass,
    renamedSecretEnv: secretEnv.renamed,
    vars,
    secretVars: secretVars as Record<string, string>,
    allowDestroy,
    allowReplace,
    lockTimeoutMs,
    lockfileReadonly,
    outputPath,
    planFile: join(outputPath, 'tfplan'),
    summaryJson: join(outputPath, 'plan-summary.json'),
    summaryMarkdown: join(outputPath, 'plan-summary.md'),
    label: workspace ? `${label} (${workspace})` : label,
  };
  return { options, stepEnv, secrets };
}
