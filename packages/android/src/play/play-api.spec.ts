import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { memoryLogger, runPlan, RunReport } from '@shipfleet/core';
import { PlayApiStandIn, startPlayApi } from '../../../../tools/play-api/server';
import { makeAab, makeApk, tempDir, writeFiles } from './__fixtures__/artefacts';
import { buildPlayPlan, CHUNK_GRANULARITY, PlayOptions, PlayRunResult, resolvePlayOptions } from './index';

const PKG = 'com.acme.app';

interface Run {
  report: RunReport;
  out: string;
  result: PlayRunResult;
  planJson: string;
}

describe('Play publishing against the Play API stand-in', () => {
  const t = tempDir('shipfleet-play-api-');
  let play: PlayApiStandIn;
  let keyJson: string;
  const outputs: string[] = [];
  afterAll(() => t.cleanup());
  beforeEach(async () => {
    play = await startPlayApi();
    keyJson = JSON.stringify(play.serviceAccountKey());
  });
  afterEach(async () => {
    await play.close();
  });

  /** Resolves the options as the executor does and runs the plan; every output is kept for the secret check. */
  async function publish(given: Partial<PlayOptions>, env: NodeJS.ProcessEnv = { PLAY_SERVICE_ACCOUNT_JSON: keyJson }): Promise<Run> {
    const r = resolvePlayOptions({ packageName: PKG, apiUrl: play.url, tokenUrl: play.tokenUrl, ...given }, { projectRoot: 'apps/mobile', workspaceRoot: t.dir, env: { METADATA_SERVER_DETECTION: 'none', ...env } });
    const p = buildPlayPlan(r.options, r.credentials, { retry: { delayMs: 5, maxDelayMs: 50 }, progressIntervalMs: 0 });
    const mem = memoryLogger();
    const planJson = join(t.dir, `plan-${outputs.length}.json`);
    const logFile = join(t.dir, `log-${outputs.length}.txt`);
    const report = await runPlan(p.plan, { secrets: r.secrets, logger: mem.logger, planJson, logFile, handleSignals: false, stepSummaryFile: join(t.dir, 'summary.md') });
    const all = [mem.text(), JSON.stringify(report), readFileSync(planJson, 'utf8'), readFileSync(logFile, 'utf8')].join('\n');
    outputs.push(all);
    expectNoSecret(all);
    return { report, out: mem.text(), result: p.result, planJson: readFileSync(planJson, 'utf8') };
  }

  function expectNoSecret(text: string): void {
    const key = JSON.parse(keyJson) as Record<string, string>;
    const keyLines = key.private_key.split('\n').filter((l) => l.length >= 20);
    for (const secret of [keyJson, key.private_key, ...keyLines, ...play.accessTokens, play.oidcToken]) expect(text).not.toContain(secret);
  }

  const ok = (r: Run) => {
    if (r.report.status !== 'succeeded') throw new Error(`run failed: ${r.report.error}\n${r.out}`);
    return r;
  };
  const app = () => play.app(PKG);
  const calls = (method: string, pattern: RegExp) => play.requests.filter((q) => q.method === method && pattern.test(q.path));

  it('uploads a bundle to internal with fastlane notes, in one edit, and a run again skips the upload', async () => {
    const aab = makeAab(t.dir, 'first.aab', 12);
    writeFiles(t.dir, { 'apps/mobile/fastlane/metadata/android/en-US/changelogs/12.txt': 'Faster sync\n', 'apps/mobile/fastlane/metadata/android/de-DE/changelogs/default.txt': 'Fehlerbehebungen\n' });
    const first = ok(await publish({ artifact: aab }));
    expect(app().bundles.map((b) => b.versionCode)).toEqual([12]);
    expect(app().tracks.internal.releases).toEqual([{ versionCodes: ['12'], status: 'completed', releaseNotes: [{ language: 'de-DE', text: 'Fehlerbehebungen' }, { language: 'en-US', text: 'Faster sync' }] }]);
    expect(app().commits).toBe(1);
    expect(first.result).toMatchObject({ committed: true, versionCode: 12, editsOpened: 1 });
    expect(first.report.outputs).toMatchObject({ playVersionCode: '12', playTrack: 'internal', playReleaseStatus: 'completed' });
    expect(calls('DELETE', /edits\//)).toHaveLength(0);

    const again = ok(await publish({ artifact: aab, track: 'beta', releaseName: 'Spring' }));
    expect(again.out).toMatch(/this bundle is already in Play \(same SHA-256 [0-9a-f]{16}…, version code 12\): not uploaded again/);
    expect(again.result.uploadSkipped).toBe(true);
    expect(calls('POST', /\/upload\//)).toHaveLength(1); // the first run's bundle only
    expect(app().tracks.beta.releases).toEqual([expect.objectContaining({ name: 'Spring', versionCodes: ['12'], status: 'completed' })]);
  });

  it('uploads an APK made with aapt, and a large bundle in resumable chunks that resume after 5xx answers and a 429', async () => {
    const apk = makeApk(t.dir, 'app.apk', 3);
    ok(await publish({ artifact: apk, track: 'alpha' }));
    expect(app().apks.map((a) => a.versionCode)).toEqual([3]);

    const big = makeAab(t.dir, 'big.aab', 20, CHUNK_GRANULARITY * 3);
    play.setFaults({ chunkServerErrors: 2, tooManyRequests: 1 });
    const r = ok(await publish({ artifact: big, chunkSize: '256KiB', track: 'production', userFraction: 0.1 }));
    expect(r.out).toMatch(/retrying in/);
    expect(r.out).toMatch(/the chunk at byte \d+ failed \(503 Service temporarily unavailable/);
    expect(r.out).toMatch(/resuming at byte \d+/);
    expect(r.out).toMatch(/\(100%\)/);
    expect(play.requests.some((q) => q.status === 429)).toBe(true);
    expect(app().bundles.map((b) => b.versionCode)).toEqual([20]);
    expect(app().tracks.production.releases).toEqual([expect.objectContaining({ versionCodes: ['20'], status: 'inProgress', userFraction: 0.1 })]);
  });

  it('promotes to production at 5 %, rolls out 25 → 50, halts, resumes and completes', async () => {
    ok(await publish({ artifact: makeAab(t.dir, 'p.aab', 30), releaseNotes: { 'en-US': 'New look' } }));
    ok(await publish({ action: 'promote', fromTrack: 'internal', track: 'production', userFraction: 0.05 }));
    expect(app().tracks.production.releases).toEqual([{ versionCodes: ['30'], status: 'inProgress', userFraction: 0.05, releaseNotes: [{ language: 'en-US', text: 'New look' }] }]);
    for (const f of [0.25, 0.5]) {
      ok(await publish({ action: 'rollout', track: 'production', userFraction: f }));
      expect(app().tracks.production.releases).toEqual([expect.objectContaining({ status: 'inProgress', userFraction: f })]);
    }
    ok(await publish({ action: 'halt', track: 'production' }));
    expect(app().tracks.production.releases).toEqual([expect.objectContaining({ status: 'halted', userFraction: 0.5 })]);
    const badRollout = await publish({ action: 'rollout', track: 'production', userFraction: 0.6 });
    expect(badRollout.report.error).toMatch(/is halted .*resume it first/);
    ok(await publish({ action: 'resume', track: 'production' }));
    expect(app().tracks.production.releases).toEqual([expect.objectContaining({ status: 'inProgress', userFraction: 0.5 })]);
    ok(await publish({ action: 'complete', track: 'production' }));
    expect(app().tracks.production.releases).toEqual([{ versionCodes: ['30'], status: 'completed', releaseNotes: [{ language: 'en-US', text: 'New look' }] }]);
    expect(app().commits).toBe(7);
    // The failed rollout's edit was deleted.
    expect(calls('DELETE', /edits\/\d+$/)).toHaveLength(1);
  });

  it('another file with a used version code is a clear error; the edit is deleted and nothing committed', async () => {
    ok(await publish({ artifact: makeAab(t.dir, 'v40.aab', 40) }));
    const other = makeAab(t.dir, 'v40-other.aab', 40, 10);
    const r = await publish({ artifact: other, track: 'beta' });
    expect(r.report.status).toBe('failed');
    expect(r.report.error).toMatch(/Upload v40-other\.aab.*Version code 40 has already been used.*not this file.*bump versionCode/);
    expect(calls('DELETE', /edits\/\d+$/)).toHaveLength(1);
    expect(app().commits).toBe(1);
    expect(app().tracks.beta.releases).toEqual([]);
  });

  it('commits with changesNotSentForReview when Play asks for it, and without when Play says it must not be set', async () => {
    app().review = 'manual';
    const manual = ok(await publish({ artifact: makeAab(t.dir, 'r1.aab', 50) }));
    expect(manual.out).toMatch(/Play refused the commit: "Changes cannot be sent for review automatically.*"; committing again with changesNotSentForReview=true/);
    expect(manual.result.changesNotSentForReview).toBe(true);
    app().review = 'automatic';
    const automatic = ok(await publish({ action: 'promote', fromTrack: 'internal', track: 'beta', changesNotSentForReview: true }));
    expect(automatic.out).toMatch(/"Changes are sent for review automatically\. The query parameter changesNotSentForReview must not be set\."; committing again without changesNotSentForReview \(the option said true; Play decides/);
    expect(automatic.result.changesNotSentForReview).toBe(false);
    expect(app().commits).toBe(2);
  });

  it('when Play discards the edit on refusing it, the whole edit is done again on a fresh one', async () => {
    app().review = 'manual';
    play.setFaults({ discardEditOnReviewError: true });
    const r = ok(await publish({ artifact: makeAab(t.dir, 'd.aab', 60), mapping: undefined }));
    expect(r.out).toMatch(/Play discarded edit \d+ when it refused it; doing the whole edit again on a fresh one/);
    expect(r.result.editsOpened).toBe(2);
    expect(calls('POST', /\/edits$/)).toHaveLength(2);
    expect(app().tracks.internal.releases).toEqual([expect.objectContaining({ versionCodes: ['60'] })]);
    expect(app().commits).toBe(1);
  });

  it('when Play refuses both ways, the run fails clearly and deletes the edit', async () => {
    app().review = 'manual';
    play.setFaults({ flipReviewAfterRefusal: true });
    const r = await publish({ artifact: makeAab(t.dir, 'f.aab', 70) });
    expect(r.report.error).toMatch(/Commit the edit.*Play refused the commit without changesNotSentForReview \("Changes cannot be sent.*"\) and then with it too \("Changes are sent for review automatically.*"\); nothing was committed/);
    expect(calls('DELETE', /edits\/\d+$/)).toHaveLength(1);
    expect(app().commits).toBe(0);
  });

  it.each(['upload', 'tracks'] as const)('an edit deleted under the run (after %s) is a clear error, and nothing is half applied', async (after) => {
    play.setFaults({ deleteEditAfter: after });
    const r = await publish({ artifact: makeAab(t.dir, `gone-${after}.aab`, 80) });
    expect(r.report.status).toBe('failed');
    expect(r.report.error).toMatch(/This Edit has been deleted\. Play no longer has edit \d+ .*nothing was committed — run again/);
    expect(r.out).toMatch(/edit \d+ was already gone: nothing of it was committed/);
    expect(app().commits).toBe(0);
    expect(app().bundles).toEqual([]);
    expect(app().tracks.internal.releases).toEqual([]);
  });

  it('a 403 says which permission the failing step needs', async () => {
    play.setFaults({ forbidden: '/edits' });
    const insert = await publish({ artifact: makeAab(t.dir, 'x.aab', 90) });
    expect(insert.report.error).toMatch(/Open an edit \(edits\.insert\).*403.*The caller does not have permission.*invite the service account in Play Console/);
    play.setFaults({ forbidden: '/upload/' });
    const upload = await publish({ artifact: makeAab(t.dir, 'y.aab', 91), track: 'production' });
    expect(upload.report.error).toMatch(/Upload y\.aab.*403.*"Release to production, exclude devices, and use Play App Signing" permission/);
    play.setFaults({ forbidden: '/tracks/beta' });
    const track = await publish({ artifact: makeAab(t.dir, 'z.aab', 92), track: 'beta' });
    expect(track.report.error).toMatch(/Set the release on track beta.*403/);
    expect(calls('DELETE', /edits\/\d+$/).length).toBeGreaterThanOrEqual(2);
    expect(app().commits).toBe(0);
  });

  it('release notes over 500 characters stop the run before any request', async () => {
    writeFiles(t.dir, { 'long/en-US/changelogs/default.txt': 'x'.repeat(501) });
    const r = await publish({ artifact: makeAab(t.dir, 'n.aab', 95), metadataDir: 'long' });
    expect(r.report.error).toMatch(/en-US release notes in .*default\.txt have 501 characters; Play takes at most 500/);
    expect(play.requests).toHaveLength(0);
  });

  it('authenticates through workload identity federation (external_account, STS), from the variable or a file', async () => {
    const tokenFile = join(t.dir, 'oidc-token');
    writeFileSync(tokenFile, play.oidcToken);
    const config = JSON.stringify(play.externalAccountConfig(tokenFile));
    const r = ok(await publish({ artifact: makeAab(t.dir, 'wif.aab', 100), serviceAccountKeyEnv: 'PLAY_WIF' }, { PLAY_WIF: config }));
    expect(r.planJson).toContain('workload identity federation');
    expect(play.requests.some((q) => q.path === '/v1/token')).toBe(true);
    expect(play.requests.some((q) => q.path === '/token')).toBe(false);
    writeFileSync(join(t.dir, 'wif.json'), config);
    ok(await publish({ action: 'promote', fromTrack: 'internal', track: 'beta', credentialsFile: 'wif.json' }, {}));
    expect(app().tracks.beta.releases).toEqual([expect.objectContaining({ versionCodes: ['100'] })]);
  });

  it('a wrong key is refused by the token endpoint with a clear error', async () => {
    const key = JSON.parse(keyJson);
    const other = await startPlayApi();
    try {
      const foreign = JSON.stringify({ ...other.serviceAccountKey(), client_email: key.client_email });
      const r = await publish({ artifact: makeAab(t.dir, 'k.aab', 110) }, { PLAY_SERVICE_ACCOUNT_JSON: foreign });
      expect(r.report.error).toMatch(/Get an access token.*could not get an access token .* from \$PLAY_SERVICE_ACCOUNT_JSON: .*invalid_grant/);
      expect(r.out).not.toContain(JSON.parse(foreign).private_key.split('\n')[1]);
    } finally {
      await other.close();
    }
  });

  it('no secret reached any output of any run', () => {
    expect(outputs.length).toBeGreaterThan(10);
  });
});
