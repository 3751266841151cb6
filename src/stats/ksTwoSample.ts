/**
 * The two-sample, two-sided Kolmogorov–Smirnov test, as statistics.md defines it: the statistic
 * of `scipy.stats.ks_2samp` and its p-value by three methods named as in the reference vectors.
 *
 * Pure: no I/O, no clock. Everything here is reimplemented from the papers and from reading
 * scipy 1.17 (`scipy/stats/_stats_py.py`, `scipy/stats/_stats_pythran.py`, `scipy/stats/_ksstats.py`
 * and `cephes/kolmogorov.h` of scipy.special's xsf); the structure differs where a simpler one gives
 * the same numbers.
 */

import { clip01, kstwobignSf, kstwoSf } from './kolmogorov.js';

/** A p-value method, named as in the reference vectors and reported as `ks_method`. */
export type KsMethod = 'exact' | 'asymp' | 'kolmogorov';

/**
 * A requested method: one of {@link KsMethod}, `'auto'` to let the sample sizes decide as scipy
 * does, or `'auto-bounded'` to also bound the exact method's cost (see {@link KS_EXACT_WORK_LIMIT}).
 */
export type KsMethodOption = KsMethod | 'auto' | 'auto-bounded';

/** A KS result: the statistic, its p-value, and the method that actually produced the p-value. */
export interface KsResult {
  /** D = sup_x |F_ref(x) - F_cur(x)|, in [0, 1]; NaN when an input holds NaN. */
  readonly statistic: number;
  /** P(D' >= D) under H0 (both samples from one continuous distribution), in [0, 1]. */
  readonly pValue: number;
  /** The method used; differs from the one asked when 'auto' chose, or 'exact' fell back to 'asymp'. */
  readonly method: KsMethod;
}

/** A sample: plain numbers or a typed array. Never modified. */
export type Sample = Float64Array | readonly number[];

/**
 * 'auto' uses the exact p-value when both sizes are at most this, 'asymp' above: scipy's
 * `ks_2samp` rule (`MAX_AUTO_N = 10000`, exact iff max(n, m) <= 10000).
 */
export const KS_MAX_AUTO_N = 10_000;

/**
 * scipy gives up on 'exact' when lcm(n, m) reaches 2^31 - 1 (`n/g >= iinfo(int32).max / (m/g)`)
 * and answers with 'asymp' instead; so do we, which also bounds the exact method's work.
 */
const EXACT_MAX_LCM = 2 ** 31 - 1;

/**
 * 'auto-bounded' (the daemon's evaluator) uses 'exact' only when scipy's 'auto' would and its work,
 * d · n · m (about 10 ns a unit here), is at most this (about 0.1 ms); else 'asymp'. An evaluation
 * round computes a p-value per numeric feature of every model, thousands of them, and must stay
 * within a step: the exact method at n = 5,000, m = 7,213, d = 0.1 takes 36 ms, while 'asymp'
 * differs from it by less than 3e-3 (absolute) at the sizes where the limit applies
 * (docs/statistics.md).
 */
export const KS_EXACT_WORK_LIMIT = 10_000;

// ---------------------------------------------------------------------------------------------
// The statistic

/**
 * D = sup over x of |F_a(x) - F_b(x)| for two samples already sorted ascending: the empirical
 * CDFs are evaluated at every observed value, right-continuous, so tied values count fully on
 * both sides (scipy `ks_2samp`: `searchsorted(data, data_all, side='right') / n`). One O(n + m)
 * merge; D is computed as i/n - j/m like scipy, so it matches scipy's float to the last bits.
 *
 * Symmetric in its arguments. Returns NaN when either sample holds NaN (scipy's default
 * `nan_policy='propagate'`); ±Infinity are ordinary values.
 * @throws RangeError when a sample is empty (scipy raises ValueError) or not sorted ascending.
 */
export function ksStatisticSorted(a: Sample, b: Sample): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new RangeError('ks: both samples must be non-empty');
  if (hasNaN(a) || hasNaN(b)) return Number.NaN;
  assertSorted(a, 'first');
  assertSorted(b, 'second');
  let i = 0;
  let j = 0;
  let d = 0;
  // Once one sample is exhausted its CDF is 1 and |diff| only shrinks, so the merge can stop.
  while (i < n && j < m) {
    const ai = a[i]!;
    const bj = b[j]!;
    const v = ai <= bj ? ai : bj;
    while (i < n && a[i]! <= v) i++;
    while (j < m && b[j]! <= v) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  return d;
}

