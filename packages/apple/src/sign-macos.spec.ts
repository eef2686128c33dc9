import { join } from 'path';
import { formatPlan, planToJson, Redactor, RunStep, Step, TaskStep, UserError, WriteStep } from '@shipfleet/core';
import plist from 'plist';
import {
  codesignArgs,
  discoverNestedCode,
  formatNotaryFailure,
  normalizeSignMacosOptions,
  notaryAuthArgs,
  parseNotaryLog,
  parseNotarySubmission,
  signMacosPlan,
} from './index';
import { fakeP12, ISSUER, KEY_ID, macApp, P8, TEAM, tempDir, writeFileIn } from './__fixtures__/apple-fixtures';

const IDENTITY = 'Developer ID Application: Example Inc (ABCDE12345)';
const runs = (steps: Step[]) => steps.filter((s): s is RunStep => s.kind === 'run');
const apiKey = { apiKeyEnv: 'ASC_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER };
const env = { ASC_KEY: P8, ASP: 'abcd-efgh-ijkl-mnop', P12: fakeP12().toString('base64'), P12_PW: 'p12-secret-pw' };

describe('nested code discovery', () => {
  it('lists nested code inside-out, deepest first, skipping symlinks, main executables and code-less bundles', () => {
    const app = macApp(tempDir());
    expect(discoverNestedCode(app).map((n) => `${n.kind} ${n.relative}`)).toEqual([
      'bundle Contents/Frameworks/Sparkle.framework/Versions/A/XPCServices/Downloader.xpc',
      'bundle Contents/Frameworks/Sparkle.framework',
      'dylib Contents/Frameworks/libcrypto.3.dylib',
      'bundle Contents/Library/LoginItems/Helper.app/Contents/Frameworks/HelperKit.framework',
      'bundle Contents/Library/LoginItems/Helper.app',
      'executable Contents/MacOS/example-cli',
      'bundle Contents/XPCServices/Renderer.xpc',
    ]);
  });
});

describe('sign-macos plan, argument by argument', () => {
  it('signs with hardened runtime and a timestamp, never --deep, verifies deep and strict, then notarizes, staples and assesses', () => {
    const dir = tempDir();
    const app = macApp(dir);
    writeFileIn(join(dir, 'App.entitlements'), plist.build({ 'com.apple.security.cs.allow-jit': true }));
    const o = normalizeSignMacosOptions(
      { app: 'Example.app', identity: IDENTITY, ...apiKey, entitlements: { '.': 'App.entitlements', 'Contents/Library/LoginItems/Helper.app': { 'com.apple.security.app-sandbox': true } } },
      dir,
      env,
    );
    const { plan } = signMacosPlan(o, { workDir: '/tmp/w' });
    const keyPath = `/tmp/w/private_keys/AuthKey_${KEY_ID}.p8`;
    const helperEnt = '/tmp/w/entitlements/1-Helper.app.plist';
    const write = plan.steps.find((s) => s.kind === 'write' && s.path === helperEnt) as WriteStep;
    expect(plist.parse(String(write.content))).toEqual({ 'com.apple.security.app-sandbox': true });
    expect(runs(plan.steps).map((s) => [s.file, ...s.args])).toEqual([
      ['codesign', '--force', '--sign', IDENTITY, '--options', 'runtime', '--timestamp', '--entitlements', join(dir, 'App.entitlements'), app],
      ['codesign', '--verify', '--deep', '--strict', '--verbose=2', app],
      ['ditto', '-c', '-k', '--keepParent', app, '/tmp/w/Example.zip'],
      ['xcrun', 'stapler', 'staple', app],
      ['xcrun', 'stapler', 'validate', app],
      ['spctl', '--assess', '--type', 'execute', '--verbose', app],
    ]);
    for (const s of runs(plan.steps)) expect(s.args.includes('--deep') && s.args.includes('--sign')).toBe(false);
    const nested = plan.steps.find((s) => s.title === 'Sign nested code inside-out') as TaskStep;
    expect(nested.description).toContain('inside-out');
    expect(nested.description).toContain(`Contents/Library/LoginItems/Helper.app (entitlements ${helperEnt})`);
    expect(nested.description).toContain('found now (7)');
    const notarize = plan.steps.find((s) => /^Notarize/.test(s.title)) as TaskStep;
    expect(notarize.description).toContain(`xcrun notarytool submit /tmp/w/Example.zip --wait --output-format json --key ${keyPath} --key-id ${KEY_ID} --issuer ${ISSUER}`);
    expect(notarize.description).toContain('status must be Accepted');
    // Order: sign nested → sign app → verify → zip → notarize → staple → validate → spctl.
    const titles = plan.steps.filter((s) => s.kind !== 'cleanup').map((s) => s.title);
    expect(titles.slice(titles.indexOf('Sign nested code inside-out'))).toEqual([
      'Sign nested code inside-out', 'Sign Example.app', 'Verify the signature', 'Zip the app for notarization', 'Notarize (notarytool submit --wait)', 'Staple the ticket to Example.app', 'Validate the stapled ticket', 'Gatekeeper assessment',
    ]);
  });

  it('builds codesign and notarytool arguments as Apple documents them', () => {
    expect(codesignArgs(IDENTITY, '/a/X.framework')).toEqual(['--force', '--sign', IDENTITY, '--options', 'runtime', '--timestamp', '/a/X.framework']);
    expect(codesignArgs('ABCDEF0123456789ABCDEF0123456789ABCDEF01', '/a/b', '/e.plist')).toEqual(['--force', '--sign', 'ABCDEF0123456789ABCDEF0123456789ABCDEF01', '--options', 'runtime', '--timestamp', '--entitlements', '/e.plist', '/a/b']);
    expect(notaryAuthArgs({ kind: 'appleId', appleId: { appleId: 'ci@example.com', teamId: TEAM, password: 'pw', passwordEnv: 'ASP' } })).toEqual(['--apple-id', 'ci@example.com', '--team-id', TEAM, '--password', 'pw']);
  });

  it('submits a given .dmg and staples it, and can skip signing or notarizing', () => {
    const dir = tempDir();
    macApp(dir);
    writeFileIn(join(dir, 'Example.dmg'), 'dmg');
    const o = normalizeSignMacosOptions({ app: 'Example.app', sign: false, notarizeFile: 'Example.dmg', appleId: 'ci@example.com', teamId: TEAM, appSpecificPasswordEnv: 'ASP' }, dir, env);
    const { plan } = signMacosPlan(o, { workDir: '/tmp/w' });
    expect(runs(plan.steps).map((s) => [s.file, ...s.args].join(' '))).toEqual([
      `xcrun stapler staple ${join(dir, 'Example.dmg')}`,
      `xcrun stapler validate ${join(dir, 'Example.dmg')}`,
      `spctl --assess --type execute --verbose ${join(dir, 'Example.app')}`,
    ]);
    const signOnly = signMacosPlan(normalizeSignMacosOptions({ app: 'Example.app', identity: IDENTITY, notarize: false }, dir, {}));
    expect(runs(signOnly.plan.steps).map((s) => s.args[0])).toEqual(['--force', '--verify']);
    expect(signOnly.plan.steps.some((s) => s.kind === 'cleanup')).toBe(false);
  });

  it('shows the rule when the app is not built yet, and masks the app-specific password, p12 and keychain passwords in the dry run', () => {
    const dir = tempDir();
    const o = normalizeSignMacosOptions({ app: 'dist/Later.app', identity: IDENTITY, appleId: 'ci@example.com', teamId: TEAM, appSpecificPasswordEnv: 'ASP', signingCertEnv: 'P12', signingPasswordEnv: 'P12_PW' }, dir, env);
    const { plan, secrets } = signMacosPlan(o);
    const r = new Redactor(secrets);
    const text = formatPlan(plan, r) + JSON.stringify(planToJson(plan, r));
    expect(text).toContain('does not exist yet: its nested code is listed when this step runs');
    expect(text).toContain("--password '***'");
    expect(secrets).toEqual(expect.arrayContaining([env.ASP, env.P12, env.P12_PW]));
    for (const s of secrets) expect(text).not.toContain(s);
  });
});

describe('notarytool output', () => {
  it('reads the last submission object and the log issues', () => {
    const sub = parseNotarySubmission('{"id":"1b2c","path":"/x.zip","message":"Successfully uploaded file"}\n{"id":"1b2c","message":"Processing complete","name":"x.zip","status":"Invalid"}\n');
    expect(sub).toEqual({ id: '1b2c', status: 'Invalid', message: 'Processing complete', name: 'x.zip' });
    const log = parseNotaryLog(JSON.stringify({ status: 'Invalid', statusSummary: 'Archive contains critical validation errors', issues: [{ severity: 'error', path: 'x.zip/X.app/Contents/MacOS/X', message: 'The signature does not include a secure timestamp.', architecture: 'arm64' }] }));
    expect(formatNotaryFailure(sub, log)).toBe('notarization 1b2c finished with status Invalid: Archive contains critical validation errors\n  - error: x.zip/X.app/Contents/MacOS/X [arm64]: The signature does not include a secure timestamp.');
    expect(() => parseNotarySubmission('Error: HTTP status code: 401. Unable to authenticate.')).toThrow(/printed no submission result/);
  });
});

describe('every bad sign-macos option is a UserError naming it', () => {
  const dir = tempDir();
  macApp(dir);
  writeFileIn(join(dir, 'not-an-app'), 'x');
  writeFileIn(join(dir, 'e.plist'), plist.build({}));
  const ok = { app: 'Example.app', identity: IDENTITY, ...apiKey };
  it.each([
    [{}, 'app', /is required/],
    [{ ...ok, app: 'Example' }, 'app', /not a .app bundle/],
    [{ ...ok, identity: undefined }, 'identity', /is required to sign/],
    [{ ...ok, sign: 'yes' }, 'sign', /true or false/],
    [{ ...ok, entitlements: ['e.plist'] }, 'entitlements', /must be a map/],
    [{ ...ok, entitlements: { '.': 'missing.plist' } }, 'entitlements', /does not exist/],
    [{ ...ok, entitlements: { '../x': 'e.plist' } }, 'entitlements', /not a path inside the app/],
    [{ ...ok, entitlements: { 'Contents/Helpers/Nope.app': 'e.plist' } }, 'entitlements', /"Contents\/Helpers\/Nope.app" is not nested code.*Nested code found: .*Sparkle.framework/],
    [{ ...ok, entitlements: { '.': 5 } }, 'entitlements', /plist path or a map/],
    [{ ...ok, sign: false, entitlements: { '.': 'e.plist' } }, 'entitlements', /sign is false/],
    [{ ...ok, notarize: 'no' }, 'notarize', /true or false/],
    [{ ...ok, notarizeFile: 'x.tar' }, 'notarizeFile', /not a .dmg, .pkg or .zip/],
    [{ ...ok, notarize: false, notarizeFile: 'x.dmg' }, 'notarizeFile', /notarize is false/],
    [{ ...ok, notarizeTimeout: -1 }, 'notarizeTimeout', /-1 is not a duration/],
    [{ ...ok, notarizeTimeout: '0s' }, 'notarizeTimeout', /"0s" is shorter than 1s/],
    [{ app: 'Example.app', identity: IDENTITY }, 'apiKey', /notarization needs credentials/],
    [{ ...ok, appleId: 'ci@example.com', teamId: TEAM, appSpecificPasswordEnv: 'ASP' }, 'appleId', /both an API key and appleId/],
    [{ app: 'Example.app', identity: IDENTITY, appleId: 'ci@example.com', appSpecificPasswordEnv: 'ASP' }, 'teamId', /is required with appleId/],
    [{ app: 'Example.app', identity: IDENTITY, appleId: 'ci@example.com', teamId: 'x', appSpecificPasswordEnv: 'ASP' }, 'teamId', /not a team ID/],
    [{ app: 'Example.app', identity: IDENTITY, appleId: 'ci@example.com', teamId: TEAM, appSpecificPasswordEnv: 'MISSING' }, 'appSpecificPasswordEnv', /MISSING is not set/],
    [{ ...ok, teamId: TEAM }, 'teamId', /set but appleId is not/],
    [{ ...ok, signingCertEnv: 'MISSING' }, 'signingCertEnv', /MISSING is not set/],
    [{ ...ok, apiKeyEnv: 'MISSING' }, 'apiKeyEnv', /MISSING is not set/],
  ])('%j → %s', (opts, option, message) => {
    let err: unknown;
    try {
      normalizeSignMacosOptions(opts as never, dir, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).option).toBe(option);
    expect((err as UserError).message).toMatch(message);
    for (const s of Object.values(env)) expect((err as UserError).message).not.toContain(s);
  });

  it('rejects an app path that is a file', () => {
    expect(() => normalizeSignMacosOptions({ ...ok, app: 'not-an-app' }, dir, env)).toThrow(expect.objectContaining({ option: 'app' }));
    writeFileIn(join(dir, 'File.app'), 'x');
    expect(() => normalizeSignMacosOptions({ ...ok, app: 'File.app' }, dir, env)).toThrow(expect.objectContaining({ option: 'app', message: expect.stringMatching(/is not a folder/) }));
  });
});
