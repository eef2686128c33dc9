// npm run bench -- graph [--projects 1000] [--runs 3]
// Time of `nx show projects` in a workspace of N platform projects with @shipfleet/nx registered,
// divided by the same command without it, in the same run, daemon off: once with Nx's workspace
// data cleared (cold: inference runs for every project) and once warm (inference answered from its cache).
// Nx 23 loads every plugin in its own worker process; an empty plugin (no files matched, no
// targets) measures that fixed cost in the same run, so the plugin's own share is shown too.
import { spawnSync } from 'child_process';
import { rmSync, writeFileSync } from 'fs';

import { SampleWorkspace, nxEnv } from '../sample-workspace';
import { TIZEN_CONFIG, WEBOS_APPINFO } from '../tv-fixtures';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PROJECTS = arg('projects', 1000);
const RUNS = arg('runs', 3);

const ws = new SampleWorkspace('bench-graph');
process.stdout.write(`generating ${PROJECTS} platform projects in ${ws.root}…\n`);
const markers: Array<[string, string]> = [
  ['config.xml', TIZEN_CONFIG],
  ['appinfo.json', WEBOS_APPINFO],
  ['vercel.json', '{}'],
  ['k8s/deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n'],
];
for (let i = 0; i < PROJECTS; i++) {
  const [file, content] = markers[i % markers.length];
  const root = `apps/p${i}`;
  ws.write(`${root}/project.json`, JSON.stringify({ name: `p${i}` }));
  ws.write(`${root}/${file}`, content);
  ws.write(`${root}/src/index.html`, `<h1>${i}</h1>`);
}
ws.write('tools/empty-plugin.js', "exports.createNodesV2 = ['**/no-such-marker.none', () => []];\n");
ws.git('add', '-A');
ws.git('-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'projects');

const nxJson = (plugins: unknown[]) => writeFileSync(ws.path('nx.json'), JSON.stringify({ neverConnectToCloud: true, analytics: false, useDaemonProcess: false, plugins }, null, 2));

function timeShowProjects(cold: boolean): { ms: number; count: number } {
  if (cold) rmSync(ws.path('.nx'), { recursive: true, force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(ws.path('node_modules/.bin/nx'), ['show', 'projects', '--json'], { cwd: ws.root, env: nxEnv(), encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`nx show projects failed: ${r.stderr}`);
  return { ms, count: JSON.parse(r.stdout.slice(r.stdout.indexOf('['))).length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results: Record<string, number[]> = { coldWithout: [], coldWith: [], warmWithout: [], warmWith: [], coldEmpty: [], warmEmpty: [] };
const configs: Array<[string, unknown[]]> = [['Without', []], ['Empty', ['./tools/empty-plugin.js']], ['With', [{ plugin: '@shipfleet/nx', options: {} }]]];
let inferredTargets = 0;
for (let run = 0; run < RUNS; run++) {
  for (const [label, plugins] of configs) {
    nxJson(plugins);
    const cold = timeShowProjects(true);
    const warm = timeShowProjects(false);
    if (cold.count !== PROJECTS) throw new Error(`expected ${PROJECTS} projects, nx listed ${cold.count}`);
    results[`cold${label}`].push(cold.ms);
    results[`warm${label}`].push(warm.ms);
  }
}
// The plugin really inferred targets for every project (the ratio is meaningless otherwise).
const shown = spawnSync(ws.path('node_modules/.bin/nx'), ['show', 'project', 'p1', '--json'], { cwd: ws.root, env: nxEnv(), encoding: 'utf8' });
inferredTargets = Object.keys(JSON.parse(shown.stdout.slice(shown.stdout.indexOf('{'))).targets).length;

const m = (k: string) => median(results[k]);
const row = (label: string, kind: 'cold' | 'warm') =>
  console.log(`| ${label} | ${m(`${kind}Without`).toFixed(0)} ms | ${m(`${kind}Empty`).toFixed(0)} ms | ${m(`${kind}With`).toFixed(0)} ms | ${(m(`${kind}With`) / m(`${kind}Without`)).toFixed(2)} | ${(m(`${kind}Empty`) / m(`${kind}Without`)).toFixed(2)} | ${(m(`${kind}With`) / m(`${kind}Empty`)).toFixed(2)} |`);
console.log('');
console.log(`benchmark: graph (${PROJECTS} platform projects, nx show projects, daemon off, median of ${RUNS}; p1 has ${inferredTargets} inferred targets)`);
console.log('| run | no plugin | empty plugin | @shipfleet/nx | ratio with/without (target ≤ 1.10) | empty/without (any plugin) | with/empty (inference itself) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
row('cold (workspace data cleared)', 'cold');
row('warm (second run, cached)', 'warm');
rmSync(ws.root, { recursive: true, force: true });
