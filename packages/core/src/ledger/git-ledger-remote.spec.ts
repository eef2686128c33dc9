import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { UserError } from '../errors';
import { GitLedger, LedgerRecord } from './index';

const PWNED = '/tmp/pwned';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

/** A clone of a bare remote that has one commit and no ledger yet. */
function cloneOfEmptyRemote(): { root: string; clone: string } {
  const root = mkdtempSync(join(tmpdir(), 'shipfleet-gitremote-'));
  git(root, 'init', '-q', '--bare', 'remote.git');
  git(root, 'init', '-q', '-b', 'main', 'work');
  writeFileSync(join(root, 'work', 'a.txt'), '1');
  git(join(root, 'work'), 'add', '-A');
  git(join(root, 'work'), 'commit', '-qm', 'c1');
  git(join(root, 'work'), 'push', '-q', join(root, 'remote.git'), 'main');
  git(root, 'clone', '-q', 'remote.git', 'clone');
  return { root, clone: join(root, 'clone') };
}

const rec: LedgerRecord = { project: 'tv', target: 'deploy', environment: 'staging', inputHash: 'abc123', result: 'succeeded', time: '2026-01-01T00:00:00.000Z' };

describe('GitLedger remote', () => {
  beforeAll(() => rmSync(PWNED, { force: true }));

  it('refuses a remote that git would read as an option, and runs nothing', async () => {
    const { clone } = cloneOfEmptyRemote();
    let error: unknown;
    try {
      await new GitLedger(clone, undefined, '--upload-pack=touch /tmp/pwned;false').read();
    } catch (e) {
      error = e;
    }
    const created = existsSync(PWNED);
    rmSync(PWNED, { force: true });
    expect(created).toBe(false);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).option).toBe('ledgerRemote');
  });

  it('refuses a ref that git would read as an option', () => {
    const { clone } = cloneOfEmptyRemote();
    expect(() => new GitLedger(clone, '--output=/tmp/pwned')).toThrow(/Option "ledgerRef"/);
  });

  it('a remote without the ledger ref is an empty remote ledger: the local ledger is read and the first append creates it', async () => {
    const { root, clone } = cloneOfEmptyRemote();
    const ledger = new GitLedger(clone, undefined, 'origin');
    expect(await ledger.read()).toEqual([]);
    await ledger.append(rec);
    expect(git(join(root, 'remote.git'), 'rev-parse', 'refs/shipfleet/ledger')).toMatch(/^[0-9a-f]{40}$/);
    expect(await new GitLedger(clone, undefined, `file://${join(root, 'remote.git')}`).read()).toEqual([rec]);
  }, 60000);

  it.each([
    ['a remote URL whose repository does not exist', (root: string) => `file://${join(root, 'no-such-remote.git')}`],
    ['a configured remote whose repository is gone', (root: string) => (git(join(root, 'clone'), 'remote', 'add', 'gone', join(root, 'gone.git')), 'gone')],
  ])('a failed fetch is an error, not an empty remote ledger: %s', async (_, remoteOf) => {
    const { root, clone } = cloneOfEmptyRemote();
    await new GitLedger(clone).append(rec); // a local ledger that must not be answered from silently
    const ledger = new GitLedger(clone, undefined, remoteOf(root));
    await expect(ledger.read()).rejects.toThrow(/cannot fetch the deploy ledger from .*does not appear to be a git repository/s);
    await expect(ledger.append({ ...rec, inputHash: 'def456' })).rejects.toThrow(/cannot fetch the deploy ledger/);
  }, 60000);
});
