// A real Prometheus for tests and benchmarks: on 127.0.0.1, a free port, a temp data dir, metric
// histories backfilled with promtool before it starts. Needs the Debian packages' `prometheus`
// and `promtool` on PATH (apt-get install -y --no-install-recommends prometheus).
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { sleep } from '@shipfleet/core';

export interface PrometheusServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** Why a real Prometheus cannot run here, or undefined when it can. */
export function prometheusMissing(): string | undefined {
  for (const tool of ['prometheus', 'promtool']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} is not installed (apt-get install -y --no-install-recommends prometheus)`;
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Writes OpenMetrics text to a file and turns it into TSDB blocks in `dataDir`. */
export function backfill(openMetrics: string, dataDir: string, workDir: string, name = 'history'): void {
  const file = join(workDir, `${name}.om`);
  writeFileSync(file, openMetrics);
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`promtool create-blocks-from openmetrics failed (${r.status}): ${r.stderr || r.stdout}`);
  rmSync(file, { force: true });
}


async function waitReady(url: string, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}): ${readFileSync(log, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`prometheus was not ready within ${timeoutMs} ms: ${readFileSync(log, 'utf8').slice(-2000)}`);
}

/**
 * Starts Prometheus with the given histories already in its data dir (no
 * scrape targets: it serves only what was backfilled). Histories must be at
 * least 3 hours old; the retention is 100 years so old blocks are kept.
 */
export async function startPrometheus(histories: string[] = [], options: { readyTimeoutMs?: number } = {}): Promise<PrometheusServer> {
  const missing = prometheusMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-prometheus-'));
  const dataDir = join(dir, 'data');
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\n');
  histories.forEach((text, i) => backfill(text, dataDir, dir, `history-${i}`));

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const log = join(dir, `prometheus-${attempt}.log`);
    const out = openSync(log, 'w');
    const child = spawn(
      'prometheus',
      [`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y', '--log.level=warn'],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    try {
      await waitReady(url, child, log, options.readyTimeoutMs ?? 30_000);
    } catch (err) {
      child.kill('SIGKILL');
      // Another process may have taken the port between freePort and the start: try another.
      if (attempt < 3 && /address already in use/.test(readFileSync(log, 'utf8'))) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(force);
      }
      rmSync(dir, { recursive: true, force: true });
    };
    return { url, port, dir, stop };
  }
}
