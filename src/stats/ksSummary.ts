/**
 * Kolmogorov–Smirnov from summaries: D between a baseline and a window that the daemon keeps as
 * counts, not value by value, with the error bound statistics.md requires ("the true D must lie
 * within it"), reported beside D.
 *
 * Pure: no I/O, no clock. Callers: the baseline builder (`buildReferenceSummary`, once per feature),
 * the baseline loader (`validateReferenceSummary`), the window (`emptyWindowCounts` per step,
 * `addToWindow` per value, `mergeCounts` to sum the last steps) and the evaluator (`ksFromSummary`).
 *
 * ## The summaries
 * A reference summary holds ascending edges e_0 < ... < e_{K-1} (K <= Q + 1) and the reference's
 * exact count in each of the 2K + 1 cells they cut the line into, in order: the open interval
 * C_0 = (-inf, e_0), the point {e_0}, C_1 = (e_0, e_1), {e_1}, ..., C_K = (e_{K-1}, +inf).
 * Slot 2k counts C_k, slot 2k + 1 counts {e_k}. A window holds the current values' counts in the
 * same slots: mergeable by adding, O(Q) memory whatever the event rate.
 * - kind 'exact': the reference has at most Q + 1 distinct values and every one is an edge (its
 *   open cells are empty). This is the sorted sample of PRODUCT.md §3, with multiplicities.
 * - kind 'quantile': edges are the reference's quantiles at k/Q, k = 0..Q (numpy 'linear',
 *   `quantileSorted`), equal ones merged; e_0 is the minimum and e_{K-1} the maximum.
 * Points get slots of their own, not just upper-inclusive bins (e_{k-1}, e_k], because otherwise a
 * current value equal to e_k could not be told from one just below it: with ties (discrete data)
 * the bound would then carry the whole tie's mass, and could never be 0.
 *
 * ## D, and the bound (proof)
 * Write F, G for empirical CDFs (P(X <= x), scipy's `searchsorted(side='right')`), n and m for the
 * reference and window sizes, G(x) = F_ref(x) - F_cur(x), D = sup_x |G(x)| (what
 * `ksStatisticSorted` computes on the full samples: the sup is reached at an observed value).
 * Per open cell C_k let A_k, B_k be the reference and current counts at or below e_{k-1} (0 for
 * k = 0), r_k, c_k their counts inside C_k; all are known from the slots, so G is known exactly at
 * every edge: D_hat = max_k |G(e_k)|. Since each edge is a real x, D_hat <= D.
 * For x in C_k both ECDFs are non-decreasing, so A_k <= n F_ref(x) <= A_k + r_k and
 * B_k <= m F_cur(x) <= B_k + c_k, hence
 *     A_k/n - (B_k + c_k)/m  <=  G(x)  <=  (A_k + r_k)/n - B_k/m.
 * With U_k = max((A_k + r_k)/n - B_k/m, (B_k + c_k)/m - A_k/n), |G| <= U_k on C_k, and
 *     D_hat <= D <= D_up = max(D_hat, max_k U_k),   statisticErrorBound = D_up - D_hat.
 * (A term whose r_k or c_k is 0 is ±G(e_{k-1}) or 0, never above D_hat, and is skipped.)
 * Tightest possible: the counts do not say where inside C_k the c_k current values lie. If they
 * all lie above the reference values of C_k, G reaches (A_k + r_k)/n - B_k/m just above the last
 * of those; if all lie below them, G reaches A_k/n - (B_k + c_k)/m just above the last current
 * one. So some current sample with exactly these counts has D = D_up: no bound computed from the
 * counts alone can be smaller.
 * Size: rewriting U_k's terms around G(e_{k-1}) and G(e_k) (p^r_k, p^c_k the counts at e_k),
 *     (A_k + r_k)/n - B_k/m  =  G(e_{k-1}) + r_k/n  =  G(e_k) - p^r_k/n + (c_k + p^c_k)/m,
 *     (B_k + c_k)/m - A_k/n  = -G(e_{k-1}) + c_k/m  = -G(e_k) - p^c_k/m + (r_k + p^r_k)/n,
 * so the bound is at most max_k min(reference mass in (e_{k-1}, e_k], current mass in
 * (e_{k-1}, e_k]) (and 0 when neither sample has a value inside an open cell). For a quantile
 * summary of a reference without ties, C_k holds at most ceil((n-1)/Q) reference values (the
 * indices strictly between (n-1)(k-1)/Q and (n-1)k/Q, up to the last place of the interpolation)
 * plus one at e_k, so the bound is at most (ceil((n-1)/Q) + 1)/n < 1/Q + 2/n for every window.
 * For an 'exact' summary r_k = 0 and the bound is at most max_k min(c_k/m, p^r_k/n): 0 when every
 * current value is a reference value, where D_hat is then D itself.
 * In floating point D_hat is |i/n - j/m| with the same integers and operations as
 * `ksStatisticSorted`, and D_up's terms are formed the same way, so D_hat <= D <= D_up hold for
 * the computed numbers too; the bound is rounded up so that D_hat + bound >= D_up.
 *
 * The p-value is the test's at D_hat (`ksPvalue(D_hat, n, m, method)`): what the full-sample test
 * would report if D were D_hat. Its error follows from the bound through the p-value's
 * monotonicity in D: the full-sample p-value lies between the p-values at D_hat + bound and D_hat.
 */

