import { createHash, randomBytes } from 'crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { Logger, RunReport, runPlan } from '@shipfleet/core';
import { buildVercelPlan, normalizeVercelOptions, VercelOptions, VercelPlanContext, VercelPlanResult } from '../index';
import { startVercelApi, VercelApi, VercelApiOptions } from '../../../../tools/vercel-api/server';

export { startVercelApi };
export type { VercelApi };

export const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex');

/** A distinctive token, so any leak is unmistakable. */
export const newToken = () => `vcp_${randomBytes(18).toString('hex')}`;

/** A folder with these files (relative POSIX paths → content). */
export function makeDir(files: Record<string, string | Buffer>, root = mkdtempSync(join(tmpdir(), 'shipfleet-vercel-'))): string {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}

/** A small static site: 6 files, two with the same content. */
export function staticSite(extra: Record<string, string | Buffer> = {}): string {
  return makeDir({
    'index.html': '<!doctype html><h1>home</h1>',
    'about/index.html': '<!doctype html><h1>about</h1>',
    'assets/app.js': 'console.log("app");\n',
    'assets/app.css': 'body{margin:0}\n',
    'assets/copy-of-app.css': 'body{margin:0}\n',
    'img/logo.bin': randomBytes(70_000),
    ...extra,
  });
}

export { thrownUserError as userError } from '@shipfleet/core';

export interface Harness {
  api: VercelApi;
  token: string;
  env: NodeJS.ProcessEnv;
  /** Every line any run of this harness logged (runner log, step logs, HTTP trace). */
  lines: string[];
  run(options: Partial<VercelOptions>, extra?: { projectRoot?: string; context?: Partial<VercelPlanContext>; dryRun?: boolean }): Promise<{ report: RunReport; built: VercelPlanResult; lines: string[] }>;
  close(): Promise<void>;
}

/** The stand-in on 127.0.0.1 (port 0) and a way to run plans against it, capturing every line. */
export async function harness(apiOptions: VercelApiOptions = {}): Promise<Harness> {
  const token = newToken();
  const api = await startVercelApi({ token, ...apiOptions });
  const env = { VERCEL_TOKEN: token };
  const lines: string[] = [];
  return {
    api,
    token,
    env,
    lines,
    async run(options, extra = {}) {
      const own: string[] = [];
      const push = (l: string) => { own.push(l); lines.push(l); };
      const logger: Logger = { info: push, warn: push, error: push };
      const o = normalizeVercelOptions({ projectId: 'prj_web', apiUrl: api.url, ...options }, extra.projectRoot ?? tmpdir(), env);
      const built = buildVercelPlan(o, { token, pollIntervalMs: 10, retry: { delayMs: 5, maxDelayMs: 2000 }, log: push, ...(extra.context ?? {}) });
      // No `secrets` on purpose: the library must not print the token at all, masked or not.
      const report = await runPlan(built.plan, { logger, handleSignals: false, dryRun: extra.dryRun });
      return { report, built, lines: own };
    },
    close: () => api.close(),
  };
}
