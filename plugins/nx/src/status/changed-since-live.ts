import { COMMIT_SHA, errorMessage, runCaptured } from '@shipfleet/core';
import { FleetStatus } from './fleet-status';
import { shortCommit } from './format-time';

export interface ChangeCheck {
  /** Whether the commit is in this clone (a shallow CI clone may lack it). */
  hasCommit(commit: string): Promise<boolean>;
  /**
   * The projects nx finds affected from `commit` to the working tree: the
   * project graph and each project's inputs, as `nx affected` judges a deploy.
   */
  affectedSince(commit: string): Promise<string[]>;
}

/** Whether git has this commit here. */
export async function commitInClone(cwd: string, commit: string): Promise<boolean> {
  if (!COMMIT_SHA.test(commit)) return false;
  const r = await runCaptured('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd });
  return r.exitCode === 0;
}

/**
 * Marks each cell whose live deploy has a commit as changed or not since it,
 * asking nx once per distinct commit. A cell is left unknown, with the reason,
 * when there is no live commit, the commit is missing, or nx fails.
 */
export async function markChangedSinceLive(status: FleetStatus, check: ChangeCheck): Promise<void> {
  const byCommit = new Map<string, typeof status.cells>();
  for (const cell of status.cells) {
    const commit = cell.live?.commit;
    if (!cell.live) cell.change = { changed: null, why: 'nothing live' };
    else if (!commit) cell.change = { changed: null, why: 'its live deploy recorded no commit' };
    else byCommit.set(commit, [...(byCommit.get(commit) ?? []), cell]);
  }
  for (const [commit, cells] of byCommit) {
    let affected: Set<string> | undefined;
    let why = '';
    try {
      if (await check.hasCommit(commit)) affected = new Set(await check.affectedSince(commit));
      else why = `commit ${shortCommit(commit)} is not in this clone (fetch more history)`;
    } catch (e) {
      // One line however much nx printed.
      const message = errorMessage(e).replace(/\s+/g, ' ').trim();
      why = `nx could not tell: ${message.length > 200 ? `${message.slice(0, 199)}…` : message || 'it failed'}`;
    }
    for (const cell of cells) cell.change = affected ? (affected.has(cell.project) ? { changed: true } : { changed: false }) : { changed: null, why };
  }
}
