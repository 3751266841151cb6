import { describe, expect, it } from 'vitest';

import type { PredictionEvent } from '../../../src/decode/event.js';
import { quantileSorted } from '../../../src/stats/quantile.js';
import type { WindowSpec } from '../../../src/windows/modelWindow.js';
import {
  LATENCY_BOUNDS_MS,
  LATENCY_BUCKETS,
  LATENCY_QUANTILE_RELATIVE_ERROR,
  SERVING_SLOTS,
  ServingWindow,
  latencyBucket,
  mergeServingSnapshots,
  summarizeServing,
  type ServingSnapshot,
  type ServingState,
} from '../../../src/windows/servingWindow.js';
import { WindowStateError } from '../../../src/windows/windowState.js';
import { normalSample, seededRandom } from '../stats/vectors.js';

const SPEC: WindowSpec = { stepMs: 60_000, steps: 3 };
const UNBOUNDED: WindowSpec = { stepMs: null, steps: 1 };

/** A prediction event; only the serving fields matter here. */
function event(fields: Partial<PredictionEvent> = {}): PredictionEvent {
  return {
    kind: 'prediction',
    model: 'fraud-scorer',
    modelVersion: '7',
    id: null,
    ts: 0,
    features: {},
    prediction: null,
    latencyMs: null,
    status: 'ok',
    error: null,
    cost: null,
    success: true,
    ...fields,
  };
}

/** The exact comparable content of a snapshot. */
function plain(s: ServingSnapshot) {
  return { ...s, latency: Array.from(s.latency) };
}

/** Latency counts as {bucket index: count}, for the buckets that are not 0. */
function latencyCounts(s: ServingSnapshot): Record<number, number> {
  const out: Record<number, number> = {};
  s.latency.forEach((count, i) => {
    if (count !== 0) out[i] = count;
  });
  return out;
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

describe('latency buckets', () => {
  it('are log-spaced, 50 per decade, from 0.1 ms to just past 10 min', () => {
    expect(LATENCY_BOUNDS_MS.length).toBe(340);
    expect(LATENCY_BUCKETS).toBe(341);
    expect(SERVING_SLOTS).toBe(347);
    expect(LATENCY_BOUNDS_MS[0]).toBe(0.1);
    expect(LATENCY_BOUNDS_MS[50]).toBeCloseTo(1, 12);
    expect(LATENCY_BOUNDS_MS[339]).toBeCloseTo(602_559.586, 3);
    expect(LATENCY_BOUNDS_MS[338]!).toBeLessThan(600_000);
    for (let i = 1; i < LATENCY_BOUNDS_MS.length; i++) {
      expect(LATENCY_BOUNDS_MS[i]! / LATENCY_BOUNDS_MS[i - 1]!).toBeCloseTo(1.0471285480508996, 12);
    }
    expect(LATENCY_QUANTILE_RELATIVE_ERROR).toBeCloseTo(0.0471285480508996, 14);
  });

  it('count a latency in the first bucket whose bound is >= it (upper-inclusive, as Prometheus le)', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(0.05)).toBe(0);
    expect(latencyBucket(0.1)).toBe(0);
    expect(latencyBucket(0.1000001)).toBe(1);
    expect(latencyBucket(1e9)).toBe(340);
    LATENCY_BOUNDS_MS.forEach((bound, k) => {
      expect(latencyBucket(bound)).toBe(k);
      expect(latencyBucket(bound * (1 + 1e-12))).toBe(k + 1);
      expect(latencyBucket(bound * (1 - 1e-12))).toBe(k);
    });
  });

  it('agree with a linear search over the bounds on random latencies', () => {
    const random = seededRandom(5);
    for (let i = 0; i < 5000; i++) {
      const ms = 10 ** (random() * 9 - 2); // 0.01 ms .. 10^7 ms
      const expected = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
      expect(latencyBucket(ms), `latency ${ms}`).toBe(expected === -1 ? LATENCY_BOUNDS_MS.length : expected);
    }
  });
});

