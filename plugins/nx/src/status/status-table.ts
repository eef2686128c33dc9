import { LedgerRecord } from '@shipfleet/core';
import { cellState, FleetStatus, rowLabel, StatusCell } from './fleet-status';
import { relativeTime, shortCommit, shortDigest, tookText, utcMinute } from './format-time';

const NONE = '—';
const GAP = '  ';
/** Project and version columns are not cut below this many characters. */
const MIN_FLEX = 8;

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Control characters and line breaks never reach the terminal. */
function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, '?');
}

const STATE_TEXT = { live: '✔ live', failed: '✖ failed', 'never-live': '✖ never live' } as const;

function changeMark(cell: StatusCell): string {
  return cell.change.changed === true ? ' *' : cell.change.changed === null && cell.live && cell.change.why !== 'not checked' ? ' ?' : '';
}

function row(cell: StatusCell, now: Date): string[] {
  const live = cell.live;
  return [
    printable(rowLabel(cell)) + changeMark(cell),
    printable(live?.version ?? NONE),
    shortCommit(live?.commit) ?? NONE,
    live ? relativeTime(live.time, now) : NONE,
    live ? utcMinute(live.time) : '',
    live ? tookText(live.durationMs) : NONE,
    (live && shortDigest(live.artifactDigest)) ?? NONE,
    STATE_TEXT[cellState(cell)],
  ];
}

function failureLine(r: LedgerRecord, now: Date): string {
  const parts = [`${relativeTime(r.time, now)} (${utcMinute(r.time)})`];
  if (r.commit) parts.push(`at ${shortCommit(r.commit)}`);
  if (r.version) parts.push(`version ${printable(r.version)}`);
  if (r.durationMs !== undefined) parts.push(`after ${tookText(r.durationMs)}`);
  return `  ↳ last deploy failed ${parts.join(', ')}`;
}

const HEADER = ['PROJECT', 'VERSION', 'COMMIT', 'DEPLOYED', '(UTC)', 'TOOK', 'DIGEST', 'RESULT'];
const FLEX = [0, 1];

/** Column widths: the widest value of each, the wider of the project and version columns cut a character at a time until the row fits. */
function widths(rows: string[][], maxWidth: number): number[] {
  const w = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const total = () => w.reduce((a, b) => a + b, 0) + GAP.length * (w.length - 1);
  while (total() > maxWidth) {
    const widest = FLEX.reduce((a, b) => (w[b] > w[a] ? b : a));
    if (w[widest] <= MIN_FLEX) break;
    w[widest]--;
  }
  return w;
}

function line(cells: string[], w: number[]): string {
  return cells.map((c, i) => clip(c, w[i]).padEnd(w[i])).join(GAP).trimEnd();
}

/**
 * The fleet as plain text, one section per environment, at most `maxWidth`
 * columns where the values allow: the live deploy of each project, its last
 * failure under it, and a legend for the marks used.
 */
export function renderStatusTable(status: FleetStatus, now: Date, maxWidth = 100): string {
  if (!status.cells.length) return `No deploy is recorded in ${status.ledger}.\n`;
  const out: string[] = [];
  const rows = new Map(status.cells.map((c) => [c, row(c, now)]));
  // One set of widths for every section: the columns line up from one environment to the next.
  const w = widths([...rows.values()], maxWidth);
  for (const env of status.environments) {
    const cells = status.cells.filter((c) => c.environment === env);
    out.push(`${env}: ${cells.length} project${cells.length === 1 ? '' : 's'}`, line(HEADER, w));
    for (const cell of cells) {
      out.push(line(rows.get(cell)!, w));
      if (cell.latest.result === 'failed') out.push(clip(failureLine(cell.latest, now), maxWidth));
    }
    out.push('');
  }
  const cells = status.cells;
  const legend: string[] = [];
  if (cells.some((c) => c.change.changed === true)) legend.push('* changed since its live commit (nx affected from that commit to the working tree)');
  for (const c of cells.filter((c) => changeMark(c) === ' ?')) legend.push(clip(`? ${printable(rowLabel(c))} in ${c.environment}: ${c.change.changed === null ? printable(c.change.why) : ''}`, maxWidth));
  if (cells.some((c) => c.live && !c.live.artifactDigest)) legend.push(`${NONE} DIGEST: the deploy reported no artefact file, so none is recorded`);
  out.push(...legend, `Ledger: ${status.ledger}${status.head ? `; HEAD ${shortCommit(status.head)}` : ''}`);
  return `${out.join('\n')}\n`;
}
