/**
 * Exact order statistics of a column too big to hold in memory, by iterative bracketing over
 * repeated passes (docs/baselines.md, "Big files"). The baseline builder asks for the ranks that
 * its quantiles need (floor(h) and floor(h) + 1 for h = (n - 1) q) and feeds every value of the
 * column once per pass until `done`.
 *
 * Each unresolved rank has a bracket [lo, hi] known to hold it, with `below` values strictly under
 * lo and `count` values inside. In a pass, a bracket whose values fit the collect limit collects
 * them and picks the rank after a sort; a bigger one histograms its values into H equal-width
 * sub-buckets, i = min(H - 1, floor((x - lo) / (hi - lo) * H)), keeping each sub-bucket's count,
 * min and max. The index is monotone in x (each floating-point step is), so sub-bucket j holds
 * exactly the values in [min_j, max_j]: that is the rank's next bracket, exact, with no value
 * missed or counted twice. A bracket with lo == hi is resolved. Brackets are disjoint, and ranks
 * that land in the same sub-bucket share one. Each pass shrinks a bracket's width by H at least, so
 * it ends; typically the second pass already collects.
 *
 * Pure: no I/O. -0 and 0 are the same value here (the caller normalises them). Values must be
 * finite and within [min, max] given at construction.
 */

/** Options of {@link RankSelector}. */
export interface RankSelectorOptions {
  /** A bracket holding at most this many values collects them (default 1 << 16). */
  readonly collectLimit?: number;
  /** H, the sub-buckets of a histogram (default 4096). */
  readonly buckets?: number;
}

interface Bracket {
  lo: number;
  hi: number;
  below: number;
  count: number;
  ranks: number[];
}

interface ActiveBracket {
  readonly bracket: Bracket;
  readonly collect: Float64Array | null;
  fill: number;
  readonly counts: Float64Array | null;
  readonly mins: Float64Array | null;
  readonly maxs: Float64Array | null;
  /** Halved bounds when hi - lo overflows; the index stays monotone. */
  readonly halve: boolean;
  readonly width: number;
  seen: number;
}

/** Thrown when a pass did not see the values the previous passes counted (the input changed). */
export class InconsistentPassError extends Error {}

/**
 * One column's order-statistics search. Created by the builder after the first pass (n, min and
 * max are then known); `beginPass` / `add` per value / `endPass` for each further pass while
 * `!done`; then `valueAt(rank)`. Not shared between columns.
 */
export class RankSelector {
  private readonly resolved = new Map<number, number>();
  private pending: Bracket[] = [];
  private active: ActiveBracket[] = [];
  private readonly collectLimit: number;
  private readonly buckets: number;

  constructor(
    readonly n: number,
    ranks: readonly number[],
    min: number,
    max: number,
    options: RankSelectorOptions = {},
  ) {
    this.collectLimit = options.collectLimit ?? 1 << 16;
    this.buckets = options.buckets ?? 4096;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`rank selector: n must be >= 1, got ${n}`);
    if (!(min <= max)) throw new RangeError(`rank selector: min ${min} is above max ${max}`);
    const wanted = [...new Set(ranks)].sort((a, b) => a - b);
    for (const r of wanted) {
      if (!Number.isInteger(r) || r < 0 || r >= n)
        throw new RangeError(`rank selector: rank ${r} not in [0, n)`);
    }
    if (wanted.length === 0) return;
    if (min === max) for (const r of wanted) this.resolved.set(r, min + 0);
    else this.pending.push({ lo: min, hi: max, below: 0, count: n, ranks: wanted });
  }

  /** True once every rank is known. */
  get done(): boolean {
    return this.pending.length === 0;
  }

  /** Brackets still to resolve (for progress and tests). */
  get unresolved(): number {
    return this.pending.length;
  }

  /**
   * Prepares a pass. `budgetBytes` bounds the memory of this pass's buffers: brackets beyond it
   * wait for a later pass, but one is always taken, so every pass makes progress.
   */
  beginPass(budgetBytes = Number.POSITIVE_INFINITY): void {
    this.pending.sort((a, b) => a.lo - b.lo);
    this.active = [];
    let used = 0;
    for (const b of this.pending) {
      const collects = b.count <= this.collectLimit;
      const cost = collects ? b.count * 8 : this.buckets * 24;
      if (this.active.length > 0 && used + cost > budgetBytes) break;
      used += cost;
      const halve = !Number.isFinite(b.hi - b.lo);
      const H = this.buckets;
      this.active.push({
        bracket: b,
        collect: collects ? new Float64Array(b.count) : null,
        fill: 0,
        counts: collects ? null : new Float64Array(H),
        mins: collects ? null : new Float64Array(H).fill(Number.POSITIVE_INFINITY),
        maxs: collects ? null : new Float64Array(H).fill(Number.NEGATIVE_INFINITY),
        halve,
        width: halve ? b.hi / 2 - b.lo / 2 : b.hi - b.lo,
        seen: 0,
      });
    }
  }

  /** Feeds one value of the column during a pass. O(log brackets). */
  add(x: number): void {
    const active = this.active;
    let lo = 0;
    let hi = active.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (active[mid]!.bracket.lo <= x) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return;
    const a = active[lo - 1]!;
    const b = a.bracket;
    if (x > b.hi) return;
    a.seen++;
    if (a.collect !== null) {
      if (a.fill >= a.collect.length) throw new InconsistentPassError('more values than counted before');
      a.collect[a.fill++] = x;
      return;
    }
    const H = this.buckets;
    const offset = a.halve ? x / 2 - b.lo / 2 : x - b.lo;
    const i = Math.min(H - 1, Math.floor((offset / a.width) * H));
    a.counts![i]! += 1;
    if (x < a.mins![i]!) a.mins![i] = x;
    if (x > a.maxs![i]!) a.maxs![i] = x;
  }

  /**
   * Ends a pass: resolves or narrows every bracket that took part.
   * @throws InconsistentPassError when a bracket saw another number of values than expected.
   */
  endPass(): void {
    const next: Bracket[] = this.pending.filter((b) => !this.active.some((a) => a.bracket === b));
    for (const a of this.active) {
      const b = a.bracket;
      if (a.seen !== b.count) {
        throw new InconsistentPassError(
          `a pass saw ${a.seen} values in [${b.lo}, ${b.hi}], expected ${b.count}`,
        );
      }
      if (a.collect !== null) {
        const sorted = a.collect.sort();
        for (const r of b.ranks) this.resolved.set(r, sorted[r - b.below]! + 0);
        continue;
      }
      const counts = a.counts!;
      let j = 0;
      let cum = b.below;
      let current: Bracket | null = null;
      for (const r of b.ranks) {
        while (cum + counts[j]! <= r) cum += counts[j++]!;
        const lo = a.mins![j]!;
        const hi = a.maxs![j]!;
        if (lo === hi) {
          this.resolved.set(r, lo + 0);
          continue;
        }
        if (current === null || current.lo !== lo) {
          current = { lo, hi, below: cum, count: counts[j]!, ranks: [] };
          next.push(current);
        }
        current.ranks.push(r);
      }
    }
    this.active = [];
    this.pending = next;
  }

  /** The value at `rank` (0-based, ascending) once resolved. */
  valueAt(rank: number): number {
    const v = this.resolved.get(rank);
    if (v === undefined) throw new RangeError(`rank selector: rank ${rank} is not resolved`);
    return v;
  }
}
