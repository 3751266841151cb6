/**
 * A window's whole state as plain data (`ModelWindow.exportState` / `ModelWindow.fromState`), so that
 * the daemon can checkpoint its windows and a restart resumes them (PRODUCT.md §4, docs/checkpoints.md).
 *
 * The state keeps only what cannot be rebuilt: the live buckets, sparse (the slots that are not 0 and
 * their counts), and the window's newest step. The running totals are not kept: they are the sum of
 * the live buckets, rebuilt on restore, so they cannot disagree with them. Sparse because a bucket is
 * mostly zeros (a hundred events touch a few thousand of a 26-feature model's ~42,000 slots): a dense
 * copy of 100 windows of 60 steps would be ~1 GB at every checkpoint.
 *
 * Pure: no I/O, no clock (hashing the baseline's bins is computation).
 */

import { createHash } from 'node:crypto';

import type { Baseline } from '../baseline/format.js';
import { MODEL_EVENTS } from './layout.js';

/** One live bucket of a window: the step it counts, and its counts that are not 0. */
export interface WindowStateBucket {
  /** The step index (floor(time / stepMs)); 0 for the single bucket of an unbounded window. */
  readonly step: number;
  /** Strictly ascending indices into the window's flat layout (windows/layout.ts) of the counts not 0. */
  readonly slots: Uint32Array;
  /** The count of each slot of `slots`, same length, every one >= 1. */
  readonly counts: Uint32Array;
}

/**
 * A window's state, made by `ModelWindow.exportState` (a copy: later observes do not change it) and
 * turned back into a window by `ModelWindow.fromState`; kept in checkpoints (checkpoint/format.ts).
 * Immutable by contract: nobody writes into the arrays.
 */
export interface WindowState {
  /** `Baseline.id` of the baseline the counts were counted against. */
  readonly baselineId: string;
  /**
   * `layoutHash` of that baseline: tells a rebuilt baseline with the same id (same training file,
   * other bins or KS quantiles) from the one the counts belong to.
   */
  readonly layoutHash: string;
  /** Length of the window's flat layout: every slot index is below it. */
  readonly layoutSize: number;
  /** The window's spec (`WindowSpec`): a state only restores into a window of the same spec. */
  readonly stepMs: number | null;
  readonly steps: number;
  /** The window's last step (inclusive); null before the first observe or tick, and when unbounded. */
  readonly newest: number | null;
  /**
   * The buckets holding at least one event, in ascending step order, each within the window
   * (newest - steps < step <= newest). An unbounded window has at most one, of step 0.
   */
  readonly buckets: readonly WindowStateBucket[];
  /** Events counted in the window: the sum of the buckets' events, kept to check that none is lost. */
  readonly events: number;
}

/** What about a state does not fit the window it is restored into. */
export type WindowStateProblem = 'baseline' | 'spec' | 'malformed';

/**
 * A state that cannot be restored: counted against another baseline (`baseline`), with another
 * window spec (`spec`), or not a consistent state (`malformed`). Thrown by `ModelWindow.fromState`
 * and `checkWindowState`; `restoreWindows` turns it into a dropped window with the message as reason.
 */
export class WindowStateError extends Error {
  readonly problem: WindowStateProblem;

  constructor(problem: WindowStateProblem, message: string) {
    super(message);
    this.name = 'WindowStateError';
    this.problem = problem;
  }
}

/** Per baseline object: the daemon's windows of one model (one per source and partition) share it. */
const hashes = new WeakMap<Baseline, string>();

/**
 * A short hash (16 hex digits of SHA-256) of what gives a baseline's window slots their meaning: the
 * features in order, their names and types, numeric cut points, range and KS edges, categories. Two
 * baselines of equal hash count every event in the same slots. Called by `ModelWindow.exportState`
 * and `fromState`; remembered per baseline object (baselines are immutable). Pure; O(cuts + edges +
 * categories) the first time.
 */
export function layoutHash(baseline: Baseline): string {
  let known = hashes.get(baseline);
  if (known === undefined) {
    known = computeLayoutHash(baseline);
    hashes.set(baseline, known);
  }
  return known;
}

function computeLayoutHash(baseline: Baseline): string {
  const hash = createHash('sha256');
  for (const f of baseline.features) {
    // JSON prints every double exactly (shortest round-trip form); only -0 prints as 0, which
    // compares equal to 0 wherever a value is binned.
    const parts =
      f.type === 'numeric'
        ? [f.type, f.name, f.min, f.max, f.bins.cuts, f.ks.edges]
        : [f.type, f.name, f.categories];
    hash.update(JSON.stringify(parts));
    hash.update('\n');
  }
  return hash.digest('hex').slice(0, 16);
}

