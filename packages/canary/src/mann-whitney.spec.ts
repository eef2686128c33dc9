import { erfc, mannWhitneyU, upperTail } from './judges/mann-whitney';

/** Samples without ties whose first has U = k against the second: n1 values below every y, then moved up past k of them in all. */
function samplesWithU(n1: number, n2: number, k: number): { x: number[]; y: number[] } {
  const y = Array.from({ length: n2 }, (_, i) => n1 + 1 + i);
  const x = Array.from({ length: n1 }, (_, i) => i + 1);
  let left = k;
  for (let i = n1 - 1; i >= 0 && left > 0; i--) {
    const a = Math.min(left, n2);
    // Above exactly `a` of the y values, and distinct from the other moved x values.
    x[i] = n1 + a + 0.5 - i * 0.01;
    left -= a;
  }
  return { x, y };
}

/** The one-sided p-value P(U1 <= observed) by listing every split of the pooled values (ties as mid-ranks). */
function bruteForceLess(x: number[], y: number[]): number {
  const all = [...x, ...y];
  const sorted = [...all].sort((a, b) => a - b);
  const rank = (v: number) => {
    const first = sorted.indexOf(v) + 1;
    const last = sorted.lastIndexOf(v) + 1;
    return (first + last) / 2;
  };
  const ranks = all.map(rank);
  const observed = ranks.slice(0, x.length).reduce((a, b) => a + b, 0);
  let total = 0;
  let atMost = 0;
  const choose = (start: number, left: number, sum: number) => {
    if (left === 0) {
      total++;
      if (sum <= observed + 1e-9) atMost++;
      return;
    }
    for (let i = start; i <= ranks.length - left; i++) choose(i + 1, left - 1, sum + ranks[i]);
  };
  choose(0, x.length, 0);
  return atMost / total;
}

describe('Mann-Whitney U', () => {
  it('computes U with mid-ranks for ties, as by hand', () => {
    // Pooled and sorted: 1x 2x 2x 2y 3x 3y 4y 5y. Mid-ranks: 1; 3, 3, 3; 5.5, 5.5; 7; 8.
    // R(x) = 1 + 3 + 3 + 5.5 = 12.5, U(x) = 12.5 - 4·5/2 = 2.5
    // (pairs x > y: 2 vs 2 twice a half, 3 vs 2 once, 3 vs 3 a half = 2.5).
    expect(mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5]).u).toBe(2.5);
    expect(mannWhitneyU([2, 3, 4, 5], [1, 2, 2, 3]).u).toBe(16 - 2.5);
  });

  it('gives the exact p-value of complete separation: 1 / C(8, 4) = 1/70', () => {
    const r = mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8], 'less');
    expect(r).toMatchObject({ u: 0, method: 'exact' });
    expect(r.pValue).toBeCloseTo(1 / 70, 12);
    expect(mannWhitneyU([5, 6, 7, 8], [1, 2, 3, 4], 'greater').pValue).toBeCloseTo(1 / 70, 12);
    expect(mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8], 'two-sided').pValue).toBeCloseTo(2 / 70, 12);
    // Three against three can never reach p < 0.05: 1/20 is the smallest one-sided p-value.
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], 'less').pValue).toBeCloseTo(0.05, 12);
  });

  // Critical values of U at α = 0.05 for equal sample sizes (standard Mann-Whitney tables):
  // the largest U whose lower-tail probability is at most α.
  const ONE_TAILED: Record<number, number> = { 5: 4, 6: 7, 7: 11, 8: 15, 9: 21, 10: 27 };
  const TWO_TAILED: Record<number, number> = { 5: 2, 6: 5, 7: 8, 8: 13, 9: 17, 10: 23 };
  it.each(Object.keys(ONE_TAILED).map(Number))('matches the published critical values for n1 = n2 = %i', (n) => {
    const p = (k: number, alt: 'less' | 'two-sided') => {
      const { x, y } = samplesWithU(n, n, k);
      const r = mannWhitneyU(x, y, alt);
      expect(r.u).toBe(k);
      return r.pValue;
    };
    expect(p(ONE_TAILED[n], 'less')).toBeLessThanOrEqual(0.05);
    expect(p(ONE_TAILED[n] + 1, 'less')).toBeGreaterThan(0.05);
    expect(p(TWO_TAILED[n], 'two-sided')).toBeLessThanOrEqual(0.05);
    expect(p(TWO_TAILED[n] + 1, 'two-sided')).toBeGreaterThan(0.05);
  });

  it('matches a full enumeration of the splits when there are ties', () => {
    const cases: [number[], number[]][] = [
      [[0, 0, 0, 0.01], [0, 0.02, 0.03, 0.05]],
      [[1, 2, 2, 3], [2, 3, 4, 5]],
      [[0, 0, 0, 0, 0], [0, 0, 1, 1]],
      [[3, 3, 3], [3, 3, 4, 4, 4]],
    ];
    for (const [x, y] of cases) expect(mannWhitneyU(x, y, 'less').pValue).toBeCloseTo(bruteForceLess(x, y), 12);
  });

  it('uses the normal approximation with continuity correction for large samples', () => {
    // x = 1..20, y = 10.5..29.5 (no ties): U(x) = 1 + 2 + … + 10 = 55; mean 200;
    // sd = sqrt(20·20·41/12) = 36.968; z = (55 - 200 + 0.5) / 36.968 = -3.9087; Φ(z) = 4.6390e-5.
    const x = Array.from({ length: 20 }, (_, i) => i + 1);
    const y = Array.from({ length: 20 }, (_, i) => i + 10.5);
    const r = mannWhitneyU(x, y, 'less', { exact: false });
    expect(r).toMatchObject({ u: 55, method: 'normal' });
    expect(r.pValue).toBeCloseTo(4.639e-5, 8);
    // The exact distribution (P(U <= 55) = 1.6822e-5 by the recursion f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u)).
    expect(mannWhitneyU(x, y, 'less').pValue).toBeCloseTo(1.6822e-5, 8);
  });

  it('sees no difference in identical samples', () => {
    expect(mannWhitneyU([0, 0, 0, 0], [0, 0, 0, 0], 'greater').pValue).toBe(1);
    expect(mannWhitneyU([0, 0, 0, 0], [0, 0, 0, 0], 'greater', { exact: false }).pValue).toBe(1);
  });

  it('has an accurate normal tail', () => {
    expect(upperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(upperTail(0)).toBeCloseTo(0.5, 7);
    expect(erfc(-1)).toBeCloseTo(1.8427007929, 6);
  });
});
