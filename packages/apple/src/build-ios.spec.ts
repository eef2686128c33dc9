import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { formatPlan, planToJson, Redactor, RunStep, Step, UserError } from '@shipfleet/core';
import {
  altoolUploadArgs,
  buildIosPlan,
  deployIosPlan,
  exportOptions,
  exportMethodName,
  normalizeBuildIosOptions,
  normalizeDeployIosOptions,
  parseKeychainList,
  parseProvisioningProfile,
  parseXcodebuildList,
  parseXcodeVersion,
  pickScheme,
  podNames,
  resolveBuildNumber,
  resolveMarketingVersion,
} from './index';
import { fakeP12, iosProject, ISSUER, KEY_ID, mobileprovision, P8, TEAM, tempDir, writeFileIn } from './__fixtures__/apple-fixtures';

const runs = (steps: Step[]) => steps.filter((s): s is RunStep => s.kind === 'run');
const byTitle = (steps: Step[], re: RegExp) => {
  const s = steps.find((x) => x.kind !== 'cleanup' && re.test(x.title));
  if (!s) throw new Error(`no step matching ${re}: ${steps.map((x) => x.title).join(' | ')}`);
  return s;
};
const runByTitle = (steps: Step[], re: RegExp) => byTitle(steps, re) as RunStep;