/** What a state is checked against by `checkWindowState`: the restoring window's baseline and spec. */
export interface WindowStateTarget {
  readonly baselineId: string;
  readonly layoutHash: string;
  readonly layoutSize: number;
  readonly stepMs: number | null;
  readonly steps: number;
}

/**
 * Throws a WindowStateError naming the first thing about `state` that does not fit `target`: another
 * baseline id or layout (`baseline`), another step or number of steps (`spec`), or an inconsistent
 * state (`malformed`, see `checkStateConsistency`). Called by `ModelWindow.fromState` before it
 * writes anything. Pure; O(buckets + slots kept).
 */
export function checkWindowState(state: WindowState, target: WindowStateTarget): void {
  if (state.baselineId !== target.baselineId) {
    throw new WindowStateError(
      'baseline',
      `the window was counted against baseline ${state.baselineId}, not ${target.baselineId}`,
    );
  }
  if (state.layoutHash !== target.layoutHash || state.layoutSize !== target.layoutSize) {
    throw new WindowStateError(
      'baseline',
      `baseline ${target.baselineId} was rebuilt with other bins, KS edges or categories since the window was counted`,
    );
  }
  if (state.stepMs !== target.stepMs || state.steps !== target.steps) {
    throw new WindowStateError(
      'spec',
      `the window was ${describeSpec(state.stepMs, state.steps)}, now ${describeSpec(target.stepMs, target.steps)}`,
    );
  }
  checkStateConsistency(state);
}

/**
 * Throws a WindowStateError (`malformed`) when `state` is not something `exportState` can have made:
 * a spec that no window has, a newest step that is not a safe integer, buckets out of the window or
 * not in ascending step order, an empty bucket, slots not ascending or beyond `layoutSize`, a count
 * of 0, slot and count arrays of different lengths, or `events` that is not the buckets' sum. Needs
 * no baseline: the checkpoint decoder calls it too. Pure; O(buckets + slots kept).
 */
export function checkStateConsistency(state: WindowState): void {
  const { stepMs, steps, newest, buckets, layoutSize } = state;
  if (!(Number.isSafeInteger(layoutSize) && layoutSize > MODEL_EVENTS)) {
    throw malformed(`layoutSize must be a positive integer, got ${layoutSize}`);
  }
  if (stepMs === null) {
    if (steps !== 1) throw malformed(`an unbounded window has 1 step, got ${steps}`);
    if (newest !== null) throw malformed(`an unbounded window has no newest step, got ${newest}`);
  } else {
    if (!(Number.isFinite(stepMs) && stepMs > 0)) throw malformed(`stepMs must be positive, got ${stepMs}`);
    if (!(Number.isSafeInteger(steps) && steps >= 1)) throw malformed(`steps must be >= 1, got ${steps}`);
    if (newest !== null && !Number.isSafeInteger(newest)) {
      throw malformed(`newest must be an integer step, got ${newest}`);
    }
    if (newest === null && buckets.length > 0) throw malformed('buckets without a newest step');
  }
  let events = 0;
  let previous = -Infinity;
  buckets.forEach((bucket, b) => {
    const where = `buckets[${b}]`;
    const { step, slots, counts } = bucket;
    if (stepMs === null) {
      if (step !== 0) throw malformed(`${where}: the bucket of an unbounded window is step 0, got ${step}`);
    } else if (!(Number.isSafeInteger(step) && step <= newest! && step > newest! - steps)) {
      throw malformed(`${where}: step ${step} is not in the window (${newest! - steps + 1}..${newest})`);
    }
    if (!(step > previous)) throw malformed(`${where}: step ${step} does not follow step ${previous}`);
    previous = step;
    if (slots.length !== counts.length) {
      throw malformed(`${where}: ${slots.length} slots but ${counts.length} counts`);
    }
    if (slots.length === 0 || slots[0] !== MODEL_EVENTS) {
      throw malformed(`${where}: an empty bucket (no events) is never kept`);
    }
    let last = -1;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot <= last) throw malformed(`${where}: slot ${slot} does not follow slot ${last}`);
      if (slot >= layoutSize) {
        throw malformed(`${where}: slot ${slot} is beyond the window's ${layoutSize} counts`);
      }
      if (counts[i] === 0) throw malformed(`${where}: slot ${slot} is kept with a count of 0`);
      last = slot;
    }
    events += counts[0]!;
  });
  if (events !== state.events) {
    throw malformed(`events is ${state.events} but the buckets hold ${events}`);
  }
}

function describeSpec(stepMs: number | null, steps: number): string {
  return stepMs === null ? 'unbounded' : `${steps} steps of ${stepMs} ms`;
}

function malformed(message: string): WindowStateError {
  return new WindowStateError('malformed', `malformed window state: ${message}`);
}
