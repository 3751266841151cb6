/**
 * The sliding window of one model and source (PRODUCT.md §4): per-step buckets of counts in the
 * baseline's bins, expired as the window advances, and running totals so that a snapshot costs
 * O(features × bins) whatever the number of steps. Memory is fixed when the window is created
 * (features × bins × steps) and never grows with events: see docs/windows.md, "Memory".
 *
 * Callers: `replay` (one window per model and source over a file) and, in the daemon, the consume
 * path (one per model, source and Kafka partition, merged with `mergeSnapshots` for evaluation).
 * Pure: the caller turns time into step indices (floor(time / stepMs)) and ticks the clock with
 * `advanceTo`; nothing here reads the clock. A window has one owner: it is mutable and unsynchronised.
 */

import type { Baseline } from '../baseline/format.js';
import { PREDICTION_FEATURE } from '../baseline/format.js';
import type { Features, Prediction } from '../decode/event.js';
import {
  compileContract,
  contractBytes,
  MISSING,
  NAN,
  NULL_VALUE,
  WRONG_TYPE,
  type FeatureContract,
} from './dataContract.js';
import {
  MODEL_EVENTS,
  MODEL_UNKNOWN,
  Q_EVENTS,
  Q_MISSING,
  Q_NAN,
  Q_NULL,
  Q_OUT_OF_RANGE,
  Q_UNSEEN,
  Q_WRONG_TYPE,
  QUALITY_SLOTS,
  windowLayout,
  type FeatureSlots,
  type WindowLayout,
} from './layout.js';
import { snapshotOf, type WindowSnapshot } from './snapshot.js';
import { advanceRing, checkStep, ringIndex } from './stepRing.js';
import { checkWindowState, layoutHash, type WindowState, type WindowStateBucket } from './windowState.js';

/** How a window is cut in time. Built by the caller from the model's config (or replay's options). */
export interface WindowSpec {
  /** Step length in ms, or null for one unbounded bucket (replay of a whole file). */
  readonly stepMs: number | null;
  /** Buckets in the window (window / step); 1 when stepMs is null. */
  readonly steps: number;
}

/** What `observe` did with an event: counted it, or refused it as older than the window. */
export type ObserveOutcome = 'added' | 'late';

const MAX_UINT32 = 0xffff_ffff;

/** The quality slot of each invalid `classify` code, indexed by -code. */
const ISSUE_SLOT = new Int8Array(1 - WRONG_TYPE);
ISSUE_SLOT[-MISSING] = Q_MISSING;
ISSUE_SLOT[-NULL_VALUE] = Q_NULL;
ISSUE_SLOT[-NAN] = Q_NAN;
ISSUE_SLOT[-WRONG_TYPE] = Q_WRONG_TYPE;

/** The most slots one feature touches per event: events, then an issue, or a bin, out_of_range and a KS slot. */
const MAX_SLOTS_PER_FEATURE = 4;

/**
 * One model's window over one source. Create it when the baseline is loaded (a baseline reload
 * starts new windows: counts are only meaningful in the bins they were counted in).
 */
export class ModelWindow {
  private readonly layout: WindowLayout;
  private readonly contracts: readonly FeatureContract[];
  private readonly slots: readonly FeatureSlots[];
  /** Per feature: its name is also a property of Object.prototype ("constructor", "toString", ...). */
  private readonly ownOnly: readonly boolean[];
  /** Index of `__prediction__` among the features, or -1. */
  private readonly predictionIndex: number;
  private readonly unbounded: boolean;
  private readonly stepMs: number | null;
  private readonly steps: number;
  /** Kept for `exportState`, which names the baseline's `layoutHash` (a checkpoint's concern). */
  private readonly baseline: Baseline;
  /** Ring of `steps` buckets: step s lives in buckets[s mod steps]. Empty when unbounded. */
  private readonly buckets: readonly Uint32Array[];
  /** Running totals of the live buckets; the only bucket of an unbounded window. */
  private readonly totals: Float64Array;
  /** The slots one event touches, collected before they are applied to the bucket and the totals. */
  private readonly scratch: Int32Array;
  /** The window's last step (inclusive); null until the first observe or tick. */
  private newest: number | null = null;
  /**
   * Data-quality issues counted since the window was made, never expired: per feature
   * QUALITY_SLOTS counts (slot Q_EVENTS unused). What `driftwatch_feature_issues_total` counts.
   */
  private readonly lifetime: Float64Array;

