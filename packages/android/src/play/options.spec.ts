import { join } from 'path';
import { thrownUserError } from '@shipfleet/core';
import { fakeServiceAccountKey, makeAab, tempDir, writeFiles } from './__fixtures__/artefacts';
import { chunkSizeOption, countCharacters, parseTrack, PLAY_DEFAULTS, resolvePlayOptions } from './index';

const t = tempDir('shipfleet-play-options-');
afterAll(() => t.cleanup());
const key = fakeServiceAccountKey();
const env = { PLAY_SERVICE_ACCOUNT_JSON: key.json, METADATA_SERVER_DETECTION: 'none' };
const ctx = { projectRoot: 'apps/mobile', workspaceRoot: t.dir, env };
const aab = makeAab(t.dir, 'app.aab', 7);
writeFiles(t.dir, { 'notes.txt': 'these are not credentials at all', 'cred.json': '{"type": "authorized_user", "client_secret": "abcdefgh12345", "refresh_token": "1//0refreshtoken"}' });
const base = { packageName: 'com.acme.app', artifact: aab };

describe('resolvePlayOptions: every bad option is a UserError naming it', () => {
  it.each([
    [{ artifact: aab }, 'packageName', /is required/],
    [{ ...base, packageName: 'acme' }, 'packageName', /not an Android application id/],
    [{ ...base, packageName: 'com.acme-app' }, 'packageName', /not an Android application id/],
    [{ ...base, action: 'publish' }, 'action', /"publish" is not one of upload, promote, rollout, halt, resume, complete/],
    [{ ...base, track: 'prod uction' }, 'track', /not a Play track/],
    [{ ...base, track: 'watch:production' }, 'track', /not a Play track/],
    [{ ...base, track: 'wear:' }, 'track', /not a Play track/],
    [{ ...base, track: 7 }, 'track', /not a Play track/],
    [{ ...base, status: 'live' }, 'status', /not one of completed, inProgress, draft, halted/],
    [{ ...base, status: 'inProgress' }, 'userFraction', /is required with "status": "inProgress"/],
    [{ ...base, userFraction: 0 }, 'userFraction', /not a number from 0 \(exclusive\) to 1/],
    [{ ...base, userFraction: 1.5 }, 'userFraction', /not a number/],
    [{ ...base, userFraction: '0.1' }, 'userFraction', /not a number/],
    [{ ...base, status: 'completed', userFraction: 0.1 }, 'userFraction', /does not apply to a completed release/],
    [{ ...base, status: 'draft', userFraction: 0.1 }, 'userFraction', /does not apply to a draft release/],
    [{ ...base, inAppUpdatePriority: 6 }, 'inAppUpdatePriority', /not a whole number from 0 to 5/],
    [{ ...base, inAppUpdatePriority: 1.5 }, 'inAppUpdatePriority', /not a whole number/],
    [{ ...base, releaseName: 'x'.repeat(51) }, 'releaseName', /at most 50 characters/],
    [{ ...base, releaseNotes: 'Bug fixes' }, 'releaseNotes', /map of language to text/],
    [{ ...base, releaseNotes: { english: 'Bug fixes' } }, 'releaseNotes', /"english" is not a language code/],
    [{ ...base, releaseNotes: { 'en-US': '' } }, 'releaseNotes', /must be non-empty text/],
    [{ ...base, releaseNotes: { 'en-US': 'é'.repeat(501) } }, 'releaseNotes', /501 characters; Play takes at most 500/],
    [{ ...base, changesNotSentForReview: 'yes' }, 'changesNotSentForReview', /must be true or false/],
    [{ ...base, serviceAccountKeyEnv: 'PLAY-KEY' }, 'serviceAccountKeyEnv', /not an environment variable name/],
    [{ ...base, credentialsFile: 'missing.json' }, 'credentialsFile', /does not exist/],
    [{ ...base, credentialsFile: 'notes.txt' }, 'credentialsFile', /does not hold JSON/],
    [{ ...base, credentialsFile: 'cred.json' }, 'credentialsFile', /credentials of type "authorized_user"/],
    [{ ...base, credentialsFile: 'cred.json', serviceAccountKeyEnv: 'X' }, 'credentialsFile', /both given/],
    [{ ...base, apiUrl: 'http://play.example.com' }, 'apiUrl', /plain http/],
    [{ ...base, apiUrl: 'https://play.example.com/?x=1' }, 'apiUrl', /query or fragment/],
    [{ ...base, tokenUrl: 'ftp://token' }, 'tokenUrl', /not an http\(s\) URL/],
    [{ ...base, chunkSize: 1000 }, 'chunkSize', /not a chunk size/],
    [{ ...base, chunkSize: 300 * 1024 }, 'chunkSize', /not a chunk size/],
    [{ ...base, chunkSize: '8MB' }, 'chunkSize', /not a chunk size/],
    [{ ...base, timeout: 'soon' }, 'timeout', /not a duration/],
    [{ ...base, timeout: '10ms' }, 'timeout', /shorter than/],
    [{ ...base, artifact: 'nowhere.aab' }, 'artifact', /does not exist/],
    [{ ...base, artifact: 'notes.txt' }, 'artifact', /neither an \.aab nor an \.apk/],
    [{ ...base, mapping: 'missing/mapping.txt' }, 'mapping', /does not exist/],
    [{ ...base, nativeSymbols: 'notes.txt' }, 'nativeSymbols', /is not a \.zip/],
    [{ ...base, versionCodes: [42] }, 'versionCodes', /applies to action promote/],
    [{ packageName: 'com.acme.app', action: 'promote', track: 'production' }, 'fromTrack', /required for action promote/],
    [{ packageName: 'com.acme.app', action: 'promote', fromTrack: 'beta', track: 'beta' }, 'fromTrack', /same track/],
    [{ packageName: 'com.acme.app', action: 'promote', fromTrack: 'beta', versionCodes: [0] }, 'versionCodes', /not a version code/],
    [{ packageName: 'com.acme.app', action: 'promote', fromTrack: 'beta', versionCodes: '42' }, 'versionCodes', /must be a list/],
    [{ packageName: 'com.acme.app', action: 'rollout', track: 'production' }, 'userFraction', /required for action rollout/],
    [{ packageName: 'com.acme.app', action: 'rollout', userFraction: 0.2, status: 'halted' }, 'status', /does not apply to action rollout/],
    [{ packageName: 'com.acme.app', action: 'halt', userFraction: 0.2 }, 'userFraction', /does not apply to action halt/],
    [{ packageName: 'com.acme.app', action: 'complete', releaseNotes: { 'en-US': 'x' } }, 'releaseNotes', /does not apply to action complete/],
    [{ packageName: 'com.acme.app', action: 'halt', artifact: aab }, 'artifact', /applies to action upload/],
    [{ packageName: 'com.acme.app', action: 'resume', fromTrack: 'beta' }, 'fromTrack', /applies to action promote/],
  ])('%j → %s', (opts, option, message) => {
    const err = thrownUserError(() => resolvePlayOptions(opts as never, ctx));
    expect(err.option).toBe(option);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(key.privateKey.split('\n')[1]);
  });

  it('a key variable that holds no JSON, or a key without a private key, names the variable and never the value', () => {
    const notJson = thrownUserError(() => resolvePlayOptions(base, { ...ctx, env: { PLAY_SERVICE_ACCOUNT_JSON: 'not-json-but-a-long-secret-value' } }));
    expect(notJson.message).toMatch(/\$PLAY_SERVICE_ACCOUNT_JSON does not hold JSON/);
    expect(notJson.message).not.toContain('not-json-but');
    const noKey = thrownUserError(() => resolvePlayOptions(base, { ...ctx, env: { PLAY_SERVICE_ACCOUNT_JSON: JSON.stringify({ type: 'service_account', client_email: 'a@b.iam.gserviceaccount.com', private_key: 'nope-nope-nope' }) } }));
    expect(noKey.message).toMatch(/has no PEM private_key/);
    const short = thrownUserError(() => resolvePlayOptions(base, { ...ctx, env: { PLAY_SERVICE_ACCOUNT_JSON: '{}' } }));
    expect(short.option).toBe('serviceAccountKeyEnv');
    const external = thrownUserError(() => resolvePlayOptions(base, { ...ctx, env: { PLAY_SERVICE_ACCOUNT_JSON: JSON.stringify({ type: 'external_account', audience: 'a', subject_token_type: 'jwt', token_url: 'https://sts.googleapis.com/v1/token' }) } }));
    expect(external.message).toMatch(/no credential_source file or url/);
  });
});

