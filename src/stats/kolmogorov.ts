/**
 * The Kolmogorov distributions behind the KS p-values: `kstwoSf`, the exact distribution of
 * the one-sample statistic D_n (scipy `kstwo.sf`), and `kstwobignSf`, its limit as n grows
 * (scipy `kstwobign.sf`, the Kolmogorov distribution of sqrt(n)·D_n).
 *
 * Pure. Reimplemented from Simard & L'Ecuyer, "Computing the Two-Sided Kolmogorov–Smirnov
 * Distribution", J. Stat. Software 39(11), 2011, and from reading scipy 1.17 (`_ksstats.py`,
 * `cephes/kolmogorov.h` of scipy.special's xsf); see each function for its branches.
 */

const LN2 = Math.LN2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const PI2 = Math.PI * Math.PI;
/** log(2^-1075): exp() of anything below is 0 (scipy's cephes MINLOG). */
const MIN_LOG = -745.1332191019412;
const TWO_128 = 2 ** 128;
const TWO_M128 = 2 ** -128;

/** A probability clamped to [0, 1]; NaN stays NaN. */
export function clip01(p: number): number {
  if (Number.isNaN(p)) return p;
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

// ---------------------------------------------------------------------------------------------
// kstwobign: the limit distribution

/**
 * Kolmogorov's limit distribution, survival function: P(K > x) where K = lim sqrt(n)·D_n
 * (scipy `kstwobign.sf` = `scipy.special.kolmogorov`), K(x) = 2 Σ_{k>=1} (-1)^(k-1) e^(-2k²x²).
 * For x <= 0.82 the CDF is summed from the Jacobi-theta form
 * sqrt(2π)/x Σ_{k>=1} e^(-(2k-1)²π²/(8x²)) instead, which converges fast there (cephes / xsf
 * `kolmogorov.h`; van Mulbregt 2018, arXiv:1803.00426). Accurate in relative terms down to
 * 1e-308; exact 0 below. Pure, O(1).
 */
export function kstwobignSf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  // Below this the first theta term underflows: CDF 0.
  if (x <= Math.PI / Math.sqrt(8 * 746)) return 1;
  if (x <= 0.82) {
    const lq8 = -PI2 / (x * x); // log of q^8 with q = e^(-π²/(8x²))
    let sum = 0;
    for (let k = 1; k < 50; k++) {
      const r = 2 * k - 1;
      const term = Math.exp((lq8 / 8) * r * r);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    return clip01(1 - (SQRT_2PI / x) * sum);
  }
  let sum = 0;
  let sign = 1;
  for (let k = 1; k < 50; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += sign * term;
    if (term === 0 || term <= Math.abs(sum) * 1e-17) break;
    sign = -sign;
  }
  return clip01(2 * sum);
}

// ---------------------------------------------------------------------------------------------
// kstwo: the exact one-sample distribution (Simard & L'Ecuyer 2011)

/**
 * Survival function of the two-sided one-sample KS statistic D_n for a sample of size n from a
 * continuous distribution: P(D_n >= x) (scipy `kstwo.sf(x, n)`, `_ksstats._kolmogn(n, x, cdf=False)`).
 * Method by region, following R. Simard & P. L'Ecuyer (2011), "Computing the two-sided
 * Kolmogorov-Smirnov distribution", J. Stat. Softw. 39(11), with scipy's cut-offs:
 * - nx <= 1 and nx >= n-1: the closed forms of Ruben & Gambino (1982);
 * - x >= 0.5: exactly 2·P(D_n^+ >= x) (Smirnov 1944; Birnbaum & Tingey 1951), see `smirnovSf`;
 * - n <= 140: Durbin's matrix (Durbin 1968; Marsaglia, Tsang & Wang 2003, J. Stat. Softw. 8(18))
 *   for n·x² <= 0.754693, Pomeranz's recursion (Pomeranz 1974, CACM 17(12)) for n·x² <= 4, and
 *   2·P(D_n^+ >= x) (Miller's approximation; the dropped term is ~1e-14 there) above;
 * - n > 140: 0 for n·x² >= 370, 2·P(D_n^+ >= x) for n·x² >= 2.2, else 1 - CDF with the CDF from
 *   Durbin's matrix when n <= 1e5 and n·x^1.5 <= 1.4, or from the Pelz–Good expansion
 *   (Pelz & Good 1976, JRSS B 38(2)).
 * Like scipy's, the result steps slightly where methods hand over (measured: <= 5e-7 at
 * n·x² = 2.2, <= 3.1e-6 at n·x^1.5 = 1.4 just above n = 140, ~1e-12 elsewhere), so it is
 * non-increasing in x only up to those steps. Matches scipy 1.17 to ~1e-11 relative over a grid
 * of n in [1, 3e6] covering every branch.
 * Pure. Costs at most ~O(n) (the Smirnov sum) or O(k³ log n) with k ~ n·x (Durbin), k <= ~60:
 * under 60 ms for any x at n = 1e5.
 */
export function kstwoSf(x: number, n: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (!Number.isInteger(n) || n <= 0) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    // Ruben-Gambino: P(D_n <= x) = n!/n^n (2t - 1)^n for 1/(2n) <= x <= 1/n.
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - cdf);
  }
  // Ruben-Gambino: P(D_n >= x) = 2(1 - x)^n for x >= 1 - 1/n.
  if (t >= n - 1) return clip01(2 * Math.pow(1 - x, n));
  // For x >= 0.5 the events D+ >= x and D- >= x are disjoint.
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nxx = t * x;
  if (n <= 140) {
    if (nxx <= 0.754693) return clip01(1 - kolmogorovCdfDurbin(n, x));
    if (nxx <= 4) return clip01(1 - kolmogorovCdfPomeranz(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nxx >= 370) return 0;
  if (nxx >= 2.2) return clip01(2 * smirnovSf(n, x));
  const cdf =
    n <= 100_000 && n * Math.pow(x, 1.5) <= 1.4 ? kolmogorovCdfDurbin(n, x) : kolmogorovCdfPelzGood(n, x);
  return clip01(1 - cdf);
}

/** log(n!/n^n) by Stirling's series with n·log(n) taken out first (no cancellation). */
function logFactorialOverPower(n: number): number {
  const r = 1 / n;
  const r2 = r * r;
  // B_2j / (2j (2j-1)) for j = 1..8, as a polynomial in 1/n², times 1/n.
  const series =
    r *
    (1 / 12 +
      r2 *
        (-1 / 360 +
          r2 *
            (1 / 1260 +
              r2 *
                (-1 / 1680 +
                  r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156 + r2 * (-3617 / 122400))))))));
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + series;
}

