// npm run bench -- tizen [--files 5000] [--mb 200]
// package-tizen (hash + deflate + sign, in Node) against `zip -qr -6` of the same folder, same run.
// Also peak RSS for a 50 MB and a 200 MB app with the same number of files: a streaming packager's
// memory should not grow with the bytes it packs (per-file bookkeeping grows with the file count only).
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { makeCertChain, TIZEN_CONFIG } from '../tv-fixtures';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const FILES = arg('files', 5000);
const MB = arg('mb', 200);
const RUNS = arg('runs', 3);

/** Deterministic app: half text-like (compressible), half noise (images, media), sizes spread around the mean. */
function generateApp(dir: string, files: number, totalMB: number) {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const mean = (totalMB * 1024 * 1024) / files;
  const words = 'function const return value video player stream channel remote focus button render update'.split(' ');
  writeFileSync(join(dir, 'config.xml'), TIZEN_CONFIG);
  for (let i = 0; i < files; i++) {
    const size = Math.max(64, Math.round(mean * (0.25 + 1.5 * rand())));
    const sub = join(dir, `assets/d${i % 50}`);
    mkdirSync(sub, { recursive: true });
    let buf: Buffer;
    if (i % 2) {
      buf = Buffer.alloc(size);
      for (let b = 0; b < size; b += 4) buf.writeUInt32LE((rand() * 0xffffffff) >>> 0, Math.min(b, size - 4));
    } else {
      const parts: string[] = [];
      let n = 0;
      while (n < size) {
        const w = words[Math.floor(rand() * words.length)] + (rand() < 0.1 ? ';\n' : ' ');
        parts.push(w);
        n += w.length;
      }
      buf = Buffer.from(parts.join('')).subarray(0, size);
    }
    writeFileSync(join(sub, `f${i}.${i % 2 ? 'png' : 'js'}`), buf);
  }
}

function timeZip(appDir: string, out: string): number {
  rmSync(out, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync('zip', ['-qr', '-6', out, '.'], { cwd: appDir });
  if (r.status !== 0) throw new Error(`zip failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function runPackager(appDir: string, out: string, p12: string, password: string): { ms: number; maxRssMB: number; bytes: number } {
  rmSync(out, { force: true });
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'tizen.child.ts'), appDir, out, p12, password], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packager failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (spawnSync('zip', ['-v']).status !== 0) {
  console.error('zip is not installed (apt-get install zip): it is the baseline');
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'shipfleet-bench-tizen-'));
try {
  const certs = makeCertChain('Bench', 'bench-pw');
  const big = join(work, `app-${MB}mb`);
  const small = join(work, `app-${MB / 4}mb`);
  for (const [dir, files, mb] of [[big, FILES, MB], [small, FILES, MB / 4]] as const) {
    mkdirSync(dir, { recursive: true });
    process.stdout.write(`generating ${files} files / ${mb} MB in ${dir}…\n`);
    generateApp(dir, files, mb);
  }
  // Warm the page cache for both contenders.
  spawnSync('sh', ['-c', `cat $(find ${big} -type f) > /dev/null`]);

  const zipMs: number[] = [];
  const pkgMs: number[] = [];
  let bigRss = 0;
  let wgtBytes = 0;
  for (let i = 0; i < RUNS; i++) {
    zipMs.push(timeZip(big, join(work, 'baseline.zip')));
    const p = runPackager(big, join(work, 'app.wgt'), certs.p12, certs.password);
    pkgMs.push(p.ms);
    bigRss = Math.max(bigRss, p.maxRssMB);
    wgtBytes = p.bytes;
  }
  const smallRss = runPackager(small, join(work, 'small.wgt'), certs.p12, certs.password).maxRssMB;
  const zipBytes = existsSync(join(work, 'baseline.zip')) ? spawnSync('stat', ['-c', '%s', join(work, 'baseline.zip')], { encoding: 'utf8' }).stdout.trim() : '?';

  const ratio = median(pkgMs) / median(zipMs);
  const rssRatio = bigRss / smallRss;
  console.log('');
  console.log(`benchmark: tizen (${FILES} files, ${MB} MB, median of ${RUNS} runs)`);
  console.log(`| measure | value |`);
  console.log(`| --- | --- |`);
  console.log(`| zip -qr -6 (baseline) | ${median(zipMs).toFixed(0)} ms, ${zipBytes} bytes |`);
  console.log(`| package-tizen (hash, deflate, 2 signatures) | ${median(pkgMs).toFixed(0)} ms, ${wgtBytes} bytes |`);
  console.log(`| time ratio package-tizen / zip | ${ratio.toFixed(2)} (target ≤ 1.50) |`);
  console.log(`| peak RSS, ${MB / 4} MB app (${FILES} files) | ${smallRss.toFixed(0)} MB |`);
  console.log(`| peak RSS, ${MB} MB app (${FILES} files) | ${bigRss.toFixed(0)} MB |`);
  console.log(`| RSS ratio ${MB} MB / ${MB / 4} MB | ${rssRatio.toFixed(2)} (target ≤ 1.20) |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
