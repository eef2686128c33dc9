// build-ios, deploy-ios and sign-macos run for real against the stand-ins in
// tools/stand-ins/bin (xcodebuild, security, codesign, xcrun, ditto, spctl, pod).
import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { memoryLogger, RunReport, runPlan } from '@shipfleet/core';
import plist from 'plist';
import {
  ApplePlan,
  buildIosPlan,
  deployIosPlan,
  discoverNestedCode,
  normalizeBuildIosOptions,
  normalizeDeployIosOptions,
  normalizeSignMacosOptions,
  signMacosPlan,
} from './index';
import { fakeP12, iosProject, ISSUER, KEY_ID, macApp, mobileprovision, P8, TEAM, tempDir } from './__fixtures__/apple-fixtures';

const repoRoot = resolve(__dirname, '../../..');
const standIns = join(repoRoot, 'tools', 'stand-ins', 'bin');
const PROFILE_UUID = '7e4d9c1a-5b2f-4c3e-9a8d-1f0e2d3c4b5a';
const IDENTITY = 'Developer ID Application: Example Inc (ABCDE12345)';

/** The secret values of these runs; none may appear in any output. */
const SECRETS = {
  IOS_P12: fakeP12().toString('base64'),
  IOS_P12_PW: 'p12-Pa55word!-not-for-output',
  ASC_KEY: Buffer.from(P8).toString('base64'),
  APP_SPECIFIC_PW: 'qwer-tyui-opas-dfgh',
};

interface Sandbox {
  dir: string;
  home: string;
  tmp: string;
  log: string;
  securityState: string;
  codesignState: string;
  initialSearchList: string[];
  env: Record<string, string>;
}

function sandbox(extra: Record<string, string> = {}): Sandbox {
  const dir = tempDir('shipfleet-apple-run-');
  const home = join(dir, 'home');
  const tmp = join(dir, 'tmp');
  mkdirSync(home);
  mkdirSync(tmp);
  const securityState = join(dir, 'security-state.json');
  const initialSearchList = [join(home, 'Library/Keychains/login.keychain-db'), '/Library/Keychains/System.keychain'];
  writeFileSync(securityState, JSON.stringify({ keychains: {}, searchList: initialSearchList }));
  const codesignState = join(dir, 'codesign-state.json');
  return {
    dir, home, tmp, securityState, codesignState, initialSearchList,
    log: join(dir, 'calls.jsonl'),
    env: {
      PATH: `${standIns}:${process.env.PATH}`,
      HOME: home,
      RUNNER_TEMP: tmp,
      SHIPFLEET_STANDIN_LOG: join(dir, 'calls.jsonl'),
      SHIPFLEET_SECURITY_STATE: securityState,
      SHIPFLEET_CODESIGN_STATE: codesignState,
      SHIPFLEET_NOTARY_STATE: join(dir, 'notary-state.json'),
      SHIPFLEET_SECURITY_P12_PASSWORD: SECRETS.IOS_P12_PW,
      IOS_PROFILE: mobileprovision({ uuid: PROFILE_UUID, bundleId: 'com.example.app', name: 'Example App Store' }).toString('base64'),
      ...SECRETS,
      ...extra,
    },
  };
}

interface Run {
  report: RunReport;
  built: ApplePlan;
  text: string;
  files: string[];
  calls: Array<{ tool: string; argv: string[]; env: Record<string, string> }>;
}

