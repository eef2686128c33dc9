import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { hostname, tmpdir } from 'os';
import { join } from 'path';
import { alreadyDeployed, baseCommit, FileLedger, GitLedger, lastDeployedCommits, LedgerRecord, parseLedger } from './index';

const writer = join(__dirname, '..', '__fixtures__', 'ledger-writer.ts');
const rec = (over: Partial<LedgerRecord>): LedgerRecord => ({ project: 'tv', target: 'deploy', environment: 'staging', inputHash: 'abc1', result: 'succeeded', time: '2026-01-01T00:00:00.000Z', ...over });

function runWriters(kind: string, where: (i: number) => string, n: number, count: number, mode = ''): Promise<number[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', writer, kind, where(i), String(i), String(count), mode], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0)));
      }),
    ),
  );
}

describe('ledger queries', () => {
  const [c1, c2, c3, c9] = ['1', '2', '3', '9'].map((d) => d.repeat(40));
  const records = [
    rec({ inputHash: 'a', time: '2026-01-01T00:00:00Z', commit: c1 }),
    rec({ inputHash: 'b', time: '2026-01-02T00:00:00Z', commit: c2 }),
    rec({ inputHash: 'c', time: '2026-01-03T00:00:00Z', result: 'failed', commit: c3 }),
    rec({ inputHash: 'b', environment: 'production', time: '2026-01-04T00:00:00Z', commit: c2 }),
    rec({ project: 'api', inputHash: 'f', time: '2026-01-02T12:00:00Z', commit: c9 }),
  ];
  const key = { project: 'tv', target: 'deploy', environment: 'staging' };

  it('a deploy is already live only when the last successful one had the same input hash', () => {
    expect(alreadyDeployed(records, key, 'b')?.commit).toBe(c2);
    expect(alreadyDeployed(records, key, 'a')).toBeUndefined();
    // A failed deploy is never counted as deployed.
    expect(alreadyDeployed(records, key, 'c')).toBeUndefined();
    expect(alreadyDeployed(records, { ...key, environment: 'dev' }, 'b')).toBeUndefined();
  });

  it('gives each project its last successful commit in an environment', () => {
    expect([...lastDeployedCommits(records, 'staging')]).toEqual([['tv:deploy', c2], ['api:deploy', c9]]);
  });

  it('refuses a corrupt ledger with a clear message', () => {
    expect(() => parseLedger('{"version":1,"records":[', '/x/ledger')).toThrow(/deploy ledger at \/x\/ledger is not valid JSON/);
  });
});

describe('FileLedger', () => {
  it('8 processes × 100 records in parallel: nothing lost, and a reader always sees a parseable file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'shipfleet-ledger-')), '.shipfleet', 'ledger');
    let reads = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        if (existsSync(path)) {
          parseLedger(readFileSync(path, 'utf8'), path);
          reads++;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const codes = await runWriters('file', () => path, 8, 100);
    stop = true;
    await reader;
    expect(codes).toEqual(Array(8).fill(0));
    const records = await new FileLedger(path).read();
    expect(records).toHaveLength(800);
    for (let p = 0; p < 8; p++) expect(records.filter((r) => r.project === `p${p}`).map((r) => r.inputHash)).toEqual(Array.from({ length: 100 }, (_, i) => `a${p}b${i}`));
    expect(reads).toBeGreaterThan(0);
  }, 120000);

  it('a writer killed mid-write leaves the previous state, and its lock does not block the next writer', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'shipfleet-ledger-')), 'ledger');
    const ledger = new FileLedger(path);
    await ledger.append(rec({ inputHash: 'bef0' }));
    const before = readFileSync(path, 'utf8');
    expect(await runWriters('file', () => path, 1, 1, 'crash')).toEqual([-1]);
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(existsSync(`${path}.lock`)).toBe(true);
    await ledger.append(rec({ inputHash: 'af7e' }));
    expect((await ledger.read()).map((r) => r.inputHash)).toEqual(['bef0', 'af7e']);
  }, 30000);

  it('breaks a lock whose owner is gone', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'shipfleet-ledger-')), 'ledger');
    writeFileSync(`${path}.lock`, JSON.stringify({ token: 'dead', host: hostname(), pid: 999999999 }));
    await new FileLedger(path, { lockTimeoutMs: 2000 }).append(rec({}));
    expect(await new FileLedger(path).read()).toHaveLength(1);
  });
});

describe('GitLedger', () => {
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };

  function repos(n: number) {
    const root = mkdtempSync(join(tmpdir(), 'shipfleet-gitledger-'));
    git(root, 'init', '-q', '--bare', 'remote.git');
    git(root, 'init', '-q', '-b', 'main', 'first-clone');
    writeFileSync(join(root, 'first-clone', 'a.txt'), '1');
    git(join(root, 'first-clone'), 'add', '-A');
    git(join(root, 'first-clone'), 'commit', '-qm', 'c1');
    git(join(root, 'first-clone'), 'push', '-q', join(root, 'remote.git'), 'main');
    return { root, clones: Array.from({ length: n }, (_, i) => (git(root, 'clone', '-q', 'remote.git', `clone${i}`), join(root, `clone${i}`))) };
  }

  it('two CI machines deploying at once both land in the shared ledger', async () => {
    const { clones } = repos(2);
    expect(await runWriters('git', (i) => clones[i], 2, 5)).toEqual([0, 0]);
    const records = await new GitLedger(clones[0], undefined, 'origin').read();
    expect(records.filter((r) => r.project === 'p0')).toHaveLength(5);
    expect(records.filter((r) => r.project === 'p1')).toHaveLength(5);
    // A third machine sees the same ledger through the remote.
    const third = await new GitLedger(clones[1], undefined, 'origin').read();
    expect(third).toHaveLength(10);
  }, 120000);

  it('base commit: the newest commit every project of the environment has deployed', async () => {
    const { clones } = repos(1);
    const dir = clones[0];
    const commitFile = (n: string) => {
      writeFileSync(join(dir, `${n}.txt`), n);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-qm', n);
      return git(dir, 'rev-parse', 'HEAD');
    };
    const c2 = commitFile('c2');
    const c3 = commitFile('c3');
    const c4 = commitFile('c4');
    const ledger = new GitLedger(dir);
    await ledger.append(rec({ project: 'web', commit: c4, time: '2026-01-04T00:00:00Z' }));
    await ledger.append(rec({ project: 'tv', commit: c2, time: '2026-01-02T00:00:00Z' }));
    await ledger.append(rec({ project: 'tv', commit: c3, time: '2026-01-03T00:00:00Z' }));
    await ledger.append(rec({ project: 'api', commit: c4, result: 'failed', time: '2026-01-05T00:00:00Z' }));
    const commits = [...lastDeployedCommits(await ledger.read(), 'staging').values()];
    expect(await baseCommit(dir, commits)).toBe(c3);
    expect(await baseCommit(dir, [])).toBeUndefined();
  }, 60000);
});
