import { createHash, randomBytes } from 'crypto';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cleanupStep, formatDuration, Plan, Redactor, runStep, Step, taskStep, TaskContext, UserError, writeStep } from '@shipfleet/core';
import { guardError, judgePlan, verdictText } from './destroy-guard';
import { ResolvedTerraformOptions } from './options';
import { countsLine, formatPlanSummary, PlanSummary, planSummaryMarkdown, summarizePlanJson } from './plan-summary';

export interface TerraformPlanContext {
  /** Markdown summary file (default $GITHUB_STEP_SUMMARY). */
  stepSummaryFile?: string;
  /** Default process.env (for GITHUB_STEP_SUMMARY). */
  env?: NodeJS.ProcessEnv;
  /** Where the private folder of the variables file is made (default the OS temp folder). */
  tmpDir?: string;
}

/** Filled in while the plan runs. */
export interface TerraformRunResult {
  binary: string;
  workspace?: string;
  /** From `<binary> version -json`. */
  version?: string;
  summary?: PlanSummary;
  /** SHA-256 (hex) of the saved plan that was reviewed (and, when the run succeeds with action apply, applied). */
  planSha256?: string;
}

export interface TerraformPlanResult {
  plan: Plan;
  result: TerraformRunResult;
  /** Values to mask in every output of the run: pass them to runPlan's `secrets`. */
  secrets: string[];
}

/** Workspaces need `workspace select -or-create`, added in Terraform 1.4 (every OpenTofu release has it). */
export const OR_CREATE_SINCE = { major: 1, minor: 4 };

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function parseVersion(stdout: string): string {
  try {
    const doc = JSON.parse(stdout) as Record<string, unknown>;
    const v = doc.terraform_version ?? doc.tofu_version ?? doc.version;
    if (typeof v === 'string') return v;
  } catch {
    // fall through: an old release printing text
  }
  const m = /v?(\d+\.\d+\.\d+\S*)/.exec(stdout);
  if (!m) throw new Error(`could not read a version from: ${stdout.slice(0, 200)}`);
  return m[1];
}

function atLeast(version: string, want: { major: number; minor: number }): boolean {
  const [major, minor] = version.split('.').map((n) => parseInt(n, 10));
  return major > want.major || (major === want.major && minor >= want.minor);
}

/**
 * The plan of a Terraform (or OpenTofu) run: init, workspace, a saved plan, its summary and
 * the destroy guard, then (action apply) apply of exactly that saved plan. Commands run in the
 * configuration folder with -input=false (TF_INPUT=0 for those without the flag) and -no-color;
 * secrets reach them through the environment only.
 */
