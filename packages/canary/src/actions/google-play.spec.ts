import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, runPlan, thrownUserError } from '@shipfleet/core';
import { buildPlayPlan, resolvePlayOptions } from '@shipfleet/android';
import { PlayApiStandIn, startPlayApi } from '../../../../tools/play-api/server';
import { makeAab } from '../../../android/src/play/__fixtures__/artefacts';
import { ActionContext } from './action';
import { googlePlayActionType } from './google-play-options';
import { trafficActionType } from './registry';

const PKG = 'com.acme.app';

describe('google-play action: a Play staged rollout as the canary\'s traffic', () => {
  let play: PlayApiStandIn;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const masked: string[] = [];
  const lines: string[] = [];
  const ctx: ActionContext = {
    log: (l) => lines.push(l),
    addSecret: (v) => masked.push(v),
    signal: new AbortController().signal,
    exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
  };
  const parseCtx = () => ({ workspaceRoot: dir, projectRoot: dir, env, warn: () => undefined });

  beforeAll(async () => {
    play = await startPlayApi();
    dir = mkdtempSync(join(tmpdir(), 'shipfleet-canary-play-'));
    env = { PLAY_SERVICE_ACCOUNT_JSON: JSON.stringify(play.serviceAccountKey()), METADATA_SERVER_DETECTION: 'none' };
  });
  afterAll(async () => {
    await play.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function stage(versionCode: number): Promise<void> {
    const r = resolvePlayOptions({ packageName: PKG, artifact: makeAab(dir, `v${versionCode}.aab`, versionCode), track: 'production', userFraction: 0.05, apiUrl: play.url, tokenUrl: play.tokenUrl }, { projectRoot: dir, workspaceRoot: dir, env });
    const report = await runPlan(buildPlayPlan(r.options, r.credentials).plan, { secrets: r.secrets, logger: memoryLogger().logger, handleSignals: false, printSummary: false });
    expect(report.status).toBe('succeeded');
  }

  const production = () => play.app(PKG).tracks.production.releases;

  it('is registered, and its options are checked', () => {
    expect(trafficActionType('google-play')).toBe(googlePlayActionType);
    expect(thrownUserError(() => googlePlayActionType.parse({ type: 'google-play' }, parseCtx())).option).toBe('action.packageName');
    expect(thrownUserError(() => googlePlayActionType.parse({ type: 'google-play', packageName: PKG, track: 'prod uction' }, parseCtx())).option).toBe('action.track');
    expect(thrownUserError(() => googlePlayActionType.parse({ type: 'google-play', packageName: PKG, apiUrl: 'http://play.example.com' }, parseCtx())).option).toBe('action.apiUrl');
    const unset = thrownUserError(() => googlePlayActionType.parse({ type: 'google-play', packageName: PKG, serviceAccountKeyEnv: 'NOT_SET' }, parseCtx()));
    expect(unset.message).toMatch(/NOT_SET is not set/);
    expect(googlePlayActionType.parse({ type: 'google-play', packageName: PKG }, parseCtx())).toEqual({ type: 'google-play', packageName: PKG, track: 'production', apiUrl: 'https://androidpublisher.googleapis.com', tokenUrl: 'https://oauth2.googleapis.com/token' });
  });

  it('sets the weight as userFraction, promotes by completing, and rolls back by halting', async () => {
    await stage(5);
    const spec = googlePlayActionType.parse({ type: 'google-play', packageName: PKG, apiUrl: play.url, tokenUrl: play.tokenUrl }, parseCtx());
    const { action, secrets } = googlePlayActionType.create(spec, { canary: 'app', env });
    expect(secrets).toContain(env.PLAY_SERVICE_ACCOUNT_JSON);
    expect(action.describe('setWeight', 25)).toBe(`one edit of ${PKG} (edits.insert, edits.tracks.get/update, edits.validate, edits.commit) at ${play.url}: the in-progress release of track production gets userFraction 0.25`);
    expect(action.describe('rollback', 0)).toMatch(/becomes halted \(Play cannot take an update back from users who already have it; halting stops further distribution\)/);

    await action.setWeight(25, ctx);
    expect(production()).toEqual([expect.objectContaining({ versionCodes: ['5'], status: 'inProgress', userFraction: 0.25 })]);
    await action.setWeight(50, ctx);
    expect(production()).toEqual([expect.objectContaining({ status: 'inProgress', userFraction: 0.5 })]);
    // The last step's weight of 100 completes the release; the promote that follows has nothing left to do.
    await action.setWeight(100, ctx);
    expect(production()).toEqual([expect.objectContaining({ versionCodes: ['5'], status: 'completed' })]);
    const commits = play.app(PKG).commits;
    await action.promote(ctx);
    expect(play.app(PKG).commits).toBe(commits);
    expect(lines.join('\n')).toContain('is already completed');

    await stage(6);
    await action.setWeight(10, ctx);
    await action.rollback(ctx);
    expect(production()).toEqual([expect.objectContaining({ versionCodes: ['5'], status: 'completed' }), expect.objectContaining({ versionCodes: ['6'], status: 'halted', userFraction: 0.1 })]);
    expect(lines.join('\n')).toContain('rollback on Google Play halts the release: Play cannot take an update back from users who already have it; halting stops further distribution');
    // A rollback again: already halted, nothing more to stop (and the edit it opened is deleted).
    await action.rollback(ctx);
    expect(lines.join('\n')).toMatch(/already halted/);
    expect(play.app(PKG).commits).toBe(7);
    // The action's access token (one, cached across moves) was handed to the run's masking.
    expect(masked).toHaveLength(1);
    expect(play.accessTokens).toContain(masked[0]);
  });

  it('fails clearly when the track has no release in progress, without committing anything', async () => {
    const spec = googlePlayActionType.parse({ type: 'google-play', packageName: PKG, track: 'beta', apiUrl: play.url, tokenUrl: play.tokenUrl }, parseCtx());
    const { action } = googlePlayActionType.create(spec, { canary: 'app', env });
    const commits = play.app(PKG).commits;
    await expect(action.setWeight(20, ctx)).rejects.toThrow(/track beta has no release in progress/);
    expect(play.app(PKG).commits).toBe(commits);
  });
});
