/**
 * The data contract of one baseline feature (PRODUCT.md §2, "Bad input"): whether a raw value of an
 * event is a valid observation, and if so which PSI bin (and, for numbers, which KS slot) it counts
 * in. The window (modelWindow.ts) compiles one contract per baseline feature when it is created and
 * asks it about every value of every event, so `classify` is the hot path: no allocation, one binary
 * search over the cut points for a number, one Map lookup for a category.
 *
 * The rules (docs/windows.md):
 * - absent (`undefined`) -> missing; `null` -> null;
 * - numeric: a finite number is valid (and out of range when outside the baseline's [min, max], still
 *   counted in the statistics); NaN and ±Infinity -> nan; anything else -> wrong_type;
 * - categorical: a string is valid; a finite number or a boolean is valid as `String(x)`; anything
 *   else (NaN, ±Infinity, objects, arrays) -> wrong_type; a category the baseline never saw is valid
 *   and unseen: it counts in the `__other__` bin;
 * - boolean: true / false, or the strings "true" / "false" in any case, are valid as the categories
 *   "true" / "false"; anything else -> wrong_type.
 *
 * Pure: no I/O, no clock.
 */

import type { BaselineFeature } from '../baseline/format.js';
import type { Prediction } from '../decode/event.js';
import { binIndex } from '../stats/bins.js';

/** `classify` results below 0: the value is not a valid observation, and why. */
export const MISSING = -1;
export const NULL_VALUE = -2;
export const NAN = -3;
export const WRONG_TYPE = -4;

/**
 * One baseline feature's contract, compiled once per window (`compileContract`). Immutable; shared
 * by every bucket of the window.
 */
export interface FeatureContract {
  readonly name: string;
  readonly type: BaselineFeature['type'];
  /** PSI bins: cuts.length + 1 (numeric), categories.length + 1 (categorical, `__other__` last). */
  readonly binCount: number;
  /** Numeric only: the KS summary's 2K + 1 slots; 0 for categorical features. */
  readonly ksSlots: number;
  /** Categorical only: the `__other__` bin, where every unseen category lands; -1 for numeric. */
  readonly otherBin: number;
  /** Numeric only: the baseline's range; a valid value outside it is out of range. */
  readonly min: number;
  readonly max: number;
  /**
   * The PSI bin of a valid value (>= 0), or MISSING, NULL_VALUE, NAN, WRONG_TYPE (< 0). For a valid
   * numeric value the value itself is the number to range-check and pass to `ksSlot`.
   * Hot path: no allocation.
   */
  classify(value: unknown): number;
  /** Numeric only: the KS slot of a finite x, the rule of `addToWindow` (stats/ksSummary.ts). */
  ksSlot(x: number): number;
  /**
   * The raw value the `__prediction__` feature takes from a prediction: the score for a numeric
   * feature (else the label, which is then a wrong type), the label for a categorical or boolean one
   * (else the score); undefined (missing) when it has neither.
   */
  predictionValue(prediction: Prediction): unknown;
}

/**
 * Compiles the contract of one baseline feature. Called by `ModelWindow`'s constructor, once per
 * feature. Pure; O(categories) or O(cuts + edges).
 */
export function compileContract(feature: BaselineFeature): FeatureContract {
  return feature.type === 'numeric' ? new NumericContract(feature) : new CategoricalContract(feature);
}

class NumericContract implements FeatureContract {
  readonly name: string;
  readonly type = 'numeric' as const;
  readonly binCount: number;
  readonly ksSlots: number;
  readonly otherBin = -1;
  readonly min: number;
  readonly max: number;
  // Typed copies: a Float64Array's elements are unboxed doubles, which keeps the binary searches fast.
  private readonly cuts: Float64Array;
  private readonly edges: Float64Array;
  /** See `edgeTable`: where the KS search starts; null for summaries too small to need it. */
  private readonly table: Int32Array | null;
  private readonly tableLow: number;
  private readonly tableScale: number;

  constructor(feature: Extract<BaselineFeature, { type: 'numeric' }>) {
    this.name = feature.name;
    this.cuts = Float64Array.from(feature.bins.cuts);
    this.edges = Float64Array.from(feature.ks.edges);
    this.binCount = this.cuts.length + 1;
    this.ksSlots = 2 * this.edges.length + 1;
    this.min = feature.min;
    this.max = feature.max;
    const edges = this.edges;
    const low = edges[0]!;
    const scale = edges.length / (edges[edges.length - 1]! - low);
    const useTable = edges.length >= MIN_TABLE_EDGES && Number.isFinite(scale) && scale > 0;
    this.table = useTable ? edgeTable(edges, low, scale) : null;
    this.tableLow = low;
    this.tableScale = scale;
  }

  classify(value: unknown): number {
    if (typeof value === 'number') {
      // x - x is 0 for every finite x and NaN for NaN and ±Infinity.
      return value - value === 0 ? binIndex(this.cuts, value) : NAN;
    }
    if (value === undefined) return MISSING;
    if (value === null) return NULL_VALUE;
    return WRONG_TYPE;
  }

  ksSlot(x: number): number {
    const edges = this.edges;
    const k = this.table === null ? binIndex(edges, x) : this.edgeIndex(x);
    return k < edges.length && edges[k] === x ? 2 * k + 1 : 2 * k;
  }

