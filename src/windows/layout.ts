/**
 * Where each count of a window lives in its flat array. One window bucket (a step), the window's
 * running totals and a snapshot are all one array of the same layout, so expiring a step, merging
 * two windows and copying a snapshot are single loops over numbers, whatever the features.
 *
 * Layout: the model's slots first (events, unknown features), then per baseline feature, in the
 * baseline's order: its 7 quality counts (`FeatureQuality`'s order), its PSI bin counts, then (numeric
 * features only) its KS slot counts (stats/ksSummary.ts). A feature's valid values (n_current) are
 * the sum of its bin counts.
 *
 * Pure. Built once per window from its baseline.
 */

import type { Baseline } from '../baseline/format.js';

/** Model slot: events counted in the window. */
export const MODEL_EVENTS = 0;
/** Model slot: keys of events' `features` that the baseline does not know. */
export const MODEL_UNKNOWN = 1;
const MODEL_SLOTS = 2;

/** Quality slots, relative to a feature's offset, in `FeatureQuality`'s order. */
export const Q_EVENTS = 0;
export const Q_MISSING = 1;
export const Q_NULL = 2;
export const Q_NAN = 3;
export const Q_WRONG_TYPE = 4;
export const Q_OUT_OF_RANGE = 5;
export const Q_UNSEEN = 6;
export const QUALITY_SLOTS = 7;

/** One feature's place in the flat array. */
export interface FeatureSlots {
  readonly name: string;
  /** First quality slot. */
  readonly offset: number;
  /** First PSI bin slot (offset + QUALITY_SLOTS). */
  readonly binsOffset: number;
  readonly binCount: number;
  /** First KS slot; equal to binsOffset + binCount, with ksLength 0, for categorical features. */
  readonly ksOffset: number;
  readonly ksLength: number;
}

/** The layout of a baseline's windows: built by `windowLayout`, shared by a window and its snapshots. */
export interface WindowLayout {
  readonly baselineId: string;
  readonly features: readonly FeatureSlots[];
  /** Length of the flat array. */
  readonly size: number;
}

/**
 * The layout of the windows of `baseline`. Called by `ModelWindow`'s constructor. Pure; O(features).
 */
export function windowLayout(baseline: Baseline): WindowLayout {
  let next = MODEL_SLOTS;
  const features: FeatureSlots[] = [];
  for (const feature of baseline.features) {
    const offset = next;
    const binsOffset = offset + QUALITY_SLOTS;
    const binCount =
      feature.type === 'numeric' ? feature.bins.cuts.length + 1 : feature.categories.length + 1;
    const ksOffset = binsOffset + binCount;
    const ksLength = feature.type === 'numeric' ? 2 * feature.ks.edges.length + 1 : 0;
    features.push({ name: feature.name, offset, binsOffset, binCount, ksOffset, ksLength });
    next = ksOffset + ksLength;
  }
  return { baselineId: baseline.id, features, size: next };
}

/**
 * True when windows of layouts `a` and `b` count the same things in the same slots: same baseline
 * id, same features in the same order with the same bins and KS slots. Pure; O(features).
 */
export function sameLayout(a: WindowLayout, b: WindowLayout): boolean {
  if (a === b) return true;
  if (a.baselineId !== b.baselineId || a.size !== b.size || a.features.length !== b.features.length) {
    return false;
  }
  return a.features.every((f, i) => {
    const g = b.features[i]!;
    return (
      f.name === g.name && f.offset === g.offset && f.binCount === g.binCount && f.ksLength === g.ksLength
    );
  });
}
