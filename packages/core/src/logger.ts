import { appendFileSync } from 'fs';
import { maskedTerminal, RedrawTerminal, SharedTerminal, terminalFor } from './progress/terminal';
import { Redactor } from './redactor';

export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  /**
   * The interactive terminal the lines go to, when they go to one: a progress
   * line is redrawn on it (see startProgress). Absent for CI logs, pipes and files.
   */
  readonly terminal?: RedrawTerminal;
}

// Made on first use: stdout may be replaced (tests) before anything logs.
let stdoutTerminal: SharedTerminal | undefined | null = null;
const sharedStdout = (): SharedTerminal | undefined => (stdoutTerminal === null ? (stdoutTerminal = terminalFor(process.stdout)) : stdoutTerminal);

/** stdout and stderr; on a terminal, a log line first wipes a progress line drawn on stdout, whichever stream it goes to. */
export const consoleLogger: Logger = {
  info: (line) => (sharedStdout() ? sharedStdout()!.writeLine(line) : process.stdout.write(line + '\n')),
  warn: (line) => (sharedStdout() ? sharedStdout()!.writeLine(line, process.stderr) : process.stderr.write(line + '\n')),
  error: (line) => (sharedStdout() ? sharedStdout()!.writeLine(line, process.stderr) : process.stderr.write(line + '\n')),
  get terminal() {
    return sharedStdout();
  },
};

/** Every line goes through the redactor before it reaches the terminal or the log file. */
export function redactingLogger(inner: Logger, redactor: Redactor, logFile?: string): Logger {
  const out = (level: 'info' | 'warn' | 'error') => (line: string) => {
    const safe = redactor.redact(line);
    inner[level](safe);
    if (logFile) appendFileSync(logFile, `${new Date().toISOString()} ${level.toUpperCase()} ${safe}\n`);
  };
  // A redrawn line is masked as each log line is (it is never written to the log file).
  const terminal = inner.terminal && maskedTerminal(inner.terminal, (text) => redactor.redact(text));
  return { info: out('info'), warn: out('warn'), error: out('error'), ...(terminal ? { terminal } : {}) };
}

/** Keeps every line in memory (all levels), e.g. to show a run's output elsewhere or to check it. */
export function memoryLogger(): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const push = (line: string) => void lines.push(line);
  return { logger: { info: push, warn: push, error: push }, lines, text: () => lines.join('\n') };
}
