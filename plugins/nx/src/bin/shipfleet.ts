#!/usr/bin/env node
// shipfleet base --env=<env> [--ledger=file|git] [--ledgerPath=…] [--ledgerRemote=…]
//   prints the base commit of an environment: the newest commit every project deployed there has deployed.
// shipfleet matrix --base=<sha> --head=<sha> [--target=deploy]
//   prints the affected projects' deploy targets as a JSON matrix [{project, runner}] for CI;
//   a deploy split by runner gives one row per part: {project, runner, part}.
// shipfleet status [--env=<env>] [ledger options as base] [--json] [--html=<file>] [--history=N] [--changed=false]
//   prints what is live where (project × environment) from the deploy ledger.
import { baseCommit, commitIshOption, lastDeployedCommits, NX_NAME, runCaptured, UserError } from '@shipfleet/core';
import { RUNNER_LABELS } from '../platforms';
import { commitInClone } from '../status/changed-since-live';
import { runStatus, STATUS_BOOLEAN_FLAGS, STATUS_USAGE } from '../status/status-command';
import { ENV_NAME, openLedger } from '../utils/ledger';

/** --name=value or --name value; a name in `booleans` given alone is "true" and takes no value. */
function flags(argv: string[], booleans: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([A-Za-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument "${argv[i]}"`);
    const name = m[1].replace(/-(\w)/g, (_, c) => c.toUpperCase());
    out[name] = m[2] ?? (booleans.includes(name) ? 'true' : (argv[++i] ?? ''));
  }
  return out;
}

async function nxJson(args: string[]): Promise<unknown> {
  const r = await runCaptured(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['nx', ...args], { env: { NX_DAEMON: process.env.NX_DAEMON ?? 'false', NX_TUI: 'false' } });
  if (r.exitCode !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout.slice(r.stdout.search(/[[{]/)));
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const f = flags(rest, command === 'status' ? STATUS_BOOLEAN_FLAGS : []);
  if (command === 'base') {
    const env = f.env;
    if (!env || !ENV_NAME.test(env)) throw new Error('--env=<environment> is required (lowercase letters, digits, -)');
    const ledger = openLedger({ ledger: f.ledger as 'file' | 'git', ledgerPath: f.ledgerPath, ledgerRemote: f.ledgerRemote, ledgerRef: f.ledgerRef }, process.cwd());
    const commits = [...lastDeployedCommits(await ledger.read(), env).values()];
    const base = await baseCommit(process.cwd(), commits);
    if (!base) {
      process.stderr.write(`no successful deploy to ${env} is recorded in ${ledger.where}\n`);
      return 2;
    }
    process.stdout.write(`${base}\n`);
    return 0;
  }
  if (command === 'matrix') {
    if (!f.base || !f.head) throw new Error('--base=<commit> and --head=<commit> are required');
    // nx hands --base and --head on to git: never let them read as options.
    const base = commitIshOption('base', f.base);
    const head = commitIshOption('head', f.head);
    const target = f.target ?? 'deploy';
    if (!NX_NAME.test(target)) throw new UserError('target', `"${target}" is not a target name`, 'Give the target to deploy, e.g. --target=deploy');
    const projects = (await nxJson(['show', 'projects', '--affected', '-t', target, `--base=${base}`, `--head=${head}`, '--json'])) as string[];
    const label = (runner: string | undefined) => RUNNER_LABELS[(runner ?? 'linux') as keyof typeof RUNNER_LABELS] ?? RUNNER_LABELS.linux;
    const matrix: Array<{ project: string; runner: string; part?: string }> = [];
    for (const project of projects.sort()) {
      const config = (await nxJson(['show', 'project', project, '--json'])) as { targets: Record<string, { metadata?: { runner?: string; runners?: unknown } }> };
      const metadata = config.targets[target]?.metadata;
      // A split deploy: one row per runner, each deploying its part (deploy --part=<runner>).
      const parts = Array.isArray(metadata?.runners) ? metadata.runners.filter((r): r is string => typeof r === 'string' && r in RUNNER_LABELS) : [];
      if (parts.length) for (const part of parts) matrix.push({ project, runner: label(part), part });
      else matrix.push({ project, runner: label(metadata?.runner) });
    }
    process.stdout.write(JSON.stringify(matrix) + '\n');
    return 0;
  }
  if (command === 'status') {
    const cwd = process.cwd();
    return runStatus(f, {
      cwd,
      now: new Date(),
      write: (text) => process.stdout.write(text),
      changes: {
        hasCommit: (commit) => commitInClone(cwd, commit),
        affectedSince: async (commit) => (await nxJson(['show', 'projects', '--affected', `--base=${commitIshOption('base', commit)}`, '--json'])) as string[],
      },
    });
  }
  process.stderr.write(`usage: shipfleet base --env=<env> [--ledger=file|git] | shipfleet matrix --base=<sha> --head=<sha> [--target=deploy] | ${STATUS_USAGE}\n`);
  return command ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`shipfleet: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
