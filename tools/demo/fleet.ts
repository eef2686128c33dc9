// One project per platform the plugin deploys, added to the demo workspace the way a user adds them
// (generators, then a few options in project.json), with the environment and credentials each needs.
import { spawnSync } from 'child_process';
import { chmodSync, copyFileSync, readFileSync } from 'fs';
import { join } from 'path';
import { repoRoot, SampleWorkspace } from '../sample-workspace';
import { linkElectronBuilder, STAND_IN_ELECTRON_VERSION, standInElectronTools } from '../stand-ins/electron';
import { fakeP12, ISSUER, KEY_ID, P8 } from '../../packages/apple/src/__fixtures__/apple-fixtures';
import { scenarioOptions } from '../prometheus/scenarios';
import { ANDROID_PACKAGE, CANARY_SCENARIO, DemoServices, GITHUB_REPO, GITHUB_TOKEN, VERCEL_TOKEN } from './services';

export interface FleetMember {
  project: string;
  platform: string;
  /** false for a dry run: it shows the plan and records nothing in the ledger. */
  recorded: boolean;
  /** What in this deploy was real and what was a stand-in, in one line. */
  provenance: string;
}

export interface Fleet {
  members: FleetMember[];
  /** The environment of the deploy run: every platform's credentials (by variable name, as in CI). */
  env: Record<string, string>;
  /** Every credential value, to prove none reaches the output. */
  secrets: string[];
}

const KEYSTORE_PASSWORD = 'demo-Keystore-Pw#4711';
const KEY_ALIAS = 'upload';
const IOS_P12_PASSWORD = 'demo-p12-Pass!word';
const MATCH_PASSWORD = 'demo-Match-P4ss!word';

/** Adds options to targets in a project's project.json, keeping what the generator wrote there. */
function setTargetOptions(ws: SampleWorkspace, root: string, options: Record<string, Record<string, unknown>>): void {
  const file = `${root}/project.json`;
  const project = JSON.parse(ws.read(file));
  project.targets ??= {};
  for (const [target, more] of Object.entries(options)) {
    const config = (project.targets[target] ??= {});
    config.options = { ...config.options, ...more };
  }
  ws.write(file, JSON.stringify(project, null, 2) + '\n');
}

/** The projects' generators, run side by side: after init, each writes only its own project folder. */
const GENERATORS = [
  ['@shipfleet/nx:web-app', 'web', '--vercelProject=prj_web'],
  ['@shipfleet/nx:k8s-service', 'api', '--image=registry.example.com/api', '--appVersion=1.0.0', '--replicas=2'],
  ['@shipfleet/nx:tizen-app', 'tv'],
  ['@shipfleet/nx:webos-app', 'lg'],
  ['@shipfleet/nx:ios-app', 'ios'],
  ['@shipfleet/nx:android-app', 'phone', `--applicationId=${ANDROID_PACKAGE}`],
  ['@shipfleet/nx:electron-app', 'desk'],
];

async function generate(ws: SampleWorkspace, ...runs: string[][]): Promise<void> {
  const results = await Promise.all(runs.map((args) => ws.nxAsync(['g', ...args])));
  results.forEach((r, i) => {
    if (r.code !== 0) throw new Error(`nx g ${runs[i].join(' ')} failed:\n${r.output}`);
  });
}

/** An upload keystore made with the JDK's keytool, as a team makes theirs. */
function makeKeystore(file: string): void {
  const made = spawnSync('keytool', ['-genkeypair', '-keystore', file, '-storetype', 'PKCS12', '-storepass:env', 'KS_PW', '-keypass:env', 'KS_PW', '-alias', KEY_ALIAS, '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650', '-dname', 'CN=Acme Upload, O=Acme, C=DE'], {
    encoding: 'utf8',
    env: { ...process.env, KS_PW: KEYSTORE_PASSWORD },
  });
  if (made.status !== 0) throw new Error(`keytool failed: ${made.stderr}`);
}