import { binIndex } from './bins.js';
import { ksPvalue, type KsMethod, type KsMethodOption } from './ksTwoSample.js';
import { quantileSorted } from './quantile.js';

/** The format version written into every summary; a baseline with another one is refused on load. */
export const KS_SUMMARY_VERSION = 1;

/** Q, the number of quantile steps of a 'quantile' summary, when the caller names none. */
export const DEFAULT_KS_QUANTILES = 1000;

/** The largest Q accepted: beyond it the window's per-step memory (2Q + 3 counts) stops being small. */
export const MAX_KS_QUANTILES = 1_000_000;

const MAX_UINT32 = 0xffff_ffff;

/**
 * The KS part of a baseline feature, written by `driftwatch baseline build` and read back through
 * {@link validateReferenceSummary}. A plain JSON value (numbers, one string, arrays of numbers). Immutable once
 * built; windows counted against it are only meaningful with it, so a reload with another summary
 * must start new windows.
 */
export interface KsReferenceSummary {
  /** {@link KS_SUMMARY_VERSION}. */
  readonly version: typeof KS_SUMMARY_VERSION;
  /** 'exact': every distinct reference value is an edge; 'quantile': edges are quantiles at k/Q. */
  readonly kind: 'exact' | 'quantile';
  /** Q: at most Q + 1 edges. */
  readonly quantiles: number;
  /** The reference size. */
  readonly n: number;
  /** K distinct finite edges, strictly ascending. */
  readonly edges: readonly number[];
  /** 2K + 1 reference counts: slot 2k the values strictly between edges k-1 and k, 2k+1 those equal to edge k. */
  readonly counts: readonly number[];
}

/** Options of {@link buildReferenceSummary}. */
export interface KsSummaryOptions {
  /** Q (default {@link DEFAULT_KS_QUANTILES}): at most Q + 1 edges, so a window holds 2Q + 3 counts. */
  readonly quantiles?: number;
}

/**
 * The current values of one window (or one step of it) in the slots of a summary. Uint32Array per
 * step (half the memory); sums over many steps may use a Float64Array (exact to 2^53).
 */
export type KsWindowCounts = Uint32Array | Float64Array;

/** The result of {@link ksFromSummary}. */
export interface KsSummaryResult {
  /** D_hat, a lower bound of the full-sample D, exact at every edge. */
  readonly statistic: number;
  /** >= 0, with D_hat <= D <= D_hat + statisticErrorBound (the module comment proves it). */
  readonly statisticErrorBound: number;
  /** The p-value of the test at D_hat, by `method`. */
  readonly pValue: number;
  /** The method used (as `ksPvalue` reports it). */
  readonly method: KsMethod;
  /** n, the reference size. */
  readonly nReference: number;
  /** m, the number of values in the window. */
  readonly nCurrent: number;
}

/**
 * Builds the KS summary of a baseline feature from its reference values sorted ascending (a
 * `Float64Array`'s `sort()` is numeric). 'exact' when there are at most Q + 1 distinct values, else
 * 'quantile' (see the module comment). Called once per feature by the baseline builder.
 * Pure; O(n + Q) after the caller's sort.
 * @throws RangeError when the reference is empty, holds a non-finite value, is not sorted, or Q is
 *   not an integer in [1, {@link MAX_KS_QUANTILES}].
 */