  /**
   * Allocates every bucket now, so memory is fixed from the start.
   * @throws RangeError when `spec` is not a positive step with an integer steps >= 1, or null with
   *   steps 1.
   */
  constructor(baseline: Baseline, spec: WindowSpec) {
    if (spec.stepMs === null) {
      if (spec.steps !== 1) throw new RangeError(`window: an unbounded window has 1 step, got ${spec.steps}`);
    } else {
      if (!(Number.isFinite(spec.stepMs) && spec.stepMs > 0)) {
        throw new RangeError(`window: stepMs must be a positive number of ms, got ${spec.stepMs}`);
      }
      if (!(Number.isSafeInteger(spec.steps) && spec.steps >= 1)) {
        throw new RangeError(`window: steps must be an integer >= 1, got ${spec.steps}`);
      }
    }
    this.layout = windowLayout(baseline);
    this.contracts = baseline.features.map(compileContract);
    this.slots = this.layout.features;
    this.ownOnly = baseline.features.map((f) => f.name in Object.prototype);
    this.predictionIndex = baseline.features.findIndex((f) => f.name === PREDICTION_FEATURE);
    this.unbounded = spec.stepMs === null;
    this.stepMs = spec.stepMs;
    this.steps = spec.steps;
    this.baseline = baseline;
    const size = this.layout.size;
    this.buckets = this.unbounded ? [] : Array.from({ length: spec.steps }, () => new Uint32Array(size));
    this.totals = new Float64Array(size);
    this.scratch = new Int32Array(1 + MAX_SLOTS_PER_FEATURE * baseline.features.length);
    this.lifetime = new Float64Array(QUALITY_SLOTS * baseline.features.length);
  }

  /**
   * The data-quality issues counted since the window was made (late events excluded), per feature
   * in baseline order: `QUALITY_SLOTS` counts each, indexed by Q_MISSING .. Q_UNSEEN. A copy.
   * Not part of the window's state: a restored window starts again from 0.
   */
  lifetimeIssues(): Float64Array {
    return this.lifetime.slice();
  }

