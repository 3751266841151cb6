/**
 * The serving side of a model's window (PRODUCT.md §4: error rate, latency quantiles, throughput,
 * cost per inference and per successful task), over the same steps as its drift window
 * (`ModelWindow`): per-step buckets of counts, a fixed latency histogram per bucket, running totals
 * added on observe and subtracted on expiry. Memory is fixed when the window is created:
 * (steps + 1) × SERVING_SLOTS × 8 bytes, whatever the event rate (docs/windows.md, "Serving summary").
 *
 * Callers: the consume path (one per model and Kafka partition, beside the model's drift windows,
 * merged with `mergeServingSnapshots`), `replay` (one per model over a file), and the status API,
 * InfluxDB history and alert rules, which read `summarizeServing`. Pure: the caller turns time into
 * step indices (floor(time / stepMs)) and ticks the clock with `advanceTo`; nothing here reads the
 * clock. A window has one owner: it is mutable and unsynchronised.
 */

import type { PredictionEvent } from '../decode/event.js';
import type { ServingSummary } from '../evaluate/types.js';
import { histogramQuantile } from '../telemetry/histogramQuantile.js';
import { advanceRing, checkStep, ringIndex } from './stepRing.js';
import type { ObserveOutcome, WindowSpec } from './modelWindow.js';
import { WindowStateError } from './windowState.js';

/** Latency histogram buckets per decade: each bucket's upper bound is 10^(1/50) ≈ 1.047 × its lower one. */
export const LATENCY_BUCKETS_PER_DECADE = 50;

/** The lowest finite bound: latencies up to 0.1 ms share the first bucket, [0, 0.1 ms]. */
const LOWEST_BOUND_MS = 0.1;

/** The highest finite bound must reach 10 min: slower inferences are counted, but above every bound. */
const HIGHEST_LATENCY_MS = 10 * 60 * 1000;

/**
 * The upper bounds (inclusive, as Prometheus' `le`) of the latency buckets, in ms, ascending:
 * 0.1 × 10^(i/50) for i = 0, 1, ... up to the first bound >= 10 min (≈ 602.6 s; 340 bounds). A last
 * bucket above them (+Inf) follows. A constant: a checkpoint's state holds bucket indices into it.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = latencyBounds();

/**
 * The bound on a quantile's relative error, 10^(1/50) - 1 ≈ 4.71 %: the estimate is interpolated
 * linearly inside the bucket that holds the quantile's rank, and a bucket's width is (ratio - 1) ×
 * its lower bound, which is at most the quantile itself. Below 0.1 ms the error is at most 0.1 ms
 * (absolute); above the highest bound the quantile is reported as that bound. Against the exact
 * (numpy 'linear') empirical quantile, which interpolates between two neighbouring order statistics
 * while the histogram locates the rank ceil(q × n), the bound holds up to the gap between neighbouring
 * order statistics: negligible for a window of many events (docs/windows.md, "Serving summary").
 */
export const LATENCY_QUANTILE_RELATIVE_ERROR = 10 ** (1 / LATENCY_BUCKETS_PER_DECADE) - 1;

/** Latency buckets: one per bound, and the +Inf bucket. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

// The slots of a bucket: six counts, then the latency histogram.
const EVENTS = 0;
const ERRORS = 1;
const SUCCESSES = 2;
const COSTED = 3;
const COST_SUM = 4;
const LATENCY_EVENTS = 5;
const LATENCY = 6;

/** Numbers per bucket (and in the totals): events, errors, successes, costed, cost sum, latency events, histogram. */
export const SERVING_SLOTS = LATENCY + LATENCY_BUCKETS;

const MAX_UINT32 = 0xffff_ffff;

/**
 * A serving window's totals at one moment, made by `ServingWindow.snapshot()` or
 * `mergeServingSnapshots`, read by `summarizeServing`. The snapshot owns its arrays (a copy of the
 * window's totals): later observes do not change it. Immutable by contract: nobody writes into `latency`.
 */
