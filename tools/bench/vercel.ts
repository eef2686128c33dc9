// npm run bench -- vercel [--files 10000]
// vercel-deploy against the local Vercel API stand-in: a first deploy of N files, then a redeploy after
// one file changed. Prints requests, bytes uploaded and wall time for both, and their ratios. When the
// real `vercel` CLI is available (VERCEL_CLI=<path to its bin>), it deploys the same folders to the same
// stand-in (`vercel deploy --api <url>`) and the two are compared side by side.
import { spawnSync } from 'child_process';
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
const TOKEN = 'bench-token';
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

async function main() {
  const api = await startVercelApi({ port: 0, token: TOKEN, pollsToReady: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-bench-vercel-'));
  process.stdout.write(`generating ${FILES} files in ${dir}…\n`);
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `assets/d${i % 100}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.js`), `export const v${i} = ${JSON.stringify('x'.repeat(200 + (i % 1800)))};\n`);
  }
  writeFileSync(join(dir, 'index.html'), '<h1>bench</h1>');

  const shipfleet = async (label: string): Promise<Measure> => {
    const mark = api.requests.length;
    const o = normalizeVercelOptions({ projectId: 'prj_web', outputPath: dir, apiUrl: api.url, tokenEnv: 'BENCH_VERCEL_TOKEN' }, dir, { BENCH_VERCEL_TOKEN: TOKEN });
    const { plan, result, secrets } = buildVercelPlan(o, { token: TOKEN, pollIntervalMs: 50 });
    const t0 = process.hrtime.bigint();
    const report = await runPlan(plan, { logger: quiet, secrets, handleSignals: false, printSummary: false });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const reqs = api.requests.slice(mark);
    return { label, requests: reqs.length, uploads: result.uploadedFiles ?? 0, bytes: result.uploadedBytes ?? 0, ms, ok: report.status === 'succeeded' };
  };

  const cli = process.env.VERCEL_CLI;
  const vercelCli = (label: string): Measure => {
    const mark = api.requests.length;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cli!, ['deploy', '--api', api.url, '--token', TOKEN, '--yes', '--cwd', dir], { encoding: 'utf8', env: { ...process.env, VERCEL_ORG_ID: 'user_standin', VERCEL_PROJECT_ID: 'prj_web' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const reqs = api.requests.slice(mark);
    const uploads = reqs.filter((q: { method: string; path: string }) => q.method === 'POST' && q.path === '/v2/files');
    const bytes = uploads.reduce((n: number, q: { bodySize: number }) => n + q.bodySize, 0);
    const ok = r.status === 0;
    return { label, requests: reqs.length, uploads: uploads.length, bytes, ms, ok, note: ok ? undefined : (r.stderr || r.stdout).split('\n').filter(Boolean).slice(-1)[0] };
  };

  const rows: Measure[] = [];
  rows.push(await shipfleet('vercel-deploy, first deploy'));
  writeFileSync(join(dir, 'assets/d7/f7.js'), 'export const changed = true;\n');
  rows.push(await shipfleet('vercel-deploy, one file changed'));
  if (cli) {
    writeFileSync(join(dir, 'assets/d8/f8.js'), 'export const changed = 2;\n');
    rows.push(vercelCli('vercel CLI, one file changed'));
  }

  console.log('');
  console.log(`benchmark: vercel (${FILES + 1} files, local Vercel API stand-in)`);
  console.log('| run | requests | files uploaded | bytes uploaded | wall time | result |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.label} | ${r.requests} | ${r.uploads} | ${r.bytes} | ${r.ms.toFixed(0)} ms | ${r.ok ? 'ok' : `failed${r.note ? `: ${r.note}` : ''}`} |`);
  const [first, second] = rows;
  console.log(`| ratio one-changed / first | ${(second.requests / first.requests).toFixed(3)} | ${(second.uploads / first.uploads).toFixed(4)} | ${(second.bytes / first.bytes).toFixed(4)} | ${(second.ms / first.ms).toFixed(2)} | |`);
  if (rows[2]?.ok) console.log(`| ratio vercel-deploy / vercel CLI (one changed) | ${(second.requests / rows[2].requests).toFixed(2)} | ${(second.uploads / Math.max(1, rows[2].uploads)).toFixed(2)} | ${(second.bytes / Math.max(1, rows[2].bytes)).toFixed(2)} | ${(second.ms / rows[2].ms).toFixed(2)} | |`);
  else console.log(cli ? 'The vercel CLI did not complete against the stand-in (see its row); no side-by-side ratio.' : 'The vercel CLI is not installed here (set VERCEL_CLI to its bin to compare); no side-by-side ratio.');
  await api.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
