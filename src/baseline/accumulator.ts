/**
 * The core of `driftwatch baseline build`, without files: rows in, a `Baseline` out. The shell
 * (build.ts) reads the input and feeds rows; tests feed rows directly. Pass 1 (`addRow`) infers
 * the types and gathers every statistic that fits in memory; `finishFirstPass` decides the types
 * and says which numeric columns need further passes (`StreamedColumn`), which the shell drives by
 * feeding those columns' values again; `finish` assembles the baseline. Pure: no I/O, no clock
 * (the build time comes in).
 */
import { DriftwatchError } from '../errors.js';
import { binIndex, compareCodePoints } from '../stats/bins.js';
import { buildReferenceSummary, KS_SUMMARY_VERSION, type KsReferenceSummary } from '../stats/ksSummary.js';
import { quantileSorted } from '../stats/quantile.js';
import { ColumnState, NumericBudget } from './column.js';
import {
  PREDICTION_FEATURE,
  type BaselineFeature,
  type CategoricalFeature,
  type ExcludedColumn,
  type FeatureType,
  type NumericFeature,
} from './format.js';
import {
  cutsFromSorted,
  percentilesFromSorted,
  quantileLevels,
  ranksForLevels,
  sparseSorted,
} from './orderStats.js';
import { RankSelector } from './rankSelector.js';
import type { ClassifiedValue } from './values.js';

/** What the accumulator needs to know before the first row. */
export interface AccumulatorOptions {
  /** The input's name, for messages. */
  readonly file: string;
  readonly bins: number;
  readonly ksQuantiles: number;
  readonly maxCategories: number;
  /** Bytes that the numeric buffers of all columns may hold together. */
  readonly memoryLimitBytes: number;
  /** Column -> type, from --numeric / --categorical / --boolean. */
  readonly overrides: ReadonlyMap<string, FeatureType>;
  readonly exclude: ReadonlySet<string>;
  /** The column monitored as `__prediction__` (rows may also carry `__prediction__` directly). */
  readonly predictionColumn: string | null;
  /** Per-column reservoir size of the streamed path (default 65536). */
  readonly reservoirSize?: number;
  /** Seed of the reservoirs (default 1). */
  readonly seed?: number;
  /** Per-pass memory of a streamed column's rank search, bytes (default: memoryLimitBytes / columns). */
  readonly selectorCollectLimit?: number;
}

/** A numeric column whose exact statistics need more passes over the input. */
export interface StreamedColumn {
  /** The column's name in the input (not `__prediction__`). */
  readonly column: string;
  readonly selector: RankSelector;
  /** The KS edges (from the reservoir, exact min and max). */
  readonly ksEdges: readonly number[];
  /** Bytes the rank search may use per pass. */
  readonly passBudget: number;
  /** Set once the selector is done; then `binCounts` / `ksCounts` are filled by a counting pass. */
  cuts: number[] | null;
  binCounts: number[] | null;
  ksCounts: number[] | null;
}

/** The result of the first pass. */
export interface FirstPassResult {
  /** Columns that need further passes; empty when everything fit in memory. */
  readonly streamed: readonly StreamedColumn[];
  readonly excluded: readonly ExcludedColumn[];
  /** One line per excluded-for-no-values column, for stderr. */
  readonly warnings: readonly string[];
}

const KIND_WORDS: Record<string, string> = {
  number: 'numbers',
  nonfinite: 'non-finite numbers',
  boolean: 'booleans',
  string: 'strings',
  other: 'objects/arrays',
};

function usage(message: string): DriftwatchError {
  return new DriftwatchError('DW_USAGE', message);
}

/** See the module comment. One per build; not reusable. */
export class BaselineAccumulator {
  private readonly columns = new Map<string, ColumnState>();
  private readonly budget: NumericBudget;
  private rowsSeen = 0;
  private buffersDropped = false;
  private readonly excludedSeen = new Set<string>();
  private types = new Map<string, FeatureType>();
  private first: FirstPassResult | null = null;
  private readonly feeds = new Map<string, StreamedColumn>();

  constructor(private readonly options: AccumulatorOptions) {
    this.budget = new NumericBudget(options.memoryLimitBytes);
  }

  /** Data rows fed so far. */
  get rows(): number {
    return this.rowsSeen;
  }

  /** True once the numeric values stopped fitting in the memory limit. */
  get streaming(): boolean {
    return this.budget.overflowed;
  }

