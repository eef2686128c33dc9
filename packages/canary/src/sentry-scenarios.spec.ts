// Staged rollouts of a mobile release judged by crash-free sessions in Sentry, replayed in
// virtual time against the Sentry stand-in: first with a recording action, then driving the
// real google-play action against the Play API stand-in (a crashing release's staged rollout
// is halted, a healthy one completed).
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { memoryLogger, runPlan } from '@shipfleet/core';
import { buildPlayPlan, resolvePlayOptions } from '@shipfleet/android';
import { REPLAY_START, SCENARIOS } from '../../../tools/prometheus/scenarios';
import { PlayApiStandIn, startPlayApi } from '../../../tools/play-api/server';
import { runSentryScenario, SentryReplay } from '../../../tools/sentry-api/scenarios';
import { SentryApiStandIn, startSentryApi } from '../../../tools/sentry-api/server';
import { makeAab } from '../../android/src/play/__fixtures__/artefacts';

const NAMES = ['healthy', 'error-spike', 'low-traffic', 'shared-outage'];
const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;
const INTERVAL_MS = 60_000;

let sentry: SentryApiStandIn;
const replays = new Map<string, SentryReplay>();

beforeAll(async () => {
  sentry = await startSentryApi({ scenarios: NAMES.map(scenario) });
  await Promise.all(NAMES.map(async (name) => replays.set(name, await runSentryScenario(scenario(name), sentry))));
}, 120_000);
afterAll(async () => {
  await sentry?.close();
});

const replay = (name: string) => replays.get(name)!;
const explain = (r: SentryReplay) => r.log.join('\n');

describe('crash-free sessions from Sentry, replayed with a recording action', () => {
  it('promotes a healthy release through every step without a hold', () => {
    const r = replay('healthy');
    if (r.outcome !== 'promoted') throw new Error(explain(r));
    expect(r.calls.map((c) => `${c.kind} ${c.weight}`)).toEqual(['setWeight 5', 'setWeight 25', 'setWeight 50', 'setWeight 100', 'promote 100']);
    expect(r.timeline.every((e) => e.action !== 'hold')).toBe(true);
    expect(r.timeline[0].decision.metrics[0].canary).toMatchObject({ outcome: 'value', note: expect.stringMatching(/^\d+ sessions$/) });
  });

  it('rolls a crashing release back within two analyses of the crashes starting', () => {
    const r = replay('error-spike');
    if (r.outcome !== 'rolled back') throw new Error(explain(r));
    expect(r.calls[r.calls.length - 1]).toEqual({ kind: 'rollback', weight: 0 });
    const last = r.timeline[r.timeline.length - 1];
    const intervals = (Date.parse(last.at) - (REPLAY_START + scenario('error-spike').regressionAt!) * 1000) / INTERVAL_MS;
    expect(intervals).toBeGreaterThan(0);
    expect(intervals).toBeLessThanOrEqual(2);
    expect(last.decision.verdict).toBe('fail');
    expect(last.reason).toMatch(/crash-free-sessions/);
  });

  it('holds while the release has too few sessions to judge, never failing it, then promotes', () => {
    const r = replay('low-traffic');
    if (r.outcome !== 'promoted') throw new Error(explain(r));
    const holds = r.timeline.filter((e) => e.action === 'hold');
    expect(holds.length).toBeGreaterThan(0);
    for (const e of holds) expect(e.decision.verdict).toBe('nodata');
    expect(r.timeline.some((e) => e.decision.verdict === 'fail')).toBe(false);
    expect(holds[0].reason).toMatch(/too few sessions of release "com\.acme\.low_traffic@2\.0\.0\+200" in the window: \d+ < 50/);
  });

  it('holds on crashes the previous release has too, then promotes', () => {
    const r = replay('shared-outage');
    if (r.outcome !== 'promoted') throw new Error(explain(r));
    expect(r.timeline.some((e) => e.action === 'hold')).toBe(true);
    expect(r.timeline.some((e) => e.decision.verdict === 'fail')).toBe(false);
  });

  it('keeps the auth token out of every line of every run', () => {
    for (const name of NAMES) expect(explain(replay(name))).not.toContain(sentry.token);
    expect(sentry.requests.every((q) => q.authorization === `Bearer ${sentry.token}`)).toBe(true);
  });
});

describe('crash-free sessions from Sentry driving a Google Play staged rollout', () => {
  const PKG = 'com.acme.app';
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipfleet-sentry-play-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The scenario's rollout on a fresh Play stand-in: version 190 completed on
   * production, version 200 staged to 5 %, then the canary run moves it.
   */
  async function rollout(name: string): Promise<{ r: SentryReplay; play: PlayApiStandIn; env: NodeJS.ProcessEnv }> {
    const play = await startPlayApi();
    const env = { PLAY_SERVICE_ACCOUNT_JSON: JSON.stringify(play.serviceAccountKey()), METADATA_SERVER_DETECTION: 'none' };
    try {
      for (const [versionCode, userFraction] of [[190, undefined], [200, 0.05]] as const) {
        const r = resolvePlayOptions(
          { packageName: PKG, artifact: makeAab(dir, `${name}-${versionCode}.aab`, versionCode), track: 'production', ...(userFraction ? { userFraction } : {}), apiUrl: play.url, tokenUrl: play.tokenUrl },
          { projectRoot: dir, workspaceRoot: dir, env },
        );
        const report = await runPlan(buildPlayPlan(r.options, r.credentials).plan, { secrets: r.secrets, logger: memoryLogger().logger, handleSignals: false, printSummary: false });
        expect(report.status).toBe('succeeded');
      }
      const r = await runSentryScenario(scenario(name), sentry, {
        record: false,
        env,
        extra: { action: { type: 'google-play', packageName: PKG, track: 'production', serviceAccountKeyEnv: 'PLAY_SERVICE_ACCOUNT_JSON', apiUrl: play.url, tokenUrl: play.tokenUrl } as never },
      });
      return { r, play, env };
    } finally {
      await play.close();
    }
  }

  const release = (play: PlayApiStandIn, versionCode: string) => play.app(PKG).tracks.production.releases.find((x) => x.versionCodes?.includes(versionCode));

  it('halts the staged rollout of a crashing release', async () => {
    const { r, play, env } = await rollout('error-spike');
    if (r.outcome !== 'rolled back') throw new Error(explain(r));
    expect(release(play, '200')).toMatchObject({ status: 'halted' });
    expect(release(play, '190')).toMatchObject({ status: 'completed' });
    expect(explain(r)).toContain('rollback on Google Play halts the release');
    for (const secret of [sentry.token, ...play.accessTokens, env.PLAY_SERVICE_ACCOUNT_JSON]) expect(explain(r)).not.toContain(secret);
  }, 60_000);

  it('completes the staged rollout of a healthy release', async () => {
    const { r, play } = await rollout('healthy');
    if (r.outcome !== 'promoted') throw new Error(explain(r));
    expect(release(play, '200')).toMatchObject({ status: 'completed' });
    for (const secret of [sentry.token, ...play.accessTokens]) expect(explain(r)).not.toContain(secret);
  }, 60_000);
});
