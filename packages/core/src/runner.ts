import { childEnv, execa, ExecaChildProcess, finishCaptured, startCaptured } from './spawn';
import { chmod, mkdir, rename, writeFile } from 'fs/promises';
import { delimiter, dirname, join } from 'path';
import { setMaxListeners } from 'events';
import { createWriteStream, existsSync, writeFileSync } from 'fs';
import { errorMessage, InterruptedError, StepFailedError, UserError } from './errors';
import { formatCommand, formatPlan, planToJson } from './format-plan';
import { consoleLogger, Logger, redactingLogger } from './logger';
import { indentedTerminal } from './progress/terminal';
import { CleanupStep, Plan, RunStep, Step, TaskContext, TaskStep, WriteStep } from './plan';
import { backoffDelay } from './retry';
import { sleep } from './sleep';
import { isMaskable } from './options/secret';
import { MIN_SECRET_LENGTH, RedactingLineBuffer, Redactor } from './redactor';
import { declaredSecretEnv, StepEnvironment } from './step-env';
import { appendStepSummary, formatSummary, RunReport, StepReport } from './summary';

export interface RunOptions {
  /**
   * Secret values of this run: masked everywhere, and kept from the
   * environment of every command that does not declare them (RunStep.secretEnv).
   * Each needs at least MIN_SECRET_LENGTH characters.
   */
  secrets?: Iterable<string | undefined>;
  logger?: Logger;
  dryRun?: boolean;
  /** Write the (redacted) plan as JSON here, whether or not it runs. */
  planJson?: string;
  /** Append every (redacted) line of the run here. */
  logFile?: string;
  /** Markdown summary file; defaults to $GITHUB_STEP_SUMMARY. */
  stepSummaryFile?: string;
  /** Time a stopped child gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Install SIGINT/SIGTERM handlers for the run (default true). */
  handleSignals?: boolean;
  /** After cleanup on a signal, re-raise it so the process ends as the signal asks (default true). */
  reraiseSignal?: boolean;
  /** Print the summary at the end (default true). */
  printSummary?: boolean;
}

function onPath(file: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, file)));
}

function startFilter(file: string, args: string[], inherit: Record<string, string>) {
  return execa(file, args, { ...childEnv(inherit, undefined), reject: false, buffer: false, stdin: 'pipe', stderr: 'ignore' });
}

/** A raw log file fed with the output of both streams, each decoded and split into lines on its own, written with secrets masked. */
async function openRawLog(path: string, redactor: Redactor): Promise<{ stdout: RedactingLineBuffer; stderr: RedactingLineBuffer; close(): Promise<void> }> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const stdout = new RedactingLineBuffer(redactor, (l) => out.write(l + '\n'));
  const stderr = new RedactingLineBuffer(redactor, (l) => out.write(l + '\n'));
  return {
    stdout,
    stderr,
    close: () => new Promise((resolve) => { stdout.end(); stderr.end(); out.end(resolve); }),
  };
}

/** The run's secrets, refused when one is too short to be masked reliably (the message never shows it). */
function maskableSecrets(secrets: Iterable<string | undefined>): string[] {
  const given = [...secrets].filter((s): s is string => !!s);
  if (given.some((s) => !isMaskable(s))) {
    throw new UserError('secrets', `one of the run's secrets has fewer than ${MIN_SECRET_LENGTH} characters, too few to mask reliably in output`, `Pass secrets of at least ${MIN_SECRET_LENGTH} characters (secretFromEnv and secretFromFile refuse shorter ones when options are read)`);
  }
  return given;
}

/**
 * The one runner: executes a plan step by step, masks secrets in all output,
 * enforces timeouts and retries, and always runs registered cleanups in
 * reverse order: after success, after failure, and on SIGINT/SIGTERM.
 */
