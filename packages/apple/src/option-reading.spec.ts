import { cpSync } from 'fs';
import { join } from 'path';
import { RunStep, UserError } from '@shipfleet/core';
import { buildIosPlan, normalizeBuildIosOptions, normalizeDeployIosOptions, normalizeSignMacosOptions, RENAMED_OPTIONS, withCurrentNames } from './index';
import { fakeP12, iosProject, ISSUER, KEY_ID, macApp, mobileprovision, P8, tempDir, writeFileIn } from './__fixtures__/apple-fixtures';

/** A workspace with the iOS project in apps/ios, and a collector for warnings. */
function workspace() {
  const ws = tempDir('shipfleet-ws-');
  const project = join(ws, 'apps', 'ios');
  cpSync(iosProject(), project, { recursive: true });
  const warnings: string[] = [];
  return { ws, project, warnings, context: { workspaceRoot: ws, warn: (m: string) => void warnings.push(m) } };
}

describe('paths in options are relative to the workspace root', () => {
  it('reads signingCert, apiKey, profiles and outputPath against the workspace root, {projectRoot} allowed, with no warning', () => {
    const { ws, project, warnings, context } = workspace();
    writeFileIn(join(ws, 'certs', 'dist.p12'), fakeP12());
    writeFileIn(join(project, 'keys', `AuthKey_${KEY_ID}.p8`), P8);
    writeFileIn(join(ws, 'certs', 'app.mobileprovision'), mobileprovision({ bundleId: 'com.example.app' }));
    const o = normalizeBuildIosOptions(
      { signingCert: 'certs/dist.p12', apiKey: `{projectRoot}/keys/AuthKey_${KEY_ID}.p8`, apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER, profiles: ['certs/app.mobileprovision'], outputPath: 'dist/apps/ios' },
      project,
      {},
      context,
    );
    expect(o.certificate?.path).toBe(join(ws, 'certs', 'dist.p12'));
    expect(o.apiKey?.label).toBe(join(project, 'keys', `AuthKey_${KEY_ID}.p8`));
    expect(o.profiles.map((p) => p.source)).toEqual([join(ws, 'certs', 'app.mobileprovision')]);
    expect(o.outputPath).toBe(join(ws, 'dist', 'apps', 'ios'));
    expect(o.archivePath).toBe(join(ws, 'dist', 'apps', 'ios', 'App.xcarchive'));
    expect(warnings).toEqual([]);
  });

  it('writes into the project by default, and finds the Xcode project there', () => {
    const { project, warnings, context } = workspace();
    const o = normalizeBuildIosOptions({}, project, {}, context);
    expect(o.outputPath).toBe(join(project, 'build', 'shipfleet'));
    expect(o.container.path).toBe(join(project, 'App.xcodeproj'));
    expect(normalizeBuildIosOptions({ project: 'apps/ios/App.xcodeproj' }, project, {}, context).container.path).toBe(join(project, 'App.xcodeproj'));
    expect(warnings).toEqual([]);
  });

  it('still finds a path written relative to the project root, with a warning giving the path to write', () => {
    const { ws, project, warnings, context } = workspace();
    writeFileIn(join(project, 'dist.p12'), fakeP12());
    const o = normalizeBuildIosOptions({ signingCert: 'dist.p12', project: 'App.xcodeproj' }, project, {}, context);
    expect(o.certificate?.path).toBe(join(project, 'dist.p12'));
    expect(o.container.path).toBe(join(project, 'App.xcodeproj'));
    expect(warnings.sort()).toEqual([
      'Option "project": "App.xcodeproj" is resolved against the project root; write "apps/ios/App.xcodeproj" (paths are relative to the workspace root) — the old reading will be removed',
      'Option "signingCert": "dist.p12" is resolved against the project root; write "apps/ios/dist.p12" (paths are relative to the workspace root) — the old reading will be removed',
    ]);
    expect(o.outputPath).toBe(join(ws, 'apps', 'ios', 'build', 'shipfleet'));
  });

  it('names the workspace-root path when a file is nowhere', () => {
    const { ws, project, context } = workspace();
    expect(() => normalizeBuildIosOptions({ signingCert: 'certs/missing.p12' }, project, {}, context)).toThrow(
      expect.objectContaining({ option: 'signingCert', message: expect.stringContaining(`${join(ws, 'certs', 'missing.p12')} does not exist`) }),
    );
  });

  it('reads sign-macos app, entitlements and notarizeFile against the workspace root', () => {
    const ws = tempDir('shipfleet-ws-');
    const app = macApp(join(ws, 'dist', 'apps', 'mac'));
    writeFileIn(join(ws, 'apps', 'mac', 'App.entitlements'), '<plist><dict/></plist>');
    const warnings: string[] = [];
    const o = normalizeSignMacosOptions(
      { app: 'dist/apps/mac/Example.app', identity: 'Developer ID Application: Example Inc (ABCDE12345)', entitlements: { '.': '{projectRoot}/App.entitlements' }, notarizeFile: 'dist/apps/mac/Example.dmg', apiKeyEnv: 'ASC', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER },
      join(ws, 'apps', 'mac'),
      { ASC: P8 },
      { workspaceRoot: ws, warn: (m) => void warnings.push(m) },
    );
    expect(o.app).toBe(app);
    expect(o.entitlements['.']).toEqual({ file: join(ws, 'apps', 'mac', 'App.entitlements') });
    expect(o.notarizeFile).toBe(join(ws, 'dist', 'apps', 'mac', 'Example.dmg'));
    expect(warnings).toEqual([]);
  });
});

