import { describe, expect, it } from 'vitest';

import type { Baseline } from '../../../src/baseline/format.js';
import { PREDICTION_FEATURE } from '../../../src/baseline/format.js';
import type { Features, Prediction } from '../../../src/decode/event.js';
import { ModelWindow, type WindowSpec } from '../../../src/windows/modelWindow.js';
import type { WindowSnapshot } from '../../../src/windows/snapshot.js';
import {
  checkStateConsistency,
  layoutHash,
  WindowStateError,
  type WindowState,
} from '../../../src/windows/windowState.js';
import { seededRandom } from '../stats/vectors.js';
import { baselineOf, categoricalFeature, numericFeature } from './baselineOf.js';

// Layout (231 counts): model events 0, unknown 1; amount: quality 2..8, bins 9..18 (cuts 10.9, 20.8,
// ..., 90.1), KS 19..219 (exact, edges 1..100); country: quality 220..226, bins DE 227, FR 228, US 229,
// __other__ 230.
const baseline = baselineOf([
  numericFeature(
    'amount',
    Array.from({ length: 100 }, (_, i) => i + 1),
  ),
  categoricalFeature('country', ['DE', 'DE', 'FR', 'US']),
]);
const SPEC: WindowSpec = { stepMs: 60_000, steps: 3 };
const UNBOUNDED: WindowSpec = { stepMs: null, steps: 1 };

const u32 = (values: number[]) => Uint32Array.from(values);

/** The exact comparable content of a snapshot. */
function plain(s: WindowSnapshot) {
  return {
    baselineId: s.baselineId,
    counts: Array.from(s.counts),
    events: s.events,
    unknownFeatures: s.unknownFeatures,
    firstStep: s.firstStep,
    lastStep: s.lastStep,
  };
}

function expectStateError(run: () => unknown, problem: string, message: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WindowStateError);
  expect((caught as WindowStateError).problem).toBe(problem);
  expect((caught as WindowStateError).message).toBe(message);
}