function prometheusVersion(): string {
  const out = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  return /version (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? '';
}

/**
 * Adds the fleet to `ws` and commits it. `scratch` is a folder outside the workspace for files that
 * are no part of it (the upload keystore, the stand-ins' call log).
 */
export async function addFleet(ws: SampleWorkspace, services: DemoServices, scratch: string): Promise<Fleet> {
  const { vercel, k8s, play, github, prometheus } = services;
  const members: FleetMember[] = [];
  const env: Record<string, string> = { SHIPFLEET_STANDIN_LOG: join(scratch, 'stand-in-calls.jsonl') };
  const secrets: string[] = [VERCEL_TOKEN, k8s.token];

  await generate(ws, ['@shipfleet/nx:init']);
  await generate(ws, ...GENERATORS);

  // A static web app on the Vercel API stand-in.
  setTargetOptions(ws, 'apps/web', { 'vercel-deploy': { apiUrl: vercel.url } });
  env.VERCEL_TOKEN = VERCEL_TOKEN;
  members.push({ project: 'web', platform: 'Vercel', recorded: true, provenance: 'stand-in: the Vercel REST API (tools/vercel-api); real: the client (token check, SHA-1 file hashing, upload of missing files, polling until READY)' });

  // A service on the Kubernetes API stand-in; with a real Prometheus, its canary is judged there.
  env.KUBECONFIG = k8s.kubeconfigPath;
  members.push({ project: 'api', platform: 'container image', recorded: true, provenance: 'stand-in: docker buildx (tools/stand-ins/bin/docker: argv checked, the pushed digest written as buildx does, no image built or pushed); real: the hand-over of that digest to k8s-deploy' });
  members.push({ project: 'api', platform: 'Kubernetes', recorded: true, provenance: 'stand-in: the API server with its controllers and kubelet (tools/k8s-api); real: kustomization rendering, server-side apply, rollout wait, the image set to the digest container-image pushed' });
  if (prometheus) {
    // The canary and stable Deployments the monitor moves traffic between (replicas, 0 → 10).
    for (const [name, replicas] of [['api-stable', 10], ['api-canary', 0]] as const) {
      const track = name.slice(4);
      k8s.preload({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' }, spec: { replicas, selector: { matchLabels: { app: 'api', track } }, template: { metadata: { labels: { app: 'api', track } }, spec: { containers: [{ name: 'api', image: `registry.example.com/api:${track}` }] } } } }, 'kubectl-client-side-apply');
    }
    const action = { type: 'kubernetes', mode: 'replicas', canary: 'api-canary', stable: 'api-stable', replicas: 10, namespace: 'default' };
    ws.write('services/api/canary.json', JSON.stringify(scenarioOptions(CANARY_SCENARIO, prometheus.url, { action } as never), null, 2) + '\n');
    members.push({ project: 'api', platform: 'canary', recorded: true, provenance: `real: Prometheus ${prometheusVersion()} answering every PromQL query (a healthy canary's metric history, backfilled); stand-in: the Kubernetes API the traffic moves on (replicas)` });
  } else {
    members.push({ project: 'api', platform: 'canary', recorded: false, provenance: `skipped: ${services.prometheusMissing}` });
  }

  // Samsung and LG TV apps. No Samsung certificates here: the self-signed development pair, asked for.
  setTargetOptions(ws, 'apps/tv', { 'package-tizen': { devCertificates: true } });
  members.push({ project: 'tv', platform: 'Tizen', recorded: true, provenance: 'real: .wgt packaging, XML signatures (SHA-512 digests) and their self-check; stand-in: self-signed development certificates, which no TV accepts; no TV installed on' });
  members.push({ project: 'lg', platform: 'webOS', recorded: true, provenance: 'real: the .ipk package; no TV installed on' });

  // An iOS app: a dry run (the plan, nothing run) with App Store Connect credentials in the environment.
  setTargetOptions(ws, 'apps/ios', {
    'deploy-ios': { signingCertEnv: 'IOS_P12', signingPasswordEnv: 'IOS_P12_PASSWORD', apiKeyEnv: 'ASC_API_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER },
    deploy: { dryRun: true },
  });
  const p12 = fakeP12().toString('base64');
  const p8 = Buffer.from(P8).toString('base64');
  Object.assign(env, { IOS_P12: p12, IOS_P12_PASSWORD, ASC_API_KEY: p8 });
  secrets.push(p12, IOS_P12_PASSWORD, p8, P8.split('\n')[3]);
  members.push({ project: 'ios', platform: 'iOS', recorded: false, provenance: 'dry run: the plan (keychain, xcodebuild archive and export, altool upload), nothing run; no macOS here (xcodebuild, security, xcrun exist as stand-ins only)' });

  // An Android app uploaded to the Google Play API stand-in, built by the Gradle stand-in.
  copyFileSync(join(repoRoot, 'tools/stand-ins/android/gradlew'), ws.path('apps/phone/gradlew'));
  chmodSync(ws.path('apps/phone/gradlew'), 0o755);
  setTargetOptions(ws, 'apps/phone', { 'deploy-android': { apiUrl: play.url, tokenUrl: play.tokenUrl } });
  const keystore = join(scratch, 'upload.jks');
  makeKeystore(keystore);
  const keystoreBase64 = readFileSync(keystore).toString('base64');
  const serviceAccount = JSON.stringify(play.serviceAccountKey());
  Object.assign(env, {
    ANDROID_KEYSTORE_BASE64: keystoreBase64,
    ANDROID_KEYSTORE_PASSWORD: KEYSTORE_PASSWORD,
    ANDROID_KEY_ALIAS: KEY_ALIAS,
    ANDROID_KEY_PASSWORD: KEYSTORE_PASSWORD,
    PLAY_SERVICE_ACCOUNT_JSON: serviceAccount,
    GITHUB_RUN_NUMBER: '41',
    // Where the copied wrapper finds the stand-in Gradle; Google's metadata server is never probed.
    SHIPFLEET_GRADLE_STANDIN: join(repoRoot, 'tools/stand-ins/android/gradle.js'),
    METADATA_SERVER_DETECTION: 'none',
  });
  secrets.push(keystoreBase64.slice(0, 64), KEYSTORE_PASSWORD, serviceAccount, JSON.parse(serviceAccount).private_key.split('\n')[1]);
  members.push({ project: 'phone', platform: 'Android', recorded: true, provenance: 'stand-in: Gradle (tools/stand-ins/android) and the Google Play API (tools/play-api); real: keytool upload key, jarsigner signature and its check, the JWT token grant, upload and edit commit' });

  // A desktop app packaged by the workspace's electron-builder (this repository's, linked in as `npm i -D
  // electron-builder` puts it) with a stand-in Electron (no download here), for Linux only: mac needs macOS,
  // Windows' installer tools a download. Released on the GitHub API stand-in.
  linkElectronBuilder(ws.root);
  standInElectronTools(ws.path('tools'));
  const [owner, repo] = GITHUB_REPO.split('/');
  setTargetOptions(ws, 'apps/desk', {
    'package-electron': { platforms: ['linux'], linux: ['zip', 'tar.gz'], linuxArch: ['x64'], electronDist: 'tools/electron-dist', electronVersion: STAND_IN_ELECTRON_VERSION, sevenZipPath: 'tools/7za' },
    'publish-github-release': { apiUrl: github.url, owner, repo },
    // Nothing for Windows is packaged here, so nothing to sign.
    deploy: { targets: ['package-electron', 'publish-github-release'] },
  });
  env.RELEASE_GITHUB_TOKEN = GITHUB_TOKEN;
  secrets.push(GITHUB_TOKEN);
  members.push({ project: 'desk', platform: 'Electron', recorded: true, provenance: 'real: electron-builder 26.17.0 packaging zip and tar.gz (with a stand-in Electron distribution); stand-in: the GitHub REST API (tools/github-api) through the real @octokit/rest' });

  // A fastlane lane as a project's deploy, with a secret the lane prints (and the plugin masks). Only
  // this lane's stand-in is told to print it: another platform's target does not know it for a secret.
  ws.copy(join(repoRoot, 'packages/fastlane/src/__fixtures__/mobile-app'), 'apps/mobile');
  const lane = { secretEnv: ['MATCH_PASSWORD'], envVars: { SHIPFLEET_STANDIN_ECHO_ENV: 'MATCH_PASSWORD' } };
  ws.write('apps/mobile/project.json', JSON.stringify({ name: 'mobile', targets: { 'fastlane-ios-beta': { options: lane }, deploy: { executor: '@shipfleet/nx:deploy', cache: false, options: { targets: ['fastlane-ios-beta'] } } } }, null, 2) + '\n');
  env.MATCH_PASSWORD = MATCH_PASSWORD;
  secrets.push(MATCH_PASSWORD);
  members.push({ project: 'mobile', platform: 'fastlane', recorded: true, provenance: "stand-in: the fastlane CLI (tools/stand-ins/bin), walking the Fastfile's lane; real: lane discovery, report.xml reading, secret masking" });

  // What the tools write into projects stays out of git, as in a team's repository.
  ws.write('.gitignore', `${ws.read('.gitignore')}build/\n**/fastlane/report.xml\ntmp/\n`);
  ws.git('add', '-A');
  ws.git('-c', 'user.email=demo@example.com', '-c', 'user.name=demo', 'commit', '-qm', 'the fleet');
  return { members, env, secrets };
}
