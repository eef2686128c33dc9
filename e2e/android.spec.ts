import { spawnSync } from 'child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { repoRoot, SampleWorkspace } from '../tools/sample-workspace';
import { PlayApiStandIn, startPlayApi } from '../tools/play-api/server';
import { PrometheusServer, startPrometheus } from '../tools/prometheus/server';
import { scenarioHistory, scenarioOptions, SCENARIOS } from '../tools/prometheus/scenarios';

const STORE_PASSWORD = 'e2e-Store-Pw#4711';
const ALIAS = 'upload';

/** An upload keystore made with the JDK's keytool, as a team makes theirs. */
function makeKeystore(): { file: string; base64: string; sha256: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-e2e-keystore-'));
  const file = join(dir, 'upload.jks');
  const made = spawnSync('keytool', ['-genkeypair', '-keystore', file, '-storetype', 'PKCS12', '-storepass', STORE_PASSWORD, '-keypass', STORE_PASSWORD, '-alias', ALIAS, '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650', '-dname', 'CN=Acme Upload, O=Acme, C=DE'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  const listed = spawnSync('keytool', ['-list', '-v', '-keystore', file, '-storepass', STORE_PASSWORD, '-alias', ALIAS], { encoding: 'utf8' }).stdout;
  const sha256 = /SHA256:\s*([0-9A-F:]+)/.exec(listed)![1];
  return { file, base64: readFileSync(file).toString('base64'), sha256 };
}

describe('Android through the real nx CLI: android-app generator, build-android, deploy-android on the Play API stand-in', () => {
  let ws: SampleWorkspace;
  let play: PlayApiStandIn;
  let keystore: ReturnType<typeof makeKeystore>;
  let env: Record<string, string>;
  let secrets: string[];
  const outputs: string[] = [];
  const nx = async (args: string[], extra: Record<string, string> = {}) => {
    const r = await ws.nxAsync(args, { ...env, ...extra });
    outputs.push(r.output);
    return r;
  };
  /** A run that must succeed; its output is the failure message otherwise. */
  const ok = async (args: string[], extra: Record<string, string> = {}) => {
    const r = await nx(args, extra);
    if (r.code !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${r.output}`);
    return r;
  };

  beforeAll(async () => {
    play = await startPlayApi({ apps: { 'com.acme.phone': {}, 'com.acme.watch': { formFactors: ['wear'] } } });
    keystore = makeKeystore();
    const key = JSON.stringify(play.serviceAccountKey());
    env = {
      ANDROID_KEYSTORE_BASE64: keystore.base64,
      ANDROID_KEYSTORE_PASSWORD: STORE_PASSWORD,
      ANDROID_KEY_ALIAS: ALIAS,
      ANDROID_KEY_PASSWORD: STORE_PASSWORD,
      PLAY_SERVICE_ACCOUNT_JSON: key,
      GITHUB_RUN_NUMBER: '41',
      // Where the copied wrapper finds the stand-in Gradle; the API's metadata server is never probed.
      SHIPFLEET_GRADLE_STANDIN: join(repoRoot, 'tools/stand-ins/android/gradle.js'),
      METADATA_SERVER_DETECTION: 'none',
      // The stand-ins' call log stays outside the workspace (a real Gradle writes only ignored build/ and .gradle/).
      SHIPFLEET_STANDIN_LOG: join(mkdtempSync(join(tmpdir(), 'shipfleet-e2e-android-calls-')), 'calls.jsonl'),
    };
    secrets = [STORE_PASSWORD, keystore.base64.slice(0, 64), key, JSON.parse(key).private_key.split('\n')[1]];
    ws = new SampleWorkspace('android');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    const gen = ws.nx(['g', '@shipfleet/nx:android-app', 'phone', '--applicationId=com.acme.phone']);
    expect(gen.code).toBe(0);
    expect(gen.output).toContain('gradle wrapper');
    const watch = ws.nx(['g', '@shipfleet/nx:android-app', 'watch', '--applicationId=com.acme.watch', '--formFactor=wear']);
    expect(watch.code).toBe(0);
    for (const app of ['phone', 'watch']) {
      // The API and token endpoints of the stand-in, as a private endpoint would be configured.
      ws.write(`apps/${app}/project.json`, JSON.stringify({ ...JSON.parse(ws.read(`apps/${app}/project.json`)), targets: { 'deploy-android': { options: { apiUrl: play.url, tokenUrl: play.tokenUrl } } } }, null, 2));
    }
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'android apps');
  });
  afterAll(async () => {
    await play?.close();
    if (keystore) rmSync(join(keystore.file, '..'), { recursive: true, force: true });
  });

  it('a freshly generated project shows its plan in a dry run: no wrapper yet, no CI run number, no credentials', async () => {
    const fresh = { ...Object.fromEntries(Object.keys(env).map((k) => [k, ''])), SHIPFLEET_GRADLE_STANDIN: env.SHIPFLEET_GRADLE_STANDIN };
    for (const target of ['phone:build-android', 'phone:deploy-android']) {
      const r = await ok(['run', target, '--dry-run'], fresh);
      expect(r.output).toContain('<versionCode not set>');
      expect(r.output).toMatch(/gradlew does not exist.* A real run stops here/);
      expect(r.output).toContain('Dry run: nothing was executed.');
    }
    const real = await nx(['run', 'phone:build-android'], fresh);
    expect(real.code).not.toBe(0);
    expect(real.output).toContain('Option "versionCode": is not given');
    // The wrapper is the one file a team adds by hand; the stand-in is a `#!/bin/sh` script like the real one.
    for (const app of ['phone', 'watch']) {
      copyFileSync(join(repoRoot, 'tools/stand-ins/android/gradlew'), ws.path(`apps/${app}/gradlew`));
      chmodSync(ws.path(`apps/${app}/gradlew`), 0o755);
    }
    ws.git('add', '-A');
    ws.git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qm', 'gradle wrappers');
  });

  it('infers build-android and deploy-android (with the applicationId) and chains deploy to it', async () => {
    const show = await nx(['show', 'project', 'phone', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['build-android']).toMatchObject({ executor: '@shipfleet/nx:build-android', cache: false, metadata: { runner: 'linux' } });
    expect(project.targets['deploy-android']).toMatchObject({ executor: '@shipfleet/nx:deploy-android', options: { packageName: 'com.acme.phone', apiUrl: play.url } });
    expect(project.targets.deploy).toMatchObject({ executor: '@shipfleet/nx:deploy', options: { targets: ['deploy-android'] } });
  });

  it('each generated target runs as a dry run: the plan, no request, no secret', async () => {
    const before = play.requests.length;
    for (const target of ['phone:build-android', 'phone:deploy-android', 'watch:build-android', 'watch:deploy-android']) {
      const r = await ok(['run', target, '--dry-run', ...(target === 'watch:deploy-android' ? ['--track=wear:production'] : [])]);
      expect(r.output).toContain('Dry run: nothing was executed.');
      expect(r.output).toMatch(/gradlew[^\n]*:app:bundleRelease/);
    }
    expect(play.requests.length).toBe(before);
  });

  it('bad input gets a clear error naming the option', async () => {
    const badCode = await nx(['run', 'phone:build-android', '--versionCode=0', '--dry-run']);
    expect(badCode.code).not.toBe(0);
    expect(badCode.output).toContain('Option "versionCode"');
    const badTrack = await nx(['run', 'phone:deploy-android', '--track=Prod uction', '--dry-run']);
    expect(badTrack.code).not.toBe(0);
    expect(badTrack.output).toContain('Option "track"');
  });

  it('build-android signs with the upload key through the real wrapper script and prints its fingerprint', async () => {
    const r = await ok(['run', 'phone:build-android']);
    const aab = ws.path('apps/phone/app/build/outputs/bundle/release/app-release.aab');
    expect(existsSync(aab)).toBe(true);
    // Verified by jarsigner with the upload keystore as its trust store (a self-signed upload key is otherwise "untrusted").
    const verified = spawnSync('jarsigner', ['-verify', '-strict', '-keystore', keystore.file, '-storepass:env', 'STORE_PW', aab, ALIAS], { encoding: 'utf8', env: { ...process.env, STORE_PW: STORE_PASSWORD } });
    expect(verified.stdout).toContain('jar verified');
    expect(verified.status).toBe(0);
    expect(r.output).toContain(`signing certificate SHA-256: ${keystore.sha256}`);
  });

  it('uploads to internal, promotes to production at 5 %, rolls out 25 → 50 → complete, and halts', async () => {
    const upload = await ok(['run', 'phone:deploy-android']);
    const app = () => play.app('com.acme.phone');
    expect(app().bundles.map((b) => b.versionCode)).toEqual([41]);
    expect(app().tracks.internal.releases).toEqual([expect.objectContaining({ status: 'completed', versionCodes: ['41'] })]);

    const promote = await ok(['run', 'phone:deploy-android', '--action=promote', '--fromTrack=internal', '--track=production', '--status=inProgress', '--userFraction=0.05']);
    expect(app().tracks.production.releases).toEqual([expect.objectContaining({ status: 'inProgress', userFraction: 0.05, versionCodes: ['41'] })]);

    for (const fraction of ['0.25', '0.5']) {
      const r = await ok(['run', 'phone:deploy-android', '--action=rollout', '--track=production', `--userFraction=${fraction}`]);
      expect(app().tracks.production.releases[0]).toMatchObject({ status: 'inProgress', userFraction: Number(fraction) });
    }
    const complete = await ok(['run', 'phone:deploy-android', '--action=complete', '--track=production']);
    expect(app().tracks.production.releases).toEqual([expect.objectContaining({ status: 'completed', versionCodes: ['41'] })]);

    // A second release staged and then halted.
    const next = await ok(['run', 'phone:deploy-android', '--track=production', '--status=inProgress', '--userFraction=0.05'], { GITHUB_RUN_NUMBER: '42' });
    const halt = await ok(['run', 'phone:deploy-android', '--action=halt', '--track=production']);
    expect(app().tracks.production.releases).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'halted', versionCodes: ['42'] })]));
  });

  it('a rerun after success skips the upload and still updates the track', async () => {
    const bundlesBefore = play.app('com.acme.phone').bundles.length;
    // A re-run pipeline publishes the bundle its build job made (version code 42, uploaded above) once more.
    const r = await ok(['run', 'phone:deploy-android', '--track=beta', '--artifact=apps/phone/app/build/outputs/bundle/release/app-release.aab'], { GITHUB_RUN_NUMBER: '42' });
    expect(r.output).toMatch(/already (in Play|uploaded)/i);
    expect(play.app('com.acme.phone').bundles.length).toBe(bundlesBefore);
    expect(play.app('com.acme.phone').tracks.beta.releases).toEqual([expect.objectContaining({ versionCodes: ['42'] })]);
  });

  it('a Wear OS app goes to the wear: form-factor track', async () => {
    const r = await ok(['run', 'watch:deploy-android', '--track=wear:production']);
    expect(play.app('com.acme.watch').tracks['wear:production'].releases).toEqual([expect.objectContaining({ status: 'completed' })]);
  });

  it('deploy runs deploy-android once per environment and inputs (the ledger skips a second run)', async () => {
    const first = await ok(['run', 'phone:deploy', '--env=staging'], { GITHUB_RUN_NUMBER: '43' });
    expect(first.output).toContain('phone deployed to staging');
    expect(play.app('com.acme.phone').tracks.internal.releases).toEqual([expect.objectContaining({ versionCodes: ['43'] })]);
    const commits = play.app('com.acme.phone').commits;
    const again = await ok(['run', 'phone:deploy', '--env=staging'], { GITHUB_RUN_NUMBER: '44' });
    expect(again.output).toContain('already deployed to staging');
    expect(play.app('com.acme.phone').commits).toBe(commits);
  });

  it('canary-monitor drives a staged Play rollout by metrics: promoted when healthy, halted on an error spike', async () => {
    const scenario = (name: string) => SCENARIOS.find((x) => x.name === name)!;
    const prometheus: PrometheusServer = await startPrometheus([scenarioHistory([scenario('healthy'), scenario('error-spike')])]);
    const production = () => play.app('com.acme.phone').tracks.production.releases;
    const stage = (code: string) => ok(['run', 'phone:deploy-android', '--track=production', '--status=inProgress', '--userFraction=0.05'], { GITHUB_RUN_NUMBER: code });
    const monitor = (name: string) => {
      const action = { type: 'google-play', packageName: 'com.acme.phone', track: 'production', apiUrl: play.url, tokenUrl: play.tokenUrl };
      ws.write('apps/phone/canary.json', JSON.stringify(scenarioOptions(scenario(name), prometheus.url, { action } as never), null, 2));
      return nx(['run', 'phone:canary-monitor']);
    };
    try {
      await stage('50');
      const healthy = await monitor('healthy');
      expect({ code: healthy.code, output: healthy.code ? healthy.output : '' }).toEqual({ code: 0, output: '' });
      expect(production()).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'completed', versionCodes: ['50'] })]));

      await stage('51');
      const spike = await monitor('error-spike');
      expect(spike.code).not.toBe(0);
      expect(spike.output).toMatch(/halt/i);
      expect(production()).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'halted', versionCodes: ['51'] })]));
    } finally {
      rmSync(ws.path('apps/phone/canary.json'), { force: true });
      await prometheus.stop();
    }
  });

  it('no secret reached any output', () => {
    const all = outputs.join('\n');
    for (const secret of [...secrets, ...play.accessTokens]) expect(all).not.toContain(secret);
  });
});
