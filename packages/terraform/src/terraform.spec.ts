// Terraform runs through the terraform/tofu stand-ins, which record argv and check each flag
// against the documented usage of init, workspace select, plan, show, apply and version.
import { createHash } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { formatPlan, Logger, planToJson, Redactor, runCaptured, runPlan, RunReport } from '@shipfleet/core';
import { buildTerraformPlan, TerraformPlanResult } from './plan';
import { resolveTerraformOptions, TerraformOptions } from './options';

const standIns = resolve(__dirname, '../../../tools/stand-ins/bin');
const DB_PASSWORD = 'db-Pa55word-0123456789-secret';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const STORAGE_KEY = 'storage+Key/0123456789abcdefABCDEF==';
const saved = { ...process.env };
let root: string;
let dir: string;
let log: string;
let stepSummary: string;
let tmp: string;

const CONFIG = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
  backend "s3" {}
}

variable "env" {}
variable "region" {
  default = "eu-west-1"
}
variable "db_password" {
  sensitive = true
}
`;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'shipfleet-terraform-'));
  dir = join(root, 'apps', 'site', 'infra');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf'), CONFIG);
  log = join(root, 'calls.jsonl');
  stepSummary = join(root, 'step-summary.md');
  tmp = join(root, 'tmp-private');
  mkdirSync(tmp);
  process.env = { ...saved, PATH: `${standIns}:${saved.PATH}`, SHIPFLEET_STANDIN_LOG: log, DB_PASSWORD, AWS_SECRET_ACCESS_KEY: AWS_SECRET, STAGING_STORAGE_KEY: STORAGE_KEY };
  for (const k of ['CI', 'GITHUB_STEP_SUMMARY', 'TF_WORKSPACE', 'TF_DATA_DIR']) delete process.env[k];
});
afterEach(() => {
  process.env = { ...saved };
});

const quiet = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
};
interface Call { tool: string; argv: string[]; cwd: string; env: Record<string, string> }
const calls = (): Call[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Call) : []);
const commands = () => calls().map((c) => (c.argv[0] === 'workspace' ? `workspace ${c.argv[1]}` : c.argv[0]));

const base: Partial<TerraformOptions> = {
  env: 'staging',
  backendConfig: { bucket: 'acme-tfstate', key: 'site/terraform.tfstate', region: 'eu-west-1' },
  secretEnv: { ARM_ACCESS_KEY: 'STAGING_STORAGE_KEY' },
  vars: { env: 'staging', region: 'eu-central-1' },
  secretVars: { db_password: 'DB_PASSWORD' },
};

function build(o: Partial<TerraformOptions> = {}, dryRun = false, warn: (m: string) => void = () => undefined): TerraformPlanResult {
  const resolved = resolveTerraformOptions({ ...base, ...o }, { workspaceRoot: root, projectRoot: 'apps/site', projectName: 'site' }, process.env, warn, dryRun);
  return buildTerraformPlan(resolved, { stepSummaryFile: stepSummary, tmpDir: tmp });
}

async function run(o: Partial<TerraformOptions> = {}, extra: { fixture?: string } = {}): Promise<{ report: RunReport; logger: ReturnType<typeof quiet>; built: TerraformPlanResult; logFile: string; planJson: string }> {
  if (extra.fixture) process.env.SHIPFLEET_TERRAFORM_PLAN = extra.fixture;
  const built = build(o);
  const logger = quiet();
  const logFile = join(root, 'run.log');
  const planJson = join(root, 'plan.json');
  const report = await runPlan(built.plan, { logger, secrets: built.secrets, handleSignals: false, logFile, planJson, stepSummaryFile: stepSummary });
  return { report, logger, built, logFile, planJson };
}

const outDir = () => join(root, 'tmp', 'terraform', 'site', 'staging');

describe('terraform plan and apply', () => {
  it('runs version, init, workspace, plan, show and apply with the documented flags, in the configuration folder', async () => {
    const { report, built } = await run();
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('succeeded');
    const all = calls();
    expect(all.map((c) => c.tool)).toEqual(Array(6).fill('terraform'));
    expect(all.every((c) => c.cwd === dir)).toBe(true);
    const planFile = join(outDir(), 'tfplan');
    const [version, init, workspace, plan, show, apply] = all.map((c) => c.argv);
    expect(version).toEqual(['version', '-json']);
    expect(init).toEqual(['init', '-input=false', '-no-color', '-backend-config=bucket=acme-tfstate', '-backend-config=key=site/terraform.tfstate', '-backend-config=region=eu-west-1']);
    // workspace select has no -input flag (Terraform rejects it); TF_INPUT=0 covers it.
    expect(workspace).toEqual(['workspace', 'select', '-or-create', '-no-color', 'staging']);
    expect(plan.slice(0, 5)).toEqual(['plan', '-input=false', '-no-color', '-lock-timeout=5m', `-out=${planFile}`]);
    expect(plan).toHaveLength(6);
    expect(plan[5]).toMatch(new RegExp(`^-var-file=${tmp}/shipfleet-tfvars-[0-9a-f]{12}/shipfleet.auto.tfvars.json$`));
    expect(show).toEqual(['show', '-json', '-no-color', planFile]);
    expect(apply).toEqual(['apply', '-input=false', '-no-color', '-lock-timeout=5m', planFile]);
    for (const c of all.slice(1)) {
      expect(c.env.TF_INPUT).toBe('0');
      expect(c.env.TF_IN_AUTOMATION).toBe('1');
      // The stand-in logs names only for these; the source variables are kept from terraform.
      expect(c.env.TF_VAR_db_password).toBe('<set>');
      expect(c.env.ARM_ACCESS_KEY).toBe('<set>');
      expect(c.env.DB_PASSWORD).toBeUndefined();
      expect(c.env.STAGING_STORAGE_KEY).toBeUndefined();
    }
    // The private variables folder is gone after the run.
    expect(readdirSync(tmp)).toEqual([]);
    // Terraform got the values: the saved plan's variables (as `show -json` prints them).
    const shown = await runCaptured('terraform', ['show', '-json', planFile], { cwd: dir });
    const doc = JSON.parse(shown.stdout);
    expect(doc.variables).toEqual({ env: { value: 'staging' }, region: { value: 'eu-central-1' }, db_password: { value: DB_PASSWORD } });
    // Outputs: the plan file (private), its SHA-256, the summaries.
    expect(statSync(planFile).mode & 0o777).toBe(0o600);
    const sha = createHash('sha256').update(readFileSync(planFile)).digest('hex');
    expect(report.outputs).toMatchObject({ planFile, planSha256: sha, planSummaryJson: join(outDir(), 'plan-summary.json'), planSummaryMarkdown: join(outDir(), 'plan-summary.md'), terraformVersion: 'terraform 1.9.8', changes: '3 to create, 1 to read' });
    expect(built.result.planSha256).toBe(sha);
    expect(built.result.version).toBe('1.9.8');
    const summary = JSON.parse(readFileSync(join(outDir(), 'plan-summary.json'), 'utf8'));
    expect(summary).toMatchObject({ planSha256: sha, workspace: 'staging', counts: { create: 3, read: 1 } });
  });

  it('prints the summary, appends it to the step summary, and reports the apply', async () => {
    const { logger } = await run({}, { fixture: 'update' });
    const out = logger.lines.join('\n');
    expect(out).toContain('  │ Plan: 1 to update');
    expect(out).toContain('  │   ~ update  aws_cloudfront_distribution.cdn');
    expect(out).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
    const md = readFileSync(stepSummary, 'utf8');
    expect(md.startsWith('### terraform plan: site (staging)\n\n**1 to update**\n\n| Action | Resource | Details |\n| --- | --- | --- |\n| update | `aws_cloudfront_distribution.cdn` |  |\n')).toBe(true);
    // The same markdown as the plan-summary.md output.
    expect(md.startsWith(readFileSync(join(outDir(), 'plan-summary.md'), 'utf8'))).toBe(true);
    // Then the runner's own table of steps.
    expect(md).toContain('| terraform apply of the reviewed plan | succeeded |');
  });

  it('keeps every secret out of argv, output, log file, plan JSON, summaries and the call log', async () => {
    process.env.SHIPFLEET_STANDIN_ECHO_ENV = 'TF_VAR_db_password,ARM_ACCESS_KEY';
    const { report, logger, logFile, planJson } = await run({ secretEnv: { ARM_ACCESS_KEY: 'STAGING_STORAGE_KEY' } });
    expect(report.status).toBe('succeeded');
    const out = logger.lines.join('\n');
    // The stand-in printed both values; the runner masked them.
    expect(out).toContain('[debug] TF_VAR_db_password=***');
    expect(out).toContain('[debug] ARM_ACCESS_KEY=***');
    const everything = [
      out,
      readFileSync(logFile, 'utf8'),
      readFileSync(planJson, 'utf8'),
      readFileSync(stepSummary, 'utf8'),
      readFileSync(join(outDir(), 'plan-summary.json'), 'utf8'),
      readFileSync(join(outDir(), 'plan-summary.md'), 'utf8'),
      readFileSync(log, 'utf8'),
      JSON.stringify(report),
      ...calls().map((c) => c.argv.join(' ')),
    ].join('\n');
    for (const secret of [DB_PASSWORD, STORAGE_KEY, encodeURIComponent(DB_PASSWORD)]) expect(everything).not.toContain(secret);
  });

  it('passes credentials named in a secretEnv list through as they are, masked', async () => {
    process.env.SHIPFLEET_STANDIN_ECHO_ENV = 'AWS_SECRET_ACCESS_KEY';
    const { report, logger } = await run({ secretEnv: ['AWS_SECRET_ACCESS_KEY'] });
    expect(report.status).toBe('succeeded');
    expect(calls()[1].env.AWS_SECRET_ACCESS_KEY).toBe('<set>');
    expect(logger.lines.join('\n')).toContain('[debug] AWS_SECRET_ACCESS_KEY=***');
    expect(logger.lines.join('\n')).not.toContain(AWS_SECRET);
  });

  it('action plan stops after the summary and the guard: nothing applied', async () => {
    const { report, built } = await run({ action: 'plan' }, { fixture: 'replace' });
    // The guard runs on pull requests too, so a replace is seen before merge.
    expect(report.status).toBe('failed');
    expect(commands()).toEqual(['version', 'init', 'workspace select', 'plan', 'show']);
    expect(built.result.summary?.replaces).toEqual(['aws_instance.web[0]', 'aws_lb_target_group.web']);
    const ok = await run({ action: 'plan', allowReplace: ['aws_instance.web[0]', 'aws_lb_target_group.web'] });
    expect(ok.report.status).toBe('succeeded');
    expect(commands()).not.toContain('apply');
    expect(readFileSync(stepSummary, 'utf8')).toContain('### terraform plan: site (staging) (plan only)');
  });

  it('a destroy fails before apply unless allowDestroy, naming the resource and the option', async () => {
    const blocked = await run({}, { fixture: 'destroy' });
    expect(blocked.report.status).toBe('failed');
    expect(blocked.report.error).toContain('Option "allowDestroy": the plan destroys aws_s3_bucket.legacy_assets');
    expect(blocked.report.steps.map((s) => s.status).slice(-1)).toEqual(['failed']);
    expect(commands()).not.toContain('apply');
    expect(readFileSync(stepSummary, 'utf8')).toContain('**Not applied:** the plan destroys aws_s3_bucket.legacy_assets. To apply it, set `allowDestroy: true`.');
    const allowed = await run({ allowDestroy: true });
    expect(allowed.report.status).toBe('succeeded');
    expect(allowed.logger.lines.join('\n')).toContain('Apply complete! Resources: 0 added, 0 changed, 1 destroyed.');
  });

  it('replaces listed in allowReplace are applied', async () => {
    const { report, logger } = await run({ allowReplace: ['aws_instance.web[0]', 'aws_lb_target_group.web'] }, { fixture: 'replace' });
    expect(report.status).toBe('succeeded');
    expect(logger.lines.join('\n')).toContain('Apply complete! Resources: 2 added, 1 changed, 2 destroyed.');
  });

  it('a stale plan (the state changed after plan) fails the apply with Terraform\'s message', async () => {
    process.env.SHIPFLEET_TERRAFORM_CONCURRENT_APPLY = '1';
    const { report, logger } = await run();
    expect(report.status).toBe('failed');
    expect(report.error).toContain('terraform apply of the reviewed plan');
    expect(logger.lines.join('\n')).toContain('Error: Saved plan is stale');
  });

  it('refuses to apply a plan file changed after it was summarised', async () => {
    const built = build();
    const at = built.plan.steps.findIndex((s) => s.title === 'Check the saved plan is the one reviewed');
    built.plan.steps.splice(at, 0, { kind: 'task', title: 'tamper', description: '', run: () => writeFileSync(join(outDir(), 'tfplan'), 'other') });
    const report = await runPlan(built.plan, { logger: quiet(), secrets: built.secrets, handleSignals: false });
    expect(report.error).toContain('changed after it was summarised');
    expect(commands()).not.toContain('apply');
  });

  it('OpenTofu: the same commands with tofu', async () => {
    const { report, built } = await run({ binary: 'tofu' });
    expect(report.status).toBe('succeeded');
    expect(calls().map((c) => c.tool)).toEqual(Array(6).fill('tofu'));
    expect(built.result.version).toBe('1.8.5');
  });

  it('Terraform before 1.4 has no workspace select -or-create: stops before init, saying so', async () => {
    process.env.SHIPFLEET_TERRAFORM_VERSION = '1.3.9';
    const { report } = await run();
    expect(report.error).toContain('Option "env": Terraform 1.3.9 has no "workspace select -or-create" (added in 1.4)');
    expect(commands()).toEqual(['version']);
    // Without env there is no workspace step, and 1.3 is fine.
    const ok = await run({ env: undefined });
    expect(ok.report.status).toBe('succeeded');
    expect(commands()).not.toContain('workspace select');
  });

  it('with CI=true init keeps the lock file read-only: a missing lock file fails, a committed one passes', async () => {
    process.env.CI = 'true';
    const missing = await run();
    expect(calls()[1].argv).toContain('-lockfile=readonly');
    expect(missing.report.status).toBe('failed');
    expect(missing.logger.lines.join('\n')).toContain('the lock file is read-only');
    // Commit the lock file that a local init writes.
    delete process.env.CI;
    expect((await runCaptured('terraform', ['init', '-input=false'], { cwd: dir })).exitCode).toBe(0);
    process.env.CI = 'true';
    const committed = await run();
    expect(committed.report.status).toBe('succeeded');
  });

  it('the dry run shows every command with its argv and secrets as $NAME, without the secrets set', () => {
    delete process.env.DB_PASSWORD;
    const warnings: string[] = [];
    const { plan } = build({}, true, (w) => warnings.push(w));
    expect(warnings).toEqual(['Dry run without the variable "db_password": DB_PASSWORD is not set; a real run stops here']);
    const text = formatPlan(plan, new Redactor([]));
    const planFile = join(outDir(), 'tfplan');
    for (const line of [
      'terraform version -json',
      '$ terraform init -input=false -no-color -backend-config=bucket=acme-tfstate -backend-config=key=site/terraform.tfstate -backend-config=region=eu-west-1',
      '$ terraform workspace select -or-create -no-color staging',
      `$ terraform plan -input=false -no-color -lock-timeout=5m -out=${planFile} -var-file=${tmp}/shipfleet-tfvars-`,
      `terraform show -json ${planFile}`,
      `$ terraform apply -input=false -no-color -lock-timeout=5m ${planFile}`,
      `env: TF_IN_AUTOMATION=1 TF_INPUT=0 TF_VAR_db_password='$DB_PASSWORD' ARM_ACCESS_KEY='$STAGING_STORAGE_KEY'`,
      `cwd: ${dir}`,
    ]) expect(text).toContain(line);
    expect(text).toContain('[write] Write the variables (env, region)');
    // The plain values are in the plan JSON (--plan-json) for review.
    const write = planToJson(plan, new Redactor([])).steps.find((s) => s.kind === 'write')!;
    expect(JSON.parse(write.content!)).toEqual({ env: 'staging', region: 'eu-central-1' });
    expect(write.mode).toBe('0600');
    expect(existsSync(log)).toBe(false);
  });

  it('the dry run with the secrets set still shows $NAME, never the value', () => {
    const { plan } = build({}, true);
    const text = formatPlan(plan, new Redactor([]));
    expect(text).toContain("TF_VAR_db_password='$DB_PASSWORD'");
    expect(text).not.toContain(DB_PASSWORD);
    expect(text).not.toContain(STORAGE_KEY);
  });

  it('without vars there is no variables file and no -var-file', async () => {
    const { report } = await run({ vars: undefined, secretVars: undefined, secretEnv: undefined, env: undefined }, { fixture: 'update' });
    // db_password and env have no default: Terraform (the stand-in) refuses to plan without them.
    expect(report.status).toBe('failed');
    const plan = calls().find((c) => c.argv[0] === 'plan')!;
    expect(plan.argv.some((a) => a.startsWith('-var-file'))).toBe(false);
    expect(report.steps.map((s) => s.title)).not.toContain(expect.stringContaining('Write the variables'));
  });
});
