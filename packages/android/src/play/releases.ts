import { PlayRelease, PlayTrack, ReleaseStatus } from './client';

/** A track's releases change: thrown as a plain Error with what Play has and what to do. */
export class ReleaseStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleaseStateError';
  }
}

const codes = (r: PlayRelease) => (r.versionCodes ?? []).map(String);
const sameCodes = (a: PlayRelease, b: PlayRelease) => codes(a).join(',') === codes(b).join(',');
const highest = (r: PlayRelease) => Math.max(0, ...codes(r).map(Number));

/** One line for a release: "1.4.0 (42) inProgress 25%". */
export function describeRelease(r: PlayRelease): string {
  const fraction = r.status === 'inProgress' || r.status === 'halted' ? (r.userFraction !== undefined ? ` ${Math.round(r.userFraction * 1000) / 10}%` : '') : '';
  return `${r.name ? `${r.name} ` : ''}[${codes(r).join(', ') || 'no version codes'}] ${r.status}${fraction}`;
}

/**
 * The track's releases once `release` is added, as Play keeps them: a
 * completed release replaces the completed one and ends any staged rollout; a
 * staged (inProgress or halted) release replaces the staged one and keeps the
 * completed one serving everyone else; a draft replaces drafts. A release of
 * the same version codes is replaced in any case.
 */
export function withRelease(track: PlayTrack, release: PlayRelease): PlayTrack {
  const staged = (s: string) => s === 'inProgress' || s === 'halted';
  const replaced = (r: PlayRelease) => {
    if (sameCodes(r, release)) return true;
    if (release.status === 'completed') return r.status === 'completed' || staged(r.status);
    if (staged(release.status)) return staged(r.status);
    return r.status === release.status;
  };
  return { track: track.track, releases: [...(track.releases ?? []).filter((r) => !replaced(r)), release] };
}

/** The staged release of a track: inProgress, or halted when `halted` is allowed. */
function stagedRelease(track: PlayTrack, statuses: ReleaseStatus[]): PlayRelease | undefined {
  return (track.releases ?? []).filter((r) => statuses.includes(r.status as ReleaseStatus)).sort((a, b) => highest(b) - highest(a))[0];
}

function describeTrack(track: PlayTrack): string {
  const releases = track.releases ?? [];
  return releases.length ? releases.map(describeRelease).join('; ') : 'no releases';
}

function replace(track: PlayTrack, old: PlayRelease, next: PlayRelease, dropCompleted = false): PlayTrack {
  return {
    track: track.track,
    releases: (track.releases ?? []).filter((r) => r !== old && !(dropCompleted && r.status === 'completed')).concat(next),
  };
}

export interface ReleaseChange {
  track: PlayTrack;
  before?: PlayRelease;
  after: PlayRelease;
}

/** rollout: a new user fraction for the in-progress release. */
export function rollout(track: PlayTrack, userFraction: number): ReleaseChange {
  const current = stagedRelease(track, ['inProgress']);
  if (!current) {
    const halted = stagedRelease(track, ['halted']);
    throw new ReleaseStateError(
      halted
        ? `the staged release of track ${track.track} is halted (${describeRelease(halted)}); resume it first ("action": "resume", with userFraction)`
        : `track ${track.track} has no release in progress (${describeTrack(track)}); upload one with "status": "inProgress" and a userFraction, or promote one`,
    );
  }
  const after = { ...current, userFraction };
  return { track: replace(track, current, after), before: current, after };
}

/** halt: stop distributing the in-progress release (users who have it keep it). */
export function halt(track: PlayTrack): ReleaseChange {
  const current = stagedRelease(track, ['inProgress']);
  if (!current) {
    const halted = stagedRelease(track, ['halted']);
    if (halted) throw new ReleaseStateError(`the staged release of track ${track.track} is already halted (${describeRelease(halted)})`);
    throw new ReleaseStateError(`track ${track.track} has no release in progress to halt (${describeTrack(track)})`);
  }
  const after = { ...current, status: 'halted' };
  return { track: replace(track, current, after), before: current, after };
}

/** resume: a halted release back in progress, at its fraction or a new one. */
export function resume(track: PlayTrack, userFraction?: number): ReleaseChange {
  const current = stagedRelease(track, ['halted']);
  if (!current) throw new ReleaseStateError(`track ${track.track} has no halted release to resume (${describeTrack(track)})`);
  const fraction = userFraction ?? current.userFraction;
  // A halted release without a fraction was a full rollout: resuming completes it again.
  const after: PlayRelease = fraction === undefined ? { ...current, status: 'completed' } : { ...current, status: 'inProgress', userFraction: fraction };
  return { track: replace(track, current, after, after.status === 'completed'), before: current, after };
}

/** complete: the in-progress or halted release to everyone; it replaces the completed one. */
export function complete(track: PlayTrack): ReleaseChange {
  const current = stagedRelease(track, ['inProgress', 'halted']);
  if (!current) throw new ReleaseStateError(`track ${track.track} has no release in progress or halted to complete (${describeTrack(track)})`);
  const { userFraction: _fraction, ...rest } = current;
  const after: PlayRelease = { ...rest, status: 'completed' };
  return { track: replace(track, current, after, true), before: current, after };
}

/**
 * The release of `from` to promote: the one with exactly `versionCodes`, or
 * the newest (highest version code) completed or in-progress release.
 */
export function releaseToPromote(from: PlayTrack, versionCodes?: number[]): PlayRelease {
  const releases = from.releases ?? [];
  if (versionCodes?.length) {
    const wanted = versionCodes.map(String).sort().join(',');
    const found = releases.find((r) => codes(r).sort().join(',') === wanted);
    if (!found) throw new ReleaseStateError(`track ${from.track} has no release with version codes ${versionCodes.join(', ')} (${describeTrack(from)})`);
    return found;
  }
  const candidates = releases.filter((r) => r.status === 'completed' || r.status === 'inProgress').sort((a, b) => highest(b) - highest(a));
  if (!candidates.length) throw new ReleaseStateError(`track ${from.track} has no completed or in-progress release to promote (${describeTrack(from)})`);
  return candidates[0];
}

/** A release built from another's version codes, name and notes, with a new status. */
export function copyRelease(source: PlayRelease, status: ReleaseStatus, userFraction?: number): PlayRelease {
  return {
    ...(source.name ? { name: source.name } : {}),
    versionCodes: codes(source),
    status,
    ...(userFraction !== undefined ? { userFraction } : {}),
    ...(source.releaseNotes?.length ? { releaseNotes: source.releaseNotes } : {}),
    ...(source.inAppUpdatePriority !== undefined ? { inAppUpdatePriority: source.inAppUpdatePriority } : {}),
  };
}
