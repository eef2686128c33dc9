import { appendFileSync } from 'fs';
import { Redactor } from './redactor';

export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export const consoleLogger: Logger = {
  info: (line) => process.stdout.write(line + '\n'),
  warn: (line) => process.stderr.write(line + '\n'),
  error: (line) => process.stderr.write(line + '\n'),
};

/** Every line goes through the redactor before it reaches the terminal or the log file. */
export function redactingLogger(inner: Logger, redactor: Redactor, logFile?: string): Logger {
  const out = (level: keyof Logger) => (line: string) => {
    const safe = redactor.redact(line);
    inner[level](safe);
    if (logFile) appendFileSync(logFile, `${new Date().toISOString()} ${level.toUpperCase()} ${safe}\n`);
  };
  return { info: out('info'), warn: out('warn'), error: out('error') };
}

/** Keeps every line in memory (all levels), e.g. to show a run's output elsewhere or to check it. */
export function memoryLogger(): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const push = (line: string) => void lines.push(line);
  return { logger: { info: push, warn: push, error: push }, lines, text: () => lines.join('\n') };
}