describe('waits are durations', () => {
  it('build-ios timeout: "45m", or a number of seconds, bounds each xcodebuild run', () => {
    const root = iosProject();
    const o = normalizeBuildIosOptions({ timeout: '45m' }, root, {});
    expect(o.timeoutMs).toBe(45 * 60_000);
    const archive = buildIosPlan(o).plan.steps.find((s): s is RunStep => s.kind === 'run' && s.args.at(-1) === 'archive')!;
    expect(archive.timeoutMs).toBe(45 * 60_000);
    expect(normalizeBuildIosOptions({ timeout: 90 }, root, {}).timeoutMs).toBe(90_000);
    expect(normalizeBuildIosOptions({}, root, {}).timeoutMs).toBeUndefined();
  });

  it('sign-macos notarizeTimeout: "1h" by default', () => {
    const dir = tempDir();
    macApp(dir);
    const base = { app: 'Example.app', sign: false, apiKeyEnv: 'ASC', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER };
    expect(normalizeSignMacosOptions(base, dir, { ASC: P8 }).notarizeTimeoutMs).toBe(3_600_000);
    expect(normalizeSignMacosOptions({ ...base, notarizeTimeout: '1h30m' }, dir, { ASC: P8 }).notarizeTimeoutMs).toBe(5_400_000);
  });
});

describe('renamed options keep working, with a warning naming the new name', () => {
  const env = { P12: fakeP12().toString('base64'), PW: 'p12-Pass!word', ASC: P8 };

  it('certificate, certificateEnv, certificatePasswordEnv, apiKeyPath and timeoutSeconds read as before', () => {
    const root = iosProject();
    writeFileIn(join(root, 'keys', 'AuthKey.p8'), P8);
    const warnings: string[] = [];
    const old = normalizeBuildIosOptions(
      { certificateEnv: 'P12', certificatePasswordEnv: 'PW', apiKeyPath: 'keys/AuthKey.p8', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER, timeoutSeconds: 600 },
      root,
      env,
      { warn: (m) => void warnings.push(m) },
    );
    const current = normalizeBuildIosOptions({ signingCertEnv: 'P12', signingPasswordEnv: 'PW', apiKey: 'keys/AuthKey.p8', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER, timeout: 600 }, root, env, { warn: () => undefined });
    expect(old).toEqual(current);
    expect(old.timeoutMs).toBe(600_000);
    expect(warnings).toEqual([
      'Option "certificateEnv" is deprecated: write "signingCertEnv" instead — the old name will be removed',
      'Option "certificatePasswordEnv" is deprecated: write "signingPasswordEnv" instead — the old name will be removed',
      'Option "apiKeyPath" is deprecated: write "apiKey" instead — the old name will be removed',
      'Option "timeoutSeconds" is deprecated: write "timeout" instead — the old name will be removed',
    ]);
  });

  it('a .p12 path given as certificate is read like signingCert; deploy-ios takes the old names too', () => {
    const root = iosProject();
    writeFileIn(join(root, 'dist.p12'), fakeP12());
    const warnings: string[] = [];
    const o = normalizeDeployIosOptions({ certificate: 'dist.p12', apiKeyEnv: 'ASC', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER }, root, env, { warn: (m) => void warnings.push(m) });
    expect(o.build.certificate?.path).toBe(join(root, 'dist.p12'));
    expect(warnings).toEqual([expect.stringMatching(/"certificate" is deprecated: write "signingCert"/)]);
  });

  it('errors in an option given by its old name name the new one, and never show the secret', () => {
    const root = iosProject();
    const quiet = { warn: () => undefined };
    expect(() => normalizeBuildIosOptions({ certificateEnv: 'UNSET' }, root, env, quiet)).toThrow(expect.objectContaining({ option: 'signingCertEnv', message: expect.stringMatching(/UNSET is not set/) }));
    expect(() => normalizeBuildIosOptions({ timeoutSeconds: -5 }, root, env, quiet)).toThrow(expect.objectContaining({ option: 'timeout' }));
    let err: unknown;
    try {
      normalizeBuildIosOptions({ certificateEnv: 'P12', signingCertEnv: 'PW' }, root, env, quiet);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ option: 'certificateEnv', message: expect.stringMatching(/old name of "signingCertEnv", and both are given with different values/) });
    for (const s of Object.values(env)) expect((err as Error).message).not.toContain(s);
  });

  it('notarizeTimeoutSeconds wins over the notarizeTimeout default Nx fills in, not over a value the user wrote', () => {
    const dir = tempDir();
    macApp(dir);
    const base = { app: 'Example.app', sign: false, apiKeyEnv: 'ASC', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER };
    const warnings: string[] = [];
    const o = normalizeSignMacosOptions({ ...base, notarizeTimeout: '1h', notarizeTimeoutSeconds: 600 }, dir, env, { warn: (m) => void warnings.push(m) });
    expect(o.notarizeTimeoutMs).toBe(600_000);
    expect(warnings).toEqual([expect.stringMatching(/"notarizeTimeoutSeconds" is deprecated: write "notarizeTimeout"/)]);
    expect(() => normalizeSignMacosOptions({ ...base, notarizeTimeout: '2h', notarizeTimeoutSeconds: 600 }, dir, env, { warn: () => undefined })).toThrow(
      expect.objectContaining({ option: 'notarizeTimeoutSeconds' }),
    );
  });

  it('moves each old name to its new one and leaves other options as they are', () => {
    const moved = withCurrentNames({ apiKeyPath: 'k.p8', teamId: 'T' } as Record<string, unknown>, () => undefined);
    expect(moved).toEqual({ apiKey: 'k.p8', teamId: 'T' });
    expect(Object.keys(RENAMED_OPTIONS).sort()).toEqual(['apiKeyPath', 'certificate', 'certificateEnv', 'certificatePasswordEnv', 'notarizeTimeoutSeconds', 'timeoutSeconds']);
  });
});
