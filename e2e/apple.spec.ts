import { existsSync, readFileSync } from 'fs';
import { SampleWorkspace } from '../tools/sample-workspace';
import { fakeP12, iosProject, ISSUER, KEY_ID, macApp, P8 } from '../packages/apple/src/__fixtures__/apple-fixtures';

const P12_PASSWORD = 'e2e-p12-Pass!word';
const P12_B64 = fakeP12().toString('base64');
const P8_B64 = Buffer.from(P8).toString('base64');
const secrets = [P12_PASSWORD, P12_B64, P8_B64, 'SecretLineThreeOfTheKey4567890'];
const IDENTITY = 'Developer ID Application: Example Inc (ABCDE12345)';

describe('Apple targets through the real nx CLI (Apple tools are stand-ins here)', () => {
  let ws: SampleWorkspace;
  const state = () => ws.path('security-state.json');
  const env = (extra: Record<string, string> = {}) => ({ IOS_P12: P12_B64, IOS_P12_PW: P12_PASSWORD, ASC_KEY: P8_B64, SHIPFLEET_SECURITY_STATE: state(), SHIPFLEET_CODESIGN_STATE: ws.path('codesign-state.json'), SHIPFLEET_NOTARY_STATE: ws.path('notary-state.json'), SHIPFLEET_STANDIN_LOG: ws.path('calls.jsonl'), HOME: ws.path('home'), ...extra });
  const signing = ['--signingCertEnv=IOS_P12', '--signingPasswordEnv=IOS_P12_PW', '--apiKeyEnv=ASC_KEY', `--apiKeyId=${KEY_ID}`, `--apiKeyIssuerId=${ISSUER}`];
  const calls = () => (existsSync(ws.path('calls.jsonl')) ? ws.read('calls.jsonl').trim().split('\n').map((l) => JSON.parse(l)) : []);
  const securityState = () => JSON.parse(readFileSync(state(), 'utf8'));

  beforeAll(() => {
    ws = new SampleWorkspace('apple');
    expect(ws.nx(['g', '@shipfleet/nx:init']).code).toBe(0);
    ws.copy(iosProject({ packageVersion: '1.4.2' }), 'apps/app');
    ws.write('apps/app/project.json', JSON.stringify({ name: 'app' }));
    ws.write('apps/mac/project.json', JSON.stringify({ name: 'mac' }));
    ws.write('apps/mac/Mac.xcodeproj/project.pbxproj', 'SDKROOT = macosx;');
    macApp(ws.path('apps/mac/build'));
  });

  it('infers build-ios, deploy-ios and a deploy target that needs a macOS runner', () => {
    const show = ws.nx(['show', 'project', 'app', '--json']);
    const project = JSON.parse(show.output.slice(show.output.indexOf('{')));
    expect(project.targets['deploy-ios']).toMatchObject({ executor: '@shipfleet/nx:deploy-ios', cache: false, metadata: { runner: 'macos' } });
    expect(project.targets.deploy).toMatchObject({ options: { targets: ['deploy-ios'] }, metadata: { runner: 'macos' } });
    const mac = JSON.parse(ws.nx(['show', 'project', 'mac', '--json']).output.replace(/^[^{]*/, ''));
    expect(mac.targets['sign-macos']).toMatchObject({ executor: '@shipfleet/nx:sign-macos', metadata: { runner: 'macos' } });
  });

  it('nx run app:deploy-ios --dry-run shows the whole chain and runs nothing', () => {
    const r = ws.nx(['run', 'app:deploy-ios', '--dry-run', ...signing], env());
    expect(r.code).toBe(0);
    for (const expected of ['security create-keychain', '-destination generic/platform=iOS', 'MARKETING_VERSION=1.4.2', 'xcodebuild -exportArchive', 'altool --upload-app', 'delete-keychain']) expect(r.output).toContain(expected);
    expect(r.output).toMatch(/\$ xcodebuild -project \S+\/App\.xcodeproj -scheme App .* archive$/m);
    expect(calls()).toEqual([]);
    for (const s of secrets) expect(r.output).not.toContain(s);
  });

  it('a full deploy-ios runs on the stand-ins, uploads the .ipa, and leaves no keychain behind', () => {
    const r = ws.nx(['run', 'app:deploy-ios', ...signing], env());
    expect(r.code).toBe(0);
    // xcodebuild takes its action last: `xcodebuild -project … archive`.
    const tools = calls().map((c) => `${c.tool} ${c.argv[c.argv.length - 1] === 'archive' ? 'archive' : c.argv[0]}`);
    expect(tools).toEqual(expect.arrayContaining(['security create-keychain', 'xcodebuild archive', 'xcodebuild -exportArchive', 'xcrun altool', 'security delete-keychain']));
    const upload = calls().find((c) => c.tool === 'xcrun' && c.argv[0] === 'altool');
    expect(upload.argv).toEqual(expect.arrayContaining(['--upload-app', '-t', 'ios', '--apiKey', KEY_ID, '--apiIssuer', ISSUER]));
    expect(upload.argv[upload.argv.indexOf('-f') + 1]).toMatch(/\.ipa$/);
    const s = securityState();
    expect(Object.keys(s.keychains).filter((k) => k.includes('shipfleet'))).toEqual([]);
    expect(s.searchList).toEqual([ws.path('home/Library/Keychains/login.keychain-db')]);
    // xcodebuild's raw output is kept beside the build, masked.
    const rawLog = ws.read('apps/app/build/shipfleet/xcodebuild-archive.log');
    expect(rawLog.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(r.output + rawLog).not.toContain(secret);
  });

  it('a failing archive fails the target and still removes the keychain', () => {
    const r = ws.nx(['run', 'app:build-ios', ...signing], env({ SHIPFLEET_XCODEBUILD_FAIL: 'archive' }));
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/xcodebuild exited with code 65/);
    expect(Object.keys(securityState().keychains ?? {}).filter((k) => k.includes('shipfleet'))).toEqual([]);
    for (const secret of secrets) expect(r.output).not.toContain(secret);
  });

  it('bad input is named', () => {
    const bad = ws.nx(['run', 'app:build-ios', '--platform=android'], env());
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('Option "platform"');
    const unset = ws.nx(['run', 'app:build-ios', '--signingCertEnv=NOPE_NOT_SET', '--signingPasswordEnv=IOS_P12_PW'], env());
    expect(unset.code).not.toBe(0);
    expect(unset.output).toContain('Option "signingCertEnv": environment variable NOPE_NOT_SET is not set');
    // The old name still works, with a warning that names the new one.
    const old = ws.nx(['run', 'app:build-ios', '--certificateEnv=NOPE_NOT_SET'], env());
    expect(old.output).toContain('Option "certificateEnv" is deprecated: write "signingCertEnv" instead');
    expect(old.output).toContain('Option "signingCertEnv": environment variable NOPE_NOT_SET is not set');
  });

  it('sign-macos signs, notarizes (Accepted), staples and assesses; an Invalid verdict fails with the log', () => {
    const app = ws.path('apps/mac/build/Example.app');
    const args = ['run', 'mac:sign-macos', `--app=${app}`, `--identity=${IDENTITY}`, ...signing];
    const ok = ws.nx(args, env({ SHIPFLEET_NOTARY_STATUS: 'Accepted' }));
    expect(ok.code).toBe(0);
    const tools = calls().map((c) => `${c.tool} ${c.argv[0]} ${c.argv[1] ?? ''}`.trim());
    expect(tools).toEqual(expect.arrayContaining(['xcrun notarytool submit', 'xcrun stapler staple', 'spctl --assess --type']));
    const invalid = ws.nx(args, env({ SHIPFLEET_NOTARY_STATUS: 'Invalid' }));
    expect(invalid.code).not.toBe(0);
    expect(invalid.output).toMatch(/Invalid/);
    for (const s of secrets) expect(ok.output + invalid.output).not.toContain(s);
  });
});
