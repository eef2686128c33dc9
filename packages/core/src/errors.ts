/**
 * An error the user can fix: it names the option (or file), says what was
 * wrong and what to do. Executors print its message without a stack trace.
 */
export class UserError extends Error {
  readonly option: string;
  readonly problem: string;
  readonly fix: string;

  constructor(option: string, problem: string, fix: string) {
    super(`Option "${option}": ${problem}. ${fix}`);
    this.name = 'UserError';
    this.option = option;
    this.problem = problem;
    this.fix = fix;
  }
}

/** A step of a plan failed while running (exit code, timeout, thrown error). */
export class StepFailedError extends Error {
  readonly stepTitle: string;
  readonly exitCode?: number;

  constructor(stepTitle: string, message: string, exitCode?: number) {
    super(`Step "${stepTitle}" failed: ${message}`);
    this.name = 'StepFailedError';
    this.stepTitle = stepTitle;
    this.exitCode = exitCode;
  }
}

/** The run was stopped by SIGINT or SIGTERM; cleanup has run when it is thrown. */
export class InterruptedError extends Error {
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super(`Interrupted by ${signal}; cleanup ran`);
    this.name = 'InterruptedError';
    this.signal = signal;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The UserError `fn` throws; any other outcome is an Error. For tests that check which option an error names. */
export function thrownUserError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}