export function buildTerraformPlan(resolved: ResolvedTerraformOptions, context: TerraformPlanContext = {}): TerraformPlanResult {
  const o = resolved.options;
  const env = context.env ?? process.env;
  const stepSummaryFile = context.stepSummaryFile ?? env.GITHUB_STEP_SUMMARY;
  const redactor = new Redactor(resolved.secrets);
  const result: TerraformRunResult = { binary: o.binary, workspace: o.workspace };
  const bin = o.binary;
  const tfEnv: Record<string, string> = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', ...resolved.stepEnv };
  const secretEnv = o.passSecretEnv;
  const tf = (title: string, args: string[]) => runStep(title, bin, args, { cwd: o.dir, env: tfEnv, ...(secretEnv.length ? { secretEnv } : {}) });
  const lockTimeout = `-lock-timeout=${formatDuration(o.lockTimeoutMs)}`;
  const hasVars = Object.keys(o.vars).length > 0;
  const varDir = join(context.tmpDir ?? tmpdir(), `shipfleet-tfvars-${randomBytes(6).toString('hex')}`);
  const varFile = join(varDir, 'shipfleet.auto.tfvars.json');
  const exec = (ctx: TaskContext, args: string[]) => ctx.exec(bin, args, { cwd: o.dir, env: tfEnv, ...(secretEnv.length ? { secretEnv } : {}) });

  const steps: Step[] = [
    taskStep(`Check the ${bin} version`, `${bin} version -json${o.workspace && bin === 'terraform' ? ` (workspace select -or-create needs Terraform ${OR_CREATE_SINCE.major}.${OR_CREATE_SINCE.minor} or later)` : ''}`, async (ctx) => {
      const r = await ctx.exec(bin, ['version', '-json'], { cwd: o.dir, env: { TF_IN_AUTOMATION: '1' } });
      if (r.exitCode !== 0) throw new Error(`${bin} version -json exited with code ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`);
      const version = parseVersion(r.stdout);
      result.version = version;
      ctx.log(`${bin} ${version}`);
      ctx.setOutput('terraformVersion', `${bin} ${version}`);
      if (o.workspace && bin === 'terraform' && !atLeast(version, OR_CREATE_SINCE)) {
        throw new UserError('env', `Terraform ${version} has no "workspace select -or-create" (added in 1.4)`, 'Install Terraform 1.4 or later, or set "binary": "tofu" for OpenTofu');
      }
    }),
    taskStep(`Prepare ${o.outputPath}`, `creates the output folder and removes a plan and summaries left by an earlier run${hasVars ? `; creates ${varDir} (mode 0700) for the variables file` : ''}`, () => {
      mkdirSync(o.outputPath, { recursive: true });
      for (const f of [o.planFile, o.summaryJson, o.summaryMarkdown]) rmSync(f, { force: true });
      if (hasVars) mkdirSync(varDir, { mode: 0o700 });
    }),
  ];
  if (hasVars) {
    steps.push(
      cleanupStep(`Remove ${varDir}`, { kind: 'task', description: 'removes the private folder of the variables file', run: () => rmSync(varDir, { recursive: true, force: true }) }),
      writeStep(`Write the variables (${Object.keys(o.vars).join(', ')})`, varFile, JSON.stringify(o.vars, null, 2) + '\n', { mode: 0o600 }),
    );
  }
  steps.push(tf(`${bin} init`, ['init', '-input=false', '-no-color', ...Object.entries(o.backendConfig).map(([k, v]) => `-backend-config=${k}=${v}`), ...(o.lockfileReadonly ? ['-lockfile=readonly'] : [])]));
  if (o.workspace) steps.push(tf(`Select workspace ${o.workspace}`, ['workspace', 'select', '-or-create', '-no-color', o.workspace]));
  steps.push(tf(`${bin} plan`, ['plan', '-input=false', '-no-color', lockTimeout, `-out=${o.planFile}`, ...(hasVars ? [`-var-file=${varFile}`] : [])]));

  steps.push(
    taskStep('Summarise the plan', `${bin} show -json ${o.planFile} → creates, updates, replaces, destroys and reads per resource address, printed here and written to ${o.summaryJson} and ${o.summaryMarkdown}${stepSummaryFile ? ` (and appended to ${stepSummaryFile})` : ''}; the plan file's SHA-256 is an output`, async (ctx) => {
      const r = await exec(ctx, ['show', '-json', '-no-color', o.planFile]);
      if (r.exitCode !== 0) throw new Error(`${bin} show -json exited with code ${r.exitCode}: ${r.stderr.trim()}`);
      const summary = summarizePlanJson(r.stdout);
      result.summary = summary;
      // The plan file holds every variable value, secrets included: readable by this user only.
      chmodSync(o.planFile, 0o600);
      result.planSha256 = sha256File(o.planFile);
      const verdict = judgePlan(summary, o);
      const heading = `${bin} plan: ${o.label}${o.action === 'plan' ? ' (plan only)' : ''}`;
      const markdown = planSummaryMarkdown(summary, heading, verdictText(verdict));
      writeFileSync(o.summaryJson, JSON.stringify({ ...summary, planFile: o.planFile, planSha256: result.planSha256, workspace: o.workspace ?? 'default' }, null, 2) + '\n');
      writeFileSync(o.summaryMarkdown, markdown);
      if (stepSummaryFile) appendFileSync(stepSummaryFile, redactor.redact(markdown));
      for (const line of formatPlanSummary(summary)) ctx.log(line);
      ctx.setOutput('planSha256', result.planSha256);
      ctx.setOutput('changes', countsLine(summary));
    }),
    taskStep('Check the plan against allowDestroy and allowReplace', `fails before anything is applied when the plan destroys a resource (unless allowDestroy is true) or replaces one (unless allowDestroy is true or its address is in allowReplace${o.allowReplace.length ? `: ${o.allowReplace.join(', ')}` : ''})`, (ctx) => {
      const verdict = judgePlan(result.summary!, o);
      const err = guardError(verdict, o.summaryMarkdown);
      if (err) throw err;
      ctx.log(verdict.allowed.length ? `allowed: ${verdict.allowed.join(', ')}` : 'nothing destroyed or replaced');
    }),
  );

  if (o.action === 'apply') {
    steps.push(
      taskStep('Check the saved plan is the one reviewed', `the SHA-256 of ${o.planFile} must still be the one summarised`, () => {
        const now = sha256File(o.planFile);
        if (now !== result.planSha256) throw new Error(`${o.planFile} changed after it was summarised (SHA-256 ${now}, reviewed ${result.planSha256}); nothing was applied`);
      }),
      tf(`${bin} apply of the reviewed plan`, ['apply', '-input=false', '-no-color', lockTimeout, o.planFile]),
    );
  }

  return {
    plan: {
      title: `${o.action === 'apply' ? 'Plan and apply' : 'Plan'} ${o.dir}${o.workspace ? ` in workspace ${o.workspace}` : ''} with ${bin}`,
      steps,
      outputs: { planFile: o.planFile, planSummaryJson: o.summaryJson, planSummaryMarkdown: o.summaryMarkdown },
    },
    result,
    secrets: resolved.secrets,
  };
}
