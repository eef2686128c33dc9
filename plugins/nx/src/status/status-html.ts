import { LedgerRecord } from '@shipfleet/core';
import { cellState, FleetStatus, rowLabel, StatusCell } from './fleet-status';
import { relativeTime, shortCommit, shortDigest, tookText, utcMinute } from './format-time';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in HTML content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

// Inline only: the page must open from a CI artefact or a file share with no network.
const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24;background:#fff}
h1{font-size:1.3rem;margin:0 0 .3rem}
p.meta{color:#57606a;margin:0 0 1rem}
table.fleet{border-collapse:collapse}
table.fleet th,table.fleet td{border:1px solid #d0d7de;padding:.5rem;vertical-align:top;text-align:left}
table.fleet thead th{background:#f6f8fa}
td.live{background:#f0fff4}
td.failed,td.never-live{background:#fff5f5}
td.empty{color:#8c959f}
.version{font-weight:600}
.bad{color:#cf222e;font-weight:600}
.good{color:#1a7f37}
.changed{color:#9a6700;font-weight:600}
.muted{color:#57606a}
code{font:12px ui-monospace,monospace}
details table{border-collapse:collapse;margin-top:.3rem}
details td,details th{border-bottom:1px solid #eaeef2;padding:.15rem .4rem;font-size:12px;text-align:left}
`;

const STATE_HTML = {
  live: '<span class="good">✔ live</span>',
  failed: '<span class="bad">✖ last deploy failed</span>',
  'never-live': '<span class="bad">✖ never live</span>',
} as const;

function timeHtml(iso: string, now: Date): string {
  return `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(iso)}">${escapeHtml(relativeTime(iso, now))}</time> <span class="muted">${escapeHtml(utcMinute(iso))} UTC</span>`;
}

function commitHtml(commit: string | undefined): string {
  return commit ? `<code title="${escapeHtml(commit)}">${escapeHtml(shortCommit(commit)!)}</code>` : '<span class="muted">no commit</span>';
}

function digestHtml(digest: string | undefined): string {
  return digest ? `<code title="${escapeHtml(digest)}">${escapeHtml(shortDigest(digest)!)}</code>` : '<span class="muted">no artefact digest recorded</span>';
}

function historyHtml(history: LedgerRecord[], now: Date): string {
  const rows = history.map(
    (r) =>
      `<tr><td>${r.result === 'succeeded' ? '<span class="good">✔</span>' : '<span class="bad">✖ failed</span>'}</td><td>${escapeHtml(r.version ?? '—')}</td><td>${commitHtml(r.commit)}</td><td>${timeHtml(r.time, now)}</td><td>${escapeHtml(tookText(r.durationMs))}</td><td>${digestHtml(r.artifactDigest)}</td></tr>`,
  );
  return `<details><summary>last ${history.length} deploy${history.length === 1 ? '' : 's'}</summary><table><tr><th>result</th><th>version</th><th>commit</th><th>when</th><th>took</th><th>digest</th></tr>${rows.join('')}</table></details>`;
}

function changeHtml(cell: StatusCell): string {
  if (cell.change.changed === true) return '<div class="changed">● changed since its live commit</div>';
  if (cell.change.changed === null && cell.live && cell.change.why !== 'not checked') return `<div class="muted">changes unknown: ${escapeHtml(cell.change.why)}</div>`;
  return '';
}

function cellHtml(cell: StatusCell | undefined, now: Date): string {
  if (!cell) return '<td class="empty">not deployed</td>';
  const state = cellState(cell);
  const live = cell.live;
  const lines: string[] = [STATE_HTML[state]];
  if (live) {
    lines.unshift(`<span class="version">${escapeHtml(live.version ?? 'no version')}</span> ${commitHtml(live.commit)}`);
    lines.push(timeHtml(live.time, now), `took ${escapeHtml(tookText(live.durationMs))} · ${digestHtml(live.artifactDigest)}`);
  }
  if (cell.latest.result === 'failed') lines.push(`<span class="bad">failed</span> ${timeHtml(cell.latest.time, now)}${cell.latest.version ? ` · ${escapeHtml(cell.latest.version)}` : ''} · ${commitHtml(cell.latest.commit)}`);
  return `<td class="${state}">${lines.map((l) => `<div>${l}</div>`).join('')}${changeHtml(cell)}${historyHtml(cell.history, now)}</td>`;
}

/**
 * One self-contained page: the project × environment matrix with each cell's
 * history. Every value is escaped; the page has no scripts and no external
 * assets, and its Content-Security-Policy forbids loading any.
 */
export function renderStatusHtml(status: FleetStatus, now: Date): string {
  const rows = [...new Map(status.cells.map((c) => [JSON.stringify([c.project, c.target]), c])).values()].sort((a, b) => (rowLabel(a) < rowLabel(b) ? -1 : 1));
  const at = (project: string, target: string, env: string) => status.cells.find((c) => c.project === project && c.target === target && c.environment === env);
  const body = status.cells.length
    ? `<table class="fleet"><thead><tr><th>project</th>${status.environments.map((e) => `<th>${escapeHtml(e)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr><th>${escapeHtml(rowLabel(r))}</th>${status.environments.map((e) => cellHtml(at(r.project, r.target, e), now)).join('')}</tr>`)
        .join('\n')}</tbody></table>`
    : `<p>No deploy is recorded in ${escapeHtml(status.ledger)}.</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shipfleet status</title>
<style>${STYLE}</style>
</head>
<body>
<h1>shipfleet status</h1>
<p class="meta">Generated <time datetime="${escapeHtml(now.toISOString())}">${escapeHtml(utcMinute(now.toISOString()))} UTC</time> from ${escapeHtml(status.ledger)}${status.head ? ` at <code>${escapeHtml(shortCommit(status.head)!)}</code>` : ''}; relative times are as of then.</p>
${body}
</body>
</html>
`;
}