describe('build-ios plan, argument by argument', () => {
  it.each([
    ['ios', 'generic/platform=iOS'],
    ['tvos', 'generic/platform=tvOS'],
    ['watchos', 'generic/platform=watchOS'],
    ['visionos', 'generic/platform=visionOS'],
  ] as const)('%s archives for %s and exports with -exportOptionsPlist', (platform, destination) => {
    const root = iosProject({ packageVersion: '2.3.4' });
    const o = normalizeBuildIosOptions({ platform, buildNumber: 57 }, root, {});
    const { plan } = buildIosPlan(o);
    const out = join(root, 'build', 'shipfleet');
    const archive = runByTitle(plan.steps, /^Archive/);
    expect(archive.file).toBe('xcodebuild');
    expect(archive.cwd).toBe(root);
    expect(archive.env).toEqual({ NSUnbufferedIO: 'YES' });
    expect(archive.args).toEqual([
      '-project', join(root, 'App.xcodeproj'),
      '-scheme', 'App',
      '-configuration', 'Release',
      '-destination', destination,
      '-archivePath', join(out, 'App.xcarchive'),
      '-derivedDataPath', join(out, 'DerivedData'),
      '-resultBundlePath', join(out, 'App.xcresult'),
      'MARKETING_VERSION=2.3.4',
      'CURRENT_PROJECT_VERSION=57',
      'archive',
    ]);
    const exp = runByTitle(plan.steps, /^Export the archive/);
    expect(exp.args).toEqual(['-exportArchive', '-archivePath', join(out, 'App.xcarchive'), '-exportPath', join(out, 'export'), '-exportOptionsPlist', join(out, 'ExportOptions.plist')]);
    expect(plan.outputs).toEqual({ archive: join(out, 'App.xcarchive'), exportPath: join(out, 'export'), exportOptions: join(out, 'ExportOptions.plist'), resultBundle: join(out, 'App.xcresult'), buildLog: join(out, 'xcodebuild-archive.log') });
    // Output through xcbeautify when installed; the raw log kept.
    const archiveStep = plan.steps.find((st) => st.kind === 'run' && st.args[st.args.length - 1] === 'archive');
    expect(archiveStep).toMatchObject({ outputFilter: { file: 'xcbeautify', ifOnPath: true }, rawLog: join(out, 'xcodebuild-archive.log') });
  });

  it('uses the workspace, a custom configuration and the API key for -allowProvisioningUpdates', () => {
    const root = iosProject({ workspace: true, podfile: { pods: ['Alamofire'] } });
    writeFileIn(join(root, 'keys', `AuthKey_${KEY_ID}.p8`), P8);
    const o = normalizeBuildIosOptions({ configuration: 'AppStore', apiKey: `keys/AuthKey_${KEY_ID}.p8`, apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER, teamId: TEAM }, root, {});
    const { plan, signing } = buildIosPlan(o, { workDir: '/tmp/w' });
    const keyPath = `/tmp/w/private_keys/AuthKey_${KEY_ID}.p8`;
    expect(signing.apiKeyPath).toBe(keyPath);
    const archive = runByTitle(plan.steps, /^Archive/);
    expect(archive.args.slice(0, 2)).toEqual(['-workspace', join(root, 'App.xcworkspace')]);
    expect(archive.args).toEqual(expect.arrayContaining(['-configuration', 'AppStore']));
    const auth = ['-allowProvisioningUpdates', '-authenticationKeyPath', keyPath, '-authenticationKeyID', KEY_ID, '-authenticationKeyIssuerID', ISSUER];
    expect(archive.args.slice(archive.args.indexOf('-allowProvisioningUpdates'), archive.args.indexOf('-allowProvisioningUpdates') + 7)).toEqual(auth);
    expect(archive.args).toContain(`DEVELOPMENT_TEAM=${TEAM}`);
    expect(runByTitle(plan.steps, /^Export/).args.slice(-7)).toEqual(auth);
    // The key is written 0600 before xcodebuild runs, and its removal is registered first.
    const write = plan.steps.findIndex((s) => s.kind === 'write' && s.path === keyPath);
    const cleanup = plan.steps.findIndex((s) => s.kind === 'cleanup' && /API key/.test(s.title));
    expect(cleanup).toBeGreaterThanOrEqual(0);
    expect(cleanup).toBeLessThan(write);
    expect(plan.steps[write]).toMatchObject({ mode: 0o600, secret: true });
    expect(write).toBeLessThan(plan.steps.indexOf(archive));
  });

  it('runs pod install only when Pods/Manifest.lock is missing or differs, with bundle exec when the Gemfile has cocoapods', () => {
    const inSync = normalizeBuildIosOptions({}, iosProject({ workspace: true, podfile: { pods: ['A'] } }), {});
    expect(inSync.pods).toBeUndefined();
    const differs = normalizeBuildIosOptions({}, iosProject({ workspace: true, podfile: { pods: ['A'], lock: 'different' } }), {});
    expect(differs.pods).toMatchObject({ needed: true, reason: 'Pods/Manifest.lock differs from Podfile.lock', command: ['pod', 'install'] });
    const noManifest = normalizeBuildIosOptions({}, iosProject({ workspace: true, podfile: { pods: ['A'], lock: 'no-manifest' }, gemfileWithCocoapods: true }), {});
    expect(noManifest.pods).toMatchObject({ reason: 'Pods/Manifest.lock is missing', command: ['bundle', 'exec', 'pod', 'install'] });
    const step = runByTitle(buildIosPlan(noManifest).plan.steps, /^pod install/);
    expect(step).toMatchObject({ file: 'bundle', args: ['exec', 'pod', 'install'], cwd: noManifest.container.dir });
    expect(step.env).toMatchObject({ COCOAPODS_DISABLE_STATS: 'true', LANG: 'en_US.UTF-8' });
    // The pods run before xcodebuild.
    const steps = buildIosPlan(noManifest).plan.steps;
    expect(steps.findIndex((s) => /^pod install/.test(s.title))).toBeLessThan(steps.findIndex((s) => /^Archive/.test(s.title)));
    expect(normalizeBuildIosOptions({ pods: 'never' }, iosProject({ workspace: true, podfile: { pods: ['A'], lock: 'different' } }), {}).pods).toBeUndefined();
    expect(normalizeBuildIosOptions({ pods: 'always' }, iosProject({ workspace: true, podfile: { pods: ['A'] } }), {}).pods?.reason).toBe('pods: always');
  });

  it('expects the workspace pod install creates when only the .xcodeproj and a Podfile exist', () => {
    const root = iosProject({ podfile: { pods: ['A'], lock: 'missing' } });
    const o = normalizeBuildIosOptions({}, root, {});
    expect(o.container).toMatchObject({ kind: 'workspace', path: join(root, 'App.xcworkspace'), createdByPods: true });
    expect(o.pods?.reason).toBe('Podfile.lock is missing');
  });

  it('finds the project in ios/ (React Native) and takes the scheme from xcodebuild -list when none is shared', () => {
    const root = iosProject({ subdir: 'ios', name: 'Mobile', sharedSchemes: [] });
    const o = normalizeBuildIosOptions({}, root, {});
    expect(o.container.path).toBe(join(root, 'ios', 'Mobile.xcodeproj'));
    expect(o.scheme).toBeUndefined();
    const { plan, runtime } = buildIosPlan(o);
    const archive = runByTitle(plan.steps, /^Archive/);
    expect(archive.args[archive.args.indexOf('-scheme') + 1]).toBe('<scheme from xcodebuild -list -json>');
    expect(byTitle(plan.steps, /Find the scheme/)).toMatchObject({ kind: 'task' });
    runtime.set('scheme', 'Mobile');
    expect(archive.args[archive.args.indexOf('-scheme') + 1]).toBe('Mobile');
  });

  it('runs the version check first and builds nothing when it cannot', () => {
    const { plan } = buildIosPlan(normalizeBuildIosOptions({}, iosProject(), {}));
    expect(plan.steps.slice(0, 2).map((s) => s.title)).toEqual(['Remove the outputs of an earlier build', 'Read the Xcode version and write ExportOptions.plist']);
  });
});

