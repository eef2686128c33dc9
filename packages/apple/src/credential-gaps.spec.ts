import { formatPlan, Redactor, thrownUserError } from '@shipfleet/core';
import { deployIosPlan, normalizeDeployIosOptions, normalizeSignMacosOptions, signMacosPlan, buildIosPlan, normalizeBuildIosOptions } from './index';
import { fakeP12, iosProject, ISSUER, KEY_ID, macApp, P8, tempDir } from './__fixtures__/apple-fixtures';

const IDENTITY = 'Developer ID Application: Example Inc (ABCDE12345)';
const shown = (built: { plan: Parameters<typeof formatPlan>[0]; secrets: string[] }) => formatPlan(built.plan, new Redactor(built.secrets));

/** Reads options as a dry run does, collecting its warnings. */
function dryRun() {
  const warnings: string[] = [];
  return { warnings, context: { dryRun: true, warn: (m: string) => warnings.push(m) } };
}

describe('a dry run shows missing credentials instead of refusing; a real run refuses them', () => {
  it('sign-macos without identity or notarization credentials: the plan marks both, with a warning each', () => {
    const dir = tempDir();
    macApp(dir);
    const { warnings, context } = dryRun();
    const text = shown(signMacosPlan(normalizeSignMacosOptions({ app: 'Example.app' }, dir, {}, context), { workDir: '/tmp/w' }));
    expect(text).toContain("codesign --force --sign '<identity not set>' --options runtime --timestamp");
    expect(text).toContain("--key '<apiKey or apiKeyEnv not set>' --key-id '<apiKeyId not set>' --issuer '<apiKeyIssuerId not set>'");
    // Nothing would be written for a key that is not there.
    expect(text).not.toContain('Write the App Store Connect API key');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^Dry run without a credential: Option "identity": is required to sign\..*The plan shows <identity not set>; a real run stops here\.$/);
    expect(warnings[1]).toMatch(/Option "apiKey": notarization needs credentials/);

    const real = thrownUserError(() => normalizeSignMacosOptions({ app: 'Example.app' }, dir, {}, { warn: () => undefined }));
    expect(real.option).toBe('identity');
    const realNoKey = thrownUserError(() => normalizeSignMacosOptions({ app: 'Example.app', identity: IDENTITY }, dir, {}, { warn: () => undefined }));
    expect(realNoKey.option).toBe('apiKey');
  });

  it('sign-macos with apiKeyEnv naming a variable that is not set: <$NAME not set> where the key file goes', () => {
    const dir = tempDir();
    macApp(dir);
    const options = { app: 'Example.app', identity: IDENTITY, apiKeyEnv: 'ASC_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER };
    const { warnings, context } = dryRun();
    const text = shown(signMacosPlan(normalizeSignMacosOptions(options, dir, {}, context), { workDir: '/tmp/w' }));
    expect(text).toContain(`--key '<$ASC_KEY not set>' --key-id ${KEY_ID} --issuer ${ISSUER}`);
    expect(warnings).toEqual([expect.stringContaining('Option "apiKeyEnv": environment variable ASC_KEY is not set')]);
    expect(thrownUserError(() => normalizeSignMacosOptions(options, dir, {}, { warn: () => undefined })).option).toBe('apiKeyEnv');
    // Only a variable that is not set is a gap: a bad value fails a dry run too, without showing it.
    const bad = thrownUserError(() => normalizeSignMacosOptions(options, dir, { ASC_KEY: 'not a key, but long' }, context));
    expect(bad.option).toBe('apiKeyEnv');
    expect(bad.message).not.toContain('not a key, but long');
  });

  it('sign-macos with an Apple ID whose app-specific password is not set: the placeholder is shown, not masked', () => {
    const dir = tempDir();
    macApp(dir);
    const { warnings, context } = dryRun();
    const built = signMacosPlan(normalizeSignMacosOptions({ app: 'Example.app', identity: IDENTITY, appleId: 'dev@example.com', appSpecificPasswordEnv: 'ASP' }, dir, {}, context), { workDir: '/tmp/w' });
    const text = shown(built);
    expect(text).toContain("--apple-id dev@example.com --team-id '<teamId not set>' --password '<$ASP not set>'");
    expect(warnings.map((w) => w.match(/Option "(\w+)"/)?.[1])).toEqual(['appSpecificPasswordEnv', 'teamId']);
    expect(built.secrets).toEqual([]);
  });

  it('deploy-ios without App Store Connect credentials: the build, then the upload with placeholders', () => {
    const root = iosProject();
    const { warnings, context } = dryRun();
    const built = deployIosPlan(normalizeDeployIosOptions({}, root, {}, context), undefined, { workDir: '/tmp/w' });
    const text = shown(built);
    expect(text).toContain('xcodebuild -exportArchive');
    expect(text).toContain("xcrun altool --upload-app -f '<the .ipa exported to");
    expect(text).toContain("-t ios --apiKey '<apiKeyId not set>' --apiIssuer '<apiKeyIssuerId not set>'");
    // The build is shown as it would run: no invented key for xcodebuild.
    expect(text).not.toContain('-authenticationKeyPath');
    expect(warnings).toEqual([expect.stringMatching(/Option "apiKey": deploy-ios needs App Store Connect credentials to upload.*<apiKey or apiKeyEnv not set> \(with <apiKeyId not set> and <apiKeyIssuerId not set>\)/)]);
    expect(thrownUserError(() => normalizeDeployIosOptions({}, root, {}, { warn: () => undefined })).option).toBe('apiKey');
  });

  it('deploy-ios with an Apple ID whose password variable is not set: altool reads @env:NAME, nothing is declared secret', () => {
    const root = iosProject();
    const { context } = dryRun();
    const built = deployIosPlan(normalizeDeployIosOptions({ appleId: 'dev@example.com', appSpecificPasswordEnv: 'ASP' }, root, {}, context), undefined, { workDir: '/tmp/w' });
    expect(shown(built)).toContain('-u dev@example.com -p @env:ASP');
    const upload = built.plan.steps.find((s) => s.kind === 'run' && s.args.includes('--upload-app'));
    expect(upload).toMatchObject({ kind: 'run' });
    expect(upload!.kind === 'run' && upload!.secretEnv).toBeFalsy();
    expect(thrownUserError(() => normalizeDeployIosOptions({ appleId: 'dev@example.com', appSpecificPasswordEnv: 'ASP' }, root, {}, { warn: () => undefined })).option).toBe('appSpecificPasswordEnv');
  });

  it('build-ios with certificate and key variables not set: each marked where its file or password goes', () => {
    const root = iosProject();
    const options = { signingCertEnv: 'IOS_P12', signingPasswordEnv: 'IOS_P12_PW', apiKeyEnv: 'ASC_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER };
    const { warnings, context } = dryRun();
    const text = shown(buildIosPlan(normalizeBuildIosOptions(options, root, {}, context), { workDir: '/tmp/w' }));
    expect(text).toMatch(/security import '<\$IOS_P12 not set>' -k \S+ -P '<\$IOS_P12_PW not set>'/);
    expect(text).not.toContain('Decode the .p12');
    expect(text).toContain("-authenticationKeyPath '<$ASC_KEY not set>'");
    expect(warnings.map((w) => w.match(/Option "(\w+)"/)?.[1])).toEqual(['signingCertEnv', 'signingPasswordEnv', 'apiKeyEnv']);
    expect(thrownUserError(() => normalizeBuildIosOptions(options, root, {}, { warn: () => undefined })).option).toBe('signingCertEnv');
    // With the certificate there and its password missing, a real run names the password.
    expect(thrownUserError(() => normalizeBuildIosOptions(options, root, { IOS_P12: fakeP12().toString('base64'), ASC_KEY: P8 }, { warn: () => undefined })).option).toBe('signingPasswordEnv');
  });

  it('given credentials leave a dry run as it was: masked, no warning', () => {
    const dir = tempDir();
    macApp(dir);
    const { warnings, context } = dryRun();
    const built = signMacosPlan(normalizeSignMacosOptions({ app: 'Example.app', identity: IDENTITY, apiKeyEnv: 'ASC_KEY', apiKeyId: KEY_ID, apiKeyIssuerId: ISSUER }, dir, { ASC_KEY: P8 }, context), { workDir: '/tmp/w' });
    expect(warnings).toEqual([]);
    expect(shown(built)).toContain(`Write the App Store Connect API key ${KEY_ID} (from $ASC_KEY)`);
    expect(shown(built)).not.toContain('not set');
  });
});
