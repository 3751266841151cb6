/**
 * The first-pass state of one column of a training file: kinds seen (for type inference), null
 * and invalid counts, and the statistics of each type it may turn out to be. Memory is bounded by
 * the caps given (categories, distinct numbers, reservoir) plus the shared numeric buffer budget.
 * Pure; driven by `BaselineAccumulator` (accumulator.ts).
 */
import type { FeatureType } from './format.js';
import { describeValue, type ClassifiedValue, type ValueKind } from './values.js';

/** The memory shared by every column's numeric buffer (docs/baselines.md, "Memory"). */
export class NumericBudget {
  usedBytes = 0;
  overflowed = false;
  constructor(readonly limitBytes: number) {}

  /** Reserves bytes for a buffer; false (and `overflowed`) when the limit would be passed. */
  reserve(bytes: number): boolean {
    if (this.overflowed || this.usedBytes + bytes > this.limitBytes) {
      this.overflowed = true;
      return false;
    }
    this.usedBytes += bytes;
    return true;
  }
}

/** A seeded PRNG (mulberry32): reproducible reservoirs, so the same file builds the same baseline. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first value of a kind and its line, for the mixed-kinds message. */
export interface KindExample {
  readonly value: string;
  readonly line: number;
}

/** Limits of one column's first pass. */
export interface ColumnLimits {
  readonly maxCategories: number;
  /** Numeric values with at most this many distinct values are kept as value -> count (Q + 1). */
  readonly maxDistinct: number;
  readonly reservoirSize: number;
  readonly seed: number;
}

const INITIAL_CAPACITY = 1024;

/** One column's first pass. Created when the column is first seen. */
export class ColumnState {
  present = 0;
  nulls = 0;
  invalid = 0;
  readonly kinds: Record<ValueKind, number> = {
    null: 0,
    boolean: 0,
    number: 0,
    nonfinite: 0,
    string: 0,
    other: 0,
  };
  /** CSV booleans, which also read as strings. */
  boolText = 0;
  readonly examples = new Map<ValueKind, KindExample>();

  // numeric
  n = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  buffer: Float64Array | null = new Float64Array(0);
  distinct: Map<number, number> | null = new Map();
  reservoir: Float64Array | null = null;
  private reservoirFill = 0;
  private readonly random: () => number;

  // categorical and boolean
  categories: Map<string, number> | null = new Map();
  trues = 0;
  falses = 0;

  constructor(
    readonly name: string,
    readonly forced: FeatureType | null,
    private readonly limits: ColumnLimits,
    private readonly budget: NumericBudget,
  ) {
    this.random = mulberry32(limits.seed);
  }

  /** Counts one value of a row that has the column. */
  add(v: ClassifiedValue, line: number): void {
    this.present++;
    if (v.kind === 'null') {
      this.nulls++;
      return;
    }
    this.kinds[v.kind]++;
    if (!this.examples.has(v.kind)) this.examples.set(v.kind, { value: describeValue(v), line });
    switch (this.forced) {
      case 'numeric':
        if (v.kind === 'number') this.addNumber(v.num);
        else this.invalid++;
        return;
      case 'boolean':
        if (v.kind === 'boolean') this.addBoolean(v.bool);
        else this.invalid++;
        return;
      case 'categorical':
        if (v.kind === 'string' || v.kind === 'number' || v.kind === 'boolean') this.addCategory(v.text);
        else this.invalid++;
        return;
      default:
        if (v.kind === 'number') this.addNumber(v.num);
        else if (v.kind === 'boolean') {
          this.addBoolean(v.bool);
          if (v.alsoString) {
            this.boolText++;
            this.addCategory(v.text);
          }
        } else if (v.kind === 'string') this.addCategory(v.text);
    }
  }

  /** True when more than --max-categories distinct categories were seen (collection stopped). */
  get categoriesOverflowed(): boolean {
    return this.categories === null;
  }

  private addCategory(text: string): void {
    const m = this.categories;
    if (m === null) return;
    const c = m.get(text);
    if (c !== undefined) m.set(text, c + 1);
    else if (m.size >= this.limits.maxCategories) this.categories = null;
    else m.set(text, 1);
  }

  private addBoolean(b: boolean): void {
    if (b) this.trues++;
    else this.falses++;
  }

  private addNumber(x: number): void {
    const i = this.n++;
    // Welford's update: stable for any number of rows.
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    const d = this.distinct;
    if (d !== null) {
      const c = d.get(x);
      if (c !== undefined) d.set(x, c + 1);
      else if (d.size >= this.limits.maxDistinct) this.distinct = null;
      else d.set(x, 1);
    }
    const buf = this.buffer;
    if (buf !== null) {
      if (i === buf.length) {
        const capacity = Math.max(INITIAL_CAPACITY, buf.length * 2);
        if (!this.budget.reserve((capacity - buf.length) * 8)) {
          // The caller drops every buffer once the budget overflows; this value goes to the reservoir.
          this.n--;
          this.startReservoir();
          this.n++;
          this.sample(x, i);
          return;
        }
        const grown = new Float64Array(capacity);
        grown.set(buf);
        this.buffer = grown;
      }
      this.buffer![i] = x;
      return;
    }
    this.sample(x, i);
  }

  /**
   * Drops the in-memory buffer and keeps a uniform sample of what it held instead (partial
   * Fisher–Yates with the seeded PRNG: the same state Algorithm R would have reached in law).
   * Called for every column once the shared budget overflows. Idempotent.
   */
  startReservoir(): void {
    const buf = this.buffer;
    if (buf === null) return;
    this.buffer = null;
    const size = this.limits.reservoirSize;
    const k = this.n;
    const res = new Float64Array(size);
    if (k <= size) res.set(buf.subarray(0, k));
    else {
      for (let i = 0; i < size; i++) {
        const j = i + Math.floor(this.random() * (k - i));
        const t = buf[i]!;
        buf[i] = buf[j]!;
        buf[j] = t;
        res[i] = buf[i]!;
      }
    }
    this.reservoir = res;
    this.reservoirFill = Math.min(k, size);
  }

  /** Algorithm R for the value of index i (0-based) once the buffer is gone. */
  private sample(x: number, i: number): void {
    const res = this.reservoir!;
    if (this.reservoirFill < res.length) {
      res[this.reservoirFill++] = x;
      return;
    }
    const j = Math.floor(this.random() * (i + 1));
    if (j < res.length) res[j] = x;
  }

  /** The reservoir's values (a view), once the buffer was dropped. */
  reservoirValues(): Float64Array {
    return this.reservoir === null ? new Float64Array(0) : this.reservoir.subarray(0, this.reservoirFill);
  }

  /** The sorted numeric values when the buffer was kept (sorts in place, once). */
  sortedBuffer(): Float64Array | null {
    return this.buffer === null ? null : this.buffer.subarray(0, this.n).sort();
  }

  /** Population standard deviation (ddof 0). */
  get std(): number {
    return this.n === 0 ? 0 : Math.sqrt(this.m2 / this.n);
  }
}
