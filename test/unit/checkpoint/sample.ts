import type { Baseline } from '../../../src/baseline/format.js';
import type { Checkpoint } from '../../../src/checkpoint/format.js';
import { CHECKPOINT_VERSION } from '../../../src/checkpoint/format.js';
import { ModelWindow, type WindowSpec } from '../../../src/windows/modelWindow.js';
import type { WindowSnapshot } from '../../../src/windows/snapshot.js';
import { seededRandom } from '../stats/vectors.js';
import { baselineOf, categoricalFeature, numericFeature } from '../windows/baselineOf.js';

/**
 * Windows and checkpoints for the checkpoint tests: two models' baselines, windows filled with
 * seeded random events, and a checkpoint holding them.
 */

export const fraud = baselineOf(
  [
    numericFeature(
      'amount',
      Array.from({ length: 100 }, (_, i) => i + 1),
    ),
    categoricalFeature('country', ['DE', 'DE', 'FR', 'US']),
  ],
  'fraud-scorer',
);
export const churn = baselineOf([numericFeature('tenure', [1, 2, 3, 5, 8, 13, 21, 34])], 'churn');

export const STEPS: WindowSpec = { stepMs: 60_000, steps: 5 };

/** A window of `baseline` with `n` seeded events spread over steps 100..104. */
export function filledWindow(
  baseline: Baseline,
  seed: number,
  n = 50,
  spec: WindowSpec = STEPS,
): ModelWindow {
  const random = seededRandom(seed);
  const window = new ModelWindow(baseline, spec);
  for (let i = 0; i < n; i++) {
    const step = 100 + Math.floor(random() * 5);
    window.observe(
      {
        amount: Math.round(random() * 1200) / 10,
        country: ['DE', 'FR', 'US', 'XX', null][Math.floor(random() * 5)],
        tenure: Math.floor(random() * 40),
      },
      random() < 0.5 ? undefined : null,
      step,
    );
  }
  return window;
}

/** A checkpoint of three windows (two models, both sources) and two positions. */
export function sampleCheckpoint(createdAt = 1_790_000_000_000): Checkpoint {
  return {
    version: CHECKPOINT_VERSION,
    createdAt,
    positions: [
      { topic: 'predictions', partition: 0, offset: '0' },
      { topic: 'predictions', partition: 1, offset: '9223372036854775807' },
    ],
    windows: [
      {
        model: 'fraud-scorer',
        source: 'predictions',
        topic: 'predictions',
        partition: 0,
        state: filledWindow(fraud, 1).exportState(),
      },
      {
        model: 'fraud-scorer',
        source: 'features',
        topic: 'predictions',
        partition: 1,
        state: filledWindow(fraud, 2).exportState(),
      },
      {
        model: 'churn',
        source: 'predictions',
        topic: 'predictions',
        partition: 1,
        state: new ModelWindow(churn, STEPS).exportState(),
      },
    ],
  };
}

/** The exact comparable content of a snapshot. */
export function plain(s: WindowSnapshot) {
  return {
    baselineId: s.baselineId,
    counts: Array.from(s.counts),
    events: s.events,
    unknownFeatures: s.unknownFeatures,
    firstStep: s.firstStep,
    lastStep: s.lastStep,
  };
}
