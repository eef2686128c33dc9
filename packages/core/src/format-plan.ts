import { Plan, Step } from './plan';
import { Redactor } from './redactor';

/** Quotes one argv element for display only; commands are never run through a shell. */
export function quoteArg(arg: string): string {
  if (arg === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatCommand(file: string, args: string[]): string {
  return [file, ...args].map(quoteArg).join(' ');
}

export interface PlanJsonStep {
  kind: Step['kind'];
  title: string;
  command?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Names of the secret variables this command receives (the values never appear). */
  secretEnv?: string[];
  path?: string;
  mode?: string;
  bytes?: number;
  content?: string;
  description?: string;
  timeoutMs?: number;
  retry?: { attempts: number; delayMs: number };
  cleanup?: PlanJsonStep;
  outputFilter?: string[];
  outputFilterIfInstalled?: boolean;
  rawLog?: string;
}

function describeStep(step: Step): PlanJsonStep {
  const base = { kind: step.kind, title: step.title } as PlanJsonStep;
  if ('timeoutMs' in step && step.timeoutMs) base.timeoutMs = step.timeoutMs;
  if ('retry' in step && step.retry) base.retry = { attempts: step.retry.attempts, delayMs: step.retry.delayMs };
  switch (step.kind) {
    case 'run':
      return {
        ...base,
        command: [step.file, ...step.args],
        ...(step.cwd ? { cwd: step.cwd } : {}),
        ...(step.env && Object.keys(step.env).length ? { env: step.env } : {}),
        ...(step.secretEnv?.length ? { secretEnv: step.secretEnv } : {}),
        ...(step.outputFilter ? { outputFilter: [step.outputFilter.file, ...step.outputFilter.args], ...(step.outputFilter.ifOnPath ? { outputFilterIfInstalled: true } : {}) } : {}),
        ...(step.rawLog ? { rawLog: step.rawLog } : {}),
      };
    case 'write': {
      const bytes = Buffer.byteLength(step.content);
      const shown = step.secret || Buffer.isBuffer(step.content) ? {} : { content: step.content };
      return { ...base, path: step.path, bytes, ...(step.mode !== undefined ? { mode: '0' + step.mode.toString(8) } : {}), ...shown };
    }
    case 'task':
      return { ...base, description: step.description };
    case 'cleanup':
      return { ...base, cleanup: describeStep({ ...step.action, title: step.title } as Step) };
  }
}

/** The plan as JSON-ready data, secrets masked (for --plan-json). */
export function planToJson(plan: Plan, redactor: Redactor): { title: string; steps: PlanJsonStep[]; outputs: Record<string, string> } {
  return redactor.redactDeep({ title: plan.title, steps: plan.steps.map(describeStep), outputs: plan.outputs ?? {} });
}

/** The plan as the text a reviewer reads in a dry run, secrets masked. */
export function formatPlan(plan: Plan, redactor: Redactor): string {
  const lines: string[] = [`Plan: ${plan.title} (${plan.steps.length} steps)`];
  const render = (s: PlanJsonStep, indent: string) => {
    if (s.command) lines.push(`${indent}$ ${formatCommand(s.command[0], s.command.slice(1))}`);
    if (s.cwd) lines.push(`${indent}cwd: ${s.cwd}`);
    if (s.env) lines.push(`${indent}env: ${Object.entries(s.env).map(([k, v]) => `${k}=${quoteArg(v)}`).join(' ')}`);
    if (s.secretEnv) lines.push(`${indent}secret env: ${s.secretEnv.join(' ')} (values masked; no other step's secrets)`);
    if (s.outputFilter) lines.push(`${indent}output shown through: ${formatCommand(s.outputFilter[0], s.outputFilter.slice(1))}${s.outputFilterIfInstalled ? ' (when installed)' : ''}`);
    if (s.rawLog) lines.push(`${indent}raw output kept in: ${s.rawLog}`);
    if (s.path) lines.push(`${indent}write ${s.path} (${s.bytes} bytes${s.mode ? `, mode ${s.mode}` : ''}${s.content === undefined ? ', content not shown' : ''})`);
    if (s.description) lines.push(`${indent}${s.description}`);
    if (s.timeoutMs) lines.push(`${indent}timeout: ${Math.round(s.timeoutMs / 1000)}s`);
    if (s.retry) lines.push(`${indent}retry: up to ${s.retry.attempts} attempts, backoff from ${s.retry.delayMs}ms`);
  };
  planToJson(plan, redactor).steps.forEach((s, i) => {
    const label = s.kind === 'cleanup' ? 'cleanup (always runs at the end)' : s.kind;
    lines.push(`${i + 1}. [${label}] ${s.title}`);
    render(s.cleanup ?? s, '     ');
  });
  const outputs = Object.entries(plan.outputs ?? {});
  if (outputs.length) lines.push('Outputs:', ...outputs.map(([k, v]) => `  ${k}: ${redactor.redact(v)}`));
  lines.push('Dry run: nothing was executed.');
  return lines.join('\n');
}
