import { spawn } from 'child_process';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'fs';
import { hostname, tmpdir } from 'os';
import { join } from 'path';
import { FileLedger, LedgerRecord } from './index';

const writer = join(__dirname, '..', '__fixtures__', 'ledger-writer.ts');
const rec = (inputHash: string): LedgerRecord => ({ project: 'tv', target: 'deploy', environment: 'staging', inputHash, result: 'succeeded', time: new Date().toISOString() });
const ledgerPath = () => join(mkdtempSync(join(tmpdir(), 'shipfleet-lock-')), 'ledger');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/** Writes a lock file as another writer left it, its heartbeat `ageMs` ago. */
function leftLock(path: string, content: string, ageMs: number): void {
  writeFileSync(`${path}.lock`, content);
  const then = (Date.now() - ageMs) / 1000;
  utimesSync(`${path}.lock`, then, then);
}

describe('FileLedger lock', () => {
  it('a writer that judged a lock stale never takes the live lock another writer took in the meantime', async () => {
    const path = ledgerPath();
    leftLock(path, '999999999', 3_600_000);
    const bJudged = gate();
    const bGoesOn = gate();
    const aRead = gate();
    const aGoesOn = gate();
    // B judges the dead writer's lock stale, then stalls before taking it.
    const b = new FileLedger(path, { hooks: { staleLockJudged: async () => (bJudged.open(), bGoesOn.opened) } });
    // A breaks the same stale lock, takes it, reads the ledger and stalls before writing.
    const a = new FileLedger(path, { hooks: { ledgerRead: async () => (aRead.open(), aGoesOn.opened) } });
    const bDone = b.append(rec('b0'));
    await bJudged.opened;
    const aDone = a.append(rec('a0'));
    await aRead.opened;
    bGoesOn.open();
    // B must now wait for A; give it the chance to (wrongly) finish first.
    await Promise.race([bDone, sleep(1500)]);
    aGoesOn.open();
    await Promise.all([aDone, bDone]);
    expect((await new FileLedger(path).read()).map((r) => r.inputHash).sort()).toEqual(['a0', 'b0']);
    expect(existsSync(`${path}.lock`)).toBe(false);
  }, 60000);

  it('breaks a lock whose heartbeat stopped, even when its pid is alive (pid 1, or a pid reused in another container)', async () => {
    const path = ledgerPath();
    leftLock(path, '1', 60_000);
    await new FileLedger(path, { lockTimeoutMs: 10_000, staleAfterMs: 1_000 }).append(rec('a1'));
    leftLock(path, JSON.stringify({ token: 'f00d', host: 'another-container', pid: process.pid }), 60_000);
    await new FileLedger(path, { lockTimeoutMs: 10_000, staleAfterMs: 1_000 }).append(rec('a2'));
    expect((await new FileLedger(path).read()).map((r) => r.inputHash)).toEqual(['a1', 'a2']);
  }, 60000);

  it('waits for a lock held by a live writer on another machine', async () => {
    const path = ledgerPath();
    leftLock(path, JSON.stringify({ token: 'f00d', host: 'another-machine', pid: 4242 }), 0);
    await expect(new FileLedger(path, { lockTimeoutMs: 500, staleAfterMs: 60_000 }).append(rec('a1'))).rejects.toThrow(/timed out waiting for the deploy ledger lock/);
    expect(existsSync(path)).toBe(false);
  }, 30000);

  it('keeps its lock fresh while it holds it', async () => {
    const path = ledgerPath();
    const held = gate();
    const goOn = gate();
    const a = new FileLedger(path, { heartbeatMs: 50, staleAfterMs: 400, hooks: { ledgerRead: async () => (held.open(), goOn.opened) } });
    const aDone = a.append(rec('a1'));
    await held.opened;
    // Longer than the staleness age: without the heartbeat, B would break A's lock.
    const bDone = new FileLedger(path, { staleAfterMs: 400 }).append(rec('b1'));
    await Promise.race([bDone, sleep(1500)]);
    goOn.open();
    await Promise.all([aDone, bDone]);
    expect((await new FileLedger(path).read()).map((r) => r.inputHash)).toEqual(['a1', 'b1']);
  }, 60000);

  it('a writer killed inside its critical section: the others go on and nothing written is lost', async () => {
    const path = ledgerPath();
    const run = (id: number, count: number, mode = '') =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', writer, 'file', path, String(id), String(count), mode], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0)));
      });
    // Writer 9 commits 5 records and is killed while writing its 6th.
    const codes = await Promise.all([run(0, 40), run(1, 40), run(2, 40), run(9, 20, 'crash:5')]);
    expect(codes).toEqual([0, 0, 0, -1]);
    const records = await new FileLedger(path).read();
    for (const p of [0, 1, 2]) expect(records.filter((r) => r.project === `p${p}`)).toHaveLength(40);
    expect(records.filter((r) => r.project === 'p9').map((r) => r.inputHash)).toEqual(['a9b0', 'a9b1', 'a9b2', 'a9b3', 'a9b4']);
  }, 120000);
});