export interface ServingSnapshot {
  /** Prediction events counted in the window. */
  readonly events: number;
  /** Of them, with status `error`. */
  readonly errors: number;
  /** Of them, with `success` true (the business outcome; defaults to status `ok`). */
  readonly successes: number;
  /** Of them, with a `cost`. */
  readonly costed: number;
  /** The sum of their costs. */
  readonly costSum: number;
  /** Of them, with a `latency_ms`: the sum of `latency`. */
  readonly latencyEvents: number;
  /** Non-cumulative counts per latency bucket: LATENCY_BOUNDS_MS's buckets, then +Inf (LATENCY_BUCKETS). */
  readonly latency: Float64Array;
  /** Steps the window covers, inclusive; null for an unbounded window or one that has seen no step. */
  readonly firstStep: number | null;
  readonly lastStep: number | null;
}

/** One live bucket of a serving window's state: the step it counts and its counts. */
export interface ServingStateBucket {
  /** The step index (floor(time / stepMs)); 0 for the single bucket of an unbounded window. */
  readonly step: number;
  /** Events counted in the step, >= 1 (an empty bucket is never kept). */
  readonly events: number;
  readonly errors: number;
  readonly successes: number;
  readonly costed: number;
  /** The sum of the step's costs, exactly as the window added it up. */
  readonly costSum: number;
  /** Strictly ascending latency bucket indices (below LATENCY_BUCKETS) whose count is not 0. */
  readonly latencySlots: Uint32Array;
  /** The count of each of `latencySlots`, same length, every one >= 1. */
  readonly latencyCounts: Uint32Array;
}

/**
 * A serving window's whole state as plain data, made by `ServingWindow.exportState` (a copy) and
 * turned back into a window by `ServingWindow.fromState`; for the daemon's checkpoints. Running
 * totals are not kept: they are the sum of the live buckets, rebuilt on restore. Immutable by
 * contract: nobody writes into the arrays.
 */
export interface ServingState {
  /** The window's spec (`WindowSpec`): a state only restores into a window of the same spec. */
  readonly stepMs: number | null;
  readonly steps: number;
  /** LATENCY_BUCKETS of the build that exported it: a histogram of other buckets is refused. */
  readonly latencyBuckets: number;
  /** The window's last step (inclusive); null before the first observe or tick, and when unbounded. */
  readonly newest: number | null;
  /** The buckets holding at least one event, ascending by step, each within the window. */
  readonly buckets: readonly ServingStateBucket[];
}

/**
 * One model's serving window over one source (and, in the daemon, one Kafka partition). Create it
 * with the same spec as the model's drift windows, so that both describe the same span of time.
 */
export class ServingWindow {
  private readonly unbounded: boolean;
  private readonly stepMs: number | null;
  private readonly steps: number;
  /** Ring of `steps` buckets: step s lives in buckets[s mod steps]. Empty when unbounded. */
  private readonly buckets: readonly Float64Array[];
  /**
   * Running totals of the live buckets; the only bucket of an unbounded window. In a bounded window
   * the COST_SUM slot is unused (0): see `costSum`.
   */
  private readonly totals: Float64Array;
  /** The window's last step (inclusive); null until the first observe or tick. */
  private newest: number | null = null;

  /**
   * Allocates every bucket now, so memory is fixed from the start.
   * @throws RangeError when `spec` is not a positive step with an integer steps >= 1, or null with
   *   steps 1 (as `ModelWindow`).
   */
  constructor(spec: WindowSpec) {
    checkSpec(spec);
    this.unbounded = spec.stepMs === null;
    this.stepMs = spec.stepMs;
    this.steps = spec.steps;
    this.buckets = this.unbounded
      ? []
      : Array.from({ length: spec.steps }, () => new Float64Array(SERVING_SLOTS));
    this.totals = new Float64Array(SERVING_SLOTS);
  }

