// Shared by the Supabase specs: a project folder with supabase/, the CLI to use, and a runner
// that keeps every line a deploy printed.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, runPlan, RunReport } from '@shipfleet/core';
import { buildSupabasePlan, previewSupabaseDeploy, resolveSupabaseOptions, SupabaseDeployOptions, SupabaseRunResult } from '../index';

/** The Supabase CLI the integration specs run: $SHIPFLEET_SUPABASE_BIN, else the workspace's dev dependency. */
export const SUPABASE_BIN = process.env.SHIPFLEET_SUPABASE_BIN || join(__dirname, '..', '..', '..', '..', 'node_modules', '.bin', 'supabase');

const made: string[] = [];

/** Removes every folder supabaseProject made (call in afterAll). */
export function removeSupabaseProjects(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function supabaseProject(files: { migrations?: Record<string, string>; functions?: Record<string, string> } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-supabase-'));
  made.push(dir);
  mkdirSync(join(dir, 'supabase', 'migrations'), { recursive: true });
  writeFileSync(join(dir, 'supabase', 'config.toml'), 'project_id = "shipfleet-test"\n');
  for (const [name, sql] of Object.entries(files.migrations ?? {})) writeFileSync(join(dir, 'supabase', 'migrations', name), sql);
  for (const [name, code] of Object.entries(files.functions ?? {})) {
    mkdirSync(join(dir, 'supabase', 'functions', name), { recursive: true });
    writeFileSync(join(dir, 'supabase', 'functions', name, 'index.ts'), code);
  }
  return dir;
}

export interface DeployRun {
  report: RunReport;
  result: SupabaseRunResult;
  /** Every line the run printed, the plan JSON, the report and the warnings. */
  output: string;
  lines: string[];
  planJson: string;
}

export async function deploySupabase(dir: string, options: Partial<SupabaseDeployOptions>, o: { env: NodeJS.ProcessEnv; dryRun?: boolean; label?: string; preview?: boolean }): Promise<DeployRun> {
  const mem = memoryLogger();
  const warnings: string[] = [];
  const env = { SHIPFLEET_SUPABASE_BIN: SUPABASE_BIN, ...o.env };
  const resolved = resolveSupabaseOptions(options, { workspaceRoot: dir, projectRoot: dir, env, warn: (m) => warnings.push(m), dryRun: o.dryRun });
  const preview = o.preview ? await previewSupabaseDeploy(resolved, (m) => warnings.push(m)) : undefined;
  const { plan, result, secrets } = buildSupabasePlan(resolved, { label: o.label, preview, lockPollMs: 200, workDir: join(dir, 'work') });
  const planPath = join(dir, `plan-${readdirSync(dir).length}.json`);
  const report = await runPlan(plan, { logger: mem.logger, secrets, handleSignals: false, dryRun: o.dryRun, planJson: planPath });
  const planJson = readFileSync(planPath, 'utf8');
  return { report, result, lines: mem.lines, planJson, output: [mem.text(), planJson, JSON.stringify(report), ...warnings].join('\n') };
}
