// Release-health histories for the Sentry stand-in, generated from the canary scenario suite:
// each scenario's stable and canary versions become two releases of one mobile app, a tick's
// rps becomes sessions per second and its errorRate the chance that a session crashes.
// Every session is kept (start time, user, crashed) so the server can count sessions, unique
// users and crashed users over any range and interval, as Sentry does.
import { HISTORY_END, HISTORY_START, noiseDraws, RESOLUTION, REPLAY_START, Scenario } from '../prometheus/scenarios';

/** Users of a release are drawn uniformly from this many (a session per user is the common case at these volumes). */
export const USER_POOL = 20_000;

/** The two releases of a scenario: the stable one users have, and the new one rolling out. */
export function scenarioReleases(s: Scenario): { baseline: string; canary: string } {
  return { baseline: `com.acme.${s.name.replace(/-/g, '_')}@1.9.0+190`, canary: `com.acme.${s.name.replace(/-/g, '_')}@2.0.0+200` };
}

/**
 * Every session of one release, in start order. Sessions of the tick at second
 * `sec` started in [sec - 5, sec): a range [start, end) holds the ticks in
 * (start, end], the same convention as the Prometheus histories.
 */
export interface ReleaseHistory {
  release: string;
  /** Unix seconds of each session's start. */
  started: Float64Array;
  user: Int32Array;
  crashed: Uint8Array;
}

export interface Totals {
  sessions: number;
  crashedSessions: number;
  users: number;
  crashedUsers: number;
}

/** FNV-1a of a text: the noise generator's starting state, so histories are the same every run. */
function seed(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** The sessions of one version of a scenario, as a release. */
export function scenarioHistory(s: Scenario, version: 'canary' | 'stable'): ReleaseHistory {
  const draw = noiseDraws(seed(`sentry/${s.name}/${version}`));
  const started: number[] = [];
  const user: number[] = [];
  const crashed: number[] = [];
  let carry = 0;
  for (let sec = HISTORY_START; sec <= HISTORY_END; sec += RESOLUTION) {
    const tick = s.tick(version, sec - REPLAY_START);
    if (!tick) continue;
    // Sessions in this tick: the expected number with ±10 % jitter, fractions carried over.
    carry += tick.rps * RESOLUTION * (0.9 + 0.2 * draw());
    const n = Math.floor(carry);
    carry -= n;
    let extra = tick.extraErrors ?? 0;
    for (let i = 0; i < n || extra > 0; i++) {
      const crash = i < n ? draw() < tick.errorRate : false;
      const forced = !crash && extra > 0;
      if (forced) extra--;
      started.push(sec - RESOLUTION + (RESOLUTION * i) / Math.max(n, 1));
      user.push(Math.floor(draw() * USER_POOL));
      crashed.push(crash || forced ? 1 : 0);
    }
  }
  const names = scenarioReleases(s);
  return {
    release: version === 'canary' ? names.canary : names.baseline,
    started: Float64Array.from(started),
    user: Int32Array.from(user),
    crashed: Uint8Array.from(crashed),
  };
}

/** First index whose start is at or after `sec` (binary search). */
function firstAtOrAfter(h: ReleaseHistory, sec: number): number {
  let lo = 0;
  let hi = h.started.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (h.started[mid] < sec) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sessions, crashed sessions, unique users and users with a crash among the sessions that started in [from, to). */
export function totalsBetween(h: ReleaseHistory, from: number, to: number): Totals {
  const users = new Set<number>();
  const crashedUsers = new Set<number>();
  let sessions = 0;
  let crashedSessions = 0;
  for (let i = firstAtOrAfter(h, from); i < h.started.length && h.started[i] < to; i++) {
    sessions++;
    users.add(h.user[i]);
    if (h.crashed[i]) {
      crashedSessions++;
      crashedUsers.add(h.user[i]);
    }
  }
  return { sessions, crashedSessions, users: users.size, crashedUsers: crashedUsers.size };
}