  /**
   * Counts one prediction event into the bucket of step index `step` (floor(time / stepMs); ignored
   * when stepMs is null). A step newer than the newest advances the window first; a step older than
   * the window's oldest bucket is 'late': not counted (the caller counts it, as for `ModelWindow`).
   * The hot path: no allocation.
   * @throws RangeError when `step` is not a safe integer (bounded windows), or the event's latency or
   *   cost is not a finite number >= 0 (the decoder rejects those events; nothing is counted then).
   */
  observe(event: PredictionEvent, step: number): ObserveOutcome {
    const { latencyMs, cost } = event;
    if (latencyMs !== null && !(Number.isFinite(latencyMs) && latencyMs >= 0)) {
      throw new RangeError(`serving window: latency must be a finite number of ms >= 0, got ${latencyMs}`);
    }
    if (cost !== null && !(Number.isFinite(cost) && cost >= 0)) {
      throw new RangeError(`serving window: cost must be a finite number >= 0, got ${cost}`);
    }
    const totals = this.totals;
    let bucket = totals;
    if (!this.unbounded) {
      const newest = this.newest;
      if (newest === null || step > newest) this.advanceTo(step);
      else {
        checkStep(step);
        if (step <= newest - this.steps) return 'late';
      }
      bucket = this.buckets[ringIndex(step, this.steps)]!;
    }

    const error = event.status === 'error' ? 1 : 0;
    const success = event.success ? 1 : 0;
    const costed = cost === null ? 0 : 1;
    const timed = latencyMs === null ? 0 : 1;
    const latencySlot = latencyMs === null ? -1 : LATENCY + latencyBucket(latencyMs);
    bucket[EVENTS]!++;
    bucket[ERRORS]! += error;
    bucket[SUCCESSES]! += success;
    bucket[COSTED]! += costed;
    if (cost !== null) bucket[COST_SUM]! += cost;
    bucket[LATENCY_EVENTS]! += timed;
    if (latencySlot >= 0) bucket[latencySlot]!++;
    if (bucket !== totals) {
      totals[EVENTS]!++;
      totals[ERRORS]! += error;
      totals[SUCCESSES]! += success;
      totals[COSTED]! += costed;
      totals[LATENCY_EVENTS]! += timed;
      if (latencySlot >= 0) totals[latencySlot]!++;
    }
    return 'added';
  }

  /**
   * Expires buckets so that the window ends at step `step` (inclusive): the evaluator's clock tick,
   * called with the drift windows' before each snapshot. A step at or before the window's end changes
   * nothing (the window never moves back). Ignored for an unbounded window. O(SERVING_SLOTS) per
   * expired non-empty bucket.
   * @throws RangeError when `step` is not a safe integer.
   */
  advanceTo(step: number): void {
    if (this.unbounded) return;
    this.newest = advanceRing(this.buckets, this.totals, this.newest, step, (bucket) => this.expire(bucket));
  }

  /**
   * The window's totals now: a copy, which later observes do not change. Called at each evaluation
   * step (after `advanceTo`). O(SERVING_SLOTS + steps).
   */
  snapshot(): ServingSnapshot {
    const totals = this.totals;
    const newest = this.unbounded ? null : this.newest;
    return {
      events: totals[EVENTS]!,
      errors: totals[ERRORS]!,
      successes: totals[SUCCESSES]!,
      costed: totals[COSTED]!,
      costSum: this.costSum(),
      latencyEvents: totals[LATENCY_EVENTS]!,
      latency: totals.slice(LATENCY),
      firstStep: newest === null ? null : newest - this.steps + 1,
      lastStep: newest,
    };
  }

  /** Prediction events counted in the window. */
  get events(): number {
    return this.totals[EVENTS]!;
  }

  /**
   * Bytes held by the buckets and the totals: (steps + 1) × SERVING_SLOTS × 8 for a bounded window,
   * SERVING_SLOTS × 8 for an unbounded one. Fixed at construction; for tests and benchmarks.
   */
  memoryBytes(): number {
    let bytes = this.totals.byteLength;
    for (const bucket of this.buckets) bytes += bucket.byteLength;
    return bytes;
  }

  /**
   * The window's whole state as plain data, for a checkpoint. A copy: later observes do not change
   * it. Called by the daemon with the drift windows' `exportState`, between observes (a window has
   * one owner). O(steps × SERVING_SLOTS); allocates only for the latency counts that are not 0.
   * @throws RangeError for a bucket holding more than 2^32 - 1 events in one latency bucket (a state's
   *   latency counts are Uint32; only an unbounded window over a huge file gets there).
   */
  exportState(): ServingState {
    const buckets: ServingStateBucket[] = [];
    const newest = this.unbounded ? null : this.newest;
    if (this.unbounded) {
      if (this.totals[EVENTS] !== 0) buckets.push(stateBucket(0, this.totals));
    } else if (newest !== null) {
      for (let s = newest - this.steps + 1; s <= newest; s++) {
        const bucket = this.buckets[ringIndex(s, this.steps)]!;
        if (bucket[EVENTS] !== 0) buckets.push(stateBucket(s, bucket));
      }
    }
    return { stepMs: this.stepMs, steps: this.steps, latencyBuckets: LATENCY_BUCKETS, newest, buckets };
  }

