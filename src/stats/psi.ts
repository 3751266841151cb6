import {
  DEFAULT_PSI_BINS,
  categoricalBinCounts,
  categoricalBins,
  numericBinCounts,
  numericCutPoints,
} from './bins.js';

/**
 * The proportion that stands in for an empty bin, so that ln(p_cur / p_ref) stays finite
 * (statistics.md; the convention of the Python drift libraries).
 */
export const PSI_EPSILON = 1e-4;

/**
 * The bin proportions PSI uses: p_i = count_i / n, with a proportion of exactly 0 replaced by
 * `epsilon` and the result not renormalised (statistics.md). Pure.
 * @throws RangeError when the counts sum to 0 (an empty window has no proportions).
 */
export function psiProportions(counts: ArrayLike<number>, epsilon: number = PSI_EPSILON): number[] {
  const n = total(counts);
  const proportions = new Array<number>(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const p = counts[i]! / n;
    proportions[i] = p === 0 ? epsilon : p;
  }
  return proportions;
}

/**
 * The Population Stability Index of a current window against a baseline, from their counts over
 * the same bins (what the daemon's windows hold): PSI = sum_i (p_cur,i - p_ref,i) *
 * ln(p_cur,i / p_ref,i), with p from `psiProportions` (Siddiqi, "Credit Risk Scorecards", 2006;
 * the definition of statistics.md). Non-negative, symmetric in its two arguments, 0 when the
 * proportions are equal. Conventional reading: < 0.1 stable, 0.1-0.25 moderate, > 0.25 significant.
 * Pure; O(bins).
 * @throws RangeError when the arrays differ in length or either sums to 0.
 */
export function psiFromCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
  epsilon: number = PSI_EPSILON,
): number {
  if (referenceCounts.length !== currentCounts.length) {
    throw new RangeError(`bin counts differ in length: ${referenceCounts.length} vs ${currentCounts.length}`);
  }
  const ref = psiProportions(referenceCounts, epsilon);
  const cur = psiProportions(currentCounts, epsilon);
  let psi = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const c = cur[i]!;
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/**
 * PSI of two numeric samples: bins cut from `reference` (`numericCutPoints`, `bins` quantile
 * bins before merging), both samples counted, then `psiFromCounts`. A convenience for tests and
 * one-off comparisons; the daemon keeps the cut points and counts instead. Pure; O(n log n).
 */
export function psiFromSamples(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  bins: number = DEFAULT_PSI_BINS,
): number {
  const cuts = numericCutPoints(reference, bins);
  return psiFromCounts(numericBinCounts(cuts, reference), numericBinCounts(cuts, current));
}

/**
 * PSI of two categorical samples over the baseline's categories plus `__other__`
 * (`categoricalBins`), then `psiFromCounts`. A convenience, as `psiFromSamples`. Pure; O(n).
 */
export function psiFromCategories(reference: readonly string[], current: Iterable<string>): number {
  const bins = categoricalBins(reference);
  return psiFromCounts(categoricalBinCounts(bins, reference), categoricalBinCounts(bins, current));
}

function total(counts: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  if (!(n > 0)) throw new RangeError('bin counts sum to 0: no proportions');
  return n;
}
