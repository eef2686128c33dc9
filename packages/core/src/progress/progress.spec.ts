import { Logger, memoryLogger } from '../logger';
import { runPlan } from '../runner';
import { taskStep } from '../plan';
import { startProgress, TaskLog } from './progress';
import { SharedTerminal, terminalFor } from './terminal';
import { LineThrottle } from './throttle';

/** A fake TTY: records every write. */
function fakeTty(columns = 120) {
  const writes: string[] = [];
  const stream = { isTTY: true, columns, write: (chunk: string, cb?: () => void) => { writes.push(String(chunk)); cb?.(); return true; } };
  return { stream: stream as unknown as NodeJS.WriteStream, writes, text: () => writes.join('') };
}

describe('LineThrottle', () => {
  it('prints the first line at once, then at most one per interval and only changes; the final line always', () => {
    let t = 1_000;
    const lines: string[] = [];
    const throttle = new LineThrottle((l) => lines.push(l), 5000, () => t);
    throttle.offer('a');
    t += 1000;
    throttle.offer('b');
    t += 3999;
    throttle.offer('c');
    expect(lines).toEqual(['a']);
    t += 1;
    throttle.offer('c');
    expect(lines).toEqual(['a', 'c']);
    t += 60_000;
    throttle.offer('c');
    expect(lines).toEqual(['a', 'c']);
    throttle.final('done');
    throttle.final('done');
    expect(lines).toEqual(['a', 'c', 'done']);
  });
});

describe('startProgress without a terminal', () => {
  it('logs a flood of updates as a few lines, with the final one', () => {
    let t = 0;
    const lines: string[] = [];
    const p = startProgress((l) => lines.push(l), { label: 'uploading', total: 10 * 1024 * 1024, unit: 'bytes', now: () => t });
    expect(p.mode).toBe('lines');
    for (let i = 1; i <= 1000; i++) {
      t += 30; // 30 s in all
      p.update(i * 10 * 1024 * 1024 / 1000, `${i}/1000 files`);
    }
    p.end();
    expect(lines.length).toBeGreaterThanOrEqual(6);
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(lines[0]).toBe('uploading: 10 KiB of 10 MiB (0%) · 1/1000 files');
    expect(lines[lines.length - 1]).toBe('uploading: 10 MiB of 10 MiB (100%) · 1000/1000 files · 30s');
  });

  it('counts things other than bytes, and shows a note alone', () => {
    const lines: string[] = [];
    const files = startProgress((l) => lines.push(l), { label: 'copying', total: 4, unit: { plural: 'files' }, intervalMs: 0, now: () => 0 });
    files.update(1);
    files.end();
    const status = startProgress((l) => lines.push(l), { label: 'deployment/api', intervalMs: 0, now: () => 0 });
    status.note('1 of 3 updated replicas are available...');
    status.end();
    expect(lines).toEqual(['copying: 1/4 files (25%)', 'copying: 1/4 files (25%) · 0ms', 'deployment/api: 1 of 3 updated replicas are available...', 'deployment/api: 1 of 3 updated replicas are available... · 0ms']);
  });

  it('ends when the signal aborts', () => {
    const lines: string[] = [];
    const abort = new AbortController();
    const p = startProgress((l) => lines.push(l), { label: 'waiting', signal: abort.signal, now: () => 0 });
    abort.abort();
    p.note('later');
    expect(lines).toEqual(['waiting · 0ms']);
  });
});

describe('terminal selection', () => {
  it('only an interactive terminal (not a pipe, a file or TERM=dumb) gets a redrawn line', () => {
    expect(terminalFor({ isTTY: false } as unknown as NodeJS.WriteStream, {})).toBeUndefined();
    expect(terminalFor({} as unknown as NodeJS.WriteStream, {})).toBeUndefined();
    expect(terminalFor(fakeTty().stream, { TERM: 'dumb' })).toBeUndefined();
    expect(terminalFor(fakeTty().stream, { TERM: 'xterm' })).toBeInstanceOf(SharedTerminal);
  });

  it('redraws on a terminal through cli-progress, logs only the final line, and lets a second progress fall back to lines', () => {
    const tty = fakeTty();
    const terminal = new SharedTerminal(tty.stream);
    const lines: string[] = [];
    const log: TaskLog = Object.assign((l: string) => terminal.writeLine(l), { terminal });
    const logged: TaskLog = Object.assign((l: string) => { lines.push(l); log(l); }, { terminal });
    const p = startProgress(logged, { label: 'uploading', total: 2048, unit: 'bytes' });
    expect(p.mode).toBe('redraw');
    const second = startProgress(logged, { label: 'other', mode: 'auto' });
    expect(second.mode).toBe('lines');
    second.end();
    p.update(1024, '1/2 files');
    p.end();
    expect(tty.text()).toMatch(/uploading \[[^\]]+\] 0 B of 2\.0 KiB \(0%\)/);
    // A log line written while the bar is drawn first wipes it (cursor to column 1, clear line).
    expect(tty.text()).toContain('\x1b[1G\x1b[2Kother · ');
    expect(lines).toEqual([expect.stringMatching(/^other · \d+ms$/), expect.stringMatching(/^uploading: 1\.0 KiB of 2\.0 KiB \(50%\) · 1\/2 files · \d+ms$/)]);
    // Released at the end: the next progress redraws again.
    const third = startProgress(logged, { label: 'third' });
    expect(third.mode).toBe('redraw');
    third.end();
    expect(startProgress(logged, { label: 'forced', mode: 'lines' }).mode).toBe('lines');
  });
});

describe('masking', () => {
  const SECRET = 'progress-secret-4f1c9a7e2b';

  it('a secret in a progress label is masked on the redrawn line, in its writes and in the logged lines', async () => {
    const tty = fakeTty(400);
    const terminal = new SharedTerminal(tty.stream);
    const mem = memoryLogger();
    const logger: Logger = { info: (l) => { mem.logger.info(l); terminal.writeLine(l); }, warn: mem.logger.warn, error: mem.logger.error, terminal };
    let mode: string | undefined;
    const report = await runPlan({ title: 'upload', steps: [taskStep('Upload', 'uploads', (ctx) => {
      const p = startProgress(ctx.log, { label: `uploading to https://x:${SECRET}@example.com`, total: 100, unit: { plural: 'parts' } });
      mode = p.mode;
      p.update(50, `token ${SECRET}`);
      p.end();
    })] }, { logger, secrets: [SECRET], handleSignals: false, printSummary: false });
    expect(report.status).toBe('succeeded');
    expect(mode).toBe('redraw');
    expect(tty.text()).toContain('  │ uploading to https://x:***@example.com [');
    expect(tty.text()).not.toContain(SECRET);
    expect(mem.text()).toContain('│ uploading to https://x:***@example.com: 50/100 parts (50%) · token ***');
    expect(mem.text()).not.toContain(SECRET);
  });

  it('masks lines without a terminal too', async () => {
    const mem = memoryLogger();
    await runPlan({ title: 'upload', steps: [taskStep('Upload', 'uploads', (ctx) => {
      const p = startProgress(ctx.log, { label: `uploading ${SECRET}`, intervalMs: 0 });
      p.note(`at ${SECRET}`);
      p.end();
    })] }, { logger: mem.logger, secrets: [SECRET], handleSignals: false });
    expect(mem.text()).toContain('│ uploading ***: at ***');
    expect(mem.text()).not.toContain(SECRET);
  });
});
