/**
 * How a model's per-feature p-values are corrected for testing k features at once
 * (statistics.md, "Multiple testing"); the default is Benjamini-Hochberg.
 * - 'bonferroni' controls the family-wise error rate: P(any false alarm) <= alpha.
 * - 'benjamini-hochberg' controls the false discovery rate: E(false alarms / alarms) <= alpha
 *   for independent (or positively dependent) tests; less conservative.
 */
export type CorrectionMethod = 'bonferroni' | 'benjamini-hochberg';

/** The correction the daemon applies when the config names none. */
export const DEFAULT_CORRECTION: CorrectionMethod = 'benjamini-hochberg';

/** The level at which corrected p-values are read when the config names none. */
export const DEFAULT_ALPHA = 0.05;

/**
 * Bonferroni-adjusted p-values, as `statsmodels.stats.multitest.multipletests(p, method='bonferroni')`
 * returns them: min(1, p_i * m) for m p-values, in input order (Bonferroni 1936; Dunn,
 * JASA 56, 1961). Pure; O(m). p-values must lie in [0, 1].
 */
export function bonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  return pValues.map((p) => Math.min(1, p * m));
}

/**
 * Benjamini-Hochberg adjusted p-values (Benjamini & Hochberg, JRSS B 57, 1995), as statsmodels'
 * `multipletests(p, method='fdr_bh')` computes them: with the p-values sorted ascending and ranked
 * i = 1..m, raw_i = p_(i) / (i / m); the adjusted value is the cumulative minimum of raw taken from
 * the largest rank down (so it is monotone in p), capped at 1, and returned in input order. Tied
 * p-values get equal adjusted values whatever order the sort leaves them in. Pure; O(m log m).
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ascendingOrder(pValues);
  const adjusted = new Array<number>(m);
  let running = Number.POSITIVE_INFINITY;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1]!;
    running = Math.min(running, pValues[index]! / (rank / m));
    adjusted[index] = Math.min(1, running);
  }
  return adjusted;
}

/** Adjusted p-values by the named method (`bonferroni` or `benjaminiHochberg`), in input order. */
export function adjustPValues(pValues: readonly number[], method: CorrectionMethod): number[] {
  return method === 'bonferroni' ? bonferroni(pValues) : benjaminiHochberg(pValues);
}

/**
 * Which hypotheses are rejected at level `alpha` after correction, in input order, decided as
 * statsmodels' `multipletests(...)[0]` decides: Bonferroni rejects p_i <= alpha / m;
 * Benjamini-Hochberg finds the largest rank i with p_(i) <= (i / m) * alpha and rejects that one
 * and every smaller p-value (the step-up rule). Equivalent to adjusted <= alpha up to rounding,
 * and compared the same way as statsmodels so that a p-value exactly on the boundary gets the
 * same verdict. Pure; O(m log m).
 */
export function rejected(
  pValues: readonly number[],
  alpha: number = DEFAULT_ALPHA,
  method: CorrectionMethod = DEFAULT_CORRECTION,
): boolean[] {
  const m = pValues.length;
  if (method === 'bonferroni') {
    const threshold = alpha / m;
    return pValues.map((p) => p <= threshold);
  }
  const order = ascendingOrder(pValues);
  let largestRejectedRank = 0;
  for (let rank = 1; rank <= m; rank++) {
    if (pValues[order[rank - 1]!]! <= (rank / m) * alpha) largestRejectedRank = rank;
  }
  const result = new Array<boolean>(m).fill(false);
  for (let rank = 1; rank <= largestRejectedRank; rank++) result[order[rank - 1]!] = true;
  return result;
}

/** Indices of `values` in ascending order of value (ties by index, for a deterministic order). */
function ascendingOrder(values: readonly number[]): number[] {
  return values.map((_, i) => i).sort((i, j) => values[i]! - values[j]! || i - j);
}