async function run(sb: Sandbox, make: (env: NodeJS.ProcessEnv) => ApplePlan): Promise<Run> {
  const saved = process.env;
  process.env = { ...saved, ...sb.env };
  const { logger, lines } = memoryLogger();
  try {
    const built = make(process.env);
    const logFile = join(sb.dir, 'run.log');
    const planJson = join(sb.dir, 'plan.json');
    const summary = join(sb.dir, 'summary.md');
    const report = await runPlan(built.plan, { logger, secrets: built.secrets, handleSignals: false, logFile, planJson, stepSummaryFile: summary });
    const calls = existsSync(sb.log) ? readFileSync(sb.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
    return { report, built, text: lines.join('\n'), files: [readFileSync(logFile, 'utf8'), readFileSync(planJson, 'utf8'), readFileSync(summary, 'utf8'), JSON.stringify(report)], calls };
  } finally {
    process.env = saved;
  }
}

/** Each secret, its base64, and each line of the .p8, in none of the texts. */
function expectNoSecrets(texts: string[], extra: string[] = []): void {
  const values = [...Object.values(SECRETS), ...extra];
  const forms = [...values, ...values.map((v) => Buffer.from(v).toString('base64')), ...P8.split('\n').filter((l) => l.length > 8 && !l.startsWith('-----'))];
  for (const t of texts) for (const f of forms) expect(t).not.toContain(f);
}

function readPlist(file: string): unknown {
  // plistutil (libplist) reads the file and writes it again; its XML is then parsed.
  const bin = `${file}.bin`;
  const toBin = spawnSync('plistutil', ['-i', file, '-f', 'bin', '-o', bin], { encoding: 'utf8' });
  expect(toBin.status).toBe(0);
  const back = spawnSync('plistutil', ['-i', bin, '-f', 'xml', '-o', '-'], { encoding: 'utf8' });
  expect(back.status).toBe(0);
  return plist.parse(back.stdout);
}

function expectRunnerLeftNothing(sb: Sandbox): void {
  const state = JSON.parse(readFileSync(sb.securityState, 'utf8'));
  expect(state.keychains).toEqual({});
  expect(state.searchList).toEqual(sb.initialSearchList);
  // The private folder (keychain file, decoded .p12, .p8) is gone.
  expect(readdirSync(sb.tmp)).toEqual([]);
  const profiles = join(sb.home, 'Library', 'MobileDevice', 'Provisioning Profiles');
  expect(existsSync(profiles) ? readdirSync(profiles) : []).toEqual([]);
}

const iosSigning = {
  signingCertEnv: 'IOS_P12',
  signingPasswordEnv: 'IOS_P12_PW',
  profilesEnv: ['IOS_PROFILE'],
  apiKeyEnv: 'ASC_KEY',
  apiKeyId: KEY_ID,
  apiKeyIssuerId: ISSUER,
};

describe('build-ios against the stand-ins', () => {
  it('archives and exports with a temporary keychain and profile, writes ExportOptions.plist as documented, and leaves the runner as it was', async () => {
    const root = iosProject({ packageVersion: '3.1.4' });
    const sb = sandbox({ GITHUB_RUN_NUMBER: '812' });
    const r = await run(sb, (env) => buildIosPlan(normalizeBuildIosOptions(iosSigning, root, env)));
    expect(r.report.error).toBeUndefined();
    expect(r.report.status).toBe('succeeded');
    const out = join(root, 'build', 'shipfleet');
    expect(r.report.outputs).toMatchObject({ ipa: join(out, 'export', 'App.ipa'), archive: join(out, 'App.xcarchive'), xcodeVersion: 'Xcode 16.2 (16C0232a)' });
    const listing = spawnSync('unzip', ['-Z1', r.report.outputs.ipa], { encoding: 'utf8' }).stdout.split('\n');
    expect(listing).toEqual(expect.arrayContaining(['Payload/App.app/Info.plist', 'Payload/App.app/App']));

    const expected = {
      method: 'app-store-connect',
      teamID: TEAM,
      signingStyle: 'manual',
      destination: 'export',
      provisioningProfiles: { 'com.example.app': PROFILE_UUID },
      uploadSymbols: true,
      manageAppVersionAndBuildNumber: false,
    };
    const written = readPlist(join(out, 'ExportOptions.plist')) as Record<string, unknown>;
    expect(Object.keys(written).sort()).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expect(written[k]).toEqual(v);
    const seenByXcodebuild = r.calls.find((c) => c.tool === 'xcodebuild:exportOptions')!;
    expect(JSON.parse(seenByXcodebuild.argv[0])).toEqual(expected);

    // Version and build number reached the build as build settings; no project file was edited.
    const archiveInfo = readPlist(join(out, 'App.xcarchive', 'Info.plist')) as { ApplicationProperties: Record<string, string> };
    expect(archiveInfo.ApplicationProperties).toMatchObject({ CFBundleShortVersionString: '3.1.4', CFBundleVersion: '812' });

    // While xcodebuild ran, the temporary keychain was first in the search list.
    const kc = r.built.signing.keychainPath!;
    expect(r.text).toContain(`note: keychain search list: ${[kc, ...sb.initialSearchList].join(', ')}`);
    const security = r.calls.filter((c) => c.tool === 'security').map((c) => c.argv.slice(0, 2).join(' '));
    expect(security).toEqual([
      `create-keychain -p`,
      'set-keychain-settings -lut',
      'unlock-keychain -p',
      `import ${join(r.built.signing.workDir!, 'certificate.p12')}`,
      'set-key-partition-list -S',
      'list-keychains -d',
      'list-keychains -d',
      'list-keychains -d',
      'list-keychains -d',
      `delete-keychain ${kc}`,
    ]);
    expect(r.calls.find((c) => c.tool === 'security' && c.argv[0] === 'import')!.argv).toEqual(['import', join(r.built.signing.workDir!, 'certificate.p12'), '-k', kc, '-P', SECRETS.IOS_P12_PW, '-T', '/usr/bin/codesign', '-T', '/usr/bin/security']);
    expect(r.report.cleanups?.every((c) => c.status === 'succeeded')).toBe(true);
    expectRunnerLeftNothing(sb);
    expectNoSecrets([r.text, ...r.files], r.built.secrets);
  });

  it.each([
    ['15.3', 'release-testing', 'ad-hoc'],
    ['15.4', 'release-testing', 'release-testing'],
    ['16.2', 'debugging', 'debugging'],
    ['26.0', 'app-store-connect', 'app-store-connect'],
    ['14.3', 'enterprise', 'enterprise'],
  ])('Xcode %s: exportMethod %s is written as "%s" and accepted by xcodebuild', async (version, exportMethod, written) => {
    const root = iosProject();
    const sb = sandbox({ SHIPFLEET_XCODE_VERSION: version });
    const r = await run(sb, (env) => buildIosPlan(normalizeBuildIosOptions({ exportMethod, teamId: TEAM }, root, env)));
    expect(r.report.error).toBeUndefined();
    expect((readPlist(join(root, 'build', 'shipfleet', 'ExportOptions.plist')) as Record<string, unknown>).method).toBe(written);
    expect(r.text).not.toMatch(/is deprecated/);
  });

  it('runs pod install when Podfile.lock is missing, then finds the scheme with xcodebuild -list', async () => {
    const root = iosProject({ podfile: { pods: ['Alamofire'], lock: 'missing' }, sharedSchemes: [] });
    const sb = sandbox({ SHIPFLEET_XCODE_SCHEMES: 'Alamofire,App,Pods-App' });
    const r = await run(sb, (env) => buildIosPlan(normalizeBuildIosOptions({ teamId: TEAM }, root, env)));
    expect(r.report.error).toBeUndefined();
    expect(r.calls.find((c) => c.tool === 'pod')!.argv).toEqual(['install']);
    expect(readFileSync(join(root, 'Pods', 'Manifest.lock'), 'utf8')).toBe(readFileSync(join(root, 'Podfile.lock'), 'utf8'));
    const archive = r.calls.find((c) => c.tool === 'xcodebuild' && c.argv.includes('archive'))!;
    expect(archive.argv.slice(0, 4)).toEqual(['-workspace', join(root, 'App.xcworkspace'), '-scheme', 'App']);
    expect(r.report.outputs.scheme).toBe('App');
  });

  it('after a failed archive: cleanup ran, no keychain, no key material on disk, search list restored', async () => {
    const root = iosProject();
    const sb = sandbox({ SHIPFLEET_XCODEBUILD_FAIL: 'archive' });
    const r = await run(sb, (env) => buildIosPlan(normalizeBuildIosOptions(iosSigning, root, env)));
    expect(r.report.status).toBe('failed');
    expect(r.report.exitCode).toBe(65);
    expect(r.report.error).toMatch(/Archive .* exited with code 65/);
    expect(r.calls.some((c) => c.tool === 'xcodebuild' && c.argv.includes('-exportArchive'))).toBe(false);
    expect(r.text).toContain('** ARCHIVE FAILED **');
    expectRunnerLeftNothing(sb);
    expectNoSecrets([r.text, ...r.files], r.built.secrets);
  });

  it('leaves a profile that was installed before the run where it was', async () => {
    const root = iosProject();
    const sb = sandbox();
    const dir = join(sb.home, 'Library', 'MobileDevice', 'Provisioning Profiles');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${PROFILE_UUID}.mobileprovision`), 'installed by the developer');
    const r = await run(sb, (env) => buildIosPlan(normalizeBuildIosOptions(iosSigning, root, env)));
    expect(r.report.status).toBe('succeeded');
    expect(readFileSync(join(dir, `${PROFILE_UUID}.mobileprovision`), 'utf8')).toBe('installed by the developer');
  });

  it('on SIGINT in the middle of xcodebuild: stops it, deletes the keychain, removes key material and profiles, restores the search list', async () => {
    const root = iosProject();
    const sb = sandbox({ SHIPFLEET_XCODEBUILD_HANG: 'archive' });
    const pidFile = join(sb.dir, 'xcodebuild.pid');
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, '__fixtures__', 'run-plan.ts'), 'build-ios', root, JSON.stringify(iosSigning)], {
      // The tsconfig's paths make @shipfleet/core load from source, as in jest.
      cwd: repoRoot,
      env: { ...process.env, ...sb.env, SHIPFLEET_XCODEBUILD_PIDFILE: pidFile, SWC_NODE_PROJECT: join(repoRoot, 'packages', 'apple', 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    for (let i = 0; i < 400 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(pidFile)).toBe(true);
    // Mid-build: the keychain, the decoded .p12, the .p8 and the profile all exist.
    const during = JSON.parse(readFileSync(sb.securityState, 'utf8'));
    const kc = Object.keys(during.keychains)[0];
    expect(during.searchList[0]).toBe(kc);
    const work = join(sb.tmp, readdirSync(sb.tmp)[0]);
    expect(readdirSync(work).sort()).toEqual(['certificate.p12', 'private_keys', 'shipfleet-signing.keychain-db']);
    expect(readdirSync(join(sb.home, 'Library', 'MobileDevice', 'Provisioning Profiles'))).toEqual([`${PROFILE_UUID}.mobileprovision`]);
    const xcodebuild = Number(readFileSync(pidFile, 'utf8'));

    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    expect(signal).toBe('SIGINT');
    expect(code).toBeNull();
    expect(() => process.kill(xcodebuild, 0)).toThrow();
    expect(output).toContain('Received SIGINT');
    expect(output).toContain('cleanup: Delete the temporary keychain');
    expect(output).not.toContain('Export the archive');
    expectRunnerLeftNothing(sb);
    expectNoSecrets([output]);
  }, 60000);
});

describe('deploy-ios against the stand-ins', () => {
  it('uploads the exported .ipa with altool, the API key found through API_PRIVATE_KEYS_DIR, then removes the key', async () => {
    const root = iosProject();
    const sb = sandbox();
    const r = await run(sb, (env) => deployIosPlan(normalizeDeployIosOptions({ apiKeyEnv: 'ASC_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER, teamId: TEAM }, root, env)));
    expect(r.report.error).toBeUndefined();
    const ipa = join(root, 'build', 'shipfleet', 'export', 'App.ipa');
    const altool = r.calls.find((c) => c.tool === 'xcrun' && c.argv[0] === 'altool')!;
    expect(altool.argv).toEqual(['altool', '--upload-app', '-f', ipa, '-t', 'ios', '--apiKey', KEY_ID, '--apiIssuer', ISSUER]);
    expect(altool.env.API_PRIVATE_KEYS_DIR).toBe(r.built.signing.apiKeysDir);
    expect(r.text).toContain('UPLOAD SUCCEEDED with no errors');
    expectRunnerLeftNothing(sb);
    expectNoSecrets([r.text, ...r.files], r.built.secrets);
  });

  it('uploads with an Apple ID whose password altool reads from the environment', async () => {
    const root = iosProject();
    const sb = sandbox({ SHIPFLEET_STANDIN_ECHO_ENV: '' });
    const r = await run(sb, (env) => deployIosPlan(normalizeDeployIosOptions({ appleId: 'ci@example.com', appSpecificPasswordEnv: 'APP_SPECIFIC_PW', teamId: TEAM }, root, env)));
    expect(r.report.error).toBeUndefined();
    const altool = r.calls.find((c) => c.tool === 'xcrun' && c.argv[0] === 'altool')!;
    expect(altool.argv.slice(-4)).toEqual(['-u', 'ci@example.com', '-p', '@env:APP_SPECIFIC_PW']);
    expect(altool.argv).not.toContain(SECRETS.APP_SPECIFIC_PW);
    expectNoSecrets([r.text, ...r.files], r.built.secrets);
  });

  it('a failed upload fails the deploy, after the build, with cleanup', async () => {
    const root = iosProject();
    const sb = sandbox({ SHIPFLEET_ALTOOL_FAIL: 'The bundle version must be higher than the previously uploaded version.' });
    // One attempt: retries wait 30 s and more.
    const r = await run(sb, (env) => deployIosPlan(normalizeDeployIosOptions({ apiKeyEnv: 'ASC_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER, teamId: TEAM, uploadAttempts: 1 }, root, env)));
    expect(r.report.status).toBe('failed');
    expect(r.report.error).toMatch(/Upload to App Store Connect .* exited with code 1/);
    expect(r.text).toContain('The bundle version must be higher');
    expectRunnerLeftNothing(sb);
  });
});

describe('sign-macos against the stand-ins', () => {
  const signing = { identity: IDENTITY, signingCertEnv: 'IOS_P12', signingPasswordEnv: 'IOS_P12_PW', apiKeyEnv: 'ASC_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER };
  const macEnv = { SHIPFLEET_CODESIGN_REQUIRE_KEYCHAIN: '1', SHIPFLEET_SECURITY_IDENTITY: IDENTITY };

  it('signs inside-out from the temporary keychain, verifies, notarizes, staples, passes Gatekeeper and cleans up', async () => {
    const sb = sandbox(macEnv);
    const app = macApp(sb.dir);
    writeFileSync(join(sb.dir, 'App.entitlements'), plist.build({ 'com.apple.security.cs.allow-jit': true }));
    const r = await run(sb, (env) =>
      signMacosPlan(normalizeSignMacosOptions({ ...signing, app, entitlements: { '.': 'App.entitlements', 'Contents/Library/LoginItems/Helper.app': { 'com.apple.security.app-sandbox': true } } }, sb.dir, env)),
    );
    expect(r.report.error).toBeUndefined();
    expect(r.report.outputs).toMatchObject({ notarizationStatus: 'Accepted', signedNested: '7' });

    const signed = JSON.parse(readFileSync(sb.codesignState, 'utf8')).signed as Record<string, { seq: number; runtime: boolean; timestamp: boolean; deep: boolean; identity: string; entitlements?: object }>;
    const nested = discoverNestedCode(app);
    for (const n of nested) expect(signed[n.path]).toMatchObject({ runtime: true, timestamp: true, deep: false, identity: IDENTITY });
    // Every item signed before anything that contains it; the app last.
    for (const a of nested) for (const b of nested) if (b.path.startsWith(a.path + '/')) expect(signed[b.path].seq).toBeLessThan(signed[a.path].seq);
    expect(signed[app].seq).toBe(Math.max(...Object.values(signed).map((s) => s.seq)));
    expect(signed[app].entitlements).toEqual({ 'com.apple.security.cs.allow-jit': true });
    expect(signed[join(app, 'Contents/Library/LoginItems/Helper.app')].entitlements).toEqual({ 'com.apple.security.app-sandbox': true });
    expect(signed[join(app, 'Contents/Frameworks/libcrypto.3.dylib')].entitlements).toBeUndefined();
    expect(r.calls.filter((c) => c.tool === 'codesign').every((c) => !(c.argv.includes('--deep') && c.argv.includes('--sign')))).toBe(true);

    const xcrun = r.calls.filter((c) => c.tool === 'xcrun').map((c) => c.argv);
    const zip = join(r.built.signing.workDir!, 'Example.zip');
    expect(xcrun[0]).toEqual(['notarytool', 'submit', zip, '--wait', '--output-format', 'json', '--key', r.built.signing.apiKeyPath, '--key-id', KEY_ID, '--issuer', ISSUER]);
    expect(xcrun.slice(1)).toEqual([['stapler', 'staple', app], ['stapler', 'validate', app]]);
    expect(r.calls.find((c) => c.tool === 'ditto')!.argv).toEqual(['-c', '-k', '--keepParent', app, zip]);
    const beforeCleanup = r.calls.filter((c) => c.tool !== 'security');
    expect(beforeCleanup[beforeCleanup.length - 1]).toMatchObject({ tool: 'spctl', argv: ['--assess', '--type', 'execute', '--verbose', app] });
    expect(r.text).toContain('source=Notarized Developer ID');
    expectRunnerLeftNothing(sb);
    expectNoSecrets([r.text, ...r.files], r.built.secrets);
  });

  it('fails on an Invalid notarization (notarytool exits 0) and shows the log\'s issues, stapling nothing', async () => {
    const sb = sandbox({ ...macEnv, SHIPFLEET_NOTARY_STATUS: 'Invalid' });
    const app = macApp(sb.dir);
    const r = await run(sb, (env) => signMacosPlan(normalizeSignMacosOptions({ ...signing, app }, sb.dir, env)));
    expect(r.report.status).toBe('failed');
    expect(r.report.outputs.notarizationStatus).toBe('Invalid');
    expect(r.report.error).toContain('finished with status Invalid: Archive contains critical validation errors');
    expect(r.report.error).toContain('error: Example.zip/Example.app/Contents/MacOS/Example [arm64]: The binary is not signed with a valid Developer ID certificate.');
    expect(r.report.error).toContain('The signature does not include a secure timestamp.');
    const xcrun = r.calls.filter((c) => c.tool === 'xcrun').map((c) => c.argv.slice(0, 2).join(' '));
    expect(xcrun).toEqual(['notarytool submit', 'notarytool log']);
    expect(r.calls.some((c) => c.tool === 'spctl')).toBe(false);
    expectRunnerLeftNothing(sb);
    expectNoSecrets([r.text, ...r.files], r.built.secrets);
  });

  it('notarizes with an Apple ID: the app-specific password is an argument of notarytool only, masked everywhere', async () => {
    const sb = sandbox();
    const app = macApp(sb.dir);
    const r = await run(sb, (env) => signMacosPlan(normalizeSignMacosOptions({ app, identity: IDENTITY, appleId: 'ci@example.com', teamId: TEAM, appSpecificPasswordEnv: 'APP_SPECIFIC_PW' }, sb.dir, env)));
    expect(r.report.error).toBeUndefined();
    const submit = r.calls.find((c) => c.tool === 'xcrun' && c.argv[1] === 'submit')!;
    expect(submit.argv.slice(-6)).toEqual(['--apple-id', 'ci@example.com', '--team-id', TEAM, '--password', SECRETS.APP_SPECIFIC_PW]);
    expect(r.text).toContain("--password '***'");
    expectNoSecrets([r.text, ...r.files], r.built.secrets);
  });

  it('the codesign stand-in refuses to sign an app whose nested code is unsigned, as codesign does', () => {
    const sb = sandbox();
    const app = macApp(sb.dir);
    const res = spawnSync(join(standIns, 'codesign'), ['--force', '--sign', IDENTITY, '--options', 'runtime', '--timestamp', app], { env: { ...process.env, ...sb.env }, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('code object is not signed at all');
  });
});