/** x · 2^e without overflowing or underflowing 2^e itself. */
function ldexp(x: number, e: number): number {
  let v = x;
  let k = e;
  while (k > 1000) {
    v *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    v *= 2 ** -1000;
    k += 1000;
  }
  return v * 2 ** k;
}

/**
 * P(D_n <= d) by Durbin's matrix: with d = (k - h)/n, k integer, 0 <= h < 1, it is
 * n!/n^n · (H^n)[k-1][k-1] for the (2k-1)×(2k-1) matrix H of Durbin (1968); H^n by repeated
 * squaring with power-of-two rescaling (Marsaglia, Tsang & Wang 2003).
 */
function kolmogorovCdfDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const invFact = new Float64Array(m + 1);
  invFact[0] = 1;
  for (let j = 1; j <= m; j++) invFact[j] = invFact[j - 1]! / j;
  let H: Float64Array = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    for (let c = 1; c < m; c++) {
      const e = r - c + 1;
      if (e >= 0) H[r * m + c] = invFact[e]!;
    }
    H[r * m] = (1 - Math.pow(h, r + 1)) * invFact[r + 1]!;
  }
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = (1 - Math.pow(h, m - c)) * invFact[m - c]!;
  H[(m - 1) * m] = (1 + Math.pow(Math.max(2 * h - 1, 0), m) - 2 * Math.pow(h, m)) * invFact[m]!;

  let P: Float64Array | null = null; // H^(bits seen so far); null stands for the identity
  let pExp = 0;
  let hExp = 0;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) {
      P = P === null ? H.slice() : matMul(P, H, m);
      pExp += hExp;
    }
    H = matMul(H, H, m);
    hExp *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > TWO_128) {
      for (let i = 0; i < H.length; i++) H[i]! /= TWO_128;
      hExp += 128;
    }
  }
  let p = P === null ? 1 : P[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < TWO_M128) {
      p *= TWO_128;
      pExp -= 128;
    }
  }
  return clip01(ldexp(p, pExp));
}

function matMul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l]!;
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j]! += ail * b[l * m + j]!;
    }
  }
  return out;
}

