import { formatDuration } from '@shipfleet/core';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "2 d ago", "4 mo ago", "1 y ago"; a time ahead of the clock reads "in 5 min". */
export function relativeTime(iso: string, now: Date): string {
  const diff = now.getTime() - Date.parse(iso);
  const ms = Math.abs(diff);
  if (ms < 45_000) return 'just now';
  let span: string;
  if (ms < HOUR) span = `${Math.max(1, Math.floor(ms / MINUTE))} min`;
  else if (ms < DAY) span = `${Math.floor(ms / HOUR)} h`;
  else if (ms < 30 * DAY) span = `${Math.floor(ms / DAY)} d`;
  else if (ms < 365 * DAY) span = `${Math.floor(ms / (30 * DAY))} mo`;
  else span = `${Math.floor(ms / (365 * DAY))} y`;
  return diff < 0 ? `in ${span}` : `${span} ago`;
}

/** "2026-05-01 10:02" in UTC. */
export function utcMinute(iso: string): string {
  return new Date(iso).toISOString().slice(0, 16).replace('T', ' ');
}

/** How long a deploy took, or "—" when the ledger has no duration. */
export function tookText(durationMs: number | undefined): string {
  return durationMs === undefined ? '—' : formatDuration(durationMs);
}

/** A commit as git abbreviates it. */
export function shortCommit(commit: string | undefined): string | undefined {
  return commit?.slice(0, 7);
}

/** "9f86d081" for a sha256 digest, "sha512:1a2b3c4d" for another algorithm. */
export function shortDigest(digest: string | undefined): string | undefined {
  if (!digest) return undefined;
  const [algorithm, hex] = digest.split(':', 2);
  return algorithm === 'sha256' ? hex.slice(0, 8) : `${algorithm}:${hex.slice(0, 8)}`;
}
