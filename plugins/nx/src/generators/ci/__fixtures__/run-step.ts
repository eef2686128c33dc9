import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface WorkflowStep {
  name?: string;
  id?: string;
  run?: string;
  env?: Record<string, string>;
}

export interface StepRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** What the step wrote to $GITHUB_OUTPUT. */
  outputs: string;
  /** Each call of the stand-in npx: its arguments, the header git would send to a GitHub remote, its GITHUB_TOKEN. */
  npxCalls: Array<{ args: string[]; gitHeader?: string; githubToken?: string }>;
}

/** A stand-in npx: records each call and answers what the test asks. */
const NPX = `#!/usr/bin/env node
const fs = require('fs');
const git = require('child_process').spawnSync('git', ['config', '--get-urlmatch', 'http.extraheader', 'https://github.com/acme/app.git'], { encoding: 'utf8' });
const gitHeader = git.status === 0 ? git.stdout.trim() : undefined;
fs.appendFileSync(process.env.STANDIN_NPX_LOG, JSON.stringify({ args: process.argv.slice(2), gitHeader, githubToken: process.env.GITHUB_TOKEN }) + '\\n');
process.stdout.write(process.env.STANDIN_NPX_STDOUT || '');
process.exit(Number(process.env.STANDIN_NPX_EXIT || 0));
`;

/**
 * Runs one `run:` step as GitHub's `shell: bash` does (bash --noprofile
 * --norc -eo pipefail), in cwd, with the step's env whose `${{ expr }}`
 * values come from `expressions` (an expression not given is an error),
 * and a stand-in npx first on PATH that answers `npx.stdout` / `npx.exit`.
 */
export function runStep(step: WorkflowStep, cwd: string, expressions: Record<string, string>, npx: { stdout?: string; exit?: number } = {}): StepRun {
  if (!step.run) throw new Error(`step ${step.name ?? step.id} has no run script`);
  const dir = mkdtempSync(join(tmpdir(), 'step-'));
  writeFileSync(join(dir, 'npx'), NPX);
  chmodSync(join(dir, 'npx'), 0o755);
  const script = join(dir, 'script.sh');
  writeFileSync(script, step.run);
  const env: Record<string, string> = {
    PATH: `${dir}:${process.env.PATH}`,
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: join(dir, 'output'),
    STANDIN_NPX_LOG: join(dir, 'npx.jsonl'),
    STANDIN_NPX_STDOUT: npx.stdout ?? '',
    STANDIN_NPX_EXIT: String(npx.exit ?? 0),
  };
  writeFileSync(env.GITHUB_OUTPUT, '');
  writeFileSync(env.STANDIN_NPX_LOG, '');
  for (const [name, value] of Object.entries(step.env ?? {})) {
    env[name] = String(value).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
      if (expr.startsWith('secrets.')) return '';
      if (!(expr in expressions)) throw new Error(`no value given for \${{ ${expr} }} (env ${name} of step ${step.name ?? step.id})`);
      return expressions[expr];
    });
  }
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8' });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: readFileSync(env.GITHUB_OUTPUT, 'utf8'),
    npxCalls: readFileSync(env.STANDIN_NPX_LOG, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)),
  };
}