describe('temporary keychain (shared by build-ios and sign-macos)', () => {
  it('creates, unlocks, imports and allows codesign, registering each cleanup before what it undoes', () => {
    const root = iosProject();
    const p12 = fakeP12().toString('base64');
    const profile = mobileprovision({ uuid: '0f8fad5b-d9cb-469f-a165-70867728950e' }).toString('base64');
    const env = { P12: p12, P12_PW: 'p12-Pass!word', PROFILE: profile, HOME: '/home/ci' };
    const o = normalizeBuildIosOptions({ signingCertEnv: 'P12', signingPasswordEnv: 'P12_PW', profilesEnv: ['PROFILE'] }, root, env);
    const { plan, secrets, signing } = buildIosPlan(o, { workDir: '/tmp/w' });
    const kc = '/tmp/w/shipfleet-signing.keychain-db';
    expect(signing.keychainPath).toBe(kc);
    const pw = secrets.find((s) => !Object.values(env).includes(s))!;
    expect(pw).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const security = runs(plan.steps).filter((s) => s.file === 'security').map((s) => s.args);
    expect(security).toEqual([
      ['create-keychain', '-p', pw, kc],
      ['set-keychain-settings', '-lut', '21600', kc],
      ['unlock-keychain', '-p', pw, kc],
      ['import', '/tmp/w/certificate.p12', '-k', kc, '-P', 'p12-Pass!word', '-T', '/usr/bin/codesign', '-T', '/usr/bin/security'],
      ['set-key-partition-list', '-S', 'apple-tool:,apple:,codesign:', '-s', '-k', pw, kc],
    ]);
    const order = plan.steps.map((s) => `${s.kind}:${s.title}`);
    const at = (re: RegExp) => order.findIndex((t) => re.test(t));
    expect(at(/^cleanup:Remove the temporary folder/)).toBeLessThan(at(/^task:Create a private temporary folder/));
    expect(at(/^cleanup:Delete the temporary keychain/)).toBeLessThan(at(/^run:Create a temporary keychain/));
    expect(at(/^cleanup:Remove the decoded .p12/)).toBeLessThan(at(/^write:Decode the .p12/));
    expect(at(/^cleanup:Restore the keychain search list/)).toBeLessThan(at(/^task:Put the temporary keychain first/));
    expect(at(/^cleanup:Remove the provisioning profiles/)).toBeLessThan(at(/^task:Install provisioning profiles/));
    expect(at(/^task:Put the temporary keychain first/)).toBeLessThan(at(/^run:Archive/));
    const decoded = plan.steps[at(/^write:Decode/)];
    expect(decoded).toMatchObject({ path: '/tmp/w/certificate.p12', mode: 0o600, secret: true });
    expect(byTitle(plan.steps, /Install provisioning profiles/)).toMatchObject({ description: expect.stringContaining('/home/ci/Library/MobileDevice/Provisioning Profiles/0f8fad5b-d9cb-469f-a165-70867728950e.mobileprovision') });
  });

  it('imports a .p12 given as a path from where it is, decoding nothing', () => {
    const root = iosProject();
    writeFileIn(join(root, 'dist.p12'), fakeP12());
    const o = normalizeBuildIosOptions({ signingCert: 'dist.p12' }, root, {});
    const { plan } = buildIosPlan(o, { workDir: '/tmp/w' });
    expect(plan.steps.some((s) => s.kind === 'write')).toBe(false);
    expect(runs(plan.steps).find((s) => s.args[0] === 'import')!.args.slice(0, 6)).toEqual(['import', join(root, 'dist.p12'), '-k', '/tmp/w/shipfleet-signing.keychain-db', '-P', '']);
  });

  it('reads `security list-keychains` output', () => {
    expect(parseKeychainList('    "/Users/ci/Library/Keychains/login.keychain-db"\n    "/Library/Keychains/System.keychain"\n')).toEqual(['/Users/ci/Library/Keychains/login.keychain-db', '/Library/Keychains/System.keychain']);
  });
});