  /**
   * Counts one event's features (and its prediction, for prediction events) into the bucket of step
   * index `step` (floor(time / stepMs); ignored when stepMs is null). `prediction` undefined means a
   * feature event: `__prediction__` is then not counted at all; null means a prediction event
   * without a prediction (`__prediction__` is missing). A step newer than the newest advances the
   * window first; a step older than the window's oldest bucket is 'late': not counted.
   * The hot path: no allocation besides `Object.keys` for the unknown-feature count.
   * @throws RangeError when `step` is not a safe integer (bounded windows), or a step's bucket
   *   would hold more than 2^32 - 1 events.
   */
  observe(features: Features, prediction: Prediction | null | undefined, step: number): ObserveOutcome {
    let bucket: Uint32Array | Float64Array = this.totals;
    if (!this.unbounded) {
      const newest = this.newest;
      if (newest === null || step > newest) this.advanceTo(step);
      else {
        checkStep(step);
        if (step <= newest - this.steps) return 'late';
      }
      bucket = this.buckets[ringIndex(step, this.steps)]!;
      if (bucket[MODEL_EVENTS]! >= MAX_UINT32) throw overflow();
    }

    const scratch = this.scratch;
    const contracts = this.contracts;
    const slots = this.slots;
    let n = 0;
    scratch[n++] = MODEL_EVENTS;
    let present = 0;
    for (let f = 0; f < contracts.length; f++) {
      const contract = contracts[f]!;
      let value: unknown;
      if (f === this.predictionIndex) {
        if (prediction === undefined) continue;
        value = prediction === null ? undefined : contract.predictionValue(prediction);
      } else {
        // JSON.parse makes plain objects: `features.constructor` would find Object.prototype's.
        value =
          this.ownOnly[f] && !Object.hasOwn(features, contract.name) ? undefined : features[contract.name];
        if (value !== undefined) present++;
      }
      const s = slots[f]!;
      scratch[n++] = s.offset + Q_EVENTS;
      const code = contract.classify(value);
      const q = f * QUALITY_SLOTS;
      if (code < 0) {
        scratch[n++] = s.offset + ISSUE_SLOT[-code]!;
        this.lifetime[q + ISSUE_SLOT[-code]!]!++;
        continue;
      }
      scratch[n++] = s.binsOffset + code;
      if (s.ksLength > 0) {
        const x = value as number;
        if (x < contract.min || x > contract.max) {
          scratch[n++] = s.offset + Q_OUT_OF_RANGE;
          this.lifetime[q + Q_OUT_OF_RANGE]!++;
        }
        scratch[n++] = s.ksOffset + contract.ksSlot(x);
      } else if (code === contract.otherBin) {
        scratch[n++] = s.offset + Q_UNSEEN;
        this.lifetime[q + Q_UNSEEN]!++;
      }
    }
    // Keys that are not baseline features; `__prediction__` is never read from `features`, so a key
    // of that name is unknown too.
    const unknown = Object.keys(features).length - present;

    const totals = this.totals;
    if (bucket !== totals) {
      if (unknown > 0 && bucket[MODEL_UNKNOWN]! + unknown > MAX_UINT32) throw overflow();
      for (let i = 0; i < n; i++) bucket[scratch[i]!]!++;
      if (unknown > 0) bucket[MODEL_UNKNOWN]! += unknown;
    }
    for (let i = 0; i < n; i++) totals[scratch[i]!]!++;
    if (unknown > 0) totals[MODEL_UNKNOWN]! += unknown;
    return 'added';
  }

  /**
   * Expires buckets so that the window ends at step `step` (inclusive): the evaluator's clock tick,
   * called before each snapshot with floor(now / stepMs). A step at or before the window's end
   * changes nothing (the window never moves back). Ignored for an unbounded window. O(slots) per
   * expired non-empty bucket, O(buckets × slots) at most.
   * @throws RangeError when `step` is not a safe integer.
   */
  advanceTo(step: number): void {
    if (this.unbounded) return;
    this.newest = advanceRing(this.buckets, this.totals, this.newest, step, (bucket) => this.expire(bucket));
  }

  /**
   * The window's merged totals now: a copy, which later observes do not change. Called by the
   * evaluator each step (after `advanceTo`). O(features × bins).
   */
  snapshot(): WindowSnapshot {
    const newest = this.unbounded ? null : this.newest;
    return snapshotOf(
      this.layout,
      this.totals.slice(),
      newest === null ? null : newest - this.steps + 1,
      newest,
    );
  }

  /** Events counted in the window. */
  get events(): number {
    return this.totals[MODEL_EVENTS]!;
  }

  /**
   * Approximate bytes held: the buckets, the totals and the compiled contracts. Fixed at
   * construction; for tests and benchmarks that memory does not grow with events.
   */
  memoryBytes(): number {
    let bytes = this.totals.byteLength + this.scratch.byteLength;
    for (const bucket of this.buckets) bytes += bucket.byteLength;
    for (const contract of this.contracts) bytes += contractBytes(contract);
    return bytes;
  }