  /**
   * binIndex(edges, x), narrowed by the table to the edges of x's table cell; the answer is checked
   * (edges[k - 1] < x <= edges[k]) and a rounding miss falls back to the full search.
   */
  private edgeIndex(x: number): number {
    const edges = this.edges;
    const table = this.table!;
    const last = edges.length;
    const j = Math.floor((x - this.tableLow) * this.tableScale);
    if (!(j >= 0)) return binIndex(edges, x);
    if (j >= last) return x > edges[last - 1]! ? last : binIndex(edges, x);
    let lo = table[j]!;
    let hi = table[j + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    if ((lo > 0 && !(edges[lo - 1]! < x)) || (lo < last && !(edges[lo]! >= x))) return binIndex(edges, x);
    return lo;
  }

  predictionValue(prediction: Prediction): unknown {
    return prediction.score ?? prediction.label ?? undefined;
  }
}

/** Below this many edges a plain binary search is as fast as the table. */
const MIN_TABLE_EDGES = 64;

/**
 * A lookup table over the KS edges, so that the hot path's search for a value's slot runs over a
 * few edges instead of log2(K) levels of the whole array: the edges' range is cut into K equal
 * cells, and table[j] is the edge index of the cell's lower end (binIndex at low + j / scale). The
 * edges are quantiles, so unless a few extreme values stretch the range, a cell spans a handful of
 * edges (a few times faster than the plain search at K = 1001); with them, the search is no slower
 * than the plain one. Built once per window; K + 1 Int32.
 */
function edgeTable(edges: Float64Array, low: number, scale: number): Int32Array {
  const cells = edges.length;
  const table = new Int32Array(cells + 1);
  for (let j = 0; j <= cells; j++) table[j] = binIndex(edges, low + j / scale);
  table[cells] = edges.length;
  return table;
}

class CategoricalContract implements FeatureContract {
  readonly name: string;
  readonly type: 'categorical' | 'boolean';
  readonly binCount: number;
  readonly ksSlots = 0;
  readonly otherBin: number;
  readonly min = Number.NaN;
  readonly max = Number.NaN;
  private readonly index = new Map<string, number>();
  /**
   * Categories that are the canonical text of a number ("3", "0.5", "-1e+21"), keyed by the number:
   * a numeric value then finds its bin without building `String(x)`, which would allocate per value.
   * String(x) of a finite number is canonical, so a number whose text is a category is always here.
   */
  private readonly numberIndex = new Map<number, number>();
  private readonly trueBin: number;
  private readonly falseBin: number;

  constructor(feature: Extract<BaselineFeature, { type: 'categorical' | 'boolean' }>) {
    this.name = feature.name;
    this.type = feature.type;
    feature.categories.forEach((category, i) => {
      this.index.set(category, i);
      const asNumber = Number(category);
      if (category !== '' && Number.isFinite(asNumber) && String(asNumber) === category) {
        this.numberIndex.set(asNumber, i);
      }
    });
    this.otherBin = feature.categories.length;
    this.binCount = feature.categories.length + 1;
    this.trueBin = this.index.get('true') ?? this.otherBin;
    this.falseBin = this.index.get('false') ?? this.otherBin;
  }

  classify(value: unknown): number {
    if (this.type === 'boolean') return this.classifyBoolean(value);
    if (typeof value === 'string') return this.index.get(value) ?? this.otherBin;
    if (typeof value === 'number') {
      // -0 and 0 are one key (SameValueZero), as String(-0) is "0".
      return value - value === 0 ? (this.numberIndex.get(value) ?? this.otherBin) : WRONG_TYPE;
    }
    if (typeof value === 'boolean') return value ? this.trueBin : this.falseBin;
    if (value === undefined) return MISSING;
    if (value === null) return NULL_VALUE;
    return WRONG_TYPE;
  }

  private classifyBoolean(value: unknown): number {
    if (value === true) return this.trueBin;
    if (value === false) return this.falseBin;
    if (typeof value === 'string') {
      if (value.length === 4 && value.toLowerCase() === 'true') return this.trueBin;
      if (value.length === 5 && value.toLowerCase() === 'false') return this.falseBin;
      return WRONG_TYPE;
    }
    if (value === undefined) return MISSING;
    if (value === null) return NULL_VALUE;
    return WRONG_TYPE;
  }

  ksSlot(): number {
    throw new RangeError(`${this.name}: a categorical feature has no KS slots`);
  }

  predictionValue(prediction: Prediction): unknown {
    return prediction.label ?? prediction.score ?? undefined;
  }

  /** Approximate bytes of the two maps, for `ModelWindow.memoryBytes`. */
  mapBytes(): number {
    return (this.index.size + this.numberIndex.size) * MAP_ENTRY_BYTES;
  }
}

/** A rough per-entry cost of a Map (hash table slot, key, boxed value): for memory estimates only. */
const MAP_ENTRY_BYTES = 64;

/** Approximate bytes a compiled contract holds (typed arrays and maps). For `ModelWindow.memoryBytes`. */
export function contractBytes(contract: FeatureContract): number {
  if (contract instanceof CategoricalContract) return contract.mapBytes();
  // cuts and edges: 8 bytes each; the edge table 4 bytes per edge.
  return 8 * (contract.binCount - 1) + 12 * ((contract.ksSlots - 1) / 2) + 4;
}
