import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LedgerRecord, serializeLedger } from '@shipfleet/core';
import { runStatus, StatusIo } from './status-command';
import { COMMIT_A, deployed, NOW } from './__fixtures__/status-records';

const ROOT = join(__dirname, '..', '..', '..', '..');
const BIN = join(__dirname, '..', 'bin', 'shipfleet.ts');

describe('shipfleet status', () => {
  let dir: string;
  const writeLedger = (records: LedgerRecord[], path = '.shipfleet/ledger') => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), serializeLedger(records));
  };
  const io = (out: string[], affected: string[] = []): StatusIo => ({
    cwd: dir,
    now: NOW,
    write: (t) => out.push(t),
    changes: { hasCommit: async () => true, affectedSince: async () => affected },
  });

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'shipfleet-status-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the table from the file ledger, --env keeps one environment, changes flagged', async () => {
    writeLedger([deployed('tv', 'staging', 5, { version: '1.0.0', commit: COMMIT_A }), deployed('tv', 'production', 5, { version: '0.9.0', commit: COMMIT_A })]);
    const out: string[] = [];
    expect(await runStatus({ env: 'staging' }, io(out, ['tv']))).toBe(0);
    expect(out.join('')).toMatch(/^staging: 1 project\n/);
    expect(out.join('')).toMatch(/^tv \* +1\.0\.0 +aaaaaaa +5 min ago/m);
    expect(out.join('')).not.toContain('production');
  });

  it('--json prints parseable JSON; --html writes the page; --ledgerPath and --history are honoured', async () => {
    writeLedger([deployed('tv', 'staging', 5, { version: '1.0.0' }), deployed('tv', 'staging', 3, { version: '1.1.0' }), deployed('tv', 'staging', 1, { version: '1.2.0' })], 'deploys/ledger.json');
    const out: string[] = [];
    await runStatus({ json: 'true', html: 'out/status.html', ledgerPath: 'deploys/ledger.json', history: '2', changed: 'false' }, io(out));
    const j = JSON.parse(out.join(''));
    expect(j.cells[0].history.map((h: { version: string }) => h.version)).toEqual(['1.2.0', '1.1.0']);
    expect(j.cells[0].changedSinceLive).toBeNull();
    expect(j.cells[0].changeNote).toBe('not checked');
    expect(readFileSync(join(dir, 'out/status.html'), 'utf8')).toContain('last 2 deploys');
  });

  it.each([
    [{ env: 'Staging!' }, /Option "env": "Staging!" is not an environment name/],
    [{ history: '0' }, /Option "history"/],
    [{ history: 'many' }, /Option "history"/],
    [{ changed: 'maybe' }, /Option "changed": must be true or false/],
    [{ html: '' }, /Option "html": names no file/],
    [{ ledger: 'sql' }, /Option "ledger"/],
    [{ base: 'HEAD' }, /Option "base": is not an option of shipfleet status/],
  ])('refuses %j', async (flags, message) => {
    await expect(runStatus(flags as Record<string, string>, io([]))).rejects.toThrow(message);
  });

  it('through the bin: --json takes no value, so a flag after it is still read', () => {
    writeLedger([deployed('tv', 'staging', 5, { version: '1.0.0' })]);
    const r = spawnSync(process.execPath, ['-r', require.resolve('@swc-node/register'), BIN, 'status', '--json', '--html', 'page.html', '--changed=false'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json') },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).cells[0]).toMatchObject({ project: 'tv', environment: 'staging', state: 'live' });
    expect(existsSync(join(dir, 'page.html'))).toBe(true);
  });
});