  /** Names of the columns seen so far, in order. */
  get columnNames(): string[] {
    return [...this.columns.keys()];
  }

  /**
   * Declares the columns of a CSV header before the first row, so that an option naming a column
   * that does not exist fails before the file is read.
   */
  declareColumns(names: readonly string[]): void {
    for (const name of names) {
      if (this.options.exclude.has(name)) this.excludedSeen.add(name);
      else this.column(name);
    }
    this.checkOptionColumns();
  }

  /** Feeds one data row of pass 1: column -> value. `line` is the row's line in the file. */
  addRow(row: ReadonlyMap<string, ClassifiedValue>, line: number): void {
    this.rowsSeen++;
    for (const [name, value] of row) {
      if (this.options.exclude.has(name)) this.excludedSeen.add(name);
      else this.column(name).add(value, line);
    }
    if (this.budget.overflowed && !this.buffersDropped) {
      this.buffersDropped = true;
      for (const c of this.columns.values()) c.startReservoir();
    }
  }

  private column(name: string): ColumnState {
    let c = this.columns.get(name);
    if (c === undefined) {
      c = new ColumnState(
        name,
        this.options.overrides.get(name) ?? null,
        {
          maxCategories: this.options.maxCategories,
          maxDistinct: this.options.ksQuantiles + 1,
          reservoirSize: this.options.reservoirSize ?? 65536,
          seed: (this.options.seed ?? 1) + this.columns.size,
        },
        this.budget,
      );
      if (this.budget.overflowed) c.startReservoir();
      this.columns.set(name, c);
    }
    return c;
  }

  private checkOptionColumns(): void {
    const known = new Set([...this.columns.keys(), ...this.excludedSeen]);
    const available = () => [...known].filter((n) => n !== PREDICTION_FEATURE).join(', ') || '(none)';
    const named: Array<[string, string]> = [];
    for (const [col, type] of this.options.overrides) named.push([`--${type}`, col]);
    if (this.options.predictionColumn !== null)
      named.push(['--prediction-column', this.options.predictionColumn]);
    for (const col of this.options.exclude) named.push(['--exclude', col]);
    for (const [option, col] of named) {
      if (!known.has(col)) {
        throw usage(
          `${this.options.file}: ${option} ${col}: no such column; the columns are: ${available()}`,
        );
      }
    }
  }

  /**
   * Ends pass 1: decides every column's type, refuses mixed or oversized columns, and plans the
   * further passes of numeric columns that did not fit in memory.
   * @throws DriftwatchError DW_INPUT_INVALID (no rows, mixed kinds, too many categories) or
   *   DW_USAGE (an option names a column that does not exist).
   */
  finishFirstPass(): FirstPassResult {
    const file = this.options.file;
    if (this.rowsSeen === 0) {
      throw new DriftwatchError(
        'DW_INPUT_INVALID',
        `${file}: no data rows; the baseline needs at least one row`,
      );
    }
    this.checkOptionColumns();
    const excluded: ExcludedColumn[] = [...this.options.exclude].map((name) => ({
      name,
      reason: 'excluded_by_option' as const,
    }));
    const warnings: string[] = [];
    const streamed: StreamedColumn[] = [];
    const numericColumns = [...this.columns.values()].filter((c) => this.inferType(c) === 'numeric');
    const selectorBudget = Math.max(
      1 << 16,
      this.options.memoryLimitBytes / Math.max(1, numericColumns.length),
    );
    for (const c of this.columns.values()) {
      const type = this.inferType(c);
      const valid =
        type === 'numeric' ? c.n : type === 'boolean' ? c.trues + c.falses : this.categoryTotal(c);
      if (valid === 0) {
        excluded.push({ name: c.name, reason: 'no_valid_values' });
        warnings.push(
          `${file}: column "${c.name}" has no valid value (${c.nulls} null, ${c.invalid} invalid): excluded`,
        );
        continue;
      }
      if (type === 'categorical' && c.categoriesOverflowed) {
        throw new DriftwatchError(
          'DW_INPUT_INVALID',
          `${file}: column "${c.name}" has more than ${this.options.maxCategories} distinct categories; ` +
            `exclude it with --exclude ${c.name}, or raise --max-categories`,
        );
      }
      this.types.set(c.name, type);
      if (type === 'numeric' && c.sortedBuffer() === null && c.distinct === null) {
        const sample = c.reservoirValues().slice().sort();
        const raw = [c.min];
        const q = this.options.ksQuantiles;
        for (let k = 1; k < q; k++) raw.push(quantileSorted(sample, k / q));
        raw.push(c.max);
        raw.sort((a, b) => a - b);
        const edges: number[] = [];
        for (const e of raw) if (edges.length === 0 || edges[edges.length - 1] !== e) edges.push(e + 0);
        const ranks = ranksForLevels(c.n, quantileLevels(this.options.bins));
        const s: StreamedColumn = {
          column: c.name,
          selector: new RankSelector(c.n, ranks, c.min, c.max, {
            collectLimit: Math.max(1024, Math.floor(selectorBudget / 8 / 4)),
            buckets: Math.max(64, Math.min(4096, Math.floor(selectorBudget / 24 / 4))),
          }),
          ksEdges: edges,
          passBudget: selectorBudget,
          cuts: null,
          binCounts: null,
          ksCounts: null,
        };
        streamed.push(s);
        this.feeds.set(c.name, s);
      }
    }
    this.first = { streamed, excluded, warnings };
    return this.first;
  }

