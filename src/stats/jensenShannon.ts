/**
 * The Jensen-Shannon distance between two discrete distributions, as
 * `scipy.spatial.distance.jensenshannon(p, q)` computes it with the natural logarithm (Lin,
 * "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37, 1991):
 * p and q are first normalised to sum 1 (scipy does so, so any non-negative weights do),
 * m = (p + q) / 2, JSD = (KL(p || m) + KL(q || m)) / 2 with 0 * ln(0 / m) = 0, and the distance
 * is sqrt(JSD). Symmetric, in [0, sqrt(ln 2)], 0 for equal distributions; unlike PSI it needs no
 * epsilon for empty bins. Pure; O(bins).
 * @throws RangeError when the arrays differ in length or either sums to 0.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) {
    throw new RangeError(`distributions differ in length: ${p.length} vs ${q.length}`);
  }
  const pn = normalised(p);
  const qn = normalised(q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i++) {
    const a = pn[i]!;
    const b = qn[i]!;
    const m = (a + b) / 2;
    left += relativeEntropyTerm(a, m);
    right += relativeEntropyTerm(b, m);
  }
  // Rounding can leave a divergence of -1e-17 for equal inputs; the distance is then 0.
  return Math.sqrt(Math.max(0, (left + right) / 2));
}

/**
 * The Jensen-Shannon distance between a baseline and a current window from their counts over the
 * same bins (statistics.md): the raw proportions count / n, no epsilon, passed to
 * `jensenShannonDistance`, which normalises them once more as scipy does. Pure; O(bins).
 * @throws RangeError as `jensenShannonDistance`.
 */
export function jensenShannonFromCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): number {
  return jensenShannonDistance(normalised(referenceCounts), normalised(currentCounts));
}

/** scipy.special.rel_entr(x, y) for x >= 0, y > 0 whenever x > 0 (m >= x / 2 guarantees it here). */
function relativeEntropyTerm(x: number, y: number): number {
  return x > 0 ? x * Math.log(x / y) : 0;
}

function normalised(weights: ArrayLike<number>): number[] {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]!;
  if (!(sum > 0)) throw new RangeError('weights sum to 0: not a distribution');
  return Array.from(weights, (w) => w / sum);
}
