/**
 * The q-quantile of a sample already sorted in ascending order, as numpy's default
 * `numpy.quantile(a, q)` computes it (method 'linear', Hyndman & Fan 1996 type 7).
 *
 * Definition: with n values and virtual index h = (n - 1) * q, the result interpolates
 * linearly between a[floor(h)] and a[floor(h) + 1] with weight t = h - floor(h); h >= n - 1
 * answers the largest value. The interpolation is numpy's `_lerp` (`numpy/lib/_function_base_impl.py`):
 * a + (b - a) * t, or b - (b - a) * (1 - t) when t >= 0.5. Following it operation for operation
 * gives numpy's result to the last bit, which the PSI bins need: a value equal to a cut point
 * must fall in the same bin as it does in numpy.
 *
 * Pure; O(1). The caller sorts (a `Float64Array`'s `sort()` is numeric). Values must not be NaN.
 * @throws RangeError when `sorted` is empty or `q` is not in [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile level ${q} is not in [0, 1]`);
  const h = (n - 1) * q;
  if (h >= n - 1) return sorted[n - 1]!;
  const below = Math.floor(h);
  const a = sorted[below]!;
  const b = sorted[below + 1]!;
  const t = h - below;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
