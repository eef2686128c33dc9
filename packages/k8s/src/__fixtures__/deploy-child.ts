// Runs a k8s deploy plan in its own process (where @kubernetes/client-node can load) and prints
// the outcome as one JSON line after a marker on stdout; every log line goes to stderr as it happens.
import { readFileSync } from 'fs';
import { Logger, runPlan, runStep, taskStep } from '@shipfleet/core';
import { buildK8sPlan, normalizeK8sOptions } from '../index';

interface ChildInput {
  options: Parameters<typeof normalizeK8sOptions>[0];
  projectRoot: string;
  pollIntervalMs?: number;
  progressIntervalMs?: number;
  planDryRun?: boolean;
  /** After the deploy: a step printing these files, then a step failing with the content of `failWith` in its error. */
  after?: { print: string[]; failWith?: string };
}

async function main() {
  const input = JSON.parse(process.argv[2]) as ChildInput;
  const lines: string[] = [];
  const logger: Logger = {
    info: (l) => { lines.push(l); process.stderr.write(`${l}\n`); },
    warn: (l) => { lines.push(l); process.stderr.write(`${l}\n`); },
    error: (l) => { lines.push(l); process.stderr.write(`${l}\n`); },
  };
  let out: unknown;
  try {
    const normalized = normalizeK8sOptions(input.options, input.projectRoot, process.env);
    const { plan, result } = buildK8sPlan(normalized, { pollIntervalMs: input.pollIntervalMs, progressIntervalMs: input.progressIntervalMs });
    const after = input.after;
    if (after?.print.length) plan.steps.push(runStep('Print files', 'cat', after.print));
    if (after?.failWith) {
      const file = after.failWith;
      plan.steps.push(taskStep('Fail quoting a file', `fails with the content of ${file}`, () => {
        throw new Error(`the server refused ${readFileSync(file, 'utf8').trim()}`);
      }));
    }
    const report = await runPlan(plan, { logger, secrets: normalized.secrets, handleSignals: false, dryRun: input.planDryRun });
    out = { report, result, lines };
  } catch (e) {
    out = { error: (e as Error).message, name: (e as Error).name, lines };
  }
  process.stdout.write(`\n@@RESULT@@${JSON.stringify(out)}\n`);
}

void main().then(() => process.exit(0));