  /**
   * A window restored from `state` (made by `exportState`): the same snapshot, and the same behaviour
   * under further observes and ticks, as the window that exported it. Called by the daemon's restore
   * with the model's current spec; `state` is only read.
   * @throws WindowStateError (`spec`) when the state was counted with another spec or other latency
   *   buckets, (`malformed`) when it is not a state `exportState` can have made; nothing is restored.
   * @throws RangeError when `spec` is invalid (as the constructor).
   */
  static fromState(spec: WindowSpec, state: ServingState): ServingWindow {
    const window = new ServingWindow(spec);
    checkServingState(state, spec);
    const totals = window.totals;
    for (const b of state.buckets) {
      const bucket = window.unbounded ? totals : window.buckets[ringIndex(b.step, window.steps)]!;
      bucket[EVENTS] = b.events;
      bucket[ERRORS] = b.errors;
      bucket[SUCCESSES] = b.successes;
      bucket[COSTED] = b.costed;
      bucket[COST_SUM] = b.costSum;
      let timed = 0;
      for (let i = 0; i < b.latencySlots.length; i++) {
        bucket[LATENCY + b.latencySlots[i]!] = b.latencyCounts[i]!;
        timed += b.latencyCounts[i]!;
      }
      bucket[LATENCY_EVENTS] = timed;
      if (bucket !== totals) {
        for (let i = 0; i < SERVING_SLOTS; i++) if (i !== COST_SUM) totals[i] = totals[i]! + bucket[i]!;
      }
    }
    window.newest = state.newest;
    return window;
  }

  /**
   * The live buckets' cost, added oldest step first. Not a running total: float additions and
   * subtractions do not cancel exactly, so a running sum would keep a residue after its events
   * expired and would differ in the last bits from a restored window's; this sum depends only on the
   * live buckets. O(steps).
   */
  private costSum(): number {
    if (this.unbounded) return this.totals[COST_SUM]!;
    const newest = this.newest;
    if (newest === null) return 0;
    let sum = 0;
    for (let s = newest - this.steps + 1; s <= newest; s++) {
      sum += this.buckets[ringIndex(s, this.steps)]![COST_SUM]!;
    }
    return sum;
  }

  /** Subtracts a bucket's counts from the totals and empties it; an empty bucket is skipped. */
  private expire(bucket: Float64Array): void {
    if (bucket[EVENTS] === 0) return;
    const totals = this.totals;
    for (let i = 0; i < SERVING_SLOTS; i++) if (i !== COST_SUM) totals[i] = totals[i]! - bucket[i]!;
    bucket.fill(0);
  }
}

/**
 * The snapshot of two serving windows taken together: counts and costs added, the step range the
 * union's. For the daemon's per-partition windows of one model, merged before each evaluation.
 * Pure; O(LATENCY_BUCKETS); neither input changes.
 * @throws RangeError when a snapshot's latency histogram is not LATENCY_BUCKETS long.
 */
export function mergeServingSnapshots(a: ServingSnapshot, b: ServingSnapshot): ServingSnapshot {
  if (a.latency.length !== LATENCY_BUCKETS || b.latency.length !== LATENCY_BUCKETS) {
    throw new RangeError(
      `serving snapshots hold ${a.latency.length} and ${b.latency.length} latency buckets, not ${LATENCY_BUCKETS}`,
    );
  }
  const latency = Float64Array.from(a.latency);
  for (let i = 0; i < latency.length; i++) latency[i] = latency[i]! + b.latency[i]!;
  return {
    events: a.events + b.events,
    errors: a.errors + b.errors,
    successes: a.successes + b.successes,
    costed: a.costed + b.costed,
    costSum: a.costSum + b.costSum,
    latencyEvents: a.latencyEvents + b.latencyEvents,
    latency,
    firstStep: combineSteps(a.firstStep, b.firstStep, Math.min),
    lastStep: combineSteps(a.lastStep, b.lastStep, Math.max),
  };
}

/**
 * The serving summary of a snapshot over a window of `windowMs` (steps × stepMs, the span the
 * throughput is spread over), or null for a whole-file window (throughput is then null). Called by
 * the evaluation step for the status API, InfluxDB and alert rules, and by `replay`. Latency
 * quantiles are within LATENCY_QUANTILE_RELATIVE_ERROR of the exact ones. `cost_per_success` is null
 * when no event had a cost (unknown cost is not zero cost) or none succeeded. Pure; O(LATENCY_BUCKETS).
 * @throws RangeError when `windowMs` is not a positive finite number or null.
 */