describe('ModelWindow.exportState', () => {
  it('keeps the live buckets sparse, in step order, with the spec and the baseline', () => {
    const w = new ModelWindow(baseline, SPEC);
    w.observe({ amount: 42.5, country: 'DE' }, undefined, 11);
    w.observe({ amount: 5, country: 'XX', extra: 1 }, undefined, 10);
    w.observe({ amount: 42.5, country: 'DE' }, undefined, 11);
    const state = w.exportState();
    expect(state).toEqual({
      baselineId: 'fraud-scorer@0123456789ab',
      layoutHash: layoutHash(baseline),
      layoutSize: 231,
      stepMs: 60_000,
      steps: 3,
      newest: 11,
      events: 3,
      buckets: [
        {
          step: 10,
          // events, unknown; amount: events, bin 0, KS slot 2*4 + 1 (the edge 5); country: events,
          // unseen, __other__.
          slots: u32([0, 1, 2, 9, 28, 220, 226, 230]),
          counts: u32([1, 1, 1, 1, 1, 1, 1, 1]),
        },
        {
          step: 11,
          // amount 42.5: bin 4, KS slot 2*42 (between the edges 42 and 43); country DE.
          slots: u32([0, 2, 13, 103, 220, 227]),
          counts: u32([2, 2, 2, 2, 2, 2]),
        },
      ],
    });
    expect(layoutHash(baseline)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('leaves out expired and empty buckets, and is a copy', () => {
    const w = new ModelWindow(baseline, SPEC);
    w.observe({ amount: 1 }, undefined, 1);
    w.observe({ amount: 1 }, undefined, 3);
    w.advanceTo(5); // step 1 expires; 4 and 5 are empty
    const state = w.exportState();
    expect(state.newest).toBe(5);
    expect(state.buckets.map((b) => b.step)).toEqual([3]);
    expect(state.events).toBe(1);
    w.observe({ amount: 1 }, undefined, 3);
    // events; amount: events, bin 0, KS slot 1 (the edge 1); country: events, missing.
    expect(Array.from(state.buckets[0]!.slots)).toEqual([0, 2, 9, 20, 220, 221]);
    expect(Array.from(state.buckets[0]!.counts)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(state.events).toBe(1);
  });

  it('exports an empty window, and an unbounded one as one bucket of step 0', () => {
    expect(new ModelWindow(baseline, SPEC).exportState()).toMatchObject({
      newest: null,
      buckets: [],
      events: 0,
    });
    const u = new ModelWindow(baseline, UNBOUNDED);
    u.observe({ country: 'FR' }, undefined, 7);
    u.observe({ country: 'FR' }, undefined, 8);
    const state = u.exportState();
    expect(state).toMatchObject({ stepMs: null, steps: 1, newest: null, events: 2 });
    expect(state.buckets).toEqual([
      { step: 0, slots: u32([0, 2, 3, 220, 228]), counts: u32([2, 2, 2, 2, 2]) },
    ]);
  });
});

describe('ModelWindow.fromState: round trips', () => {
  it('restores a window with the same snapshot, then the same behaviour', () => {
    const w = new ModelWindow(baseline, SPEC);
    w.observe({ amount: 42.5, country: 'DE' }, undefined, 10);
    w.observe({ amount: 7, country: 'US' }, undefined, 12);
    const r = ModelWindow.fromState(baseline, SPEC, w.exportState());
    expect(plain(r.snapshot())).toEqual(plain(w.snapshot()));
    expect(r.events).toBe(2);
    // Step 10 is the oldest: an event of step 9 is late, and step 13 expires step 10.
    expect(r.observe({ amount: 1 }, undefined, 9)).toBe('late');
    r.advanceTo(13);
    w.advanceTo(13);
    expect(r.events).toBe(1);
    expect(plain(r.snapshot())).toEqual(plain(w.snapshot()));
  });

  it('restores an unbounded window and an empty one', () => {
    const u = new ModelWindow(baseline, UNBOUNDED);
    u.observe({ amount: 3, country: 'DE' }, undefined, 0);
    const r = ModelWindow.fromState(baseline, UNBOUNDED, u.exportState());
    expect(plain(r.snapshot())).toEqual(plain(u.snapshot()));
    const empty = ModelWindow.fromState(baseline, SPEC, new ModelWindow(baseline, SPEC).exportState());
    expect(empty.snapshot().lastStep).toBeNull();
    expect(empty.observe({ amount: 3 }, undefined, -5)).toBe('added'); // no window yet: nothing is late
  });

  it('behaves as the original under the same random observes and ticks (seeded property test)', () => {
    const prediction = (r: () => number): Prediction | null | undefined => {
      const u = r();
      if (u < 0.3) return undefined;
      if (u < 0.4) return null;
      return { score: r(), label: null };
    };
    const value = (r: () => number): unknown => {
      const u = r();
      if (u < 0.05) return undefined;
      if (u < 0.1) return null;
      if (u < 0.15) return Number.NaN;
      if (u < 0.2) return 'forty';
      return Math.round(r() * 12000) / 100 - 10; // -10..110: some out of range, some on edges
    };
    const country = (r: () => number): unknown =>
      ['DE', 'FR', 'US', 'XX', 7, true, null, undefined][Math.floor(r() * 8)];
    const withPrediction = baselineOf([
      ...baseline.features,
      numericFeature(PREDICTION_FEATURE, [0.1, 0.2, 0.3, 0.5, 0.8]),
    ]);

    for (let trial = 0; trial < 300; trial++) {
      const r = seededRandom(1000 + trial);
      const spec: WindowSpec =
        trial % 10 === 9 ? UNBOUNDED : { stepMs: 1000, steps: 1 + Math.floor(r() * 6) };
      type Op =
        | { kind: 'observe'; features: Features; prediction: Prediction | null | undefined; step: number }
        | { kind: 'tick'; step: number };
      const ops: Op[] = [];
      let clock = Math.floor(r() * 20) - 10;
      const n = Math.floor(r() * 80);
      for (let i = 0; i < n; i++) {
        const u = r();
        if (u < 0.1) {
          clock += Math.floor(r() * 10);
          ops.push({ kind: 'tick', step: clock });
          continue;
        }
        if (u < 0.3) clock += 1;
        const features: Record<string, unknown> = { amount: value(r), country: country(r) };
        if (r() < 0.1) features.other = 1;
        // Mostly the current step, sometimes older (in the window or late), sometimes ahead.
        const step = clock + Math.floor(r() * 9) - 6;
        ops.push({ kind: 'observe', features: features as Features, prediction: prediction(r), step });
      }
      const cut = Math.floor(r() * (n + 1));

      const original = new ModelWindow(withPrediction, spec);
      const apply = (w: ModelWindow, op: Op) =>
        op.kind === 'tick' ? (w.advanceTo(op.step), 'tick') : w.observe(op.features, op.prediction, op.step);
      for (const op of ops.slice(0, cut)) apply(original, op);
      const state = original.exportState();
      const restored = ModelWindow.fromState(withPrediction, spec, state);
      expect(plain(restored.snapshot()), `trial ${trial} at restore`).toEqual(plain(original.snapshot()));
      expect(restored.exportState(), `trial ${trial} state`).toEqual(state);
      for (const op of ops.slice(cut)) {
        expect(apply(restored, op), `trial ${trial}`).toBe(apply(original, op));
        expect(plain(restored.snapshot()), `trial ${trial}`).toEqual(plain(original.snapshot()));
      }
      expect(restored.exportState()).toEqual(original.exportState());
    }
  });
});

describe('ModelWindow.fromState: what does not fit', () => {
  const w = new ModelWindow(baseline, SPEC);
  w.observe({ amount: 42.5, country: 'DE' }, undefined, 10);
  w.observe({ amount: 7, country: 'US' }, undefined, 12);
  const state = w.exportState();
  const withBuckets = (buckets: WindowState['buckets'], more: Partial<WindowState> = {}): WindowState => ({
    ...state,
    buckets,
    ...more,
  });
  const [b10, b12] = state.buckets as [WindowState['buckets'][0], WindowState['buckets'][0]];

  it('refuses a state of another baseline id', () => {
    const other: Baseline = { ...baseline, id: 'fraud-scorer@ba9876543210' };
    expectStateError(
      () => ModelWindow.fromState(other, SPEC, state),
      'baseline',
      'the window was counted against baseline fraud-scorer@0123456789ab, not fraud-scorer@ba9876543210',
    );
  });

  it('refuses a state of a baseline rebuilt under the same id with other bins', () => {
    const rebuilt = baselineOf([
      numericFeature(
        'amount',
        Array.from({ length: 100 }, (_, i) => i + 1),
        { bins: 5 },
      ),
      categoricalFeature('country', ['DE', 'DE', 'FR', 'US']),
    ]);
    expect(rebuilt.id).toBe(baseline.id);
    expectStateError(
      () => ModelWindow.fromState(rebuilt, SPEC, state),
      'baseline',
      'baseline fraud-scorer@0123456789ab was rebuilt with other bins, KS edges or categories since the window was counted',
    );
    // Same layout size, other categories: still another layout.
    const renamed = baselineOf([baseline.features[0]!, categoricalFeature('country', ['AT', 'DE', 'FR'])]);
    expect(layoutHash(renamed)).not.toBe(layoutHash(baseline));
    expect(() => ModelWindow.fromState(renamed, SPEC, state)).toThrow(/rebuilt/);
  });

  it('hashes the content, not the object', () => {
    const twin = baselineOf([
      numericFeature(
        'amount',
        Array.from({ length: 100 }, (_, i) => i + 1),
      ),
      categoricalFeature('country', ['DE', 'DE', 'FR', 'US']),
    ]);
    expect(layoutHash(twin)).toBe(layoutHash(baseline));
    expect(plain(ModelWindow.fromState(twin, SPEC, state).snapshot())).toEqual(plain(w.snapshot()));
  });

  it('refuses a state of another spec', () => {
    expectStateError(
      () => ModelWindow.fromState(baseline, { stepMs: 60_000, steps: 4 }, state),
      'spec',
      'the window was 3 steps of 60000 ms, now 4 steps of 60000 ms',
    );
    expectStateError(
      () => ModelWindow.fromState(baseline, { stepMs: 30_000, steps: 3 }, state),
      'spec',
      'the window was 3 steps of 60000 ms, now 3 steps of 30000 ms',
    );
    expectStateError(
      () => ModelWindow.fromState(baseline, UNBOUNDED, state),
      'spec',
      'the window was 3 steps of 60000 ms, now unbounded',
    );
  });

  it('refuses a malformed state, naming what is wrong', () => {
    const cases: [WindowState, string][] = [
      [withBuckets([b12, b10]), 'buckets[1]: step 10 does not follow step 12'],
      [withBuckets([b10, b10]), 'buckets[1]: step 10 does not follow step 10'],
      [withBuckets([b10, b12], { newest: 13 }), 'buckets[0]: step 10 is not in the window (11..13)'],
      [withBuckets([{ ...b10, step: 1.5 }]), 'buckets[0]: step 1.5 is not in the window (10..12)'],
      [withBuckets([b10, b12], { events: 3 }), 'events is 3 but the buckets hold 2'],
      [withBuckets([{ ...b10, counts: b10.counts.subarray(1) }]), 'buckets[0]: 6 slots but 5 counts'],
      [
        withBuckets([{ step: 10, slots: u32([1]), counts: u32([1]) }]),
        'buckets[0]: an empty bucket (no events) is never kept',
      ],
      [
        withBuckets([{ step: 10, slots: u32([0, 5, 5]), counts: u32([1, 1, 1]) }]),
        'buckets[0]: slot 5 does not follow slot 5',
      ],
      [
        withBuckets([{ step: 10, slots: u32([0, 231]), counts: u32([1, 1]) }]),
        "buckets[0]: slot 231 is beyond the window's 231 counts",
      ],
      [
        withBuckets([{ step: 10, slots: u32([0, 4]), counts: u32([1, 0]) }]),
        'buckets[0]: slot 4 is kept with a count of 0',
      ],
      [withBuckets([b10], { newest: null }), 'buckets without a newest step'],
      [withBuckets([], { newest: 2.5, events: 0 }), 'newest must be an integer step, got 2.5'],
    ];
    for (const [bad, message] of cases) {
      expectStateError(
        () => ModelWindow.fromState(baseline, SPEC, bad),
        'malformed',
        `malformed window state: ${message}`,
      );
    }
  });

  it('checks the consistency of unbounded states and specs without a baseline', () => {
    const bucket = { step: 0, slots: u32([0]), counts: u32([1]) };
    const unbounded: WindowState = {
      ...state,
      stepMs: null,
      steps: 1,
      newest: null,
      buckets: [bucket],
      events: 1,
    };
    expect(() => checkStateConsistency(unbounded)).not.toThrow();
    const cases: [WindowState, string][] = [
      [{ ...unbounded, steps: 2 }, 'an unbounded window has 1 step, got 2'],
      [{ ...unbounded, newest: 4 }, 'an unbounded window has no newest step, got 4'],
      [
        { ...unbounded, buckets: [{ ...bucket, step: 3 }] },
        'buckets[0]: the bucket of an unbounded window is step 0, got 3',
      ],
      [{ ...state, stepMs: 0 }, 'stepMs must be positive, got 0'],
      [{ ...state, steps: 0 }, 'steps must be >= 1, got 0'],
      [{ ...state, layoutSize: 0 }, 'layoutSize must be a positive integer, got 0'],
    ];
    for (const [bad, message] of cases) {
      expectStateError(() => checkStateConsistency(bad), 'malformed', `malformed window state: ${message}`);
    }
  });
});
