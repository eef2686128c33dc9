import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..', '..', '..');
const BIN = join(__dirname, 'shipfleet.ts');
const PWNED = '/tmp/pwned';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

function shipfleet(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['-r', require.resolve('@swc-node/register'), BIN, ...args], {
    cwd,
    encoding: 'utf8',
    // Resolve @shipfleet/* to the sources, as the specs do.
    env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function repoWithCommits(n: number): { dir: string; commits: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-bin-'));
  git(dir, 'init', '-q', '-b', 'main');
  const commits = Array.from({ length: n }, (_, i) => {
    writeFileSync(join(dir, `f${i}.txt`), String(i));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', `c${i}`);
    return git(dir, 'rev-parse', 'HEAD');
  });
  return { dir, commits };
}

beforeAll(() => rmSync(PWNED, { force: true }));
afterEach(() => {
  const created = existsSync(PWNED);
  rmSync(PWNED, { force: true });
  expect(created).toBe(false);
});

describe('shipfleet base', () => {
  it('prints only a valid commit: a ledger record whose commit is a shell command is reported and ignored', () => {
    const { dir, commits } = repoWithCommits(2);
    const payload = `$(touch ${PWNED})`;
    const rec = (project: string, commit: string, time: string) => ({ project, target: 'deploy', environment: 'staging', inputHash: 'abc123', result: 'succeeded', time, commit });
    mkdirSync(join(dir, '.shipfleet'));
    writeFileSync(
      join(dir, '.shipfleet', 'ledger'),
      JSON.stringify({ version: 1, records: [rec('tv', commits[0], '2026-01-01T00:00:00Z'), rec('web', commits[1], '2026-01-02T00:00:00Z'), rec('tv', payload, '2026-01-03T00:00:00Z')] }),
    );
    const r = shipfleet(dir, 'base', '--env=staging');
    expect(r.stdout).toBe(`${commits[0]}\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/record 2 .*"commit"/);
    expect(r.stderr).not.toContain(payload);
  });

  it.each([['--ledgerRemote=--upload-pack=touch /tmp/pwned;false'], ['--ledgerRemote', '--upload-pack=touch /tmp/pwned;false']])('refuses a remote that git would read as an option (%s)', (...flag) => {
    const { dir } = repoWithCommits(1);
    const r = shipfleet(dir, 'base', '--env=staging', '--ledger=git', ...flag);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Option "ledgerRemote": .*starts with "-"/);
  });

  it('refuses a ledger ref that git would read as an option', () => {
    const { dir } = repoWithCommits(1);
    const r = shipfleet(dir, 'base', '--env=staging', '--ledger=git', '--ledgerRef=--output=/tmp/pwned');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Option "ledgerRef"/);
  });
});

describe('shipfleet matrix', () => {
  it.each([
    ['base', '--output=/tmp/pwned'],
    ['base', `HEAD$(touch ${PWNED})`],
    ['head', '-x'],
    ['head', 'main;id'],
  ])('refuses --%s=%s before running nx', (flag, value) => {
    const { dir } = repoWithCommits(1);
    const other = flag === 'base' ? '--head=HEAD' : '--base=HEAD~1';
    const r = shipfleet(dir, 'matrix', `--${flag}=${value}`, other);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Option "${flag}"`);
  });
});