  /** The value a later pass feeds to a streamed column (null when it is not a valid number). */
  static numericValue(v: ClassifiedValue): number | null {
    return v.kind === 'number' ? v.num : null;
  }

  /**
   * After the selector of `s` is done: fixes its cut points, so that a counting pass can fill
   * `binCounts` and `ksCounts` (`countValue`).
   */
  static prepareCounting(s: StreamedColumn, bins: number): void {
    const values = new Map<number, number>();
    const n = s.selector.n;
    for (const r of ranksForLevels(n, quantileLevels(bins))) values.set(r, s.selector.valueAt(r));
    s.cuts = cutsFromSorted(sparseSorted(n, values), bins);
    s.binCounts = new Array<number>(s.cuts.length + 1).fill(0);
    s.ksCounts = new Array<number>(2 * s.ksEdges.length + 1).fill(0);
  }

  /** Counts one value of a streamed column in the counting pass. */
  static countValue(s: StreamedColumn, x: number): void {
    s.binCounts![binIndex(s.cuts!, x)]! += 1;
    const k = binIndex(s.ksEdges, x);
    s.ksCounts![k < s.ksEdges.length && s.ksEdges[k] === x ? 2 * k + 1 : 2 * k]! += 1;
  }

  private categoryTotal(c: ColumnState): number {
    if (c.categories === null) return 1;
    let t = 0;
    for (const v of c.categories.values()) t += v;
    return t;
  }

  private inferType(c: ColumnState): FeatureType {
    if (c.forced !== null) return c.forced;
    const k = c.kinds;
    const nonNull = k.boolean + k.number + k.nonfinite + k.string + k.other;
    if (nonNull === 0) return 'numeric';
    if (k.boolean === nonNull) return 'boolean';
    if (k.number + k.nonfinite === nonNull) {
      c.invalid = k.nonfinite;
      return 'numeric';
    }
    if (k.string + c.boolText === nonNull) return 'categorical';
    const parts = (Object.keys(KIND_WORDS) as Array<keyof typeof k>)
      .filter((kind) => k[kind] > 0)
      .sort((a, b) => k[b] - k[a]);
    const minority = parts[parts.length - 1]!;
    const ex = c.examples.get(minority)!;
    const counts = parts.map((kind) => `${k[kind]} ${KIND_WORDS[kind]}`).join(', ');
    const numeric = k.number + k.nonfinite >= k.string + k.boolean + k.other;
    const fix = numeric
      ? `use --numeric ${c.name} to count the non-numbers as invalid, or --categorical ${c.name} to treat every value as a category`
      : `use --categorical ${c.name} to treat every value as a category, or --numeric ${c.name} to count the non-numbers as invalid`;
    throw new DriftwatchError(
      'DW_INPUT_INVALID',
      `${this.options.file}: column "${c.name}" mixes kinds of values: ${counts} ` +
        `(e.g. ${ex.value} on line ${ex.line}); ${fix}`,
    );
  }