export function buildReferenceSummary(
  sortedRef: Float64Array | readonly number[],
  options: KsSummaryOptions = {},
): KsReferenceSummary {
  const q = options.quantiles ?? DEFAULT_KS_QUANTILES;
  if (!Number.isInteger(q) || q < 1 || q > MAX_KS_QUANTILES) {
    throw new RangeError(`ks summary: quantiles must be an integer in [1, ${MAX_KS_QUANTILES}], got ${q}`);
  }
  const n = sortedRef.length;
  if (n === 0) throw new RangeError('ks summary: the reference is empty');
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const x = sortedRef[i]!;
    if (!Number.isFinite(x)) throw new RangeError(`ks summary: reference value ${i} is ${x}, not finite`);
    if (i > 0 && sortedRef[i - 1]! > x) {
      throw new RangeError(`ks summary: the reference is not sorted ascending at ${i}`);
    }
    if (i === 0 || sortedRef[i - 1]! !== x) distinct++;
  }

  const kind = distinct <= q + 1 ? 'exact' : 'quantile';
  const raw: number[] = [];
  if (kind === 'exact') {
    for (let i = 0; i < n; i++) if (i === 0 || sortedRef[i - 1]! !== sortedRef[i]!) raw.push(sortedRef[i]!);
  } else {
    for (let k = 0; k <= q; k++) raw.push(quantileSorted(sortedRef, k / q));
    // Sorted before merging, as numericCutPoints does: the interpolation is not guaranteed monotone
    // in its last place.
    raw.sort((a, b) => a - b);
  }
  const edges: number[] = [];
  // `+ 0` turns -0 into 0, so the JSON round trip gives back the same object.
  for (const e of raw) if (edges.length === 0 || edges[edges.length - 1]! !== e) edges.push(e + 0);

  // One merge of the sorted reference with the edges: k is the number of edges below x.
  const counts = new Array<number>(2 * edges.length + 1).fill(0);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = sortedRef[i]!;
    while (k < edges.length && edges[k]! < x) k++;
    counts[k < edges.length && edges[k] === x ? 2 * k + 1 : 2 * k]! += 1;
  }
  return { version: KS_SUMMARY_VERSION, kind, quantiles: q, n, edges, counts };
}

/**
 * The summary at a coarser resolution: about `quantiles` + 1 of its edges (the first, the last, and
 * one per n/`quantiles` of reference mass, ties kept as edges of their own), with the reference
 * counts of the dropped edges and cells merged into the cells that now hold them. Counts stay exact, so the
 * bound of `ksFromSummary` (computed from the counts at every evaluation) stays valid; it is only
 * less tight: below about 1/`quantiles` + 2/n for a reference without ties, as the module comment
 * shows for a 'quantile' summary. A summary with few enough edges is returned as it is.
 *
 * Why: a window holds 2K + 1 counts per step per numeric feature, so K sets the daemon's memory
 * (docs/windows.md "Memory"); the baseline keeps its fine summary, and the daemon and `replay`
 * count windows against the same coarsened one (`ks_window_quantiles`). Pure; O(K).
 */
