import { LiteralMatcher } from './literal-matcher';

/** Every occurrence of every pattern, overlapping ones merged: what spans() must return. */
function naiveSpans(text: string, patterns: string[]): Array<[number, number]> {
  const all: Array<[number, number]> = [];
  for (const p of patterns) for (let i = text.indexOf(p); i !== -1; i = text.indexOf(p, i + 1)) all.push([i, i + p.length]);
  all.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [s, e] of all) {
    const last = merged[merged.length - 1];
    if (last && s < last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

describe('LiteralMatcher', () => {
  it('finds the same spans as a search for each pattern, on random texts over a small alphabet', () => {
    let rngState = 7;
    const random = (n: number) => (rngState = (rngState * 1103515245 + 12345) % 2 ** 31) % n;
    const word = (length: number) => Array.from({ length }, () => 'abc'[random(3)]).join('');
    for (let round = 0; round < 300; round++) {
      const patterns = Array.from({ length: 1 + random(6) }, () => word(1 + random(5)));
      const text = word(random(40));
      expect([round, new LiteralMatcher(patterns).spans(text)]).toEqual([round, naiveSpans(text, patterns)]);
    }
  });

  it('matches nothing without patterns, and keeps adjacent occurrences apart', () => {
    expect(new LiteralMatcher([]).spans('anything')).toEqual([]);
    expect(new LiteralMatcher(['ab']).spans('abab')).toEqual([[0, 2], [2, 4]]);
  });
});