  /**
   * The window's whole state as plain data, for a checkpoint (docs/checkpoints.md). A copy: later
   * observes do not change it. Called by the daemon at every step and on shutdown, between observes
   * (a window has one owner). Sparse: O(steps × the slots not 0 in the totals) plus one pass over the
   * totals; allocates only for the counts that are not 0.
   * @throws RangeError for an unbounded window holding a count above 2^32 - 1 (a state's counts are
   *   Uint32; bounded windows never hold more per bucket).
   */
  exportState(): WindowState {
    const totals = this.totals;
    // A slot that is 0 in the totals is 0 in every live bucket: only these need looking at per bucket.
    let live = 0;
    for (let i = 0; i < totals.length; i++) if (totals[i] !== 0) live++;
    const liveSlots = new Uint32Array(live);
    for (let i = 0, j = 0; i < totals.length; i++) if (totals[i] !== 0) liveSlots[j++] = i;
    const scratch = [new Uint32Array(live), new Uint32Array(live)] as const;

    const buckets: WindowStateBucket[] = [];
    const newest = this.unbounded ? null : this.newest;
    if (this.unbounded) {
      if (totals[MODEL_EVENTS] !== 0) buckets.push(sparseBucket(0, totals, liveSlots, scratch));
    } else if (newest !== null) {
      for (let s = newest - this.steps + 1; s <= newest; s++) {
        const bucket = this.buckets[ringIndex(s, this.steps)]!;
        if (bucket[MODEL_EVENTS] !== 0) buckets.push(sparseBucket(s, bucket, liveSlots, scratch));
      }
    }
    return {
      baselineId: this.layout.baselineId,
      layoutHash: layoutHash(this.baseline),
      layoutSize: this.layout.size,
      stepMs: this.stepMs,
      steps: this.steps,
      newest,
      buckets,
      events: this.events,
    };
  }

  /**
   * A window restored from `state` (made by `exportState`): the same snapshot, and the same
   * behaviour under further observes and ticks, as the window that exported it. Called by the
   * daemon's restore (checkpoint/restore.ts) with the model's current baseline and spec; `state` is
   * only read.
   * @throws WindowStateError when the state was counted against another baseline (id or layout),
   *   with another spec, or is malformed; nothing is restored then.
   * @throws RangeError when `spec` is invalid (as the constructor).
   */
  static fromState(baseline: Baseline, spec: WindowSpec, state: WindowState): ModelWindow {
    const window = new ModelWindow(baseline, spec);
    checkWindowState(state, {
      baselineId: baseline.id,
      layoutHash: layoutHash(baseline),
      layoutSize: window.layout.size,
      stepMs: spec.stepMs,
      steps: spec.steps,
    });
    const totals = window.totals;
    for (const { step, slots, counts } of state.buckets) {
      const bucket = window.unbounded ? null : window.buckets[ringIndex(step, window.steps)]!;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        const count = counts[i]!;
        if (bucket !== null) bucket[slot] = count;
        totals[slot] = totals[slot]! + count;
      }
    }
    window.newest = state.newest;
    return window;
  }

  /** Subtracts a bucket from the totals and empties it; an empty bucket is skipped (every slot is 0). */
  private expire(bucket: Uint32Array): void {
    if (bucket[MODEL_EVENTS] === 0) return;
    const totals = this.totals;
    for (let i = 0; i < bucket.length; i++) totals[i] = totals[i]! - bucket[i]!;
    bucket.fill(0);
  }
}

/**
 * The counts of `source` at `liveSlots` that are not 0, as a state's bucket; `scratch` (two arrays of
 * liveSlots.length) collects them in one pass before they are copied out at their size.
 */
function sparseBucket(
  step: number,
  source: Uint32Array | Float64Array,
  liveSlots: Uint32Array,
  scratch: readonly [Uint32Array, Uint32Array],
): WindowStateBucket {
  const [slots, counts] = scratch;
  let n = 0;
  for (let i = 0; i < liveSlots.length; i++) {
    const slot = liveSlots[i]!;
    const count = source[slot]!;
    if (count === 0) continue;
    if (count > MAX_UINT32) {
      throw new RangeError('window: a count above 2^32 - 1 cannot be exported; use a bounded window');
    }
    slots[n] = slot;
    counts[n++] = count;
  }
  return { step, slots: slots.slice(0, n), counts: counts.slice(0, n) };
}

/** step mod steps, also for steps before the epoch. */

function overflow(): RangeError {
  return new RangeError('window: a step holds more than 2^32 - 1 events; use a shorter step');
}
