// npm run bench -- vercel [--files 10000]
// vercel-deploy against the local Vercel API stand-in: a first deploy of N files, then a redeploy after
// one file changed. Prints requests, bytes uploaded and wall time for both, and their ratios. When the
// real `vercel` CLI is available (VERCEL_CLI=<path to its bin>), it does the same two deploys on a
// stand-in of its own (`vercel deploy --api <url>`) and the two are compared side by side.
import { spawn } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Logger, runPlan } from '../../packages/core/src';
import { buildVercelPlan, normalizeVercelOptions } from '../../packages/vercel/src';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startVercelApi } = require('../vercel-api/server.js');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const FILES = arg('files', 10000);
const TOKEN = 'BenchToken0123456789abcd'; // alphanumeric: the vercel CLI checks a token's form before sending it
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: (l) => process.stderr.write(l + '\n') };

interface Measure {
  label: string;
  requests: number;
  uploads: number;
  bytes: number;
  ms: number;
  ok: boolean;
  note?: string;
}

/** Deterministic app of `files` small JS files (sizes 200–2000 bytes). */
function generateApp(files: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-bench-vercel-'));
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `assets/d${i % 100}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.js`), `export const v${i} = ${JSON.stringify('x'.repeat(200 + (i % 1800)))};\n`);
  }
  writeFileSync(join(dir, 'index.html'), '<h1>bench</h1>');
  return dir;
}

interface Api {
  url: string;
  requests: Array<{ method: string; path: string; bodySize: number }>;
  close(): Promise<void>;
}

/** One tool's two deploys (first, then one file changed), on a stand-in of its own. */
type Deploy = (api: Api, dir: string, label: string) => Promise<Measure>;

const viaShipfleet: Deploy = async (api, dir, label) => {
  const mark = api.requests.length;
  const o = normalizeVercelOptions({ projectId: 'prj_web', appDir: dir, apiUrl: api.url, tokenEnv: 'BENCH_VERCEL_TOKEN' }, dir, { BENCH_VERCEL_TOKEN: TOKEN });
  const { plan, result, secrets } = buildVercelPlan(o, { token: TOKEN, pollIntervalMs: 50 });
  const t0 = process.hrtime.bigint();
  const report = await runPlan(plan, { logger: quiet, secrets, handleSignals: false, printSummary: false });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { label, requests: api.requests.length - mark, uploads: result.uploadedFiles ?? 0, bytes: result.uploadedBytes ?? 0, ms, ok: report.status === 'succeeded' };
};

// Asynchronous: the stand-in answers from this process, so it must not be blocked while the CLI runs.
function runCli(cli: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cli, args, { env: { ...process.env, VERCEL_ORG_ID: 'user_standin', VERCEL_PROJECT_ID: 'prj_web' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const viaCli = (cli: string): Deploy => async (api, dir, label) => {
  const mark = api.requests.length;
  const t0 = process.hrtime.bigint();
  const r = await runCli(cli, ['deploy', '--api', api.url, '--token', TOKEN, '--yes', '--cwd', dir]);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const reqs = api.requests.slice(mark);
  const uploads = reqs.filter((q) => q.method === 'POST' && q.path === '/v2/files');
  const ok = r.status === 0;
  return { label, requests: reqs.length, uploads: uploads.length, bytes: uploads.reduce((n, q) => n + q.bodySize, 0), ms, ok, note: ok ? undefined : (r.stderr || r.stdout).split('\n').filter(Boolean).slice(-1)[0] };
};

async function both(tool: string, deploy: Deploy): Promise<[Measure, Measure]> {
  const api: Api = await startVercelApi({ port: 0, token: TOKEN, pollsToReady: 1 });
  const dir = generateApp(FILES);
  try {
    const first = await deploy(api, dir, `${tool}, first deploy`);
    writeFileSync(join(dir, 'assets/d7/f7.js'), 'export const changed = true;\n');
    const changed = await deploy(api, dir, `${tool}, one file changed`);
    return [first, changed];
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  process.stdout.write(`deploying ${FILES + 1} files, then one changed…\n`);
  const rows: Measure[] = [...(await both('vercel-deploy', viaShipfleet))];
  const cli = process.env.VERCEL_CLI;
  if (cli) rows.push(...(await both('vercel CLI', viaCli(cli))));

  const ratio = (a: number, b: number) => (b ? (a / b).toFixed(a / b < 0.01 ? 4 : 2) : '–');
  console.log('');
  console.log(`benchmark: vercel (${FILES + 1} files, local Vercel API stand-in)`);
  console.log('| run | requests | files uploaded | bytes uploaded | wall time | result |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.label} | ${r.requests} | ${r.uploads} | ${r.bytes} | ${r.ms.toFixed(0)} ms | ${r.ok ? 'ok' : `failed${r.note ? `: ${r.note}` : ''}`} |`);
  const [first, changed, cliFirst, cliChanged] = rows;
  console.log(`| vercel-deploy: one changed / first | ${ratio(changed.requests, first.requests)} | ${ratio(changed.uploads, first.uploads)} | ${ratio(changed.bytes, first.bytes)} | ${ratio(changed.ms, first.ms)} | |`);
  if (cliFirst?.ok && cliChanged?.ok) {
    console.log(`| vercel-deploy / vercel CLI, first deploy | ${ratio(first.requests, cliFirst.requests)} | ${ratio(first.uploads, cliFirst.uploads)} | ${ratio(first.bytes, cliFirst.bytes)} | ${ratio(first.ms, cliFirst.ms)} | |`);
    console.log(`| vercel-deploy / vercel CLI, one changed | ${ratio(changed.requests, cliChanged.requests)} | ${ratio(changed.uploads, cliChanged.uploads)} | ${ratio(changed.bytes, cliChanged.bytes)} | ${ratio(changed.ms, cliChanged.ms)} | |`);
  } else {
    console.log(cli ? 'The vercel CLI did not complete against the stand-in (see its rows); no side-by-side ratio.' : 'No VERCEL_CLI given (the path of a vercel CLI bin): no side-by-side ratio. The latest vercel does not install here; `npm i vercel@39` does.');
  }
}

void main();