export function summarizeServing(s: ServingSnapshot, windowMs: number | null): ServingSummary {
  if (windowMs !== null && !(Number.isFinite(windowMs) && windowMs > 0)) {
    throw new RangeError(`serving summary: windowMs must be a positive number of ms, got ${windowMs}`);
  }
  const cumulative = s.latencyEvents === 0 ? null : cumulativeBuckets(s.latency);
  const quantile = (q: number): number | null =>
    cumulative === null ? null : histogramQuantile(q, cumulative) / 1000;
  return {
    events: s.events,
    errors: s.errors,
    error_rate: s.events === 0 ? null : s.errors / s.events,
    throughput_per_second: windowMs === null ? null : s.events / (windowMs / 1000),
    latency_p50_seconds: quantile(0.5),
    latency_p95_seconds: quantile(0.95),
    latency_p99_seconds: quantile(0.99),
    cost_per_inference: s.costed === 0 ? null : s.costSum / s.costed,
    cost_per_success: s.costed === 0 || s.successes === 0 ? null : s.costSum / s.successes,
  };
}

/**
 * The index of the latency bucket of `ms` (finite, >= 0): the first bound >= ms, or the +Inf bucket.
 * Called by `observe` per event (and by tests). Pure; O(1): the logarithm lands on the bucket or next
 * to it (rounding), and the bounds settle it.
 */
export function latencyBucket(ms: number): number {
  const last = LATENCY_BOUNDS_MS.length;
  let i = Math.ceil(LATENCY_BUCKETS_PER_DECADE * Math.log10(ms / LOWEST_BOUND_MS));
  if (!(i > 0))
    i = 0; // ms <= 0.1, and log10(0) = -Infinity
  else if (i > last) i = last;
  while (i > 0 && ms <= LATENCY_BOUNDS_MS[i - 1]!) i--;
  while (i < last && ms > LATENCY_BOUNDS_MS[i]!) i++;
  return i;
}

function latencyBounds(): number[] {
  const bounds: number[] = [];
  for (let i = 0; ; i++) {
    const bound = LOWEST_BOUND_MS * 10 ** (i / LATENCY_BUCKETS_PER_DECADE);
    bounds.push(bound);
    if (bound >= HIGHEST_LATENCY_MS) return bounds;
  }
}

/** histogramQuantile's input: (upper bound, cumulative count) per bucket, +Inf last. */
function cumulativeBuckets(latency: Float64Array): { le: number; count: number }[] {
  const out: { le: number; count: number }[] = [];
  let count = 0;
  for (let i = 0; i < latency.length; i++) {
    count += latency[i]!;
    out.push({ le: LATENCY_BOUNDS_MS[i] ?? Number.POSITIVE_INFINITY, count });
  }
  return out;
}

function stateBucket(step: number, bucket: Float64Array): ServingStateBucket {
  let n = 0;
  for (let i = LATENCY; i < SERVING_SLOTS; i++) if (bucket[i] !== 0) n++;
  const latencySlots = new Uint32Array(n);
  const latencyCounts = new Uint32Array(n);
  for (let i = LATENCY, j = 0; i < SERVING_SLOTS; i++) {
    const count = bucket[i]!;
    if (count === 0) continue;
    if (count > MAX_UINT32) {
      throw new RangeError('serving window: a count above 2^32 - 1 cannot be exported; use a bounded window');
    }
    latencySlots[j] = i - LATENCY;
    latencyCounts[j++] = count;
  }
  return {
    step,
    events: bucket[EVENTS]!,
    errors: bucket[ERRORS]!,
    successes: bucket[SUCCESSES]!,
    costed: bucket[COSTED]!,
    costSum: bucket[COST_SUM]!,
    latencySlots,
    latencyCounts,
  };
}

/**
 * Throws a WindowStateError naming the first thing about `state` that does not fit a window of
 * `spec`: another spec or latency layout (`spec`), or anything `exportState` cannot have made
 * (`malformed`). Pure; O(buckets + latency counts kept).
 */
