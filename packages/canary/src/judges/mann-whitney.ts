/**
 * The Mann-Whitney U test (Wilcoxon rank-sum): does one sample tend to have
 * larger values than the other, without assuming any distribution. Exact
 * (the permutation distribution of the rank sum, ties included) for small
 * samples, the normal approximation with tie and continuity corrections above.
 */
export type Alternative = 'greater' | 'less' | 'two-sided';

export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, a tie counting one half. */
  u: number;
  n1: number;
  n2: number;
  /** Probability under "no difference" of a U at least this extreme in the direction asked. */
  pValue: number;
  method: 'exact' | 'normal';
}

/** Samples with at most this many values in total get the exact distribution. */
export const EXACT_LIMIT = 60;

/** Mid-ranks (1-based) of the combined values, doubled so that they are integers, and the tie group sizes. */
function doubledRanks(values: number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    // Positions i..j (0-based) share the mid-rank ((i+1)+(j+1))/2; doubled: i+j+2.
    for (let k = i; k <= j; k++) ranks[order[k][1]] = i + j + 2;
    ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** Complementary error function (Numerical Recipes' erfcc; fractional error below 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export const upperTail = (z: number) => 0.5 * erfc(z / Math.SQRT2);

/**
 * Counts, for every doubled rank sum s, the subsets of size n1 whose doubled
 * ranks sum to s: the exact null distribution of the first sample's rank sum
 * given the ties actually present.
 */
function rankSumDistribution(ranks: number[], n1: number): Float64Array {
  const max = ranks.reduce((a, b) => a + b, 0);
  const width = max + 1;
  const table = new Float64Array((n1 + 1) * width);
  table[0] = 1;
  ranks.forEach((r, i) => {
    for (let k = Math.min(i + 1, n1); k >= 1; k--) {
      const row = k * width;
      const prev = (k - 1) * width;
      for (let s = max; s >= r; s--) table[row + s] += table[prev + s - r];
    }
  });
  return table.subarray(n1 * width, (n1 + 1) * width);
}

export function mannWhitneyU(x: number[], y: number[], alternative: Alternative = 'two-sided', options: { exact?: boolean } = {}): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (!n1 || !n2) throw new Error('both samples need at least one value');
  const n = n1 + n2;
  const { ranks, ties } = doubledRanks([...x, ...y]);
  const r1Doubled = ranks.slice(0, n1).reduce((a, b) => a + b, 0);
  const u = r1Doubled / 2 - (n1 * (n1 + 1)) / 2;
  const exact = options.exact ?? n <= EXACT_LIMIT;

  if (exact) {
    const dist = rankSumDistribution(ranks, n1);
    let total = 0;
    let atLeast = 0;
    let atMost = 0;
    dist.forEach((count, s) => {
      if (!count) return;
      total += count;
      if (s >= r1Doubled) atLeast += count;
      if (s <= r1Doubled) atMost += count;
    });
    const greater = atLeast / total;
    const less = atMost / total;
    const pValue = alternative === 'greater' ? greater : alternative === 'less' ? less : Math.min(1, 2 * Math.min(greater, less));
    return { u, n1, n2, pValue, method: 'exact' };
  }

  const mean = (n1 * n2) / 2;
  const tieTerm = ties.reduce((acc, t) => acc + (t * t * t - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, n1, n2, pValue: 1, method: 'normal' };
  const sd = Math.sqrt(variance);
  let pValue: number;
  if (alternative === 'greater') pValue = upperTail((u - mean - 0.5) / sd);
  else if (alternative === 'less') pValue = 1 - upperTail((u - mean + 0.5) / sd);
  else pValue = Math.min(1, 2 * upperTail((Math.abs(u - mean) - 0.5) / sd));
  return { u, n1, n2, pValue: Math.min(1, Math.max(0, pValue)), method: 'normal' };
}