/**
 * P(D_n <= x) by Pomeranz's recursion. Scale time by n: n uniform points on [0, n] are a unit
 * Poisson process N conditioned on N(n) = n, and D_n <= x iff x' - t < N(x') < x' + t for all x'
 * (t = n·x). The bounds only change at the points x' with frac(x') in {f, 1 - f}, f = frac(t);
 * between consecutive ones N grows by a Poisson(δ) count, δ in {g, 2g, 1 - 2g}, g = min(f, 1-f).
 * So P = n!/n^n · V(n), V the unnormalised count distribution propagated point to point and
 * truncated to the allowed counts. Each allowed range is computed from integers and ceil(2f),
 * never from a rounded x' ± t.
 */
function kolmogorovCdfPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const c = Math.ceil(2 * f);
  // (δ/n)^r / r! for r = 0..n: the Poisson weights without e^(-δ), which cancel in the ratio.
  const weights = (delta: number): Float64Array => {
    const w = new Float64Array(n + 1);
    w[0] = 1;
    for (let r = 1; r <= n; r++) w[r] = (w[r - 1]! * (delta / n)) / r;
    return w;
  };
  const wG = weights(g);
  const w2G = weights(2 * g);
  const w1m2G = weights(1 - 2 * g);

  let cur = new Float64Array(n + 1);
  let next = new Float64Array(n + 1);
  cur[0] = 1;
  let lo = 0;
  let hi = 0;
  let exp2 = 0;
  // Advance by a gap with weights w to a point whose allowed counts are [newLo, newHi].
  const step = (w: Float64Array, newLo: number, newHi: number): boolean => {
    const a = Math.max(newLo, lo, 0);
    const b = Math.min(newHi, n);
    next.fill(0);
    let max = 0;
    for (let j = a; j <= b; j++) {
      let s = 0;
      const top = Math.min(j, hi);
      for (let k = lo; k <= top; k++) s += cur[k]! * w[j - k]!;
      next[j] = s;
      if (s > max) max = s;
    }
    if (max > 0 && max < TWO_M128) {
      for (let j = a; j <= b; j++) next[j]! *= TWO_128;
      exp2 -= 128;
    }
    [cur, next] = [next, cur];
    lo = a;
    hi = b;
    return a <= b;
  };
  // '+' points at q + f carry the lower bound N >= q - ll + 1; '-' points at q + 1 - f the upper
  // bound N <= q + ll. Both bounds are applied at every point to keep the window small.
  const plus = (w: Float64Array, q: number): boolean => step(w, q - ll + 1, q + ll + c - 1);
  const minus = (w: Float64Array, q: number): boolean => step(w, q - ll + 2 - c, q + ll);
  const plusFirst = f <= 0.5;
  for (let q = 0; q < n; q++) {
    const wIn = q === 0 ? wG : w2G;
    const ok = plusFirst ? plus(wIn, q) && minus(w1m2G, q) : minus(wIn, q) && plus(w1m2G, q);
    if (!ok) return 0;
  }
  if (!step(wG, n, n)) return 0;
  let ans = cur[n]!;
  for (let i = 1; i <= n; i++) {
    if (ans > TWO_128) {
      ans *= TWO_M128;
      exp2 += 128;
    }
    ans *= i;
  }
  return clip01(ldexp(ans, exp2));
}

/**
 * P(D_n <= x) ~ K0(z) + K1(z)/sqrt(n) + K2(z)/n + K3(z)/n^1.5, z = x·sqrt(n): the Li-Chien /
 * Korolyuk expansion put through the Jacobi theta transformation by Pelz & Good (1976), in the
 * form given by Simard & L'Ecuyer (2011), section 2.
 */