describe('ExportOptions.plist', () => {
  const base = { teamId: TEAM, signingStyle: 'manual' as const, provisioningProfiles: { 'com.example.app': 'UUID-1' }, destination: 'export' as const, uploadSymbols: true };
  it.each([
    ['app-store-connect', 'app-store'],
    ['release-testing', 'ad-hoc'],
    ['enterprise', 'enterprise'],
    ['debugging', 'development'],
  ] as const)('%s is written as %s before Xcode 15.4 and by its current name from 15.4', (method, old) => {
    expect(exportOptions({ ...base, method }, { major: 15, minor: 3 }).method).toBe(old);
    expect(exportOptions({ ...base, method }, { major: 15, minor: 4 }).method).toBe(method);
    expect(exportOptions({ ...base, method }, { major: 16, minor: 0 }).method).toBe(method);
    expect(exportOptions({ ...base, method }, { major: 14, minor: 9 }).method).toBe(old);
  });

  it('has teamID, signingStyle, destination, provisioningProfiles, and App Store keys only for App Store exports', () => {
    expect(exportOptions({ ...base, method: 'app-store-connect', signingCertificate: 'Apple Distribution' }, { major: 16, minor: 2 })).toEqual({
      method: 'app-store-connect', teamID: TEAM, signingStyle: 'manual', destination: 'export', provisioningProfiles: { 'com.example.app': 'UUID-1' }, signingCertificate: 'Apple Distribution', uploadSymbols: true, manageAppVersionAndBuildNumber: false,
    });
    expect(exportOptions({ ...base, method: 'release-testing', signingStyle: 'automatic', provisioningProfiles: {} }, { major: 16, minor: 2 })).toEqual({ method: 'release-testing', teamID: TEAM, signingStyle: 'automatic', destination: 'export' });
  });

  it('maps bundle IDs to the UUIDs of the given profiles and takes the team from them', () => {
    const root = iosProject();
    writeFileIn(join(root, 'a.mobileprovision'), mobileprovision({ uuid: '11111111-2222-3333-4444-555555555555', bundleId: 'com.example.app' }));
    writeFileIn(join(root, 'w.mobileprovision'), mobileprovision({ uuid: '66666666-2222-3333-4444-555555555555', bundleId: 'com.example.app.widget' }));
    const o = normalizeBuildIosOptions({ profiles: ['a.mobileprovision', 'w.mobileprovision'], provisioningProfiles: { 'com.example.app.clip': 'Clip Profile' } }, root, {});
    expect(o.exportOptions).toMatchObject({
      method: 'app-store-connect',
      teamId: TEAM,
      signingStyle: 'manual',
      provisioningProfiles: { 'com.example.app': '11111111-2222-3333-4444-555555555555', 'com.example.app.widget': '66666666-2222-3333-4444-555555555555', 'com.example.app.clip': 'Clip Profile' },
    });
    expect(normalizeBuildIosOptions({ exportMethod: 'ad-hoc', teamId: TEAM }, iosProject(), {}).exportOptions.method).toBe('release-testing');
  });

  it('names the method for the running Xcode', () => {
    expect(exportMethodName('app-store-connect', parseXcodeVersion('Xcode 15.4\nBuild version 15F31d\n'))).toBe('app-store-connect');
    expect(exportMethodName('app-store-connect', parseXcodeVersion('Xcode 15.3\nBuild version 15E204a\n'))).toBe('app-store');
  });
});

