import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { commitInClone, markChangedSinceLive } from './changed-since-live';
import { buildFleetStatus } from './fleet-status';
import { COMMIT_A, COMMIT_B, deployed } from './__fixtures__/status-records';

describe('markChangedSinceLive', () => {
  it('asks once per live commit and flags the projects nx finds affected since it', async () => {
    const s = buildFleetStatus(
      [
        deployed('tv', 'staging', 9, { commit: COMMIT_A }),
        deployed('web', 'staging', 8, { commit: COMMIT_A }),
        deployed('tv', 'production', 7, { commit: COMMIT_B }),
        // Failed later at another commit: what is live is still COMMIT_A.
        deployed('web', 'staging', 1, { commit: COMMIT_B, result: 'failed' }),
      ],
      'ledger',
    );
    const asked: string[] = [];
    await markChangedSinceLive(s, {
      hasCommit: async () => true,
      affectedSince: async (c) => (asked.push(c), c === COMMIT_A ? ['tv', 'lib'] : []),
    });
    expect(asked).toEqual([COMMIT_B, COMMIT_A]);
    expect(s.cells.map((c) => `${c.environment}/${c.project}:${c.change.changed}`)).toEqual(['production/tv:false', 'staging/tv:true', 'staging/web:false']);
  });

  it('unknown, with the reason, when nothing is live, no commit was recorded, the commit is missing here or nx fails', async () => {
    const s = buildFleetStatus(
      [deployed('ios', 'staging', 3, { result: 'failed' }), deployed('tv', 'staging', 3), deployed('web', 'staging', 3, { commit: COMMIT_A }), deployed('api', 'staging', 3, { commit: COMMIT_B })],
      'ledger',
    );
    await markChangedSinceLive(s, {
      hasCommit: async (c) => c === COMMIT_B,
      affectedSince: async () => {
        throw new Error('\nnx show projects failed:\nCould not find a project graph');
      },
    });
    expect(Object.fromEntries(s.cells.map((c) => [c.project, c.change]))).toEqual({
      ios: { changed: null, why: 'nothing live' },
      tv: { changed: null, why: 'its live deploy recorded no commit' },
      web: { changed: null, why: 'commit aaaaaaa is not in this clone (fetch more history)' },
      api: { changed: null, why: 'nx could not tell: nx show projects failed: Could not find a project graph' },
    });
  });
});

describe('commitInClone', () => {
  it('true for a commit of the repository, false for one it lacks and for anything that is not a commit id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-status-git-'));
    try {
      const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' }).stdout.trim();
      git('init', '-q', '-b', 'main');
      writeFileSync(join(dir, 'a.txt'), '1');
      git('add', '-A');
      git('commit', '-qm', 'c1');
      const head = git('rev-parse', 'HEAD');
      expect(await commitInClone(dir, head)).toBe(true);
      expect(await commitInClone(dir, COMMIT_A)).toBe(false);
      expect(await commitInClone(dir, 'HEAD')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
