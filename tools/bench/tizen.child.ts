// Packages one app with package-tizen's writer and reports wall time and peak RSS as JSON.
import { readFileSync } from 'fs';
import { listAppFiles, loadP12, writeWgt } from '../../packages/tv/src';

const [appDir, out, p12, password] = process.argv.slice(2);
const identity = loadP12(readFileSync(p12), password);
const t0 = process.hrtime.bigint();
writeWgt(listAppFiles(appDir), out, { author: identity, distributor: identity }).then((r) => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024, bytes: r.bytes, files: r.files }));
});