function checkServingState(state: ServingState, spec: WindowSpec): void {
  const { stepMs, steps, newest, buckets } = state;
  if (stepMs !== spec.stepMs || steps !== spec.steps) {
    throw new WindowStateError(
      'spec',
      `the serving window was ${describeSpec(stepMs, steps)}, now ${describeSpec(spec.stepMs, spec.steps)}`,
    );
  }
  if (state.latencyBuckets !== LATENCY_BUCKETS) {
    throw new WindowStateError(
      'spec',
      `the serving window's latency histogram had ${state.latencyBuckets} buckets, now ${LATENCY_BUCKETS}`,
    );
  }
  if (stepMs === null) {
    if (newest !== null) throw malformed(`an unbounded window has no newest step, got ${newest}`);
  } else {
    if (newest !== null && !Number.isSafeInteger(newest)) {
      throw malformed(`newest must be an integer step, got ${newest}`);
    }
    if (newest === null && buckets.length > 0) throw malformed('buckets without a newest step');
  }
  let previous = -Infinity;
  buckets.forEach((b, index) => {
    const where = `buckets[${index}]`;
    const { step } = b;
    if (stepMs === null) {
      if (step !== 0) throw malformed(`${where}: the bucket of an unbounded window is step 0, got ${step}`);
    } else if (!(Number.isSafeInteger(step) && step <= newest! && step > newest! - steps)) {
      throw malformed(`${where}: step ${step} is not in the window (${newest! - steps + 1}..${newest})`);
    }
    if (!(step > previous)) throw malformed(`${where}: step ${step} does not follow step ${previous}`);
    previous = step;
    if (!(Number.isSafeInteger(b.events) && b.events >= 1)) {
      throw malformed(
        `${where}: events must be an integer >= 1 (an empty bucket is never kept), got ${b.events}`,
      );
    }
    for (const key of ['errors', 'successes', 'costed'] as const) {
      const count = b[key];
      if (!(Number.isSafeInteger(count) && count >= 0 && count <= b.events)) {
        throw malformed(`${where}: ${key} must be an integer in 0..${b.events} (the events), got ${count}`);
      }
    }
    if (!(Number.isFinite(b.costSum) && b.costSum >= 0) || (b.costed === 0 && b.costSum !== 0)) {
      throw malformed(`${where}: costSum ${b.costSum} is not a sum of ${b.costed} costs >= 0`);
    }
    const { latencySlots, latencyCounts } = b;
    if (latencySlots.length !== latencyCounts.length) {
      throw malformed(`${where}: ${latencySlots.length} latency slots but ${latencyCounts.length} counts`);
    }
    let last = -1;
    let timed = 0;
    for (let i = 0; i < latencySlots.length; i++) {
      const slot = latencySlots[i]!;
      if (!(slot > last)) throw malformed(`${where}: latency slot ${slot} does not follow slot ${last}`);
      if (slot >= LATENCY_BUCKETS) {
        throw malformed(`${where}: latency slot ${slot} is beyond the ${LATENCY_BUCKETS} buckets`);
      }
      if (latencyCounts[i] === 0) throw malformed(`${where}: latency slot ${slot} is kept with a count of 0`);
      last = slot;
      timed += latencyCounts[i]!;
    }
    if (timed > b.events) throw malformed(`${where}: ${timed} latencies for ${b.events} events`);
  });
}

function checkSpec(spec: WindowSpec): void {
  if (spec.stepMs === null) {
    if (spec.steps !== 1) throw new RangeError(`window: an unbounded window has 1 step, got ${spec.steps}`);
    return;
  }
  if (!(Number.isFinite(spec.stepMs) && spec.stepMs > 0)) {
    throw new RangeError(`window: stepMs must be a positive number of ms, got ${spec.stepMs}`);
  }
  if (!(Number.isSafeInteger(spec.steps) && spec.steps >= 1)) {
    throw new RangeError(`window: steps must be an integer >= 1, got ${spec.steps}`);
  }
}

/** step mod steps, also for steps before the epoch. */

function combineSteps(
  x: number | null,
  y: number | null,
  pick: (x: number, y: number) => number,
): number | null {
  if (x === null) return y;
  if (y === null) return x;
  return pick(x, y);
}

function describeSpec(stepMs: number | null, steps: number): string {
  return stepMs === null ? 'unbounded' : `${steps} steps of ${stepMs} ms`;
}

function malformed(message: string): WindowStateError {
  return new WindowStateError('malformed', `malformed serving window state: ${message}`);
}