/**
 * The two-sample KS statistic D = sup_x |F_ref(x) - F_cur(x)| for samples in any order (see
 * {@link ksStatisticSorted} for the definition and tie handling, scipy `ks_2samp(...).statistic`).
 * Copies and sorts both samples: O(n log n + m log m). Callers that keep sorted windows should
 * call {@link ksStatisticSorted}. Invariant under any strictly increasing transform of the data.
 * @throws RangeError when a sample is empty.
 */
export function ksStatistic(ref: Sample, cur: Sample): number {
  return ksStatisticSorted(sortedCopy(ref), sortedCopy(cur));
}

function sortedCopy(x: Sample): Float64Array {
  // Float64Array sorts numerically (NaN last), unlike Array.prototype.sort.
  return Float64Array.from(x).sort();
}

function hasNaN(x: Sample): boolean {
  for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i])) return true;
  return false;
}

function assertSorted(x: Sample, which: string): void {
  for (let i = 1; i < x.length; i++) {
    if (x[i - 1]! > x[i]!) throw new RangeError(`ks: the ${which} sample is not sorted ascending at ${i}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The test

/**
 * The two-sided two-sample KS test: D from {@link ksStatistic} and its p-value by `method`
 * (see {@link ksPvalue}); `'auto'` follows scipy `ks_2samp(method='auto')`: 'exact' when
 * max(n, m) <= {@link KS_MAX_AUTO_N}, else 'asymp'. The result names the method used.
 * For 'exact' the statistic is reported as h / lcm(n, m) with h = round(D * lcm), as scipy does.
 * Cost: sorting, plus the p-value's (see {@link ksPvalue}).
 * @throws RangeError when a sample is empty.
 */
export function ksTest(ref: Sample, cur: Sample, method: KsMethodOption = 'auto'): KsResult {
  const d = ksStatistic(ref, cur);
  return ksPvalue(d, ref.length, cur.length, method);
}

/**
 * The p-value of an observed two-sample statistic `d` for sizes n and m, by method:
 * - `'exact'`: P(D_{n,m} >= d) under H0, exactly (scipy `ks_2samp(method='exact')`, two-sided).
 *   D only takes values h / lcm(n, m); the probability counts the monotone lattice paths from
 *   (0, 0) to (n, m) that leave the band |i/n - j/m| < h/lcm (Hodges 1958, "The significance
 *   probability of the Smirnov two-sample test", Ark. Mat. 3), computed as in scipy:
 *   for n = m by the alternating reflection sum in Horner form (`_compute_prob_outside_square`),
 *   else by Viehmann's recursion for the probability of having left the band, which stays in
 *   [0, 1] and does not cancel (T. Viehmann 2021, arXiv:2102.08037; scipy
 *   `_compute_outer_prob_inside_method`). O(n) for n = m, O(d·n·m) otherwise, memory O(min(n, m)).
 *   Falls back to 'asymp' (and says so in `method`) when lcm(n, m) >= 2^31 - 1, as scipy does.
 * - `'asymp'`: `kstwo.sf(d, round(n·m/(n+m)))` (see {@link kstwoSf}), scipy's 'asymp'.
 * - `'kolmogorov'`: the limit law, `kstwobign.sf(sqrt(n·m/(n+m)) · d)` (see {@link kstwobignSf}),
 *   with the unrounded effective size, as the reference vectors were generated.
 * - `'auto'`: 'exact' when max(n, m) <= {@link KS_MAX_AUTO_N}, else 'asymp' (scipy's rule).
 * - `'auto-bounded'`: as 'auto', but 'asymp' also when the exact method's work would pass
 *   {@link KS_EXACT_WORK_LIMIT}: what the evaluator uses.
 * NaN d gives NaN p. The p-value is clipped to [0, 1].
 * @throws RangeError when n or m is not a positive integer.
 */
export function ksPvalue(d: number, n: number, m: number, method: KsMethodOption = 'auto'): KsResult {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n <= 0 || m <= 0) {
    throw new RangeError(`ks: sample sizes must be positive integers, got ${n} and ${m}`);
  }
  const scipyAuto = Math.max(n, m) <= KS_MAX_AUTO_N;
  let chosen: KsMethod;
  if (method === 'auto') chosen = scipyAuto ? 'exact' : 'asymp';
  else if (method === 'auto-bounded') {
    chosen = scipyAuto && (Number.isNaN(d) ? 0 : d) * n * m <= KS_EXACT_WORK_LIMIT ? 'exact' : 'asymp';
  } else chosen = method;
  if (Number.isNaN(d)) return { statistic: d, pValue: Number.NaN, method: chosen };
  const en = (n * m) / (n + m);
  switch (chosen) {
    case 'exact': {
      const exact = exactTwoSample(d, n, m);
      if (exact !== null) return { statistic: exact.d, pValue: clip01(exact.p), method: 'exact' };
      return { statistic: d, pValue: clip01(kstwoSf(d, effectiveSize(en))), method: 'asymp' };
    }
    case 'asymp':
      return { statistic: d, pValue: clip01(kstwoSf(d, effectiveSize(en))), method: 'asymp' };
    case 'kolmogorov':
      return { statistic: d, pValue: clip01(kstwobignSf(Math.sqrt(en) * d)), method: 'kolmogorov' };
  }
}

/**
 * scipy passes `np.round(en)` (half to even) to kstwo; for n = m = 1 that is 0, where kstwo is
 * undefined (scipy answers NaN). We use at least 1 so that case has an answer.
 */
function effectiveSize(en: number): number {
  const r = Math.round(en);
  const even = r - en === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return Math.max(1, even);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** scipy `_attempt_exact_2kssamp` (two-sided): null when the exact method is not attempted. */
function exactTwoSample(d: number, n: number, m: number): { d: number; p: number } | null {
  const g = gcd(n, m);
  const ng = n / g;
  const mg = m / g;
  if (ng >= EXACT_MAX_LCM / mg) return null;
  const lcm = ng * m;
  // D is a multiple of 1/lcm; round away the float error of i/n - j/m.
  const h = Math.round(d * lcm);
  const dExact = h / lcm;
  if (h === 0) return { d: dExact, p: 1 };
  const p = n === m ? probOutsideSquare(n, h) : probOutsideBand(n, m, g, h);
  if (!(p >= 0 && p <= 1)) return null;
  return { d: dExact, p };
}

/**
 * P(D_{n,n} >= h/n) = 2 Σ_{k>=1} (-1)^(k+1) C(2n, n-kh) / C(2n, n) (reflection principle),
 * evaluated as 2·A1·(1 - A2·(1 - A3·(...))) where A_k = C(2n, n-kh)/C(2n, n-(k-1)h) is a product
 * of h ratios: no large binomials and no cancellation between large terms (scipy's scheme).
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let a = 1;
    const kh = k * h;
    for (let j = 0; j < h; j++) a = ((n - kh - j) * a) / (n + kh + j + 1);
    p = a * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D_{n,m} >= h/lcm) for n != m: Q(i, j), the probability that a uniformly random monotone path
 * to (i, j) has touched the region |i·mg' - j·ng'| >= h (in units of 1/lcm; i counts the larger
 * sample), is 1 there and Q(i, j) = (i·Q(i-1, j) + j·Q(i, j-1)) / (i + j) inside, because the
 * last step of a random path to (i, j) comes from (i-1, j) with probability i/(i+j). Every value
 * is a convex combination, so tiny p-values keep their relative accuracy (the `empty_bins`
 * vector is 5e-290). Only the band's cells are visited, one column at a time.
 */
function probOutsideBand(n: number, m: number, g: number, h: number): number {
  // i runs over the larger sample (columns), j over the smaller (rows), as scipy does, so the
  // floating-point operations are the same.
  const big = Math.max(n, m);
  const small = Math.min(n, m);
  const bigG = big / g;
  const smallG = small / g;
  // Column i, row j is inside the band iff |smallG·i - bigG·j| < h.
  const q = new Float64Array(small + 1).fill(1);
  const firstHi = Math.min(Math.ceil(h / bigG), small + 1);
  for (let j = 0; j < firstHi; j++) q[j] = 0;
  for (let i = 1; i <= big; i++) {
    const lo = Math.min(Math.max(Math.floor((smallG * i - h) / bigG) + 1, 0), small);
    const hiExcl = Math.min(Math.ceil((smallG * i + h) / bigG), small + 1);
    if (hiExcl <= lo) return 1;
    // Cells above the previous column's band were never written and hold 1 (outside); cells
    // below `lo` are never read again because the band only moves up.
    let below = lo === 0 ? 0 : 1;
    for (let j = lo; j < hiExcl; j++) {
      below = (q[j]! * i + below * j) / (i + j);
      q[j] = below;
    }
  }
  return q[small]!;
}