export function coarsenSummary(summary: KsReferenceSummary, quantiles: number): KsReferenceSummary {
  if (!Number.isInteger(quantiles) || quantiles < 1 || quantiles > MAX_KS_QUANTILES) {
    throw new RangeError(
      `ks summary: quantiles must be an integer in [1, ${MAX_KS_QUANTILES}], got ${quantiles}`,
    );
  }
  const k = summary.edges.length;
  if (k <= quantiles + 1) return summary;
  // Kept edges: the first and the last, and then, walking up, an edge once the reference mass since
  // the last kept one reaches n/quantiles, or an edge that alone holds that much (a tie): so that no
  // new open cell holds much more than n/quantiles, which is what the bound is made of.
  const target = summary.n / quantiles;
  const keep: number[] = [0];
  let mass = 0;
  for (let i = 1; i < k - 1; i++) {
    const cell = summary.counts[2 * i]!;
    const point = summary.counts[2 * i + 1]!;
    mass += cell;
    if (point >= target || mass + point >= target) {
      keep.push(i);
      mass = 0;
    } else {
      mass += point;
    }
  }
  keep.push(k - 1);
  const edges = keep.map((i) => summary.edges[i]!);
  const counts = new Array<number>(2 * edges.length + 1).fill(0);
  // Old slot s lies in the new open cell before the first kept edge at or above it, or on a kept edge.
  let next = 0; // index into keep of the first kept edge at or above the current old edge
  for (let s = 0; s < summary.counts.length; s++) {
    const c = summary.counts[s]!;
    if (s % 2 === 1) {
      const old = (s - 1) / 2;
      while (next < keep.length && keep[next]! < old) next++;
      counts[next < keep.length && keep[next] === old ? 2 * next + 1 : 2 * next]! += c;
    } else {
      const old = s / 2; // the open cell below old edge `old`
      while (next < keep.length && keep[next]! < old) next++;
      counts[2 * next]! += c;
    }
  }
  // Ties may keep a few more edges than asked; the field says how many steps the edges make.
  const q = Math.max(quantiles, edges.length - 1);
  return { version: KS_SUMMARY_VERSION, kind: 'quantile', quantiles: q, n: summary.n, edges, counts };
}

/**
 * Checks a KS summary read from a baseline file and returns a fresh copy. Messages name the field
 * under `path` (e.g. `features.amount.ks.edges[3]`), as the baseline loader reports them.
 * Pure; O(K).
 * @throws RangeError naming the first malformed field.
 */
export function validateReferenceSummary(x: unknown, path = 'ks'): KsReferenceSummary {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) invalid(path, '', 'must be an object');
  const o = x as Record<string, unknown>;
  if (o.version !== KS_SUMMARY_VERSION) {
    invalid(path, '.version', `must be ${KS_SUMMARY_VERSION}, got ${JSON.stringify(o.version)}`);
  }
  const kind = o.kind;
  if (kind !== 'exact' && kind !== 'quantile') invalid(path, '.kind', 'must be "exact" or "quantile"');
  const q = o.quantiles;
  if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > MAX_KS_QUANTILES) {
    invalid(path, '.quantiles', `must be an integer in [1, ${MAX_KS_QUANTILES}]`);
  }
  const n = o.n;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    invalid(path, '.n', 'must be a positive integer');
  }
  const rawEdges = o.edges;
  if (!Array.isArray(rawEdges)) invalid(path, '.edges', 'must be an array of numbers');
  if (rawEdges.length < 1 || rawEdges.length > q + 1) {
    invalid(path, '.edges', `must hold 1 to quantiles + 1 = ${q + 1} values, got ${rawEdges.length}`);
  }
  const edges: number[] = [];
  for (let i = 0; i < rawEdges.length; i++) {
    const e: unknown = rawEdges[i];
    if (typeof e !== 'number' || !Number.isFinite(e))
      invalid(path, `.edges[${i}]`, 'must be a finite number');
    if (i > 0 && !(e > edges[i - 1]!)) invalid(path, `.edges[${i}]`, 'must be above the edge before it');
    edges.push(e + 0);
  }
  const rawCounts = o.counts;
  if (!Array.isArray(rawCounts)) invalid(path, '.counts', 'must be an array of counts');
  const slots = 2 * edges.length + 1;
  if (rawCounts.length !== slots) {
    invalid(path, '.counts', `must hold 2 * edges.length + 1 = ${slots} counts, got ${rawCounts.length}`);
  }
  const counts: number[] = [];
  let total = 0;
  for (let i = 0; i < slots; i++) {
    const c: unknown = rawCounts[i];
    if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0) {
      invalid(path, `.counts[${i}]`, 'must be a non-negative integer');
    }
    if (kind === 'exact' && i % 2 === 0 && c !== 0) {
      invalid(path, `.counts[${i}]`, 'must be 0 in an exact summary (every reference value is an edge)');
    }
    total += c;
    counts.push(c);
  }
  if (total !== n) invalid(path, '.counts', `must add up to n = ${n}, got ${total}`);
  return { version: KS_SUMMARY_VERSION, kind, quantiles: q, n, edges, counts };
}

function invalid(path: string, field: string, why: string): never {
  throw new RangeError(`${path}${field}: ${why}`);
}