export async function runPlan(plan: Plan, options: RunOptions = {}): Promise<RunReport> {
  const secrets = maskableSecrets(options.secrets ?? []);
  const redactor = new Redactor(secrets);
  const environment = new StepEnvironment(secrets, declaredSecretEnv(plan));
  const log = redactingLogger(options.logger ?? consoleLogger, redactor, options.logFile);
  const started = Date.now();
  const report: RunReport = { title: plan.title, status: 'succeeded', steps: [], outputs: { ...(plan.outputs ?? {}) }, durationMs: 0 };

  if (options.planJson) {
    await mkdir(dirname(options.planJson), { recursive: true });
    writeFileSync(options.planJson, JSON.stringify(planToJson(plan, redactor), null, 2) + '\n');
  }
  if (options.dryRun) {
    for (const line of formatPlan(plan, redactor).split('\n')) log.info(line);
    report.status = 'dry-run';
    return report;
  }

  const killGraceMs = options.killGraceMs ?? 5000;
  const abort = new AbortController();
  // Every request, wait and child of the run listens to this one signal; parallel work (uploads, queries) passes Node's default warning limit of 10.
  setMaxListeners(256, abort.signal);
  let interrupted: NodeJS.Signals | undefined;
  let current: ExecaChildProcess | undefined;
  const stopChild = (child: ExecaChildProcess | undefined) => {
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
    force.unref();
    child.finally(() => clearTimeout(force)).catch(() => undefined);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = signal;
    if (inCleanup) {
      log.warn(`Received ${signal}: finishing cleanup first.`);
      return;
    }
    log.warn(`Received ${signal}: stopping the current step, then running cleanup.`);
    abort.abort();
    stopChild(current);
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  const cleanups: CleanupStep[] = [];
  const total = plan.steps.filter((s) => s.kind !== 'cleanup').length;
  let index = 0;

  let inCleanup = false;
  const execRun = async (step: RunStep): Promise<void> => {
    // Mask before quoting: quoting rewrites a secret containing ' so a later mask would miss it.
    log.info(`  $ ${formatCommand(step.file, step.args.map((a) => redactor.redact(a)))}`);
    const child = execa(step.file, step.args, {
      cwd: step.cwd,
      ...childEnv(environment.inherited(step.secretEnv), step.env),
      reject: false,
      buffer: false,
      stdin: 'ignore',
    });
    current = child;
    const stdout = new RedactingLineBuffer(redactor, (l) => log.info(`  │ ${l}`));
    const stderr = new RedactingLineBuffer(redactor, (l) => log.warn(`  │ ${l}`));
    const raw = step.rawLog ? await openRawLog(step.rawLog, redactor) : undefined;
    const filter = step.outputFilter && (!step.outputFilter.ifOnPath || onPath(step.outputFilter.file)) ? startFilter(step.outputFilter.file, step.outputFilter.args, environment.inherited()) : undefined;
    // The formatter gets lines already masked: it may transform what it prints past any mask.
    const toFilter = filter ? new RedactingLineBuffer(redactor, (l) => filter.stdin?.write(l + '\n')) : undefined;
    child.stdout?.on('data', (c) => {
      raw?.stdout.push(c);
      if (toFilter) toFilter.push(c);
      else stdout.push(c);
    });
    child.stderr?.on('data', (c) => {
      raw?.stderr.push(c);
      stderr.push(c);
    });
    child.stdout?.on('end', () => {
      toFilter?.end();
      filter?.stdin?.end();
    });
    filter?.stdout?.on('data', (c) => stdout.push(c));
    filter?.stdin?.on('error', () => undefined); // a formatter that exits early must not fail the step
    let timedOut = false;
    const timer = step.timeoutMs ? setTimeout(() => { timedOut = true; stopChild(child); }, step.timeoutMs) : undefined;
    // With reject: false a spawn failure resolves with the error's fields on the result.
    const result = (await child) as Awaited<typeof child> & { originalMessage?: string; message?: string };
    if (timer) clearTimeout(timer);
    current = undefined;
    if (filter) await filter.catch(() => undefined);
    stdout.end();
    stderr.end();
    await raw?.close();
    if (interrupted && !inCleanup) throw new InterruptedError(interrupted);
    if (timedOut) throw new StepFailedError(step.title, `timed out after ${Math.round(step.timeoutMs! / 1000)}s and was stopped`);
    const ok = step.okExitCodes ?? [0];
    if (result.failed && result.exitCode === undefined) {
      const notFound = /ENOENT/.test(String(result.originalMessage ?? result.message));
      throw new StepFailedError(step.title, notFound ? `command not found: ${step.file} (is it installed and on PATH?)` : String(result.originalMessage ?? result.message));
    }
    if (result.signal && result.exitCode === undefined) throw new StepFailedError(step.title, `${step.file} was killed by ${result.signal}`);
    if (!ok.includes(result.exitCode)) throw new StepFailedError(step.title, `${step.file} exited with code ${result.exitCode}`, result.exitCode);
  };

  const execWrite = async (step: WriteStep): Promise<void> => {
    await mkdir(dirname(step.path), { recursive: true });
    // Write beside, then rename: a reader never sees half a file.
    const tmp = `${step.path}.${process.pid}.tmp`;
    await writeFile(tmp, step.content, { mode: step.mode ?? 0o644 });
    if (step.mode !== undefined) await chmod(tmp, step.mode);
    await rename(tmp, step.path);
  };

  const captureExec: TaskContext['exec'] = async (file, args, opts = {}) => {
    if (interrupted && !inCleanup) throw new InterruptedError(interrupted);
    const { secretEnv, ...rest } = opts;
    const child = startCaptured(file, args, { ...rest, inherit: environment.inherited(secretEnv) });
    if (!inCleanup) current = child;
    try {
      const result = await finishCaptured(file, child);
      if (interrupted && !inCleanup) throw new InterruptedError(interrupted);
      return result;
    } finally {
      if (current === child) current = undefined;
    }
  };

  // On a terminal, tasks get it with their log, for a progress line indented like their lines.
  const taskTerminal = log.terminal && indentedTerminal(log.terminal, '  │ ');
  const taskLog = Object.assign((line: string) => log.info(`  │ ${line}`), taskTerminal ? { terminal: taskTerminal } : {});
  const taskContext = (): TaskContext => ({
    log: taskLog,
    setOutput: (name, value) => { report.outputs[name] = value; },
    addSecret: (value) => { redactor.add(...maskableSecrets([value])); },
    exec: captureExec,
    // Cleanups run even after an interrupt: they get a fresh, never-aborted signal.
    signal: inCleanup ? new AbortController().signal : abort.signal,
  });

  const execTask = async (step: TaskStep): Promise<void> => {
    const work = Promise.resolve(step.run(taskContext()));
    const guards: Promise<never>[] = [
      new Promise((_, reject) => abort.signal.addEventListener('abort', () => reject(new InterruptedError(interrupted!)), { once: true })),
    ];
    let timer: NodeJS.Timeout | undefined;
    if (step.timeoutMs) guards.push(new Promise((_, reject) => { timer = setTimeout(() => reject(new StepFailedError(step.title, `timed out after ${Math.round(step.timeoutMs! / 1000)}s`)), step.timeoutMs); }));
    try {
      await Promise.race([work, ...guards]);
    } finally {
      if (timer) clearTimeout(timer);
    }
  };

  const execOnce = (step: Exclude<Step, CleanupStep>): Promise<void> => {
    switch (step.kind) {
      case 'run': return execRun(step);
      case 'write': return execWrite(step);
      case 'task': return execTask(step);
    }
  };

  const execWithRetry = async (step: Exclude<Step, CleanupStep>): Promise<number> => {
    const attempts = Math.max(1, step.retry?.attempts ?? 1);
    for (let attempt = 1; ; attempt++) {
      try {
        await execOnce(step);
        return attempt;
      } catch (err) {
        if (err instanceof InterruptedError || attempt >= attempts || interrupted) throw err;
        const delay = backoffDelay(step.retry!, attempt);
        log.warn(`  ${redactor.redact(errorMessage(err))}; retrying in ${(delay / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${attempts})`);
        await sleep(delay, abort.signal);
        if (interrupted) throw new InterruptedError(interrupted);
      }
    }
  };

  try {
    for (const step of plan.steps) {
      if (interrupted) break;
      if (step.kind === 'cleanup') {
        cleanups.push(step);
        continue;
      }
      index++;
      log.info(`▶ [${index}/${total}] ${step.title}`);
      const t0 = Date.now();
      const stepReport: StepReport = { title: step.title, kind: step.kind, status: 'succeeded', durationMs: 0 };
      report.steps.push(stepReport);
      try {
        const attempts = await execWithRetry(step);
        if (attempts > 1) stepReport.attempts = attempts;
        stepReport.durationMs = Date.now() - t0;
        log.info(`✔ ${step.title} (${(stepReport.durationMs / 1000).toFixed(1)}s)`);
      } catch (err) {
        stepReport.durationMs = Date.now() - t0;
        stepReport.status = err instanceof InterruptedError ? 'interrupted' : 'failed';
        report.error = redactor.redact(errorMessage(err instanceof Error && !(err instanceof StepFailedError) && !(err instanceof InterruptedError) ? new StepFailedError(step.title, errorMessage(err)) : err));
        if (err instanceof StepFailedError && err.exitCode !== undefined) report.exitCode = err.exitCode;
        log.error(`✖ ${report.error}`);
        break;
      }
    }
  } finally {
    inCleanup = true;
    report.cleanups = await runCleanups(cleanups, execRun, taskContext, log, redactor);
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  if (interrupted) report.status = 'interrupted';
  else if (report.error) report.status = 'failed';
  report.durationMs = Date.now() - started;
  // Titles, outputs and errors may carry secret values: the caller only ever sees them masked.
  const safe = redactor.redactDeep(report);

  if (options.printSummary ?? true) for (const line of formatSummary(safe).split('\n')) log.info(line);
  const summaryFile = options.stepSummaryFile ?? process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) appendStepSummary(summaryFile, safe, redactor);

  if (interrupted && (options.reraiseSignal ?? true) && handleSignals && process.listenerCount(interrupted) === 0) {
    process.kill(process.pid, interrupted);
  }
  return safe;
}

/** Runs every registered cleanup, newest first; a failing cleanup is reported and the rest still run. */
async function runCleanups(
  cleanups: CleanupStep[],
  execRun: (s: RunStep) => Promise<void>,
  taskContext: () => TaskContext,
  log: Logger,
  redactor: Redactor,
): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const cleanup of [...cleanups].reverse()) {
    const t0 = Date.now();
    log.info(`↺ cleanup: ${cleanup.title}`);
    const step = { ...cleanup.action, title: cleanup.title } as RunStep | TaskStep;
    try {
      if (step.kind === 'run') await execRun(step);
      else await step.run(taskContext());
      reports.push({ title: cleanup.title, kind: 'cleanup', status: 'succeeded', durationMs: Date.now() - t0 });
    } catch (err) {
      log.error(`  cleanup failed: ${redactor.redact(errorMessage(err))}`);
      reports.push({ title: cleanup.title, kind: 'cleanup', status: 'failed', durationMs: Date.now() - t0 });
    }
  }
  return reports;
}

