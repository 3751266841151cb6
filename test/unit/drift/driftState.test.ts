import { describe, expect, it } from 'vitest';

import type { PredictionEvent } from '../../../src/decode/event.js';
import { DriftState } from '../../../src/drift/driftState.js';
import type { DriftModel } from '../../../src/drift/models.js';
import { DEFAULT_DRIFT_THRESHOLDS } from '../../../src/evaluate/thresholds.js';
import type { TimeMode } from '../../../src/config/types.js';
import { normalSample, seededRandom } from '../stats/vectors.js';
import { baselineOf, categoricalFeature, numericFeature } from '../windows/baselineOf.js';

const MINUTE = 60_000;
const random = seededRandom(7);
const baseline = baselineOf(
  [
    numericFeature('amount', normalSample(random, 2000, 50, 10)),
    categoricalFeature(
      'color',
      Array.from({ length: 2000 }, (_, i) => ['blue', 'green', 'red'][i % 3]!),
    ),
  ],
  'fraud',
);

function model(time: TimeMode = 'processing', allowedLatenessMs = 5 * MINUTE): DriftModel {
  return {
    name: 'fraud',
    baseline,
    spec: { stepMs: MINUTE, steps: 10 },
    windowMs: 10 * MINUTE,
    stepMs: MINUTE,
    time,
    allowedLatenessMs,
    thresholds: { ...DEFAULT_DRIFT_THRESHOLDS, minSamples: 1 },
    sources: ['predictions'],
  };
}

function event(ts: number, amount: number, color = 'blue', latencyMs = 10): PredictionEvent {
  return {
    kind: 'prediction',
    model: 'fraud',
    modelVersion: '1',
    id: null,
    ts,
    features: { amount, color },
    prediction: null,
    latencyMs,
    status: 'ok',
    error: null,
    cost: 0.5,
    success: true,
  };
}

const origin = (partition: number, nextOffset: number) => ({
  topic: 't',
  partition,
  nextOffset: String(nextOffset),
});

describe('DriftState', () => {
  it('keeps a window per partition, merged at evaluation into what one window holds', () => {
    const split = new DriftState([model()]);
    const single = new DriftState([model()]);
    const events = Array.from({ length: 300 }, (_, i) => event(0, 40 + (i % 25), ['blue', 'red'][i % 2]));
    split.observe(events.slice(0, 100), origin(0, 100), 5 * MINUTE);
    split.observe(events.slice(100), origin(1, 200), 5 * MINUTE);
    single.observe(events, origin(0, 300), 5 * MINUTE);
    expect(split.windows().map((w) => w.key.partition)).toEqual([0, 1]);
    const [a] = split.evaluate('fraud', 5 * MINUTE);
    const [b] = single.evaluate('fraud', 5 * MINUTE);
    expect(a).toEqual(b);
    expect(a?.events).toBe(300);
    expect(a?.window_end).toBe(6 * MINUTE);
    expect(split.coveredPositions()).toEqual([
      { topic: 't', partition: 0, offset: '100' },
      { topic: 't', partition: 1, offset: '200' },
    ]);
  });

  it('expires events with processing time as the clock moves on', () => {
    const state = new DriftState([model()]);
    state.observe([event(0, 50), event(0, 51)], origin(0, 2), 0);
    state.observe([event(0, 52)], origin(0, 3), 9 * MINUTE);
    expect(state.evaluate('fraud', 9 * MINUTE)[0]?.events).toBe(3);
    expect(state.evaluate('fraud', 10 * MINUTE)[0]?.events).toBe(1); // step 0 left the window
  });

  it('places events by their time with time: event, and counts late ones', () => {
    const state = new DriftState([model('event', 2 * MINUTE)]);
    const { late } = state.observe(
      [event(20 * MINUTE, 50), event(17 * MINUTE, 50), event(19 * MINUTE, 50), event(5 * MINUTE, 50)],
      origin(0, 4),
      0,
    );
    // 17 min is more than 2 min behind the newest (20 min); 5 min is out of the window too.
    expect(late.get('fraud')).toBe(2);
    const [e] = state.evaluate('fraud', 0);
    expect(e).toMatchObject({ events: 2, window_start: 11 * MINUTE, window_end: 21 * MINUTE });
  });

  it('adds the serving summary of the window to the predictions evaluation', () => {
    const state = new DriftState([model()]);
    state.observe([event(0, 50, 'blue', 10), event(0, 51, 'blue', 30)], origin(0, 2), 0);
    const serving = state.evaluate('fraud', 0)[0]?.serving;
    expect(serving).toMatchObject({ events: 2, errors: 0, error_rate: 0, cost_per_inference: 0.5 });
    expect(serving?.throughput_per_second).toBeCloseTo(2 / 600, 12);
  });

  it('carries windows over a reload when baseline and window are unchanged, and drops them otherwise', () => {
    const before = new DriftState([model()]);
    before.observe([event(0, 50)], origin(0, 1), 0);
    const same = new DriftState([model()]);
    expect(same.carryOver(before)).toEqual([]);
    expect(same.evaluate('fraud', 0)[0]?.events).toBe(1);
    const longer = new DriftState([
      { ...model(), spec: { stepMs: MINUTE, steps: 20 }, windowMs: 20 * MINUTE },
    ]);
    expect(longer.carryOver(before)).toEqual([
      { model: 'fraud', source: 'predictions', topic: 't', partition: 0 },
    ]);
    expect(longer.evaluate('fraud', 0)[0]?.events).toBe(0);
    expect(longer.coveredPositions()).toEqual([{ topic: 't', partition: 0, offset: '1' }]);
  });

  it('ignores events of models it does not evaluate, but records the position', () => {
    const state = new DriftState([model()]);
    state.observe([{ ...event(0, 50), model: 'other' }], origin(2, 9), 0);
    expect(state.windows()).toEqual([]);
    expect(state.coveredPositions()).toEqual([{ topic: 't', partition: 2, offset: '9' }]);
  });

  it('hands out the data-quality issues counted since the last round, summed over partitions', () => {
    const state = new DriftState([model()]);
    const bad = (features: Record<string, unknown>): PredictionEvent => ({ ...event(0, 0), features });
    state.observe(
      [bad({ color: 'blue' }), bad({ amount: null, color: 'purple' }), bad({ amount: Number.NaN, color: 3 })],
      origin(0, 3),
      0,
    );
    state.observe([bad({ amount: 1e9, color: [] }), bad({ amount: 'x', color: 'blue' })], origin(1, 2), 0);
    const byKey = (issues: ReturnType<DriftState['drainIssues']>) =>
      Object.fromEntries(issues.map((i) => [`${i.feature}.${i.issue}`, i.n]));
    expect(byKey(state.drainIssues())).toEqual({
      'amount.missing': 1,
      'amount.null': 1,
      'amount.nan': 1,
      'amount.out_of_range': 1,
      'amount.wrong_type': 1,
      'color.unseen': 2, // purple, and 3 (a number is a category by its text)
      'color.wrong_type': 1,
    });
    expect(state.drainIssues()).toEqual([]);
    state.observe([bad({ color: 'blue' })], origin(0, 4), 0);
    expect(byKey(state.drainIssues())).toEqual({ 'amount.missing': 1 });
  });
});