describe('ServingWindow: counts and sums', () => {
  const events: PredictionEvent[] = [
    event({ latencyMs: 10, cost: 0.5 }),
    event({ latencyMs: 100, cost: 0.25, status: 'error', error: 'timeout', success: false }),
    event({ latencyMs: 20, success: false }), // served, but the task failed; no cost
    event({ cost: 1.25 }), // no latency
    event({ status: 'error', success: false }), // neither
  ];
  const window = new ServingWindow({ stepMs: 60_000, steps: 5 });
  const outcomes = events.map((e, i) => window.observe(e, 100 + (i % 2)));
  const snapshot = window.snapshot();

  it('counts events, errors, successes, costs and latencies exactly', () => {
    expect(outcomes).toEqual(Array(5).fill('added'));
    expect(window.events).toBe(5);
    expect(plain(snapshot)).toMatchObject({
      events: 5,
      errors: 2,
      successes: 2,
      costed: 3,
      costSum: 2,
      latencyEvents: 3,
      firstStep: 97,
      lastStep: 101,
    });
    expect(snapshot.latency.length).toBe(LATENCY_BUCKETS);
    // 10 ms = 0.1 × 10^(100/50); 20 ms and 100 ms fall just below bounds 116 and 150 (rounding aside).
    expect(latencyCounts(snapshot)).toEqual({
      [latencyBucket(10)]: 1,
      [latencyBucket(20)]: 1,
      [latencyBucket(100)]: 1,
    });
    expect([latencyBucket(10), latencyBucket(20), latencyBucket(100)]).toEqual([100, 116, 150]);
  });

  it('summarizes them', () => {
    const summary = summarizeServing(snapshot, 5 * 60_000);
    // p50: rank 1.5 falls in 20 ms's bucket (116), holding the 2nd event: halfway through it.
    const lo = LATENCY_BOUNDS_MS[115]!;
    const hi = LATENCY_BOUNDS_MS[116]!;
    // p95, p99: rank 2.85 and 2.97 in 100 ms's bucket (150), holding the 3rd event.
    const lo3 = LATENCY_BOUNDS_MS[149]!;
    const hi3 = LATENCY_BOUNDS_MS[150]!;
    expect(summary).toEqual({
      events: 5,
      errors: 2,
      error_rate: 0.4,
      throughput_per_second: 5 / 300,
      latency_p50_seconds: (lo + (hi - lo) * 0.5) / 1000,
      latency_p95_seconds: (lo3 + ((hi3 - lo3) * (2.85 - 2)) / 1) / 1000,
      latency_p99_seconds: (lo3 + ((hi3 - lo3) * (0.99 * 3 - 2)) / 1) / 1000,
      cost_per_inference: 2 / 3,
      cost_per_success: 1,
    });
    expect(summary.latency_p50_seconds!).toBeGreaterThan(0.0195);
    expect(summary.latency_p50_seconds!).toBeLessThan(0.0205);
  });

  it('makes a snapshot that later observes do not change', () => {
    const before = plain(window.snapshot());
    const s = window.snapshot();
    window.observe(event({ latencyMs: 10, cost: 1 }), 101);
    expect(plain(s)).toEqual(before);
    expect(window.snapshot().events).toBe(6);
  });

  it('throws on a latency or cost the decoder would have refused, and counts nothing', () => {
    const w = new ServingWindow(SPEC);
    expect(() => w.observe(event({ latencyMs: Number.NaN }), 0)).toThrow(RangeError);
    expect(() => w.observe(event({ latencyMs: -1 }), 0)).toThrow(/latency must be a finite number/);
    expect(() => w.observe(event({ cost: Number.POSITIVE_INFINITY }), 0)).toThrow(/cost must be/);
    expect(() => w.observe(event(), 0.5)).toThrow(/step must be an integer/);
    expect(w.events).toBe(0);
    expect(w.snapshot().lastStep).toBeNull();
  });

  it('refuses an invalid spec', () => {
    expect(() => new ServingWindow({ stepMs: null, steps: 2 })).toThrow(RangeError);
    expect(() => new ServingWindow({ stepMs: 0, steps: 2 })).toThrow(RangeError);
    expect(() => new ServingWindow({ stepMs: 1000, steps: 0 })).toThrow(RangeError);
  });
});