  /**
   * Assembles the features once every pass is done: in the file's column order, `__prediction__`
   * last. `streamed` columns must have their counts.
   */
  features(): BaselineFeature[] {
    if (this.first === null) throw new Error('finishFirstPass first');
    const out: BaselineFeature[] = [];
    let prediction: BaselineFeature | null = null;
    for (const c of this.columns.values()) {
      const type = this.types.get(c.name);
      if (type === undefined) continue;
      const isPrediction = c.name === PREDICTION_FEATURE || c.name === this.options.predictionColumn;
      const name = isPrediction ? PREDICTION_FEATURE : c.name;
      const f = type === 'numeric' ? this.numericFeature(c, name) : this.categoricalFeature(c, name, type);
      if (isPrediction) prediction = f;
      else out.push(f);
    }
    if (prediction !== null) out.push(prediction);
    return out;
  }

  private common(c: ColumnState, name: string, count: number) {
    return {
      name,
      rows: c.present,
      count,
      nullCount: this.rowsSeen - c.present + c.nulls,
      invalidCount: c.invalid,
    };
  }

  private categoricalFeature(
    c: ColumnState,
    name: string,
    type: 'categorical' | 'boolean',
  ): CategoricalFeature {
    let entries: Array<[string, number]>;
    if (type === 'boolean') {
      entries = [];
      if (c.falses > 0) entries.push(['false', c.falses]);
      if (c.trues > 0) entries.push(['true', c.trues]);
    } else {
      entries = [...c.categories!.entries()].sort((a, b) => compareCodePoints(a[0], b[0]));
    }
    const count = entries.reduce((s, e) => s + e[1], 0);
    if (type === 'categorical' && c.forced === null) c.invalid = 0;
    return {
      ...this.common(c, name, count),
      type,
      categories: entries.map((e) => e[0]),
      counts: entries.map((e) => e[1]),
    };
  }

  private numericFeature(c: ColumnState, name: string): NumericFeature {
    const bins = this.options.bins;
    const q = this.options.ksQuantiles;
    const n = c.n;
    let cuts: number[];
    let counts: number[];
    let percentiles: Record<string, number>;
    let ks: KsReferenceSummary;
    const sorted = c.sortedBuffer();
    const s = this.feeds.get(c.name);
    if (sorted !== null) {
      cuts = cutsFromSorted(sorted, bins);
      percentiles = percentilesFromSorted(sorted);
      ks = buildReferenceSummary(sorted, { quantiles: q });
      counts = new Array<number>(cuts.length + 1).fill(0);
      for (const x of sorted) counts[binIndex(cuts, x)]! += 1;
    } else if (c.distinct !== null) {
      const values = [...c.distinct.entries()].sort((a, b) => a[0] - b[0]);
      const wanted = ranksForLevels(n, quantileLevels(bins));
      const known = new Map<number, number>();
      let i = 0;
      let cum = 0;
      for (const r of wanted) {
        while (cum + values[i]![1] <= r) cum += values[i++]![1];
        known.set(r, values[i]![0]);
      }
      const view = sparseSorted(n, known);
      cuts = cutsFromSorted(view, bins);
      percentiles = percentilesFromSorted(view);
      const ksCounts: number[] = [0];
      for (const [, count] of values) ksCounts.push(count, 0);
      ks = {
        version: KS_SUMMARY_VERSION,
        kind: 'exact',
        quantiles: q,
        n,
        edges: values.map((v) => v[0] + 0),
        counts: ksCounts,
      };
      counts = new Array<number>(cuts.length + 1).fill(0);
      for (const [x, count] of values) counts[binIndex(cuts, x)]! += count;
    } else if (s !== undefined && s.binCounts !== null && s.ksCounts !== null && s.cuts !== null) {
      cuts = s.cuts;
      counts = s.binCounts;
      const known = new Map<number, number>();
      for (const r of ranksForLevels(n, quantileLevels(bins))) known.set(r, s.selector.valueAt(r));
      percentiles = percentilesFromSorted(sparseSorted(n, known));
      ks = {
        version: KS_SUMMARY_VERSION,
        kind: 'quantile',
        quantiles: q,
        n,
        edges: [...s.ksEdges],
        counts: s.ksCounts,
      };
    } else {
      throw new Error(`column ${c.name}: the streamed passes did not finish`);
    }
    return {
      ...this.common(c, name, n),
      type: 'numeric',
      min: c.min + 0,
      max: c.max + 0,
      mean: c.mean,
      std: c.std,
      percentiles,
      bins: { cuts, counts },
      ks,
    };
  }
}
