// npm run bench -- container [--mb 200] [--runs 3]
// A daemonless push of a ~200 MB image (per platform: base, dependencies and app layers; two
// platforms) to a real local registry (tools/oci-registry: distribution 2.8, TLS, htpasswd),
// against `skopeo copy --all oci:<layout> docker://…` of the same OCI layout, in alternating pairs
// (median of each; the ratio printed, target ≤ 1.2). Then a one-file code change: the blob bytes
// uploaded, against the app layer's size (target: only the app layer, plus the two small configs).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { randomBytes } from 'crypto';
import { tmpdir } from 'os';
import { join } from 'path';
import { Logger, runPlan } from '../../packages/core/src';
import { buildContainerPlan, resolveContainerOptions } from '../../packages/container/src';
import { registryMissing, startRegistry } from '../oci-registry/server';
import { writeSyntheticBase } from '../oci-registry/synthetic-base';
import { skopeo } from '../oci-registry/skopeo';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MB = arg('mb', 200);
const RUNS = arg('runs', 3);
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: (l) => process.stderr.write(l + '\n') };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** Incompressible files: the bytes pushed are the bytes written. */
function fill(dir: string, bytes: number, files: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `f${i}.js`), randomBytes(Math.floor(bytes / files)));
}

async function main(): Promise<void> {
  const missing = registryMissing();
  if (missing) {
    console.log(`container bench skipped: ${missing}`);
    return;
  }
  // Sizes: base 25% per platform, dependencies 40%, app 10% (two platforms share the app layers).
  const total = MB * 2 ** 20;
  const base = await writeSyntheticBase('1', { extraBytes: Math.floor(total * 0.25) });
  const app = mkdtempSync(join(tmpdir(), 'shipfleet-bench-app-'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bench', main: 'server.js' }));
  writeFileSync(join(app, 'server.js'), 'console.log("v1");\n');
  fill(join(app, 'node_modules', 'big'), Math.floor(total * 0.4), 40);
  fill(join(app, 'lib'), Math.floor(total * 0.1), 20);
  const ours: number[] = [];
  const theirs: number[] = [];
  let pushedBytes = 0;
  try {
    // A fresh registry per pair: skopeo remembers where it saw a blob (its blob info cache, keyed by
    // registry address) and would mount it instead of uploading on a registry it already pushed to.
    for (let i = 0; i < RUNS; i++) {
      const last = i === RUNS - 1;
      const registry = await startRegistry({ auth: 'htpasswd' });
      const work = mkdtempSync(join(tmpdir(), 'shipfleet-bench-container-'));
      try {
        const [[user, password]] = Object.entries(registry.users);
        const auth = { certDir: registry.pki.certDir, creds: `${user}:${password}` };
        // The base sits under the registry's direct address: another registry name to the client, so it
        // neither mounts nor downloads (its blobs are copied into the work dir), like skopeo's layout.
        await skopeo(['copy', '--all', '--dest-cert-dir', auth.certDir, '--dest-creds', auth.creds, `oci:${base.dir}:1`, `docker://${registry.directHost}/bench/base:1`]);
        const env = { REG_USER: user, REG_PASSWORD: password, HOME: work };
        // The base's registry address gets its credentials from the Docker config, the target's from the options.
        mkdirSync(join(work, '.docker'));
        writeFileSync(join(work, '.docker', 'config.json'), JSON.stringify({ auths: { [registry.directHost]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } }));
        const outputPath = join(work, 'out');
        const push = async (repository: string) => {
          mkdirSync(join(outputPath, 'layout', 'blobs', 'sha256'), { recursive: true });
          for (const f of readdirSync(join(base.dir, 'blobs', 'sha256'))) copyFileSync(join(base.dir, 'blobs', 'sha256', f), join(outputPath, 'layout', 'blobs', 'sha256', f));
          // caFile covers the registry's host: the proxy (the target) and the direct address (the base).
          const resolved = resolveContainerOptions({ image: `${registry.host}/${repository}`, tags: ['1'], engine: 'daemonless', appDir: app, baseImage: `${registry.directHost}/bench/base:1`, usernameEnv: 'REG_USER', passwordEnv: 'REG_PASSWORD', outputPath, caFile: registry.pki.caFile }, { workspaceRoot: work, projectRoot: app }, env);
          const { plan, result, secrets } = buildContainerPlan(resolved, { env });
          const mark = registry.requests.length;
          const report = await runPlan(plan, { logger: quiet, secrets, handleSignals: false, printSummary: false });
          if (report.status !== 'succeeded') throw new Error(`push failed: ${report.error}`);
          return { ms: report.steps[report.steps.length - 1].durationMs, uploaded: registry.uploadedBytesSince(mark), result };
        };
        const viaSkopeo = async () => {
          const t0 = process.hrtime.bigint();
          await skopeo(['copy', '--all', '--dest-cert-dir', auth.certDir, '--dest-creds', auth.creds, `oci:${join(outputPath, 'layout')}:1`, `docker://${registry.host}/bench/skopeo:1`]);
          return Number(process.hrtime.bigint() - t0) / 1e6;
        };
        // The layout skopeo copies is the one the first build writes: build once untimed, then time both pushes, in alternating order.
        await push('bench/warmup');
        const mark = registry.requests.length;
        if (i % 2 === 0) {
          const p = await push('bench/ours');
          ours.push(p.ms);
          theirs.push(await viaSkopeo());
        } else {
          theirs.push(await viaSkopeo());
          ours.push((await push('bench/ours')).ms);
        }
        pushedBytes = registry.uploadedBytesSince(mark) / 2;
        console.log(`run ${i + 1}: shipfleet push ${ours[i].toFixed(0)} ms, skopeo copy ${theirs[i].toFixed(0)} ms`);
        if (last) {
          const ratio = median(ours) / median(theirs);
          console.log(`push of ${mib(pushedBytes)} of blobs (3 layers per platform, 2 platforms) to a fresh repository: shipfleet median ${median(ours).toFixed(0)} ms, skopeo copy median ${median(theirs).toFixed(0)} ms, ratio ${ratio.toFixed(2)} (target ≤ 1.2)`);
          writeFileSync(join(app, 'server.js'), 'console.log("v2");\n');
          const changed = await push('bench/ours');
          const appLayer = changed.result.layers.find((l) => l.description === 'app')!;
          console.log(`one-file change: ${changed.uploaded} bytes uploaded; app layer ${appLayer.size} bytes; the rest (two configs) ${changed.uploaded - appLayer.size} bytes (target: only the app layer)`);
        }
      } finally {
        await registry.stop();
        rmSync(work, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(app, { recursive: true, force: true });
    rmSync(base.dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
