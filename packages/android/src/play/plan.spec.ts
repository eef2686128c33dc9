import { readFileSync } from 'fs';
import { join } from 'path';
import { memoryLogger, runPlan } from '@shipfleet/core';
import { fakeServiceAccountKey, makeAab, tempDir, writeFiles } from './__fixtures__/artefacts';
import { buildPlayPlan, resolvePlayOptions } from './index';

const t = tempDir('shipfleet-play-plan-');
afterAll(() => t.cleanup());
const aab = makeAab(t.dir, 'app-release.aab', 12);
const big = makeAab(t.dir, 'big.aab', 13, 300 * 1024);
const key = fakeServiceAccountKey();
writeFiles(t.dir, { 'mapping.txt': 'com.acme.App -> a:\n' });

function plan(given: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const warnings: string[] = [];
  const r = resolvePlayOptions({ packageName: 'com.acme.app', ...given }, { projectRoot: 'apps/mobile', workspaceRoot: t.dir, env: { METADATA_SERVER_DETECTION: 'none', ...env }, warn: (m) => warnings.push(m) });
  return { ...buildPlayPlan(r.options, r.credentials), warnings, secrets: r.secrets };
}

describe('the Play plan as a dry run shows it', () => {
  it('lists every call of the edit flow, and no secret', async () => {
    const p = plan({ artifact: big, chunkSize: '256KiB', track: 'production', userFraction: 0.05, mapping: 'mapping.txt' }, { PLAY_SERVICE_ACCOUNT_JSON: key.json });
    const mem = memoryLogger();
    const planJson = join(t.dir, 'plan.json');
    const report = await runPlan(p.plan, { secrets: p.secrets, dryRun: true, planJson, logger: mem.logger, printSummary: false, handleSignals: false });
    expect(report.status).toBe('dry-run');
    const out = mem.text();
    for (const call of [
      'POST https://androidpublisher.googleapis.com/androidpublisher/v3/applications/com.acme.app/edits',
      'GET https://androidpublisher.googleapis.com/androidpublisher/v3/applications/com.acme.app/edits/{editId}/bundles',
      'POST https://androidpublisher.googleapis.com/upload/androidpublisher/v3/applications/com.acme.app/edits/{editId}/bundles?uploadType=resumable and PUT chunks of 256 KiB',
      'deobfuscationFiles/{proguard|nativeCode}',
      'PUT it with a release {versionCodes: [the uploaded one]',
      'status: inProgress, userFraction: 0.05',
      'POST https://androidpublisher.googleapis.com/androidpublisher/v3/applications/com.acme.app/edits/{editId}:validate',
      ':commit without changesNotSentForReview; if Play answers',
      'DELETE https://androidpublisher.googleapis.com/androidpublisher/v3/applications/com.acme.app/edits/{editId}',
      'service account publisher@acme-ci.iam.gserviceaccount.com',
    ]) expect(out).toContain(call);
    const json = readFileSync(planJson, 'utf8');
    for (const secret of [key.json, key.privateKey, ...key.privateKey.split('\n').filter((l) => l.length > 20)]) {
      expect(out).not.toContain(secret);
      expect(json).not.toContain(secret);
    }
  });

  it('needs no credentials to show the plan; a real run then fails clearly before any request', async () => {
    const p = plan({ artifact: aab }, {});
    expect(p.plan.steps.map((s) => (s.kind === 'task' ? s.description : '')).join('\n')).toContain('bundles?uploadType=media (the file fits in one chunk of 8.0 MiB)');
    expect(p.warnings.join('\n')).toMatch(/PLAY_SERVICE_ACCOUNT_JSON is not set/);
    const dry = memoryLogger();
    expect((await runPlan(p.plan, { dryRun: true, logger: dry.logger, printSummary: false, handleSignals: false })).status).toBe('dry-run');
    expect(dry.text()).toContain('<PLAY_SERVICE_ACCOUNT_JSON not set>');
    const real = memoryLogger();
    const report = await runPlan(p.plan, { logger: real.logger, printSummary: false, handleSignals: false });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/Get an access token.*no Google credentials: PLAY_SERVICE_ACCOUNT_JSON is not set/);
    expect(report.steps.map((s) => s.status)).toEqual(['succeeded', 'failed']);
  });

  it('promote, rollout, halt, resume and complete build nothing and name their change', async () => {
    const env = { PLAY_SERVICE_ACCOUNT_JSON: key.json };
    expect(plan({ action: 'promote', fromTrack: 'internal', track: 'production', userFraction: 0.05 }, env).plan.title).toBe('Promote com.acme.app on Play from internal to production (inProgress 5 %)');
    expect(plan({ action: 'rollout', track: 'production', userFraction: 0.25 }, env).plan.title).toBe('Roll out com.acme.app on Play track production to 25 %');
    for (const action of ['halt', 'resume', 'complete']) {
      const titles = plan({ action, track: 'wear:production' }, env).plan.steps.map((s) => s.title);
      expect(titles).toEqual(['Get an access token for the Google Play Developer API', 'Open an edit (edits.insert)', 'Delete the edit unless it was committed (edits.delete)', `${action[0].toUpperCase()}${action.slice(1)} the release on track wear:production (edits.tracks.update)`, 'Validate the edit (edits.validate)', 'Commit the edit (edits.commit)']);
    }
  });
});