/** A zeroed window (or step) for `summary`: 2K + 1 counts, K the number of edges. Pure. */
export function emptyWindowCounts(summary: KsReferenceSummary): Uint32Array {
  return new Uint32Array(2 * summary.edges.length + 1);
}

/**
 * Counts one current value into `counts` (a window of `summary`): a binary search over the edges
 * (`binIndex`, O(log Q)) and one increment. The hot path: no allocation.
 * ±Infinity are ordinary values (they land in the outer cells).
 * @throws RangeError when x is NaN (the decoder keeps NaN out of the statistics), or when a
 *   Uint32Array slot would pass 2^32 - 1 (it is left unchanged).
 */
export function addToWindow(summary: KsReferenceSummary, counts: KsWindowCounts, x: number): void {
  if (x !== x) throw new RangeError('ks window: NaN is not a value');
  const edges = summary.edges;
  const k = binIndex(edges, x);
  const slot = k < edges.length && edges[k] === x ? 2 * k + 1 : 2 * k;
  const next = counts[slot]! + 1;
  if (next > MAX_UINT32 && !(counts instanceof Float64Array)) {
    throw new RangeError('ks window: a Uint32Array count would overflow; sum into a Float64Array');
  }
  counts[slot] = next;
}

/**
 * Adds the counts of `from` (a step) into `into` (a window of the same summary): how the window sums
 * its last steps. O(K).
 * @throws RangeError when the lengths differ, or a Uint32Array sum would pass 2^32 - 1 (`into` is
 *   then unchanged).
 */
export function mergeCounts(into: KsWindowCounts, from: ArrayLike<number>): void {
  if (into.length !== from.length) {
    throw new RangeError(`ks window: cannot merge ${from.length} counts into ${into.length}`);
  }
  if (!(into instanceof Float64Array)) {
    for (let i = 0; i < into.length; i++) {
      if (into[i]! + from[i]! > MAX_UINT32) {
        throw new RangeError('ks window: a Uint32Array count would overflow; sum into a Float64Array');
      }
    }
  }
  for (let i = 0; i < into.length; i++) into[i] = into[i]! + from[i]!;
}

/**
 * KS between a reference summary and a window of it: D_hat, its error bound and the p-value at
 * D_hat (see the module comment for the proof and `ksPvalue` for the methods; 'auto' chooses by n
 * and m as scipy does). Called by the evaluator each step. Pure; O(K) plus the p-value's cost.
 * @throws RangeError when the window has the wrong length, a count is not a non-negative integer,
 *   or the window is empty (gate on min_samples first).
 */
export function ksFromSummary(
  summary: KsReferenceSummary,
  counts: ArrayLike<number>,
  method: KsMethodOption = 'auto',
): KsSummaryResult {
  const ref = summary.counts;
  if (counts.length !== ref.length) {
    throw new RangeError(`ks window: ${counts.length} counts for a summary with ${ref.length} slots`);
  }
  let m = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (!(c >= 0 && Number.isInteger(c))) throw new RangeError(`ks window: count ${i} is ${c}`);
    m += c;
  }
  if (m === 0) throw new RangeError('ks window: the window is empty');
  const n = summary.n;
  const cells = summary.edges.length;
  let a = 0; // reference values at or below the last edge passed
  let b = 0; // current values at or below it
  let dHat = 0;
  let upper = 0;
  for (let k = 0; k <= cells; k++) {
    const r = ref[2 * k]!;
    const c = counts[2 * k]!;
    // The same divisions and subtraction as ksStatisticSorted, so the float order is preserved.
    if (r > 0) upper = Math.max(upper, (a + r) / n - b / m);
    if (c > 0) upper = Math.max(upper, (b + c) / m - a / n);
    if (k === cells) break;
    a += r + ref[2 * k + 1]!;
    b += c + counts[2 * k + 1]!;
    const d = Math.abs(a / n - b / m);
    if (d > dHat) dHat = d;
  }
  upper = Math.max(upper, dHat);
  let bound = upper - dHat;
  // The subtraction may round down; make D_hat + bound >= D_up hold for the computed numbers.
  if (dHat + bound < upper) bound += Number.EPSILON * upper;
  const test = ksPvalue(dHat, n, m, method);
  return {
    statistic: dHat,
    statisticErrorBound: bound,
    pValue: test.pValue,
    method: test.method,
    nReference: n,
    nCurrent: m,
  };
}