describe('parsers', () => {
  it('reads xcodebuild -version', () => {
    expect(parseXcodeVersion('Xcode 16.2\nBuild version 16C5032a\n')).toEqual({ major: 16, minor: 2, patch: 0, text: 'Xcode 16.2 (16C5032a)' });
    expect(parseXcodeVersion('Xcode 26.0.1\nBuild version 17A400\n')).toMatchObject({ major: 26, minor: 0, patch: 1 });
    expect(() => parseXcodeVersion('xcode-select: error: tool \'xcodebuild\' requires Xcode')).toThrow(/cannot read the Xcode version/);
  });

  it('reads xcodebuild -list -json and picks the app scheme', () => {
    const ws = parseXcodebuildList('2024-01-01 note: something\n{"workspace": {"name": "App", "schemes": ["Alamofire", "App", "Pods-App"]}}');
    expect(ws).toEqual({ name: 'App', schemes: ['Alamofire', 'App', 'Pods-App'] });
    expect(pickScheme(ws.schemes, 'App', ['Alamofire'])).toBe('App');
    expect(pickScheme(['Only'], 'App')).toBe('Only');
    expect(() => pickScheme(['A', 'B'], 'App')).toThrow(/set the scheme option/);
    expect(parseXcodebuildList('{"project": {"configurations": ["Debug"], "name": "P", "schemes": ["P"], "targets": ["P"]}}').schemes).toEqual(['P']);
    expect(podNames('PODS:\n  - Alamofire (5.8.0)\n  - "Firebase/Core (10.0.0)":\n    - FirebaseCore\n\nDEPENDENCIES:\n  - Alamofire\n')).toEqual(['Alamofire', 'Firebase']);
  });

  it('reads the property list inside a CMS-signed .mobileprovision', () => {
    const p = parseProvisioningProfile(mobileprovision({ uuid: 'ABCDEF01-2222-3333-4444-555555555555', name: 'Beta', bundleId: 'com.x.y', kind: 'ad-hoc' }), 'x');
    expect(p).toMatchObject({ uuid: 'ABCDEF01-2222-3333-4444-555555555555', name: 'Beta', teamId: TEAM, bundleId: 'com.x.y', kind: 'ad-hoc' });
    expect(parseProvisioningProfile(mobileprovision({ kind: 'enterprise' }), 'x').kind).toBe('enterprise');
    expect(parseProvisioningProfile(mobileprovision({ kind: 'development' }), 'x').kind).toBe('development');
    expect(() => parseProvisioningProfile(Buffer.from('garbage'), 'x')).toThrow(/no property list/);
  });

  it('versions: semver from the option or package.json, build number from the option or CI', () => {
    const root = iosProject({ packageVersion: '1.2.3' });
    expect(resolveMarketingVersion(undefined, root)).toEqual({ value: '1.2.3', source: join(root, 'package.json') });
    expect(resolveMarketingVersion('4.5.6', root)?.value).toBe('4.5.6');
    expect(resolveMarketingVersion(undefined, iosProject())).toBeUndefined();
    expect(resolveBuildNumber(undefined, { GITHUB_RUN_NUMBER: '812', BUILD_NUMBER: '3' })).toEqual({ value: '812', source: '$GITHUB_RUN_NUMBER' });
    expect(resolveBuildNumber(undefined, { CI_PIPELINE_IID: '77' })?.value).toBe('77');
    expect(resolveBuildNumber(undefined, { BUILD_NUMBER: '9' })?.value).toBe('9');
    expect(resolveBuildNumber('1.0.42', {})?.value).toBe('1.0.42');
    expect(resolveBuildNumber(undefined, {})).toBeUndefined();
  });
});

