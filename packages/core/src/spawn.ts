// The only module that imports the process library: the runner's steps and
// everything else that runs a command (ctx.exec, the git ledger) go through here.
import execa, { ExecaChildProcess } from 'execa';

export { execa };
export type { ExecaChildProcess };

export interface CapturedResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CaptureOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** What the command inherits instead of this process's whole environment; `env` is added to it. */
  inherit?: Record<string, string>;
  timeoutMs?: number;
  input?: string;
}

/** execa's environment options: `inherit` plus `env` when given, else this process's environment plus `env`. */
export function childEnv(inherit: Record<string, string> | undefined, env: Record<string, string> | undefined): { env?: Record<string, string>; extendEnv: boolean } {
  return inherit ? { env: { ...inherit, ...env }, extendEnv: false } : { env, extendEnv: true };
}

/** Starts a command whose output is captured, not printed (argv only, no shell). */
export function startCaptured(file: string, args: string[], opts: CaptureOptions = {}): ExecaChildProcess {
  return execa(file, args, { cwd: opts.cwd, ...childEnv(opts.inherit, opts.env), reject: false, timeout: opts.timeoutMs, ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' }) });
}

/** Waits for a captured command; a missing or unstartable command is an Error with a clear message. */
export async function finishCaptured(file: string, child: ExecaChildProcess): Promise<CapturedResult> {
  const result = (await child) as Awaited<ExecaChildProcess> & { originalMessage?: string };
  if (result.failed && result.exitCode === undefined) {
    throw new Error(/ENOENT/.test(String(result.originalMessage)) ? `command not found: ${file} (is it installed and on PATH?)` : String(result.originalMessage));
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

export async function runCaptured(file: string, args: string[], opts: CaptureOptions = {}): Promise<CapturedResult> {
  return finishCaptured(file, startCaptured(file, args, opts));
}