function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const z8 = z4 * z4;
  const logQ = -PI2 / (8 * z2);
  if (logQ < -708) return 0;
  const kmax = Math.ceil((16 * z) / Math.PI);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  // Sums over half-integers u = k - 1/2 of polynomials in (πu)² times e^(-π²u²/(2z²)).
  for (let k = kmax; k >= 1; k--) {
    const u = k - 0.5;
    const a = PI2 * u * u; // (πu)²
    const e = Math.exp(logQ * (2 * k - 1) * (2 * k - 1));
    s0 += e;
    s1 += (a - z2) * e;
    s2 += (6 * z6 + 2 * z4 + a * (2 * z4 - 5 * z2) + a * a * (1 - 2 * z2)) * e;
    s3 +=
      (a * a * a * (5 - 30 * z2) +
        a * a * (212 * z4 - 60 * z2) +
        a * (135 * z4 - 96 * z6) -
        30 * z6 -
        90 * z8) *
      e;
  }
  // Sums over integers k of k²·e^(-π²k²/(2z²)) terms.
  let t2 = 0;
  let t3 = 0;
  for (let k = kmax; k >= 1; k--) {
    const b = PI2 * k * k;
    const e = Math.exp((-PI2 * k * k) / (2 * z2));
    t2 += b * e;
    t3 += (3 * z2 - b) * b * e;
  }
  const c = Math.sqrt(Math.PI / 2);
  const k0 = (SQRT_2PI / z) * s0;
  const k1 = (c / (3 * z4)) * s1;
  const k2 = (c / (36 * z * z6)) * s2 - (c / (18 * z * z2)) * t2;
  const k3 = (c / (3240 * z4 * z6)) * s3 + (c / (108 * z6)) * t3;
  const sn = Math.sqrt(n);
  return k0 + k1 / sn + k2 / n + k3 / (n * sn);
}

// ---------------------------------------------------------------------------------------------
// The one-sided distribution

/**
 * P(D_n^+ >= x), the one-sided one-sample statistic (scipy `special.smirnov(n, x)`), by the
 * Smirnov (1944) / Birnbaum–Tingey (1951) sum
 *   x · Σ_{v=0}^{floor(n(1-x))} C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v),
 * whose terms are all positive: summed in log space, so it keeps its relative accuracy far into
 * the tail. Special cases as in scipy's `kolmogorov.h`: exact forms for x <= 1/n and x >= 1 - 1/n,
 * 0 when -2nx² < log(DBL_MIN), and the approximation e^(-(6nx+1)²/(18n)) for n > 1e6.
 */
function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  if (n === 1) return 1 - x;
  // n·x exactly, as hi + lo, so floor(n·x) is right even when n·x is a hair off an integer.
  const [nxHi, nxLo] = twoProduct(n, x);
  let nxFloor = Math.floor(nxHi);
  if (nxFloor === nxHi && nxLo < 0) nxFloor -= 1;
  const alpha = nxHi - nxFloor + nxLo; // frac(n·x), exact enough to compare with 0
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) return clip01(1 - x * Math.pow(1 + x, n - 1));
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nxFloor >= n - 1) return Math.pow(1 - x, n);
  if (n > 1_000_000) {
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    // scipy: sf = e^logp, or 1 - (-expm1(logp)) near 1; the same number to the last bits.
    return logp < -LN2 ? Math.exp(logp) : 1 + Math.expm1(logp);
  }
  // Terms v = 0 .. floor(n(1-x)), leaving out the term that is exactly 0 when n(1-x) is an integer.
  const last = n - nxFloor - 1;
  // log C(n, v), updated by log((n-v)/(v+1)) with Kahan compensation: over up to 1e6 steps the
  // plain running sum drifts by ~1e-9 relative, the compensated one by ~1e-13.
  let logC = 0;
  let logCErr = 0;
  let logMax = Number.NEGATIVE_INFINITY;
  let sum = 0; // Σ e^(logTerm - logMax)
  for (let v = 0; v <= last; v++) {
    // x + v/n = (n·x + v)/n and 1 - x - v/n = (n - v - n·x)/n, from the exact n·x.
    const up = (v + nxHi + nxLo) / n;
    const down = (n - v - nxHi - nxLo) / n;
    if (down > 0) {
      const logTerm = logC + (v - 1) * Math.log(up) + (n - v) * Math.log(down);
      if (logTerm > logMax) {
        sum = sum * Math.exp(logMax - logTerm) + 1;
        logMax = logTerm;
      } else {
        const rel = Math.exp(logTerm - logMax);
        sum += rel;
        // scipy's early exit: the remaining terms cannot reach the last bit of the sum.
        if (4 * (last - v) * rel < Number.EPSILON * sum && v !== last) break;
      }
    }
    const inc = Math.log((n - v) / (v + 1)) - logCErr;
    const next = logC + inc;
    logCErr = next - logC - inc;
    logC = next;
  }
  return clip01(Math.exp(Math.log(x) + Math.log(sum) + logMax));
}

/** Dekker's exact product: a·b = hi + lo exactly (no FMA in JS). */
function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const lo = ah * bh - hi + ah * bl + al * bh + al * bl;
  return [hi, lo];
}

function split(a: number): [number, number] {
  const c = 134217729 * a; // 2^27 + 1
  const hi = c - (c - a);
  return [hi, a - hi];
}
