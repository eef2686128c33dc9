// `npm run demo`: a fresh Nx workspace with the shipfleet tarballs installed and one project per
// platform the plugin deploys, deployed to staging through one `nx run-many -t deploy` against the
// stand-ins and real local services; then one project changes and `nx affected` deploys only it.
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { SampleWorkspace } from './sample-workspace';
import { addFleet } from './demo/fleet';
import { ledgerRecords, ledgerTable } from './demo/ledger';
import { serviceState, startServices } from './demo/services';
import { Transcript } from './demo/transcript';

const out = new Transcript();
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const problems: string[] = [];
const expect = (ok: boolean, problem: string) => {
  if (!ok) problems.push(problem);
};

async function main(): Promise<void> {
  out.step('A fresh Nx 23.2.1 workspace with @shipfleet/nx installed from dist/tarballs');
  const ws = new SampleWorkspace('demo');
  out.print(`workspace: ${ws.root}`);
  const services = await startServices();
  const scratch = mkdtempSync(join(tmpdir(), 'shipfleet-demo-scratch-'));
  try {
    out.print(`Vercel API stand-in ${services.vercel.url}, Kubernetes API stand-in ${services.k8s.url}, Google Play API stand-in ${services.play.url}, GitHub API stand-in ${services.github.url}`);
    out.print(services.prometheus ? `Prometheus ${services.prometheus.url} (real, with the canary's metric history backfilled)` : `No canary: ${services.prometheusMissing}`);

    out.step('One project per platform: nx g @shipfleet/nx:init, web-app, k8s-service, tizen-app, webos-app, ios-app, android-app, electron-app, and a Fastfile');
    const fleet = await addFleet(ws, services, scratch);
    const deployed = [...new Set(fleet.members.filter((m) => m.recorded).map((m) => m.project))];
    for (const m of fleet.members) out.print(`${m.project.padEnd(7)} ${m.platform}${m.recorded ? '' : ' (not recorded: dry run or skipped)'}`);
    out.print(`(${seconds()})`);

    out.step('nx run-many -t deploy --env=staging: the whole fleet, nothing recorded yet');
    const first = await ws.nxAsync(['run-many', '-t', 'deploy', '--env=staging', '--output-style=static'], fleet.env);
    out.print(first.output.trim());
    const afterFirst = ledgerRecords(ws);
    expect(first.code === 0, `nx run-many -t deploy exited with ${first.code}`);
    for (const project of deployed) {
      const r = afterFirst.find((x) => x.project === project && x.environment === 'staging');
      expect(r?.result === 'succeeded', `${project}: ${r ? `recorded as ${r.result}` : 'no deploy recorded'}`);
    }
    expect(first.output.includes('Dry run: nothing deployed'), 'ios: no dry run shown');
    out.print(`(${seconds()})`);

    out.step('A change to the web app only, committed');
    const page = readdirSync(ws.path('apps/web/src')).find((f) => f.endsWith('.html')) ?? 'index.html';
    ws.write(`apps/web/src/${page}`, `${ws.read(`apps/web/src/${page}`)}<!-- spring sale -->\n`);
    ws.git('add', '-A');
    ws.git('-c', 'user.email=demo@example.com', '-c', 'user.name=demo', 'commit', '-qm', 'web: spring sale');
    const base = ws.run(ws.path('node_modules/.bin/shipfleet'), ['base', '--env=staging']);
    expect(base.code === 0, `shipfleet base exited with ${base.code}: ${base.output.trim()}`);
    const baseCommit = base.output.trim();
    out.print(`npx shipfleet base --env=staging → ${baseCommit} (the newest commit every project deployed to staging includes)`);

    out.step(`nx affected -t deploy --env=staging --base=${baseCommit.slice(0, 12)} --head=HEAD: only the web app`);
    const second = await ws.nxAsync(['affected', '-t', 'deploy', '--env=staging', `--base=${baseCommit}`, '--head=HEAD', '--output-style=static'], fleet.env);
    out.print(second.output.trim());
    const added = ledgerRecords(ws).slice(afterFirst.length);
    expect(second.code === 0, `nx affected -t deploy exited with ${second.code}`);
    expect(added.map((r) => `${r.project}:${r.result}`).join(',') === 'web:succeeded', `after the change, deployed: ${added.map((r) => `${r.project} (${r.result})`).join(', ') || 'nothing'} (expected the web app only)`);
    out.print(`(${seconds()})`);

    out.step('What the services hold now');
    const state = serviceState(services);
    for (const line of state.lines) out.print(line);
    problems.push(...state.problems);

    out.step('npx shipfleet status --env=staging');
    const status = ws.run(ws.path('node_modules/.bin/shipfleet'), ['status', '--env=staging']);
    if (status.code === 0) out.print(status.output.trimEnd());
    else {
      out.print(`(shipfleet status is not available in this build: ${status.output.trim().split('\n')[0]}; the ledger .shipfleet/ledger instead)`);
      out.print(ledgerTable(ledgerRecords(ws)));
    }

    out.step('What was real and what was a stand-in');
    const width = Math.max(...fleet.members.map((m) => m.platform.length));
    for (const m of fleet.members) out.print(`${m.platform.padEnd(width)}  ${m.provenance}`);

    const leaked = out.leaked(fleet.secrets);
    expect(!leaked.length, `${leaked.length} credential value(s) appeared in the output`);
    out.print(`\nNo credential appears in the output: ${leaked.length ? 'FAILED' : `checked ${fleet.secrets.length} values`}`);
  } finally {
    await services.close();
    // The upload keystore and the stand-ins' call log: no part of the workspace that is kept.
    rmSync(scratch, { recursive: true, force: true });
  }
  out.step(problems.length ? `The demo failed (${seconds()}):\n${problems.map((p) => `  ✖ ${p}`).join('\n')}` : `Done in ${seconds()}: workspace kept at ${ws.root} (ledger in .shipfleet/ledger)`);
}

main().then(
  () => process.exit(problems.length ? 1 : 0),
  (e) => {
    process.stderr.write(`The demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
