import { formatCommand } from '@shipfleet/core';
import { ActionContext, ActionKind, TrafficAction } from './action';

export interface CommandActionSpec {
  type: 'command';
  /** argv of the command that sets the weight; every {{weight}} becomes the percentage (0–100). */
  setWeight: string[];
  /** argv run to promote; default: setWeight with 100. */
  promote?: string[];
  /** argv run to roll back; default: setWeight with 0. */
  rollback?: string[];
  /** Working directory (absolute). */
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs: number;
}

const WEIGHT = /\{\{\s*weight\s*\}\}/g;

/** The argv of a kind of action, {{weight}} replaced. */
export function commandArgv(spec: CommandActionSpec, kind: ActionKind, weight: number): string[] {
  const template = kind === 'setWeight' ? spec.setWeight : spec[kind] ?? spec.setWeight;
  return template.map((arg) => arg.replace(WEIGHT, String(weight)));
}

/** Runs a command through the plan's runner (ctx.exec: argv, no shell, stopped on SIGINT). */
export class CommandAction implements TrafficAction {
  constructor(readonly spec: CommandActionSpec) {}

  describe(kind: ActionKind, weight: number): string {
    const [file, ...args] = commandArgv(this.spec, kind, weight);
    return `$ ${formatCommand(file, args)}${this.spec.cwd ? ` (in ${this.spec.cwd})` : ''}`;
  }

  private async run(kind: ActionKind, weight: number, ctx: ActionContext): Promise<void> {
    const [file, ...args] = commandArgv(this.spec, kind, weight);
    ctx.log(`$ ${formatCommand(file, args)}`);
    const r = await ctx.exec(file, args, { cwd: this.spec.cwd, env: this.spec.env, timeoutMs: this.spec.timeoutMs });
    const out = (r.stdout + (r.stderr ? `\n${r.stderr}` : '')).trim();
    if (out) for (const line of out.split('\n').slice(-5)) ctx.log(`  │ ${line}`);
    if (r.exitCode !== 0) throw new Error(`${file} exited with code ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`);
  }

  setWeight(weight: number, ctx: ActionContext): Promise<void> {
    return this.run('setWeight', weight, ctx);
  }

  promote(ctx: ActionContext): Promise<void> {
    return this.run('promote', 100, ctx);
  }

  rollback(ctx: ActionContext): Promise<void> {
    return this.run('rollback', 0, ctx);
  }
}
