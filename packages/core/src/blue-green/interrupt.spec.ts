import { spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** Runs the fixture's deploy in a child, sends it SIGINT once `waitingFor` is recorded, and returns what it did. */
async function interruptAt(mode: 'before' | 'switch' | 'after', waitingFor: string) {
  const dir = mkdtempSync(join(tmpdir(), 'shipfleet-blue-green-sigint-'));
  const record = join(dir, 'calls.txt');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, '..', '__fixtures__', 'blue-green-interrupt.ts'), record, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const calls = () => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n') : []);
  for (let i = 0; i < 400 && !calls().includes(waitingFor); i++) await new Promise((r) => setTimeout(r, 50));
  const reached = calls();
  child.kill('SIGINT');
  const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
  const result = { reached, calls: calls(), code, signal, output };
  rmSync(dir, { recursive: true, force: true });
  return result;
}

describe('blue-green deploy interrupted by SIGINT', () => {
  it('before the switch: leaves the live version untouched and retires the new one', async () => {
    const r = await interruptAt('before', 'waitReady waiting');
    expect(r.reached).toEqual(['deployIdle', 'waitReady', 'waitReady waiting']);
    expect(r.calls).toEqual(['deployIdle', 'waitReady', 'waitReady waiting', 'retire new']);
    expect(r.signal).toBe('SIGINT');
    expect(r.output).toContain('Received SIGINT');
    expect(r.output).toContain('Retiring deployment api-green: it never took traffic (the deploy was interrupted)');
  }, 30_000);

  it('during the switch: switches back (the switch may have taken effect part way), then retires the new version', async () => {
    const r = await interruptAt('switch', 'switchTo waiting');
    expect(r.calls).toEqual(['deployIdle', 'waitReady', 'switchTo', 'switchTo waiting', 'switchBack', 'retire new']);
    expect(r.signal).toBe('SIGINT');
  }, 30_000);

  it('after the switch (during keepPrevious): switches back, then retires the new version', async () => {
    const r = await interruptAt('after', 'keepPrevious waiting');
    expect(r.reached).toEqual(['deployIdle', 'waitReady', 'switchTo', 'keepPrevious waiting']);
    expect(r.calls).toEqual(['deployIdle', 'waitReady', 'switchTo', 'keepPrevious waiting', 'switchBack', 'retire new']);
    expect(r.signal).toBe('SIGINT');
    expect(r.output).toContain('Switching traffic back to deployment api-blue because the deploy was interrupted');
  }, 30_000);
});
