/**
 * A plan is what an executor will do, as data: ordered steps, each with a
 * human title. Dry runs print it; the runner executes it. Nothing outside the
 * runner spawns a process.
 */
import type { TaskLog } from './progress/progress';
import type { RetryPolicy } from './retry';

interface StepBase {
  title: string;
  /** Kill the step (and fail it) after this long. */
  timeoutMs?: number;
  retry?: RetryPolicy;
}

export interface RunStep extends StepBase {
  kind: 'run';
  file: string;
  args: string[];
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  /**
   * Names of inherited variables holding secrets this command reads itself
   * (e.g. altool's `-p @env:NAME`). A command inherits no variable holding a
   * secret of the run except these; every other step is kept from them.
   */
  secretEnv?: string[];
  cwd?: string;
  /** Exit codes that count as success (default [0]). */
  okExitCodes?: number[];
  /**
   * Show the command's stdout through a formatter (e.g. xcbeautify) instead of raw:
   * the formatter reads the command's stdout on its stdin; the command's exit code
   * decides the step. With `ifOnPath`, a formatter not installed is simply skipped.
   */
  outputFilter?: { file: string; args: string[]; ifOnPath?: boolean };
  /** Keep the command's raw output (stdout and stderr, secrets masked) in this file. */
  rawLog?: string;
}

export interface WriteStep extends StepBase {
  kind: 'write';
  path: string;
  content: string | Buffer;
  /** File mode, e.g. 0o600 for key material. */
  mode?: number;
  /** Content is secret: plans show only its size. */
  secret?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TaskContext {
  /** Logs one line, masked; on a terminal it also carries it for a redrawn progress line (startProgress). */
  log: TaskLog;
  /**
   * Runs a command whose output the task needs (a version, a list), through
   * the runner: argv only, stopped on SIGINT/SIGTERM, output captured rather
   * than printed. Log what you use of it with ctx.log, which masks secrets.
   * Like a run step, the command inherits no secret of the run but those
   * named in `secretEnv`.
   */
  exec: (file: string, args: string[], options?: { cwd?: string; env?: Record<string, string>; secretEnv?: string[]; timeoutMs?: number }) => Promise<ExecResult>;
  /** Values set here appear in the run's outputs and summary. */
  setOutput: (name: string, value: string) => void;
  /**
   * Masks `value` in all output of the run from now on: for a credential
   * learnt only while the task runs (a token an exec plugin issues). Throws
   * for a value shorter than MIN_SECRET_LENGTH, which cannot be masked reliably.
   */
  addSecret: (value: string) => void;
  signal: AbortSignal;
}

export interface TaskStep extends StepBase {
  kind: 'task';
  /** What the task does, shown in dry runs (the code itself is not printable). */
  description: string;
  run: (ctx: TaskContext) => Promise<void> | void;
}

/** Registered when reached; every registered cleanup runs at the end, in reverse order, whatever happened. */
export interface CleanupStep {
  kind: 'cleanup';
  title: string;
  action: Omit<RunStep, 'title'> | Omit<TaskStep, 'title'>;
}

export type Step = RunStep | WriteStep | TaskStep | CleanupStep;

export interface Plan {
  title: string;
  steps: Step[];
  /** Outputs known before running (artefact paths); tasks may add more. */
  outputs?: Record<string, string>;
}

export function runStep(title: string, file: string, args: string[], extra: Partial<Omit<RunStep, 'kind' | 'title' | 'file' | 'args'>> = {}): RunStep {
  return { kind: 'run', title, file, args, ...extra };
}

export function writeStep(title: string, path: string, content: string | Buffer, extra: Partial<Omit<WriteStep, 'kind' | 'title' | 'path' | 'content'>> = {}): WriteStep {
  return { kind: 'write', title, path, content, ...extra };
}

export function taskStep(title: string, description: string, run: TaskStep['run'], extra: Partial<Omit<TaskStep, 'kind' | 'title' | 'description' | 'run'>> = {}): TaskStep {
  return { kind: 'task', title, description, run, ...extra };
}

export function cleanupStep(title: string, action: CleanupStep['action']): CleanupStep {
  return { kind: 'cleanup', title, action };
}