describe('resolvePlayOptions: what it accepts', () => {
  it('applies the documented defaults', () => {
    const { options, credentials, secrets } = resolvePlayOptions(base, ctx);
    expect(options).toMatchObject({ action: PLAY_DEFAULTS.action, status: 'completed', changesNotSentForReview: PLAY_DEFAULTS.changesNotSentForReview, apiUrl: PLAY_DEFAULTS.apiUrl, tokenUrl: PLAY_DEFAULTS.tokenUrl, chunkSize: PLAY_DEFAULTS.chunkSize, timeoutMs: 120_000 });
    expect(options.track.name).toBe(PLAY_DEFAULTS.track);
    expect(options.metadataDir).toBe(join(t.dir, 'apps/mobile/fastlane/metadata/android'));
    expect(credentials).toMatchObject({ kind: 'service-account', clientEmail: 'publisher@acme-ci.iam.gserviceaccount.com', source: '$PLAY_SERVICE_ACCOUNT_JSON' });
    expect(secrets).toEqual(expect.arrayContaining([key.json, key.privateKey]));
  });

  it('reads the key as base64 too, and masks both forms', () => {
    const b64 = Buffer.from(key.json).toString('base64');
    const r = resolvePlayOptions({ ...base, serviceAccountKeyEnv: 'KEY' }, { ...ctx, env: { KEY: b64 } });
    expect(r.credentials.kind).toBe('service-account');
    expect(r.secrets).toEqual(expect.arrayContaining([b64, key.json, key.privateKey]));
  });

  it('a userFraction alone means a staged rollout; form-factor and custom tracks are taken', () => {
    expect(resolvePlayOptions({ ...base, userFraction: 0.05, track: 'wear:production' }, ctx).options).toMatchObject({ status: 'inProgress', userFraction: 0.05, track: { name: 'wear:production', formFactor: 'wear', production: true } });
    expect(parseTrack('qa-team_1')).toMatchObject({ base: 'qa-team_1', production: false });
    expect(parseTrack('automotive:internal')).toMatchObject({ formFactor: 'automotive', base: 'internal' });
  });

  it('missing credentials are a warning (a dry run still shows the plan), not an error', () => {
    const warnings: string[] = [];
    const { credentials } = resolvePlayOptions(base, { ...ctx, env: { METADATA_SERVER_DETECTION: 'none' }, warn: (m) => warnings.push(m) });
    expect(credentials).toMatchObject({ kind: 'missing', envName: 'PLAY_SERVICE_ACCOUNT_JSON', tryMetadataServer: false });
    expect(warnings.join('\n')).toMatch(/PLAY_SERVICE_ACCOUNT_JSON is not set/);
    const named = resolvePlayOptions({ ...base, serviceAccountKeyEnv: 'MY_KEY' }, { ...ctx, env: {} });
    expect(named.credentials).toMatchObject({ kind: 'missing', envName: 'MY_KEY', tryMetadataServer: false });
  });

  it('reads chunk sizes as bytes or with a unit, and counts characters as code points', () => {
    expect(chunkSizeOption('chunkSize', '512KiB')).toBe(512 * 1024);
    expect(chunkSizeOption('chunkSize', 256 * 1024)).toBe(256 * 1024);
    expect(chunkSizeOption('chunkSize', '8MiB')).toBe(8 * 1024 * 1024);
    expect(countCharacters('a😀é')).toBe(3);
  });
});
