import { quantileSorted } from './quantile.js';

/** The number of numeric PSI bins when the config names none (statistics.md). */
export const DEFAULT_PSI_BINS = 10;

/** The label of the categorical bin that collects every value the baseline did not hold. */
export const OTHER_CATEGORY = '__other__';

/**
 * The cut points of the numeric PSI bins, taken from the baseline (statistics.md, "Population
 * Stability Index"): c_k = quantile(reference, k / bins) for k = 1 .. bins - 1, numpy's default
 * linear interpolation (`quantileSorted`), then equal cut points merged (as `numpy.unique` does:
 * sorted, duplicates dropped). Bins are (-inf, c_1], (c_1, c_2], ..., (c_last, +inf), so a
 * baseline with heavy ties yields fewer than `bins` bins: cuts.length + 1 of them.
 *
 * Called once per baseline; the cut points are then fixed for every window compared with it.
 * Pure; O(n log n) for the sort of a copy (the input is not modified). Values must be finite.
 * @throws RangeError when `reference` is empty or `bins` is not an integer >= 1.
 */
export function numericCutPoints(reference: ArrayLike<number>, bins: number = DEFAULT_PSI_BINS): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be an integer >= 1, got ${bins}`);
  if (reference.length === 0) throw new RangeError('cut points of an empty baseline');
  const sorted = Float64Array.from(reference).sort();
  const raw: number[] = [];
  for (let k = 1; k < bins; k++) raw.push(quantileSorted(sorted, k / bins));
  raw.sort((x, y) => x - y);
  const cuts: number[] = [];
  for (const c of raw) if (cuts.length === 0 || cuts[cuts.length - 1] !== c) cuts.push(c);
  return cuts;
}

/**
 * The bin of `x` given ascending cut points: the number of cut points strictly below x, i.e.
 * numpy's `searchsorted(cuts, x, side='left')`, by binary search. So x equal to c_k lands in
 * (c_{k-1}, c_k], and the bin index runs from 0 to cuts.length. NaN goes to the last bin, where
 * numpy's sort order puts it. Pure; O(log cuts.length).
 */
export function binIndex(cuts: ArrayLike<number>, x: number): number {
  if (Number.isNaN(x)) return cuts.length;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many values of `sample` fall in each numeric bin (`binIndex`): an array of
 * cuts.length + 1 counts, the form the daemon's windows hold. Pure; O(n log cuts.length).
 */
export function numericBinCounts(cuts: ArrayLike<number>, sample: ArrayLike<number>): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (let i = 0; i < sample.length; i++) counts[binIndex(cuts, sample[i]!)]! += 1;
  return counts;
}

/**
 * Orders strings by Unicode code point, as Python's `sorted` and `numpy.unique` order str, which
 * the reference vectors follow. JavaScript's default sort compares UTF-16 code units instead, and
 * so puts U+E000..U+FFFF after astral characters (surrogate pairs); the fix-up below is the
 * standard one (ICU's code point order). Pure.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrderKey(x) - codePointOrderKey(y);
  }
  return a.length - b.length;
}

function codePointOrderKey(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * The categorical PSI bins of a baseline (statistics.md): its distinct categories sorted by code
 * point (`compareCodePoints`), then one more bin, labelled `OTHER_CATEGORY`, for every value the
 * baseline did not hold. `labels` has categories.length + 1 entries, the last one `__other__`;
 * a baseline value that is itself the string `__other__` keeps its own bin.
 */
export interface CategoricalBins {
  /** The baseline's distinct categories, in code point order. */
  readonly categories: readonly string[];
  /** `categories` followed by `OTHER_CATEGORY`: one label per bin. */
  readonly labels: readonly string[];
  /** Category -> bin index; values not in it belong to bin categories.length. */
  readonly index: ReadonlyMap<string, number>;
}

/**
 * Builds the categorical bins of a baseline sample (see `CategoricalBins`). Called once per
 * baseline. Pure; O(n + k log k) for k categories.
 */
export function categoricalBins(reference: Iterable<string>): CategoricalBins {
  const categories = [...new Set(reference)].sort(compareCodePoints);
  const index = new Map<string, number>();
  categories.forEach((category, i) => index.set(category, i));
  return { categories, labels: [...categories, OTHER_CATEGORY], index };
}

/** The bin of a categorical value: its category's index, or the `__other__` bin. Pure; O(1). */
export function categoricalBinIndex(bins: CategoricalBins, value: string): number {
  return bins.index.get(value) ?? bins.categories.length;
}

/**
 * How many values of `sample` fall in each categorical bin: categories.length + 1 counts, the
 * last one the `__other__` bin. Pure; O(n).
 */
export function categoricalBinCounts(bins: CategoricalBins, sample: Iterable<string>): number[] {
  const counts = new Array<number>(bins.categories.length + 1).fill(0);
  for (const value of sample) counts[categoricalBinIndex(bins, value)]! += 1;
  return counts;
}