describe('deploy-ios', () => {
  const creds = { apiKeyEnv: 'ASC_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER };
  it('builds, then uploads with `xcrun altool --upload-app -f <ipa> -t <type> --apiKey --apiIssuer`, the key found through API_PRIVATE_KEYS_DIR', () => {
    const o = normalizeDeployIosOptions({ ...creds, platform: 'tvos' }, iosProject(), { ASC_KEY: Buffer.from(P8).toString('base64') });
    const { plan, runtime, signing } = deployIosPlan(o, undefined, { workDir: '/tmp/w' });
    const upload = plan.steps[plan.steps.length - 1] as RunStep;
    expect(upload.file).toBe('xcrun');
    expect(upload.args).toEqual(['altool', '--upload-app', '-f', `<the .ipa exported to ${o.build.exportPath}>`, '-t', 'appletvos', '--apiKey', KEY_ID, '--apiIssuer', ISSUER]);
    expect(upload.env).toEqual({ API_PRIVATE_KEYS_DIR: '/tmp/w/private_keys' });
    expect(upload.retry).toEqual({ attempts: 3, delayMs: 30_000, factor: 2, maxDelayMs: 120_000, jitter: 0.2 });
    expect(signing.apiKeyPath).toBe(`/tmp/w/private_keys/AuthKey_${KEY_ID}.p8`);
    expect(plan.title).toMatch(/^deploy-ios/);
    runtime.set('artifact', '/out/App.ipa');
    expect(upload.args[3]).toBe('/out/App.ipa');
  });

  it('uploads with an Apple ID, the password read by altool from the env var (never an argument)', () => {
    expect(altoolUploadArgs({ file: 'a.ipa', platform: 'ios', appleId: { appleId: 'ci@example.com', passwordEnv: 'ASP' } })).toEqual(['altool', '--upload-app', '-f', 'a.ipa', '-t', 'ios', '-u', 'ci@example.com', '-p', '@env:ASP']);
    expect(altoolUploadArgs({ file: 'a.ipa', platform: 'visionos', apiKey: { id: KEY_ID, issuerId: ISSUER } })[5]).toBe('visionos');
    expect(altoolUploadArgs({ file: 'a.ipa', platform: 'watchos', apiKey: { id: KEY_ID, issuerId: ISSUER } })[5]).toBe('ios');
    const o = normalizeDeployIosOptions({ appleId: 'ci@example.com', appSpecificPasswordEnv: 'ASP' }, iosProject(), { ASP: 'abcd-efgh-ijkl-mnop' });
    const { plan, secrets } = deployIosPlan(o);
    expect((plan.steps[plan.steps.length - 1] as RunStep).args).not.toContain('abcd-efgh-ijkl-mnop');
    const once = normalizeDeployIosOptions({ appleId: 'ci@example.com', appSpecificPasswordEnv: 'ASP', uploadAttempts: 1 }, iosProject(), { ASP: 'abcd-efgh-ijkl-mnop' });
    expect((deployIosPlan(once).plan.steps.at(-1) as RunStep).retry).toBeUndefined();
    expect(secrets).toContain('abcd-efgh-ijkl-mnop');
  });

  it('takes the upload steps from the caller for a fastlane upload', () => {
    const root = iosProject();
    mkdirSync(join(root, 'fastlane'));
    writeFileSync(join(root, 'fastlane', 'Fastfile'), 'lane :upload do\nend\n');
    const o = normalizeDeployIosOptions({ upload: 'fastlane', fastlaneLane: 'upload' }, root, {});
    expect(() => deployIosPlan(o)).toThrow(/pass the steps of fastlane lane "upload"/);
    const { plan, runtime } = deployIosPlan(o, (artifact) => [{ kind: 'run', title: 'fastlane upload', file: 'fastlane', args: ['upload', `ipa:${artifact}`, artifact], env: { IPA: artifact } }]);
    expect(formatPlan(plan, new Redactor())).toContain(`'ipa:<the .ipa exported to ${o.build.exportPath}>'`);
    runtime.set('artifact', '/out/App.ipa');
    expect((plan.steps[plan.steps.length - 1] as RunStep).args).toEqual(['upload', 'ipa:/out/App.ipa', '/out/App.ipa']);
    expect((plan.steps[plan.steps.length - 1] as RunStep).env).toEqual({ IPA: '/out/App.ipa' });
  });
});

describe('dry run', () => {
  it('shows every command, the placeholders and the ExportOptions, with secrets masked', () => {
    const root = iosProject({ sharedSchemes: [] });
    const env = { P12: fakeP12().toString('base64'), P12_PW: 'p12-Pass!word', ASC_KEY: P8 };
    const o = normalizeBuildIosOptions({ signingCertEnv: 'P12', signingPasswordEnv: 'P12_PW', apiKeyEnv: 'ASC_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER }, root, env);
    const { plan, secrets } = buildIosPlan(o);
    const redactor = new Redactor(secrets);
    const text = formatPlan(plan, redactor);
    const json = JSON.stringify(planToJson(plan, redactor));
    expect(text).toContain("$ security create-keychain -p '***' ");
    expect(text).toContain("-P '***' -T /usr/bin/codesign -T /usr/bin/security");
    expect(text).toContain("-scheme '<scheme from xcodebuild -list -json>'");
    expect(text).toContain('"method":"app-store-connect"');
    expect(text).toContain('(method "app-store" before Xcode 15.4)');
    expect(text).toMatch(/AuthKey_KEY1234567\.p8 \(\d+ bytes, mode 0600, content not shown\)/);
    expect(text).toContain('[cleanup (always runs at the end)] Delete the temporary keychain');
    for (const s of secrets) {
      expect(text).not.toContain(s);
      expect(json).not.toContain(s);
    }
    for (const line of P8.split('\n').filter((l) => l.length > 8)) expect(text + json).not.toContain(line);
  });
});

describe('every bad option is a UserError naming it', () => {
  const root = iosProject({ packageVersion: '1.0.0' });
  writeFileIn(join(root, 'expired.mobileprovision'), mobileprovision({ expires: new Date('2020-01-01') }));
  writeFileIn(join(root, 'adhoc.mobileprovision'), mobileprovision({ kind: 'ad-hoc' }));
  writeFileIn(join(root, 'junk.mobileprovision'), 'not a profile');
  writeFileIn(join(root, 'not.p12'), 'text, not DER');
  writeFileIn(join(root, 'bad.p8'), 'not a key');
  const env = { P12: fakeP12().toString('base64'), BAD_B64: '@@@not base64@@@', PW: 'pw', ASC: P8 };
  it.each([
    [{ platform: 'android' }, 'platform', /"android" is not one of ios, tvos, watchos, visionos/],
    [{ workspace: 'Missing.xcworkspace' }, 'workspace', /does not exist/],
    [{ workspace: 'App.xcodeproj' }, 'workspace', /is not a .xcworkspace path/],
    [{ project: 'Nope.xcodeproj' }, 'project', /does not exist/],
    [{ workspace: 'a.xcworkspace', project: 'b.xcodeproj' }, 'workspace', /both workspace and project/],
    [{ scheme: 'Nope' }, 'scheme', /"Nope" is not a shared scheme.*Shared schemes: App/],
    [{ scheme: '' }, 'scheme', /non-empty string/],
    [{ configuration: 42 }, 'configuration', /non-empty string/],
    [{ exportMethod: 'testflight' }, 'exportMethod', /"testflight" is not an export method.*app-store-connect, release-testing, enterprise, debugging/],
    [{ exportDestination: 'cloud' }, 'exportDestination', /not one of export, upload/],
    [{ exportDestination: 'upload', exportMethod: 'release-testing' }, 'exportDestination', /only with exportMethod app-store-connect/],
    [{ signingStyle: 'auto' }, 'signingStyle', /not one of automatic, manual/],
    [{ signingStyle: 'manual' }, 'provisioningProfiles', /manual signing needs a provisioning profile/],
    [{ provisioningProfiles: ['x'] }, 'provisioningProfiles', /must be a map/],
    [{ teamId: 'abc' }, 'teamId', /not a team ID/],
    [{ uploadSymbols: 'yes' }, 'uploadSymbols', /true or false/],
    [{ marketingVersion: '1.2' }, 'marketingVersion', /"1.2" is not a semantic version/],
    [{ marketingVersion: '1.2.3-beta.1' }, 'marketingVersion', /pre-release or build suffix/],
    [{ buildNumber: 'build-7' }, 'buildNumber', /not a build number/],
    [{ buildNumber: -1 }, 'buildNumber', /not a build number/],
    [{ pods: 'maybe' }, 'pods', /not one of auto, always, never/],
    [{ pods: 'always' }, 'pods', /no Podfile/],
    [{ timeout: 0 }, 'timeout', /0 is shorter than 1s/],
    [{ timeout: 'soon' }, 'timeout', /"soon" is not a duration/],
    [{ outputPath: '' }, 'outputPath', /must be a path/],
    [{ signingCertEnv: 'NOT_SET' }, 'signingCertEnv', /environment variable NOT_SET is not set/],
    [{ signingCertEnv: 'bad name' }, 'signingCertEnv', /not an environment variable name/],
    [{ signingCertEnv: 'BAD_B64' }, 'signingCertEnv', /BAD_B64 is not base64/],
    [{ signingCert: 'missing.p12' }, 'signingCert', /does not exist/],
    [{ signingCert: 'not.p12' }, 'signingCert', /is not a PKCS#12/],
    [{ signingCert: 'not.p12', signingCertEnv: 'P12' }, 'signingCert', /both signingCert and signingCertEnv/],
    [{ signingPasswordEnv: 'PW' }, 'signingPasswordEnv', /no certificate is given/],
    [{ signingCertEnv: 'P12', signingPasswordEnv: 'NOPE' }, 'signingPasswordEnv', /NOPE is not set/],
    [{ profiles: ['missing.mobileprovision'] }, 'profiles', /does not exist/],
    [{ profiles: 'one.mobileprovision' }, 'profiles', /list of strings/],
    [{ profiles: ['junk.mobileprovision'] }, 'profiles', /holds no property list/],
    [{ profiles: ['expired.mobileprovision'] }, 'profiles', /expired on 2020-01-01/],
    [{ profiles: ['adhoc.mobileprovision'] }, 'profiles', /is for ad-hoc distribution but exportMethod is app-store-connect/],
    [{ profilesEnv: ['UNSET_PROFILE'] }, 'profilesEnv', /UNSET_PROFILE is not set/],
    [{ apiKey: 'missing.p8', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER }, 'apiKey', /does not exist/],
    [{ apiKey: 'bad.p8', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER }, 'apiKey', /not an App Store Connect API key/],
    [{ apiKeyEnv: 'ASC', apiKey: 'bad.p8' }, 'apiKey', /both apiKey and apiKeyEnv/],
    [{ apiKeyId: KEY_ID }, 'apiKey', /apiKeyId is set but no key is given/],
    [{ apiKeyEnv: 'ASC' }, 'apiKeyId', /is required with an API key/],
    [{ apiKeyEnv: 'ASC', apiKeyId: 'short' }, 'apiKeyId', /not an App Store Connect key ID/],
    [{ apiKeyEnv: 'ASC', apiKeyId: KEY_ID }, 'apiKeyIssuerId', /is required with an API key/],
    [{ apiKeyEnv: 'ASC', apiKeyId: KEY_ID, apiKeyIssuerId: 'nope' }, 'apiKeyIssuerId', /not an issuer ID/],
  ])('%j → %s', (opts, option, message) => {
    let err: unknown;
    try {
      normalizeBuildIosOptions(opts as never, root, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).option).toBe(option);
    expect((err as UserError).message).toMatch(message);
    for (const s of [env.P12, env.PW, env.ASC]) expect((err as UserError).message).not.toContain(s);
  });

  it('names the workspace when none is found or several are', () => {
    const empty = tempDir();
    expect(() => normalizeBuildIosOptions({}, empty, {})).toThrow(expect.objectContaining({ option: 'workspace', message: expect.stringMatching(/no .xcworkspace or .xcodeproj found/) }));
    const two = iosProject({ workspace: true });
    writeFileIn(join(two, 'Other.xcworkspace', 'contents.xcworkspacedata'), '<Workspace/>');
    expect(() => normalizeBuildIosOptions({}, two, {})).toThrow(expect.objectContaining({ option: 'workspace', message: expect.stringMatching(/holds 2 workspaces: App.xcworkspace, Other.xcworkspace/) }));
    const schemes = iosProject({ sharedSchemes: ['App', 'AppTests'] });
    expect(() => normalizeBuildIosOptions({}, schemes, {})).toThrow(expect.objectContaining({ option: 'scheme', message: expect.stringMatching(/shares 2 schemes: App, AppTests/) }));
  });

  it('names marketingVersion for a bad package.json version', () => {
    expect(() => normalizeBuildIosOptions({}, iosProject({ packageVersion: 'one' }), {})).toThrow(expect.objectContaining({ option: 'marketingVersion', message: expect.stringMatching(/version in .*package.json "one" is not a semantic version/) }));
    expect(() => normalizeBuildIosOptions({}, iosProject(), { GITHUB_RUN_NUMBER: 'abc' })).toThrow(expect.objectContaining({ option: 'buildNumber', message: expect.stringMatching(/GITHUB_RUN_NUMBER "abc"/) }));
  });

  it.each([
    [{ exportMethod: 'release-testing' }, {}, 'exportMethod', /cannot be uploaded to App Store Connect/],
    [{ exportDestination: 'upload' }, {}, 'exportDestination', /uploads the exported file itself/],
    [{}, {}, 'apiKey', /needs App Store Connect credentials/],
    [{ upload: 'ftp' }, {}, 'upload', /not one of altool, fastlane/],
    [{ upload: 'fastlane' }, {}, 'fastlaneLane', /is required with upload: fastlane/],
    [{ upload: 'fastlane', fastlaneLane: 'beta' }, {}, 'upload', /no fastlane\/Fastfile/],
    [{ fastlaneLane: 'beta', appleId: 'a@b.c', appSpecificPasswordEnv: 'ASP' }, { ASP: 'x' }, 'fastlaneLane', /upload is not "fastlane"/],
    [{ appleId: 'not-an-email', appSpecificPasswordEnv: 'ASP' }, { ASP: 'x' }, 'appleId', /not an Apple ID/],
    [{ appleId: 'a@b.c' }, {}, 'appSpecificPasswordEnv', /is required with appleId/],
    [{ appleId: 'a@b.c', appSpecificPasswordEnv: 'ASP' }, {}, 'appSpecificPasswordEnv', /ASP is not set/],
    [{ appleId: 'a@b.c', appSpecificPasswordEnv: 'ASP', uploadAttempts: 0 }, { ASP: 'x' }, 'uploadAttempts', /0 is not a whole number of attempts from 1 to 10/],
  ])('deploy-ios %j → %s', (opts, env, option, message) => {
    expect(() => normalizeDeployIosOptions(opts as never, iosProject(), env)).toThrow(expect.objectContaining({ option, message: expect.stringMatching(message) }));
  });
});
