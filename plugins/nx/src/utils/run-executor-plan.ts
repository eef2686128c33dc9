import { consoleLogger, errorMessage, Plan, redactingLogger, Redactor, RunReport, runPlan, UserError } from '@shipfleet/core';

/** Options every shipfleet executor accepts. */
export interface CommonExecutorOptions {
  dryRun?: boolean;
  planJson?: string;
  logFile?: string;
}

export interface PreparedRun {
  plan: Plan;
  secrets: string[];
  /** Runs after the plan (also when it failed): explains the failure in the user's terms. */
  explainFailure?: (report: RunReport) => string | undefined;
}

/**
 * The adapter between Nx and the runner, shared by every executor: build the
 * plan (UserErrors become one clear line, no stack), run or dry-run it, and
 * turn the report into Nx's { success }.
 */
export async function runExecutorPlan(options: CommonExecutorOptions, prepare: () => PreparedRun | Promise<PreparedRun>): Promise<{ success: boolean; outputs?: Record<string, string> }> {
  let prepared: PreparedRun;
  try {
    prepared = await prepare();
  } catch (err) {
    consoleLogger.error(err instanceof UserError ? `✖ ${err.message}` : `✖ Could not prepare the plan: ${errorMessage(err)}`);
    return { success: false };
  }
  let report: RunReport;
  try {
    report = await runPlan(prepared.plan, {
      secrets: prepared.secrets,
      dryRun: options.dryRun,
      planJson: options.planJson,
      logFile: options.logFile,
    });
  } catch (err) {
    // The runner refuses a plan before running anything (e.g. a secret too short to mask): one clear line.
    if (!(err instanceof UserError)) throw err;
    consoleLogger.error(`✖ ${err.message}`);
    return { success: false };
  }
  if (report.status === 'failed') {
    const why = prepared.explainFailure?.(report);
    if (why) redactingLogger(consoleLogger, new Redactor(prepared.secrets)).error(`✖ ${why}`);
  }
  return { success: report.status === 'succeeded' || report.status === 'dry-run', outputs: report.outputs };
}