describe('ServingWindow: latency quantiles', () => {
  for (const [seed, medianMs, sigma] of [
    [1, 50, 1],
    [2, 3, 0.5],
    [3, 800, 2],
  ] as const) {
    it(`are within the documented relative error of the exact quantiles (lognormal, median ${medianMs} ms, sigma ${sigma})`, () => {
      const random = seededRandom(seed);
      const latencies = normalSample(random, 20_000, Math.log(medianMs), sigma).map(Math.exp);
      const w = new ServingWindow({ stepMs: 1000, steps: 10 });
      latencies.forEach((ms, i) => w.observe(event({ latencyMs: ms }), Math.floor(i / 2000)));
      const snapshot = w.snapshot();
      expect(snapshot.latencyEvents).toBe(20_000);
      const sorted = Float64Array.from(latencies).sort();
      const summary = summarizeServing(snapshot, 10_000);
      const estimates: [number, number | null][] = [
        [0.5, summary.latency_p50_seconds],
        [0.95, summary.latency_p95_seconds],
        [0.99, summary.latency_p99_seconds],
      ];
      for (const [q, estimate] of estimates) {
        const exact = quantileSorted(sorted, q) / 1000;
        const error = Math.abs(estimate! - exact) / exact;
        expect(error, `q ${q}: ${estimate} vs ${exact}`).toBeLessThanOrEqual(LATENCY_QUANTILE_RELATIVE_ERROR);
      }
    });
  }

  it('interpolate inside the bucket of a latency equal to a bound (upper-inclusive)', () => {
    const w = new ServingWindow(UNBOUNDED);
    for (let i = 0; i < 4; i++) w.observe(event({ latencyMs: LATENCY_BOUNDS_MS[120]! }), 0);
    const summary = summarizeServing(w.snapshot(), null);
    const lo = LATENCY_BOUNDS_MS[119]!;
    const hi = LATENCY_BOUNDS_MS[120]!;
    expect(summary.latency_p50_seconds).toBe((lo + (hi - lo) * 0.5) / 1000);
    expect(summary.latency_p99_seconds).toBe((lo + ((hi - lo) * 3.96) / 4) / 1000);
  });

  it('report the highest bound for latencies above it, and interpolate from 0 below 0.1 ms', () => {
    const slow = new ServingWindow(UNBOUNDED);
    slow.observe(event({ latencyMs: 3_600_000 }), 0);
    expect(summarizeServing(slow.snapshot(), null).latency_p50_seconds).toBe(LATENCY_BOUNDS_MS[339]! / 1000);
    const fast = new ServingWindow(UNBOUNDED);
    fast.observe(event({ latencyMs: 0 }), 0);
    fast.observe(event({ latencyMs: 0.05 }), 0);
    expect(summarizeServing(fast.snapshot(), null).latency_p50_seconds).toBe(0.05 / 1000);
  });
});

