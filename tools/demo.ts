// `npm run demo`: a sample Nx workspace with the shipfleet tarballs installed, one project per
// platform the plugin supports so far, each deployed through its executor against the stand-ins.
import { join } from 'path';
import { repoRoot, SampleWorkspace } from './sample-workspace';

function step(title: string) {
  process.stdout.write(`\n━━ ${title}\n`);
}

step('Creating a fresh Nx 23.2.1 workspace with @shipfleet/nx installed from dist/tarballs');
const ws = new SampleWorkspace('demo');
console.log(ws.root);

step('nx g @shipfleet/nx:init');
console.log(ws.nx(['g', '@shipfleet/nx:init']).output.trim());

step('Adding apps/mobile: an iOS and Android app with a Fastfile (beta and release lanes per platform)');
ws.copy(join(repoRoot, 'packages/fastlane/src/__fixtures__/mobile-app'), 'apps/mobile');
ws.write('apps/mobile/project.json', JSON.stringify({ name: 'mobile' }, null, 2));
const targets = JSON.parse(ws.nx(['show', 'project', 'mobile', '--json']).output.replace(/^[^{]*/, '')).targets;
console.log(`inferred targets: ${Object.keys(targets).join(', ')}`);

step('nx run mobile:fastlane-ios-beta --dry-run');
console.log(ws.nx(['run', 'mobile:fastlane-ios-beta', '--dry-run']).output.trim());

step('nx run mobile:fastlane-ios-beta (fastlane stand-in on PATH; MATCH_PASSWORD masked)');
const run = ws.nx(['run', 'mobile:fastlane-ios-beta', '--secretEnv=MATCH_PASSWORD'], {
  MATCH_PASSWORD: 'demo-secret-value',
  SHIPFLEET_STANDIN_ECHO_ENV: 'MATCH_PASSWORD',
  SHIPFLEET_STANDIN_LOG: ws.path('standin-calls.jsonl'),
});
console.log(run.output.trim());
if (run.output.includes('demo-secret-value')) throw new Error('the secret leaked into the output');

if (run.code !== 0) process.exit(1);

step('nx g @shipfleet/nx:tizen-app tv && nx g @shipfleet/nx:webos-app lg');
console.log(ws.nx(['g', '@shipfleet/nx:tizen-app', 'tv']).output.trim());
console.log(ws.nx(['g', '@shipfleet/nx:webos-app', 'lg']).output.trim());
// The demo has no Samsung or Tizen certificates: it asks for the self-signed development pair.
const tv = JSON.parse(ws.read('apps/tv/project.json'));
tv.targets['package-tizen'] = { options: { devCertificates: true } };
ws.write('apps/tv/project.json', JSON.stringify(tv, null, 2));
ws.git('add', '-A');
ws.git('-c', 'user.email=demo@example.com', '-c', 'user.name=demo', 'commit', '-qm', 'tv apps');

step('nx run-many -t deploy -p tv,lg --env=staging (build, sign the .wgt with self-signed development certificates — structure check only, no TV accepts them —, package the .ipk, record in the ledger)');
const deploy = ws.nx(['run-many', '-t', 'deploy', '-p', 'tv,lg', '--env=staging', '--output-style=static']);
console.log(deploy.output.trim());

step('The same again: the ledger says these inputs are live, nothing is redeployed');
const again = ws.nx(['run-many', '-t', 'deploy', '-p', 'tv,lg', '--env=staging', '--output-style=static']);
console.log(again.output.split('\n').filter((l) => l.includes('⏭') || l.includes('Successfully')).join('\n'));

step(deploy.code === 0 && again.code === 0 ? `Done: workspace kept at ${ws.root} (packages in dist/shipfleet/, ledger in .shipfleet/ledger)` : 'The demo run failed');
process.exit(deploy.code === 0 && again.code === 0 ? 0 : 1);
