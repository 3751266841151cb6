/** Pearson's chi-square test of a categorical window against its baseline. */
export interface ChiSquareResult {
  /** sum over the compared categories of (observed - expected)^2 / expected. */
  readonly statistic: number;
  /** P(chi^2_df >= statistic) under H0: the current window is drawn from the baseline's distribution. */
  readonly pValue: number;
  /** The number of compared categories minus 1. */
  readonly degreesOfFreedom: number;
}

/**
 * Pearson's chi-square goodness-of-fit test of a current window against a baseline, from their
 * counts over the same categorical bins (`categoricalBinCounts`, the `__other__` bin included), as
 * statistics.md defines it: `scipy.stats.chisquare(f_obs = current counts, f_exp = reference counts
 * * n_cur / n_ref)` over the baseline's categories, with p = `chiSquareSurvival(statistic, k - 1)`.
 *
 * A bin whose reference count is 0 (the `__other__` bin, or a category the caller built from
 * something else than this baseline) has expected count 0:
 * - with a current count of 0 it is left out, as the `__other__` bin always is in the reference
 *   vectors (k counts only the bins compared);
 * - with a current count above 0 the test is undefined in this form (scipy's statistic would be
 *   infinite) and the answer is null: not applicable. PSI's `__other__` bin and the unseen-category
 *   ratio carry that signal instead.
 * Null too when either window is empty or fewer than two bins remain (no degrees of freedom).
 * Pure; O(bins).
 * @throws RangeError when the arrays differ in length.
 */
export function chiSquareFromCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): ChiSquareResult | null {
  if (referenceCounts.length !== currentCounts.length) {
    throw new RangeError(`bin counts differ in length: ${referenceCounts.length} vs ${currentCounts.length}`);
  }
  let nRef = 0;
  let nCur = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    nRef += referenceCounts[i]!;
    nCur += currentCounts[i]!;
  }
  if (!(nRef > 0 && nCur > 0)) return null;
  let statistic = 0;
  let compared = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const ref = referenceCounts[i]!;
    const observed = currentCounts[i]!;
    if (ref === 0) {
      if (observed > 0) return null;
      continue;
    }
    // The order of numpy's `reference_counts * n_cur / n_ref`, for the same rounding.
    const expected = (ref * nCur) / nRef;
    const d = observed - expected;
    statistic += (d * d) / expected;
    compared++;
  }
  if (compared < 2) return null;
  const degreesOfFreedom = compared - 1;
  return { statistic, pValue: chiSquareSurvival(statistic, degreesOfFreedom), degreesOfFreedom };
}

/**
 * The chi-square survival function P(X >= x) for X ~ chi^2 with `df` degrees of freedom, as
 * `scipy.stats.chi2.sf(x, df)`: Q(df / 2, x / 2), the regularized upper incomplete gamma function.
 * Accurate to about 1e-13 relative, also far in the tail (computed in log space); underflows to 0
 * only below ~1e-308. 1 for x <= 0. Pure.
 */
export function chiSquareSurvival(x: number, df: number): number {
  return regularizedGammaQ(df / 2, x / 2);
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a), a > 0
 * (`scipy.special.gammaincc`). Method of Numerical Recipes, 3rd ed., section 6.2: for x < a + 1
 * the series of P(a, x) = 1 - Q, which converges fast there and where Q is not small; otherwise
 * the continued fraction for Q evaluated by the modified Lentz method, with its prefactor
 * e^-x x^a / Gamma(a) taken in log space so that tiny Q (1e-200) keeps full relative precision.
 * NaN for a <= 0 or NaN arguments; 1 for x <= 0; 0 for x = +Infinity. Pure.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x < a + 1) return 1 - lowerSeries(a, x);
  return Math.exp(logUpperContinuedFraction(a, x));
}

/**
 * The regularized lower incomplete gamma function P(a, x) = 1 - Q(a, x) (`scipy.special.gammainc`),
 * by the same two methods as `regularizedGammaQ`, each where it is accurate. Pure.
 */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x < a + 1) return lowerSeries(a, x);
  return 1 - Math.exp(logUpperContinuedFraction(a, x));
}

/**
 * ln Gamma(x) for x > 0, by the Lanczos approximation with g = 7 and 9 coefficients (Lanczos,
 * SIAM J. Numer. Anal. B 1, 1964; coefficients of Godfrey), relative error of Gamma about 1e-15.
 * For x < 0.5 the reflection formula Gamma(x) Gamma(1 - x) = pi / sin(pi x) is used. Pure.
 */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
/** Both expansions stop when a step changes the result by less than this, relatively. */
const EPSILON = Number.EPSILON;
/** Guards the Lentz recurrences against division by zero. */
const TINY = 1e-300;
/** Far more than needed: both expansions take O(sqrt(a)) steps, a few hundred for a = 1e4. */
const MAX_ITERATIONS = 100_000;

/** P(a, x) by its series, for x < a + 1: e^-x x^a / Gamma(a + 1) * sum_n x^n / ((a+1)...(a+n)). */
function lowerSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n <= MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** ln Q(a, x) by the continued fraction, for x >= a + 1 (Numerical Recipes' `gcf`). */
function logUpperContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return -x + a * Math.log(x) - logGamma(a) + Math.log(h);
}
