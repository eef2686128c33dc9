import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { unifiedDiff } from './line-diff';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const lines = (rand: () => number, n: number) => Array.from({ length: n }, () => `line ${Math.floor(rand() * 6)}`);

describe('unifiedDiff', () => {
  const labels = { old: 'old', next: 'new' };

  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', labels)).toEqual([]);
  });

  it('writes hunks as diff -u does: 3 lines of context, nearby changes in one hunk, a new text from line 0', () => {
    const old = Array.from({ length: 20 }, (_, i) => `l${i + 1}`);
    const next = [...old];
    next[2] = 'L3';
    next[6] = 'L7';
    next[17] = 'L18';
    expect(unifiedDiff(`${old.join('\n')}\n`, `${next.join('\n')}\n`, labels)).toEqual([
      '--- old',
      '+++ new',
      '@@ -1,10 +1,10 @@',
      ' l1', ' l2', '-l3', '+L3', ' l4', ' l5', ' l6', '-l7', '+L7', ' l8', ' l9', ' l10',
      '@@ -15,6 +15,6 @@',
      ' l15', ' l16', ' l17', '-l18', '+L18', ' l19', ' l20',
    ]);
    expect(unifiedDiff('', 'a\nb\n', labels)).toEqual(['--- old', '+++ new', '@@ -0,0 +1,2 @@', '+a', '+b']);
  });

  it('patch(1) turns the old text into the new one with it (random inputs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipfleet-line-diff-'));
    const rand = random(11);
    for (let round = 0; round < 25; round++) {
      const a = lines(rand, 5 + Math.floor(rand() * 40));
      const b = a.flatMap((l) => (rand() < 0.1 ? [] : rand() < 0.1 ? [l, `new ${Math.floor(rand() * 100)}`] : [l]));
      const oldText = `${a.join('\n')}\n`;
      const newText = `${b.join('\n')}\n`;
      writeFileSync(join(dir, 'file'), oldText);
      writeFileSync(join(dir, 'patch'), `${unifiedDiff(oldText, newText, { old: 'file', next: 'file' }).join('\n')}\n`);
      if (oldText !== newText) execFileSync('patch', ['--quiet', '--force', '-F0', join(dir, 'file'), join(dir, 'patch')]);
      expect(readFileSync(join(dir, 'file'), 'utf8')).toBe(newText);
    }
  });
});
