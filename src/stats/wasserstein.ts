/**
 * The Wasserstein-1 (earth mover's) distance between the empirical distributions of two samples,
 * as `scipy.stats.wasserstein_distance(u, v)` computes it (scipy's `_cdf_distance` with p = 1):
 * the integral of |F_u(x) - F_v(x)| over x, exactly, as a sum over the merged sorted values
 * x_0 <= x_1 <= ... of |F_u(x_i) - F_v(x_i)| * (x_{i+1} - x_i), with F the right-continuous
 * empirical CDF (count of values <= x, over n). In the units of the data; symmetric, 0 for equal
 * samples, and W(a, a + c) = |c|. Pure; O((n + m) log(n + m)) for sorted copies of both inputs.
 * Values must be finite.
 * @throws RangeError when either sample is empty.
 */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  if (u.length === 0 || v.length === 0) throw new RangeError('Wasserstein distance of an empty sample');
  const a = Float64Array.from(u).sort();
  const b = Float64Array.from(v).sort();
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let distance = 0;
  // Walk the distinct values of the merged support; between x and the next value both CDFs are
  // flat, at i / n and j / m once every value <= x has been consumed. Tied values contribute
  // zero-width steps in scipy's sum, so skipping them changes nothing.
  while (i < n || j < m) {
    const x = i < n && (j >= m || a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
    if (i === n && j === m) break;
    const next = i < n && (j >= m || a[i]! <= b[j]!) ? a[i]! : b[j]!;
    distance += Math.abs(i / n - j / m) * (next - x);
  }
  return distance;
}

/**
 * The population standard deviation (ddof = 0), as `numpy.std(x)`: sqrt(mean((x - mean(x))^2)).
 * Pure; O(n).
 * @throws RangeError when `values` is empty.
 */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new RangeError('standard deviation of an empty sample');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    squares += d * d;
  }
  return Math.sqrt(squares / n);
}

/** Wasserstein-1 in data units and relative to the spread of the baseline (see `wasserstein`). */
export interface WassersteinResult {
  /** `wassersteinDistance(reference, current)`, in the units of the data. */
  readonly distance: number;
  /** distance / populationStd(reference); null when the baseline is constant (std 0). */
  readonly normed: number | null;
}

/**
 * Wasserstein-1 of a current sample against a baseline and its scale-free form (statistics.md,
 * "Wasserstein-1"): `normed` = distance / population std of the reference (ddof = 0), null when
 * every reference value is equal. The constancy test is exact (min === max) rather than std === 0,
 * because numpy's std of a constant non-representable value such as 0.1 can round to 1e-17
 * instead of 0. Pure; O((n + m) log(n + m)).
 * @throws RangeError when either sample is empty.
 */
export function wasserstein(reference: ArrayLike<number>, current: ArrayLike<number>): WassersteinResult {
  const distance = wassersteinDistance(reference, current);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < reference.length; i++) {
    const x = reference[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { distance, normed: min === max ? null : distance / populationStd(reference) };
}