describe('ServingWindow: steps', () => {
  /** Step s holds s + 1 events: one error, one costing 2^s, latency 10 × (s + 1) ms each. */
  function feedSteps(w: ServingWindow, steps: Iterable<number>): void {
    for (const s of steps) {
      for (let i = 0; i <= s; i++) {
        w.observe(
          event({
            latencyMs: 10 * (s + 1),
            status: i === 0 ? 'error' : 'ok',
            success: i !== 0,
            cost: i === 0 ? 2 ** s : null,
          }),
          s,
        );
      }
    }
  }

  it('keeps only the last `steps` steps: 0..9 in a window of 3 leaves 7..9', () => {
    const w = new ServingWindow(SPEC);
    feedSteps(w, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const s = w.snapshot();
    expect(plain(s)).toMatchObject({
      events: 8 + 9 + 10,
      errors: 3,
      successes: 7 + 8 + 9,
      costed: 3,
      costSum: 2 ** 7 + 2 ** 8 + 2 ** 9,
      latencyEvents: 27,
      firstStep: 7,
      lastStep: 9,
    });
    expect(latencyCounts(s)).toEqual({
      [latencyBucket(80)]: 8,
      [latencyBucket(90)]: 9,
      [latencyBucket(100)]: 10,
    });
    const fresh = new ServingWindow(SPEC);
    feedSteps(fresh, [7, 8, 9]);
    expect(plain(s)).toEqual(plain(fresh.snapshot()));
  });

  it('expires on the clock tick, and empties completely after a jump of a window', () => {
    const w = new ServingWindow(SPEC);
    feedSteps(w, [7, 8, 9]);
    w.advanceTo(9); // no move
    expect(w.events).toBe(27);
    w.advanceTo(10);
    expect(plain(w.snapshot())).toMatchObject({ events: 19, costSum: 2 ** 8 + 2 ** 9, firstStep: 8 });
    w.advanceTo(5); // never back
    expect(w.events).toBe(19);
    w.advanceTo(13);
    const empty = w.snapshot();
    expect(plain(empty)).toEqual({
      ...plain(new ServingWindow(SPEC).snapshot()),
      firstStep: 11,
      lastStep: 13,
    });
    expect(empty.costSum).toBe(0);
  });

  it('leaves no cost residue when fractional costs expire', () => {
    const w = new ServingWindow(SPEC);
    for (const cost of [0.1, 0.2, 0.7, 0.00042]) w.observe(event({ cost }), 0);
    w.observe(event({ cost: 0.3 }), 1);
    w.advanceTo(3); // step 0 expires
    expect(w.snapshot().costSum).toBe(0.3);
    w.advanceTo(4);
    expect(w.snapshot().costSum).toBe(0);
    expect(w.snapshot().costed).toBe(0);
  });

  it('refuses late events without counting them', () => {
    const w = new ServingWindow(SPEC);
    expect(w.observe(event({ latencyMs: 5 }), 10)).toBe('added');
    const before = plain(w.snapshot());
    expect(w.observe(event({ latencyMs: 5, cost: 1 }), 7)).toBe('late');
    expect(w.observe(event({ status: 'error' }), -3)).toBe('late');
    expect(plain(w.snapshot())).toEqual(before);
    expect(w.observe(event({ latencyMs: 5 }), 8)).toBe('added');
    expect(w.snapshot().events).toBe(2);
  });

  it('ignores steps in an unbounded window: nothing is late', () => {
    const w = new ServingWindow(UNBOUNDED);
    expect(w.observe(event(), 1000)).toBe('added');
    expect(w.observe(event(), -1000)).toBe('added');
    w.advanceTo(5000);
    expect(plain(w.snapshot())).toMatchObject({ events: 2, firstStep: null, lastStep: null });
  });
});

/** A random prediction event; dyadic costs add up exactly in any order. */
function randomEvent(random: () => number, dyadicCost: boolean): PredictionEvent {
  const error = random() < 0.1;
  const r = random();
  const cost = r < 0.3 ? null : dyadicCost ? Math.floor(r * 4096) / 1024 : Math.round(r * 1e5) / 1e7;
  return event({
    status: error ? 'error' : 'ok',
    success: !error && random() < 0.8,
    cost,
    latencyMs: random() < 0.2 ? null : Math.exp(3 + 1.5 * (random() - 0.5)),
  });
}

describe('mergeServingSnapshots', () => {
  it('equals one window fed both windows’ events', () => {
    for (const seed of [21, 22, 23]) {
      const random = seededRandom(seed);
      const a = new ServingWindow({ stepMs: 1000, steps: 4 });
      const b = new ServingWindow({ stepMs: 1000, steps: 4 });
      const both = new ServingWindow({ stepMs: 1000, steps: 4 });
      for (let i = 0; i < 400; i++) {
        const e = randomEvent(random, true);
        const step = Math.floor(i / 40);
        (random() < 0.5 ? a : b).observe(e, step);
        both.observe(e, step);
      }
      a.advanceTo(9);
      b.advanceTo(9);
      const merged = mergeServingSnapshots(a.snapshot(), b.snapshot());
      expect(plain(merged)).toEqual(plain(both.snapshot()));
      expect(merged.events).toBe(160);
    }
  });

  it('takes the union of the step ranges, and an empty snapshot changes nothing', () => {
    const a = new ServingWindow(SPEC);
    a.observe(event({ latencyMs: 3, cost: 0.5 }), 9);
    const b = new ServingWindow(SPEC);
    b.observe(event({ latencyMs: 4 }), 12);
    expect(plain(mergeServingSnapshots(a.snapshot(), b.snapshot()))).toMatchObject({
      events: 2,
      firstStep: 7,
      lastStep: 12,
    });
    const empty = new ServingWindow(UNBOUNDED).snapshot();
    expect(plain(mergeServingSnapshots(a.snapshot(), empty))).toEqual(plain(a.snapshot()));
    expect(plain(mergeServingSnapshots(empty, a.snapshot()))).toEqual(plain(a.snapshot()));
  });

  it('does not change its inputs, and refuses a histogram of other buckets', () => {
    const a = new ServingWindow(SPEC);
    a.observe(event({ latencyMs: 3 }), 0);
    const s = a.snapshot();
    const before = plain(s);
    mergeServingSnapshots(s, s);
    expect(plain(s)).toEqual(before);
    expect(() => mergeServingSnapshots(s, { ...s, latency: new Float64Array(10) })).toThrow(
      'serving snapshots hold 341 and 10 latency buckets, not 341',
    );
  });
});

describe('ServingWindow: export and restore', () => {
  it('exports the live buckets in step order, sparse latency counts, as a copy', () => {
    const w = new ServingWindow(SPEC);
    w.observe(event({ latencyMs: 10, cost: 0.5 }), 11);
    w.observe(event({ latencyMs: 10, status: 'error', success: false }), 10);
    w.observe(event({ latencyMs: 0.05, cost: 0.25 }), 11);
    w.observe(event(), 8); // late
    const state = w.exportState();
    expect(state).toEqual({
      stepMs: 60_000,
      steps: 3,
      latencyBuckets: 341,
      newest: 11,
      buckets: [
        {
          step: 10,
          events: 1,
          errors: 1,
          successes: 0,
          costed: 0,
          costSum: 0,
          latencySlots: Uint32Array.from([100]),
          latencyCounts: Uint32Array.from([1]),
        },
        {
          step: 11,
          events: 2,
          errors: 0,
          successes: 2,
          costed: 2,
          costSum: 0.75,
          latencySlots: Uint32Array.from([0, 100]),
          latencyCounts: Uint32Array.from([1, 1]),
        },
      ],
    });
    w.observe(event({ latencyMs: 10 }), 11);
    expect(state.buckets[1]!.events).toBe(2);
    expect(Array.from(state.buckets[1]!.latencyCounts)).toEqual([1, 1]);
  });

  it('exports an empty window and an unbounded one', () => {
    expect(new ServingWindow(SPEC).exportState()).toEqual({
      stepMs: 60_000,
      steps: 3,
      latencyBuckets: 341,
      newest: null,
      buckets: [],
    });
    const u = new ServingWindow(UNBOUNDED);
    u.observe(event({ cost: 2 }), 5);
    expect(u.exportState()).toEqual({
      stepMs: null,
      steps: 1,
      latencyBuckets: 341,
      newest: null,
      buckets: [
        {
          step: 0,
          events: 1,
          errors: 0,
          successes: 1,
          costed: 1,
          costSum: 2,
          latencySlots: new Uint32Array(0),
          latencyCounts: new Uint32Array(0),
        },
      ],
    });
    const restored = ServingWindow.fromState(UNBOUNDED, u.exportState());
    expect(plain(restored.snapshot())).toEqual(plain(u.snapshot()));
  });

  it('round-trips exactly, and the restored window then behaves the same (seeded)', () => {
    for (let seed = 100; seed < 140; seed++) {
      const random = seededRandom(seed);
      const spec: WindowSpec =
        random() < 0.2 ? UNBOUNDED : { stepMs: 1000, steps: 1 + Math.floor(random() * 6) };
      const original = new ServingWindow(spec);
      let step = Math.floor(random() * 100) - 50;
      const operate = (w: ServingWindow[], count: number) => {
        for (let i = 0; i < count; i++) {
          const r = random();
          if (r < 0.1) {
            step += Math.floor(random() * 8);
            for (const x of w) x.advanceTo(step);
          } else {
            // Mostly the current step, sometimes older (maybe late) or newer.
            const s = step + Math.floor(random() * 10) - 7;
            if (s > step) step = s;
            const e = randomEvent(random, false);
            const outcomes = w.map((x) => x.observe(e, s));
            expect(new Set(outcomes).size).toBe(1);
          }
        }
      };
      operate([original], 1 + Math.floor(random() * 200));
      const state = original.exportState();
      const restored = ServingWindow.fromState(spec, state);
      expect(plain(restored.snapshot()), `seed ${seed}`).toEqual(plain(original.snapshot()));
      expect(restored.exportState()).toEqual(state);
      operate([original, restored], 1 + Math.floor(random() * 200));
      expect(plain(restored.snapshot()), `seed ${seed}`).toEqual(plain(original.snapshot()));
      expect(restored.exportState()).toEqual(original.exportState());
      expect(summarizeServing(restored.snapshot(), 60_000)).toEqual(
        summarizeServing(original.snapshot(), 60_000),
      );
    }
  });

  it('refuses a state of another spec or latency layout', () => {
    const w = new ServingWindow(SPEC);
    w.observe(event(), 5);
    const state = w.exportState();
    expectStateError(
      () => ServingWindow.fromState({ stepMs: 60_000, steps: 4 }, state),
      'spec',
      'the serving window was 3 steps of 60000 ms, now 4 steps of 60000 ms',
    );
    expectStateError(
      () => ServingWindow.fromState(UNBOUNDED, state),
      'spec',
      'the serving window was 3 steps of 60000 ms, now unbounded',
    );
    expectStateError(
      () => ServingWindow.fromState(SPEC, { ...state, latencyBuckets: 76 }),
      'spec',
      "the serving window's latency histogram had 76 buckets, now 341",
    );
  });

  it('refuses a malformed state', () => {
    const w = new ServingWindow(SPEC);
    w.observe(event({ latencyMs: 10, cost: 1 }), 4);
    w.observe(event({ latencyMs: 10 }), 5);
    const state = w.exportState();
    const [b4, b5] = state.buckets as [ServingState['buckets'][0], ServingState['buckets'][0]];
    const cases: [ServingState, string][] = [
      [{ ...state, newest: 5.5 }, 'newest must be an integer step, got 5.5'],
      [{ ...state, newest: null }, 'buckets without a newest step'],
      [{ ...state, newest: 7 }, 'buckets[0]: step 4 is not in the window (5..7)'],
      [{ ...state, buckets: [b5, b4] }, 'buckets[1]: step 4 does not follow step 5'],
      [
        { ...state, buckets: [{ ...b4, events: 0 }] },
        'buckets[0]: events must be an integer >= 1 (an empty bucket is never kept), got 0',
      ],
      [
        { ...state, buckets: [{ ...b4, errors: 2 }] },
        'buckets[0]: errors must be an integer in 0..1 (the events), got 2',
      ],
      [
        { ...state, buckets: [{ ...b4, costed: -1 }] },
        'buckets[0]: costed must be an integer in 0..1 (the events), got -1',
      ],
      [
        { ...state, buckets: [{ ...b5, costSum: 0.5 }] },
        'buckets[0]: costSum 0.5 is not a sum of 0 costs >= 0',
      ],
      [
        { ...state, buckets: [{ ...b4, costSum: Number.NaN }] },
        'buckets[0]: costSum NaN is not a sum of 1 costs >= 0',
      ],
      [
        { ...state, buckets: [{ ...b4, latencyCounts: Uint32Array.from([1, 1]) }] },
        'buckets[0]: 1 latency slots but 2 counts',
      ],
      [
        { ...state, buckets: [{ ...b4, latencySlots: Uint32Array.from([341]) }] },
        'buckets[0]: latency slot 341 is beyond the 341 buckets',
      ],
      [
        { ...state, buckets: [{ ...b4, latencyCounts: Uint32Array.from([0]) }] },
        'buckets[0]: latency slot 100 is kept with a count of 0',
      ],
      [
        { ...state, buckets: [{ ...b4, latencyCounts: Uint32Array.from([2]) }] },
        'buckets[0]: 2 latencies for 1 events',
      ],
      [
        {
          ...state,
          buckets: [
            { ...b4, latencySlots: Uint32Array.from([3, 3]), latencyCounts: Uint32Array.from([1, 1]) },
          ],
        },
        'buckets[0]: latency slot 3 does not follow slot 3',
      ],
    ];
    for (const [bad, message] of cases) {
      expectStateError(
        () => ServingWindow.fromState(SPEC, bad),
        'malformed',
        `malformed serving window state: ${message}`,
      );
    }
    const u = new ServingWindow(UNBOUNDED);
    u.observe(event(), 0);
    const us = u.exportState();
    expectStateError(
      () => ServingWindow.fromState(UNBOUNDED, { ...us, newest: 3 }),
      'malformed',
      'malformed serving window state: an unbounded window has no newest step, got 3',
    );
    expectStateError(
      () => ServingWindow.fromState(UNBOUNDED, { ...us, buckets: [{ ...us.buckets[0]!, step: 1 }] }),
      'malformed',
      'malformed serving window state: buckets[0]: the bucket of an unbounded window is step 0, got 1',
    );
  });
});

describe('ServingWindow.memoryBytes', () => {
  it('is (steps + 1) × slots × 8, whatever the events', () => {
    const w = new ServingWindow({ stepMs: 60_000, steps: 60 });
    const expected = 61 * SERVING_SLOTS * 8;
    expect(w.memoryBytes()).toBe(expected);
    expect(expected).toBe(169_336);
    const random = seededRandom(9);
    for (let i = 0; i < 20_000; i++) w.observe(randomEvent(random, false), Math.floor(i / 100));
    expect(w.events).toBeGreaterThan(0);
    expect(w.memoryBytes()).toBe(expected);
    const u = new ServingWindow(UNBOUNDED);
    expect(u.memoryBytes()).toBe(SERVING_SLOTS * 8);
    for (let i = 0; i < 1000; i++) u.observe(randomEvent(random, false), 0);
    expect(u.memoryBytes()).toBe(SERVING_SLOTS * 8);
  });
});

describe('summarizeServing: nulls', () => {
  it('no events: counts 0, every ratio and quantile null, throughput 0', () => {
    expect(summarizeServing(new ServingWindow(SPEC).snapshot(), 180_000)).toEqual({
      events: 0,
      errors: 0,
      error_rate: null,
      throughput_per_second: 0,
      latency_p50_seconds: null,
      latency_p95_seconds: null,
      latency_p99_seconds: null,
      cost_per_inference: null,
      cost_per_success: null,
    });
  });

  it('no costs: both cost ratios null; no latency: quantiles null', () => {
    const w = new ServingWindow(SPEC);
    w.observe(event({ latencyMs: 5 }), 0);
    w.observe(event({ status: 'error', success: false }), 0);
    expect(summarizeServing(w.snapshot(), 180_000)).toMatchObject({
      events: 2,
      errors: 1,
      error_rate: 0.5,
      throughput_per_second: 2 / 180,
      cost_per_inference: null,
      cost_per_success: null,
    });
    const v = new ServingWindow(SPEC);
    v.observe(event({ cost: 0.5 }), 0);
    expect(summarizeServing(v.snapshot(), 180_000)).toMatchObject({
      latency_p50_seconds: null,
      latency_p95_seconds: null,
      latency_p99_seconds: null,
      cost_per_inference: 0.5,
      cost_per_success: 0.5,
    });
  });

  it('costs but no success: cost_per_success null', () => {
    const w = new ServingWindow(SPEC);
    w.observe(event({ cost: 0.5, status: 'error', success: false }), 0);
    w.observe(event({ cost: 0.25, success: false }), 0);
    expect(summarizeServing(w.snapshot(), 60_000)).toMatchObject({
      cost_per_inference: 0.375,
      cost_per_success: null,
      error_rate: 0.5,
    });
  });

  it('a whole-file window: throughput null', () => {
    const w = new ServingWindow(UNBOUNDED);
    w.observe(event({ latencyMs: 5 }), 0);
    const summary = summarizeServing(w.snapshot(), null);
    expect(summary.throughput_per_second).toBeNull();
    expect(summary.events).toBe(1);
  });

  it('refuses a window length that is not positive', () => {
    const s = new ServingWindow(SPEC).snapshot();
    expect(() => summarizeServing(s, 0)).toThrow(
      'serving summary: windowMs must be a positive number of ms, got 0',
    );
    expect(() => summarizeServing(s, Number.NaN)).toThrow(RangeError);
  });
});
