/**
 * The quantities of a numeric baseline feature that come from order statistics: the PSI cut
 * points, the percentiles, and the ranks each needs. Shared by the in-memory path (a sorted
 * array) and the streamed path (a sparse view of the ranks found by `RankSelector`), so the two
 * compute the same numbers by the same operations. Pure.
 */
import { quantileSorted } from '../stats/quantile.js';

/** The percentile levels of `NumericFeature.percentiles`, with their keys in the file. */
export const PERCENTILE_LEVELS: ReadonlyArray<readonly [string, number]> = [
  ['p1', 0.01],
  ['p5', 0.05],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p95', 0.95],
  ['p99', 0.99],
];

/** The quantile levels a feature needs: k / bins for the cuts, then the percentiles. */
export function quantileLevels(bins: number): number[] {
  const levels: number[] = [];
  for (let k = 1; k < bins; k++) levels.push(k / bins);
  for (const [, q] of PERCENTILE_LEVELS) levels.push(q);
  return levels;
}

/** The 0-based ranks `quantileSorted` reads for these levels over n values. */
export function ranksForLevels(n: number, levels: readonly number[]): number[] {
  const ranks = new Set<number>();
  for (const q of levels) {
    const h = (n - 1) * q;
    if (h >= n - 1) ranks.add(n - 1);
    else {
      const below = Math.floor(h);
      ranks.add(below);
      ranks.add(below + 1);
    }
  }
  return [...ranks].sort((a, b) => a - b);
}

/**
 * A sorted sample of size n of which only some ranks are known: what `quantileSorted` needs when
 * the ranks are those of `ranksForLevels`.
 */
export function sparseSorted(n: number, values: ReadonlyMap<number, number>): ArrayLike<number> {
  const view: { [index: number]: number; length: number } = { length: n };
  for (const [rank, value] of values) view[rank] = value;
  return view;
}

/**
 * The PSI cut points from the sorted values: exactly `numericCutPoints`'s computation (statistics.md),
 * with -0 written as 0 so that the file round-trips.
 */
export function cutsFromSorted(sorted: ArrayLike<number>, bins: number): number[] {
  const raw: number[] = [];
  for (let k = 1; k < bins; k++) raw.push(quantileSorted(sorted, k / bins));
  raw.sort((x, y) => x - y);
  const cuts: number[] = [];
  for (const c of raw) if (cuts.length === 0 || cuts[cuts.length - 1] !== c) cuts.push(c + 0);
  return cuts;
}

/** The percentiles of `PERCENTILE_LEVELS` from the sorted values. */
export function percentilesFromSorted(sorted: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, q] of PERCENTILE_LEVELS) out[key] = quantileSorted(sorted, q) + 0;
  return out;
}
