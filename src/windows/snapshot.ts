/**
 * A window's merged totals at one moment: what the evaluator compares with the baseline. A snapshot
 * owns its counts (a copy of the window's running totals), so later observes never change it, and it
 * can be handed to another task, kept for a checkpoint, or merged with the snapshot of another window
 * of the same baseline (one per Kafka partition) by adding counts.
 *
 * Pure: no I/O, no clock.
 */

import type { FeatureQuality } from '../evaluate/types.js';
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
  sameLayout,
  type WindowLayout,
} from './layout.js';

/** One feature's counts over the window, in the baseline's bins. Read-only: do not write into the arrays. */
export interface FeatureWindowCounts {
  readonly feature: string;
  readonly quality: FeatureQuality;
  /** Valid values in the window (n_current): the sum of `bins`. */
  readonly valid: number;
  /** PSI bin counts: cuts.length + 1 (numeric), or categories.length + 1 with `__other__` last. */
  readonly bins: Float64Array;
  /** Numeric features: the KS summary's 2K + 1 slot counts (`ksFromSummary`'s window); null otherwise. */
  readonly ks: Float64Array | null;
}

/**
 * A window's totals, made by `ModelWindow.snapshot()` or `mergeSnapshots`. Immutable by contract:
 * the typed arrays are views of `counts`, which the snapshot owns; callers read them and never write.
 */
export interface WindowSnapshot {
  /** The baseline the counts are laid out for (`Baseline.id`). */
  readonly baselineId: string;
  readonly layout: WindowLayout;
  /** Every count, flat, in `layout`'s order. */
  readonly counts: Float64Array;
  /** Events counted in the window. */
  readonly events: number;
  /** Keys of the events' `features` that the baseline does not know, summed over the window's events. */
  readonly unknownFeatures: number;
  /** Steps the window covers, inclusive; null for an unbounded window or one that has seen no step. */
  readonly firstStep: number | null;
  readonly lastStep: number | null;
  /** In the baseline's order. */
  readonly features: readonly FeatureWindowCounts[];
}

/**
 * Wraps `counts` (which the snapshot takes over: the caller must not keep writing into it) as a
 * snapshot. Called by `ModelWindow.snapshot` and `mergeSnapshots`. Pure; O(features + bins).
 */
export function snapshotOf(
  layout: WindowLayout,
  counts: Float64Array,
  firstStep: number | null,
  lastStep: number | null,
): WindowSnapshot {
  if (counts.length !== layout.size) {
    throw new RangeError(`window snapshot: ${counts.length} counts for a layout of ${layout.size}`);
  }
  const features = layout.features.map((slots): FeatureWindowCounts => {
    const o = slots.offset;
    const bins = counts.subarray(slots.binsOffset, slots.binsOffset + slots.binCount);
    let valid = 0;
    for (let i = 0; i < bins.length; i++) valid += bins[i]!;
    return {
      feature: slots.name,
      quality: {
        events: counts[o + Q_EVENTS]!,
        missing: counts[o + Q_MISSING]!,
        null: counts[o + Q_NULL]!,
        nan: counts[o + Q_NAN]!,
        wrong_type: counts[o + Q_WRONG_TYPE]!,
        out_of_range: counts[o + Q_OUT_OF_RANGE]!,
        unseen: counts[o + Q_UNSEEN]!,
      },
      valid,
      bins,
      ks: slots.ksLength === 0 ? null : counts.subarray(slots.ksOffset, slots.ksOffset + slots.ksLength),
    };
  });
  return {
    baselineId: layout.baselineId,
    layout,
    counts,
    events: counts[MODEL_EVENTS]!,
    unknownFeatures: counts[MODEL_UNKNOWN]!,
    firstStep,
    lastStep,
    features,
  };
}

/**
 * The snapshot of the two windows taken together: every count added. For the daemon's per-partition
 * windows of one model and source, merged before each evaluation. The step range is the union's
 * (the smaller first step, the larger last step). Pure; O(features × bins); neither input changes.
 * @throws RangeError when the snapshots are not of the same baseline layout (same baseline id,
 *   features, bins and KS slots).
 */
export function mergeSnapshots(a: WindowSnapshot, b: WindowSnapshot): WindowSnapshot {
  if (!sameLayout(a.layout, b.layout)) {
    throw new RangeError(
      `window snapshots of different baselines cannot be merged: ${a.baselineId} and ${b.baselineId}`,
    );
  }
  const counts = Float64Array.from(a.counts);
  const other = b.counts;
  for (let i = 0; i < counts.length; i++) counts[i] = counts[i]! + other[i]!;
  return snapshotOf(
    a.layout,
    counts,
    combineSteps(a.firstStep, b.firstStep, Math.min),
    combineSteps(a.lastStep, b.lastStep, Math.max),
  );
}

function combineSteps(
  x: number | null,
  y: number | null,
  pick: (x: number, y: number) => number,
): number | null {
  if (x === null) return y;
  if (y === null) return x;
  return pick(x, y);
}
