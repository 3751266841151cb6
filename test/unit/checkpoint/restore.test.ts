import { describe, expect, it } from 'vitest';

import type { Checkpoint } from '../../../src/checkpoint/format.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/checkpoint/format.js';
import { restoreWindows, windowKey, type RestoreTarget } from '../../../src/checkpoint/restore.js';
import type { ModelWindow } from '../../../src/windows/modelWindow.js';
import { baselineOf, numericFeature } from '../windows/baselineOf.js';
import { churn, filledWindow, fraud, plain, STEPS } from './sample.js';

describe('restoreWindows', () => {
  const fraud0 = filledWindow(fraud, 11);
  const fraud1 = filledWindow(fraud, 12);
  const churn1 = filledWindow(churn, 13);
  const checkpoint: Checkpoint = decodeCheckpoint(
    encodeCheckpoint({
      version: 1,
      createdAt: 5,
      positions: [
        { topic: 'events', partition: 0, offset: '1200' },
        { topic: 'events', partition: 1, offset: '977' },
      ],
      windows: [
        {
          model: 'fraud-scorer',
          source: 'predictions',
          topic: 'events',
          partition: 0,
          state: fraud0.exportState(),
        },
        {
          model: 'fraud-scorer',
          source: 'predictions',
          topic: 'events',
          partition: 1,
          state: fraud1.exportState(),
        },
        { model: 'churn', source: 'features', topic: 'events', partition: 1, state: churn1.exportState() },
      ],
    }),
  );
  const configured = (entries: [string, RestoreTarget][]) => new Map(entries);

  it('restores every window whose model, baseline and spec are unchanged', () => {
    const result = restoreWindows(
      checkpoint,
      configured([
        ['fraud-scorer', { baseline: fraud, spec: STEPS }],
        ['churn', { baseline: churn, spec: STEPS }],
      ]),
    );
    expect(result.dropped).toEqual([]);
    expect([...result.windows.keys()]).toEqual([
      'fraud-scorer\0predictions\0events\x000',
      'fraud-scorer\0predictions\0events\x001',
      'churn\0features\0events\x001',
    ]);
    const restored = (key: string) => plain(result.windows.get(key)!.snapshot());
    expect(restored(windowKey('fraud-scorer', 'predictions', 'events', 0))).toEqual(plain(fraud0.snapshot()));
    expect(restored(windowKey('fraud-scorer', 'predictions', 'events', 1))).toEqual(plain(fraud1.snapshot()));
    expect(restored(windowKey('churn', 'features', 'events', 1))).toEqual(plain(churn1.snapshot()));
    expect(result.positions).toEqual(checkpoint.positions);
  });

  it('drops the windows of a model no longer configured, of a changed baseline or spec; keeps every position', () => {
    const rebuilt = baselineOf([numericFeature('tenure', [1, 2, 3, 5, 8, 13, 21, 34], { bins: 3 })], 'churn');
    const result = restoreWindows(
      checkpoint,
      configured([
        ['fraud-scorer', { baseline: fraud, spec: { stepMs: 60_000, steps: 10 } }],
        ['churn', { baseline: rebuilt, spec: STEPS }],
      ]),
    );
    expect(result.windows.size).toBe(0);
    expect(result.dropped).toEqual([
      {
        model: 'fraud-scorer',
        source: 'predictions',
        topic: 'events',
        partition: 0,
        problem: 'spec',
        reason: 'the window was 5 steps of 60000 ms, now 10 steps of 60000 ms',
      },
      {
        model: 'fraud-scorer',
        source: 'predictions',
        topic: 'events',
        partition: 1,
        problem: 'spec',
        reason: 'the window was 5 steps of 60000 ms, now 10 steps of 60000 ms',
      },
      {
        model: 'churn',
        source: 'features',
        topic: 'events',
        partition: 1,
        problem: 'baseline',
        reason:
          'baseline churn@0123456789ab was rebuilt with other bins, KS edges or categories since the window was counted',
      },
    ]);
    expect(result.positions).toEqual([
      { topic: 'events', partition: 0, offset: '1200' },
      { topic: 'events', partition: 1, offset: '977' },
    ]);

    const other = restoreWindows(
      checkpoint,
      configured([
        ['fraud-scorer', { baseline: { ...fraud, id: 'fraud-scorer@ffffffffffff' }, spec: STEPS }],
      ]),
    );
    expect(other.windows.size).toBe(0);
    expect(other.dropped.map((d) => [d.model, d.problem, d.reason])).toEqual([
      [
        'fraud-scorer',
        'baseline',
        'the window was counted against baseline fraud-scorer@0123456789ab, not fraud-scorer@ffffffffffff',
      ],
      [
        'fraud-scorer',
        'baseline',
        'the window was counted against baseline fraud-scorer@0123456789ab, not fraud-scorer@ffffffffffff',
      ],
      ['churn', 'unknown_model', 'model churn is no longer configured'],
    ]);
  });

  it('restores the others when one is dropped, and leaves the checkpoint as it was', () => {
    const before = structuredClone(checkpoint);
    const result = restoreWindows(checkpoint, configured([['churn', { baseline: churn, spec: STEPS }]]));
    expect([...result.windows.keys()]).toEqual([windowKey('churn', 'features', 'events', 1)]);
    expect(result.dropped.map((d) => [d.model, d.partition, d.problem])).toEqual([
      ['fraud-scorer', 0, 'unknown_model'],
      ['fraud-scorer', 1, 'unknown_model'],
    ]);
    // The restored window is independent of the checkpoint: observing changes neither.
    const window: ModelWindow = result.windows.get(windowKey('churn', 'features', 'events', 1))!;
    window.observe({ tenure: 3 }, undefined, 104);
    expect(checkpoint).toEqual(before);
    expect(window.events).toBe(churn1.events + 1);
  });
});
