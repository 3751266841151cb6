import { describe, expect, it } from 'vitest';

import type { Baseline } from '../../../src/baseline/format.js';
import { PREDICTION_FEATURE } from '../../../src/baseline/format.js';
import type { Features, Prediction } from '../../../src/decode/event.js';
import type { FeatureQuality } from '../../../src/evaluate/types.js';
import { ModelWindow } from '../../../src/windows/modelWindow.js';
import type { WindowSnapshot } from '../../../src/windows/snapshot.js';
import { seededRandom } from '../stats/vectors.js';
import { baselineOf, categoricalFeature, numericFeature } from './baselineOf.js';

interface TestEvent {
  readonly features: Features;
  /** undefined: a feature event. */
  readonly prediction?: Prediction | null;
  readonly step?: number;
}

const score = (s: number): Prediction => ({ score: s, label: null });
const label = (l: string): Prediction => ({ score: null, label: l });

function feed(window: ModelWindow, events: readonly TestEvent[]): string[] {
  return events.map((e) => window.observe(e.features, e.prediction, e.step ?? 0));
}

function quality(q: Partial<FeatureQuality>): FeatureQuality {
  return { events: 0, missing: 0, null: 0, nan: 0, wrong_type: 0, out_of_range: 0, unseen: 0, ...q };
}

function featureOf(snapshot: WindowSnapshot, name: string) {
  const f = snapshot.features.find((x) => x.feature === name);
  if (f === undefined) throw new Error(`no feature ${name}`);
  return { ...f, bins: Array.from(f.bins), ks: f.ks === null ? null : Array.from(f.ks) };
}

// amount 1..100: cuts 10.9, 20.8, ..., 90.1 (10 bins); KS 'exact' with edges 1..100 (201 slots).
// country: DE, FR, US, __other__. is_new: false, true, __other__. __prediction__ 0.1..0.9 numeric.
const baseline = baselineOf([
  numericFeature(
    'amount',
    Array.from({ length: 100 }, (_, i) => i + 1),
  ),
  categoricalFeature('country', ['DE', 'DE', 'DE', 'FR', 'FR', 'US']),
  categoricalFeature('is_new', ['true', 'false', 'true'], 'boolean'),
  numericFeature(PREDICTION_FEATURE, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
]);

const UNBOUNDED = { stepMs: null, steps: 1 } as const;

describe('ModelWindow: the data contract, counted', () => {
  const events: TestEvent[] = [
    { features: { amount: 42.5, country: 'DE', is_new: true, extra: 1 }, prediction: score(0.5) },
    { features: { amount: 1000, country: 'XX', is_new: 'TRUE' }, prediction: null },
    { features: { amount: null, country: 7, is_new: 'yes', x: 1, y: 2 }, prediction: score(Number.NaN) },
    { features: { amount: Number.NaN, country: null, is_new: false }, prediction: label('fraud') },
    { features: { amount: '42', country: true, is_new: 1 }, prediction: score(Number.NEGATIVE_INFINITY) },
    { features: { [PREDICTION_FEATURE]: 0.3 }, prediction: score(0.95) },
    { features: { amount: Number.POSITIVE_INFINITY, country: 'FR', is_new: false } }, // a feature event
  ];
  const window = new ModelWindow(baseline, UNBOUNDED);
  const outcomes = feed(window, events);
  const snapshot = window.snapshot();

  it('adds every event and counts the unknown keys', () => {
    expect(outcomes).toEqual(Array(7).fill('added'));
    expect(window.events).toBe(7);
    expect(snapshot.events).toBe(7);
    // extra; x, y; the features key named __prediction__ (the prediction comes from `prediction`).
    expect(snapshot.unknownFeatures).toBe(4);
    expect(snapshot.firstStep).toBeNull();
    expect(snapshot.lastStep).toBeNull();
  });

  it('numeric: valid (out of range included), missing, null, nan and wrong_type', () => {
    const f = featureOf(snapshot, 'amount');
    expect(f.quality).toEqual(
      quality({ events: 7, missing: 1, null: 1, nan: 2, wrong_type: 1, out_of_range: 1 }),
    );
    expect(f.valid).toBe(2);
    expect(f.bins).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]); // 42.5 above 40.6; 1000 in the last bin
    expect(f.ks).toHaveLength(201);
    const ks = f.ks!;
    expect(ks[84]).toBe(1); // 42.5: 42 edges below it, strictly between edges 42 and 43
    expect(ks[200]).toBe(1); // 1000: above the last edge
    expect(ks.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('categorical: strings, numbers and booleans as text; unseen values in __other__', () => {
    const f = featureOf(snapshot, 'country');
    expect(f.quality).toEqual(quality({ events: 7, missing: 1, null: 1, unseen: 3 }));
    expect(f.bins).toEqual([1, 1, 0, 3]); // DE, FR, US, __other__ (XX, "7", "true")
    expect(f.ks).toBeNull();
  });

  it('boolean: true/false and their text; anything else a wrong type', () => {
    const f = featureOf(snapshot, 'is_new');
    expect(f.quality).toEqual(quality({ events: 7, missing: 1, wrong_type: 2 }));
    expect(f.bins).toEqual([2, 2, 0]);
  });

  it('__prediction__: the score of prediction events only; a null prediction is missing', () => {
    const f = featureOf(snapshot, PREDICTION_FEATURE);
    expect(f.quality).toEqual(quality({ events: 6, missing: 1, nan: 2, wrong_type: 1, out_of_range: 1 }));
    expect(f.valid).toBe(2);
    expect(f.bins.reduce((a, b) => a + b, 0)).toBe(2);
    expect(f.bins[f.bins.length - 1]).toBe(1); // 0.95
  });

  it('__prediction__ of a categorical or boolean baseline: the label, else the score as text', () => {
    const labels = baselineOf([
      categoricalFeature('country', ['DE']),
      categoricalFeature(PREDICTION_FEATURE, ['fraud', 'ok', 'ok']),
    ]);
    const w = new ModelWindow(labels, UNBOUNDED);
    feed(w, [
      { features: { country: 'DE' }, prediction: label('fraud') },
      { features: { country: 'DE' }, prediction: { score: 0.7, label: null } },
      { features: { country: 'DE' }, prediction: { score: 0.2, label: 'ok' } },
      { features: { country: 'DE' }, prediction: { score: null, label: null } },
      { features: { country: 'DE' } },
    ]);
    const f = featureOf(w.snapshot(), PREDICTION_FEATURE);
    expect(f.quality).toEqual(quality({ events: 4, missing: 1, unseen: 1 }));
    expect(f.bins).toEqual([1, 1, 1]);

    const flags = baselineOf([categoricalFeature(PREDICTION_FEATURE, ['true', 'false'], 'boolean')]);
    const b = new ModelWindow(flags, UNBOUNDED);
    feed(b, [
      { features: {}, prediction: label('true') },
      { features: {}, prediction: score(1) },
    ]);
    expect(featureOf(b.snapshot(), PREDICTION_FEATURE).quality).toEqual(
      quality({ events: 2, wrong_type: 1 }),
    );
  });

  it('does not take a feature named like an Object.prototype property from the prototype', () => {
    const odd = baselineOf([
      numericFeature('constructor', [1, 2, 3]),
      numericFeature('__proto__', [1, 2, 3]),
    ]);
    const w = new ModelWindow(odd, UNBOUNDED);
    feed(w, [
      { features: {}, prediction: null },
      { features: JSON.parse('{"constructor": 2, "__proto__": 3}') },
    ]);
    const s = w.snapshot();
    expect(featureOf(s, 'constructor').quality).toEqual(quality({ events: 2, missing: 1 }));
    expect(featureOf(s, 'constructor').valid).toBe(1);
    expect(featureOf(s, '__proto__').quality).toEqual(quality({ events: 2, missing: 1 }));
    expect(featureOf(s, '__proto__').valid).toBe(1);
    expect(s.unknownFeatures).toBe(0);
  });

  it('counts out of range strictly outside the baseline [min, max]', () => {
    const w = new ModelWindow(baseline, UNBOUNDED);
    for (const amount of [1, 100, 0.999, 100.5, -0, 50]) w.observe({ amount }, undefined, 0);
    const f = featureOf(w.snapshot(), 'amount');
    expect(f.quality.out_of_range).toBe(3);
    expect(f.valid).toBe(6);
  });

  it('keeps a snapshot unchanged by later observes', () => {
    const w = new ModelWindow(baseline, UNBOUNDED);
    feed(w, [{ features: { amount: 5 }, prediction: score(0.5) }]);
    const before = w.snapshot();
    feed(w, [{ features: { amount: 5 }, prediction: score(0.5) }]);
    expect(before.events).toBe(1);
    expect(featureOf(before, 'amount').bins[0]).toBe(1);
    expect(featureOf(w.snapshot(), 'amount').bins[0]).toBe(2);
  });
});

describe('ModelWindow: sliding', () => {
  const spec = { stepMs: 60_000, steps: 3 };
  /** (step + 1) events at each step 0..9, amount = step + 1, country by step parity. */
  function eventsAt(step: number): TestEvent[] {
    return Array.from({ length: step + 1 }, () => ({
      features: { amount: step + 1, country: step % 2 === 0 ? 'DE' : 'ZZ', is_new: step % 3 === 0, junk: 1 },
      prediction: score(0.1 * (step % 9) + 0.05),
      step,
    }));
  }

  it('holds exactly the last `steps` steps', () => {
    const w = new ModelWindow(baseline, spec);
    for (let s = 0; s <= 9; s++) feed(w, eventsAt(s));
    const expected = new ModelWindow(baseline, UNBOUNDED);
    for (let s = 7; s <= 9; s++) feed(expected, eventsAt(s));
    const snapshot = w.snapshot();
    expect(snapshot.events).toBe(8 + 9 + 10);
    expect(Array.from(snapshot.counts)).toEqual(Array.from(expected.snapshot().counts));
    expect(featureOf(snapshot, 'amount').bins).toEqual([27, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(featureOf(snapshot, 'amount').ks![2 * 7 + 1]).toBe(8); // the edge 8
    expect(snapshot.unknownFeatures).toBe(27);
    expect(snapshot.firstStep).toBe(7);
    expect(snapshot.lastStep).toBe(9);
  });

  it('refuses an event older than the window as late, and counts an in-window older one', () => {
    const w = new ModelWindow(baseline, spec);
    for (let s = 0; s <= 9; s++) feed(w, eventsAt(s));
    expect(w.observe({ amount: 50 }, score(0.5), 6)).toBe('late');
    expect(w.events).toBe(27);
    expect(w.observe({ amount: 50 }, score(0.5), 7)).toBe('added');
    expect(w.events).toBe(28);
    expect(featureOf(w.snapshot(), 'amount').bins[4]).toBe(1);
  });

  it('expires everything on a jump of a whole window, and on a clock tick', () => {
    const w = new ModelWindow(baseline, spec);
    for (let s = 0; s <= 9; s++) feed(w, eventsAt(s));
    expect(w.observe({ amount: 3 }, score(0.5), 100)).toBe('added');
    const s100 = w.snapshot();
    expect(s100.events).toBe(1);
    expect(featureOf(s100, 'amount').valid).toBe(1);
    expect(s100.unknownFeatures).toBe(0);
    expect(w.observe({ amount: 3 }, score(0.5), 97)).toBe('late');
    w.advanceTo(102);
    expect(w.events).toBe(1); // step 100 is still in [100, 102]
    w.advanceTo(103);
    expect(w.events).toBe(0);
    expect(Array.from(w.snapshot().counts).every((c) => c === 0)).toBe(true);
    w.advanceTo(50); // never moves back
    expect(w.snapshot().lastStep).toBe(103);
    expect(w.observe({ amount: 3 }, score(0.5), 100)).toBe('late');
  });

  it('starts the window at the first tick when no event came before it', () => {
    const w = new ModelWindow(baseline, spec);
    w.advanceTo(10);
    expect(w.observe({ amount: 3 }, null, 7)).toBe('late');
    expect(w.observe({ amount: 3 }, null, 8)).toBe('added');
    expect(w.snapshot().firstStep).toBe(8);
  });

  it('handles steps before the epoch', () => {
    const w = new ModelWindow(baseline, spec);
    feed(w, [
      { features: { amount: 1 }, step: -5 },
      { features: { amount: 1 }, step: -4 },
    ]);
    w.advanceTo(-2);
    expect(w.events).toBe(1);
  });

  it('refuses a bad spec or step', () => {
    expect(() => new ModelWindow(baseline, { stepMs: null, steps: 2 })).toThrow(RangeError);
    expect(() => new ModelWindow(baseline, { stepMs: 0, steps: 2 })).toThrow(RangeError);
    expect(() => new ModelWindow(baseline, { stepMs: 1000, steps: 1.5 })).toThrow(RangeError);
    const w = new ModelWindow(baseline, spec);
    expect(() => w.observe({}, null, 1.5)).toThrow(RangeError);
    expect(() => w.advanceTo(Number.NaN)).toThrow(RangeError);
    // An unbounded window ignores the step.
    expect(new ModelWindow(baseline, UNBOUNDED).observe({}, null, Number.NaN)).toBe('added');
  });

  it('keeps totals equal to the sum of the live buckets over random observes and ticks', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const steps = 1 + Math.floor(random() * 6);
      let expiredSnapshots = 0;
      const w = new ModelWindow(baseline, { stepMs: 1000, steps });
      const accepted: TestEvent[] = [];
      let newest: number | null = null;
      let lates = 0;
      for (let op = 0; op < 1500; op++) {
        const r = random();
        const base: number = newest ?? 0;
        if (r < 0.05) {
          const to: number = base + Math.floor(random() * (steps + 3)) - 1;
          w.advanceTo(to);
          if (newest === null || to > newest) newest = to;
        } else {
          const step =
            r < 0.07
              ? base + steps + Math.floor(random() * 5)
              : base + Math.floor(random() * 4) - 2 - Math.floor(random() * steps);
          const e: TestEvent = {
            features: {
              amount: random() < 0.1 ? null : Math.floor(random() * 120) - 5,
              country: ['DE', 'FR', 'US', 'XX', 3][Math.floor(random() * 5)],
              is_new: random() < 0.5,
              ...(random() < 0.2 ? { other: 1 } : {}),
            },
            prediction: random() < 0.5 ? undefined : random() < 0.1 ? null : score(random()),
            step,
          };
          const isLate = newest !== null && step <= newest - steps;
          expect(w.observe(e.features, e.prediction, step)).toBe(isLate ? 'late' : 'added');
          if (isLate) lates++;
          else accepted.push(e);
          if (newest === null || step > newest) newest = step;
        }
        if (op % 100 === 99 && newest !== null) {
          const live = accepted.filter((e) => e.step! > newest! - steps);
          const expected = new ModelWindow(baseline, UNBOUNDED);
          feed(expected, live);
          expect(Array.from(w.snapshot().counts), `seed ${seed} op ${op}`).toEqual(
            Array.from(expected.snapshot().counts),
          );
          if (live.length < accepted.length) expiredSnapshots++;
        }
      }
      // The sequence exercised what it is meant to: late events and expired steps.
      expect(lates, `seed ${seed}`).toBeGreaterThan(10);
      expect(expiredSnapshots, `seed ${seed}`).toBeGreaterThan(5);
    }
  });
});

describe('ModelWindow: memory', () => {
  function filled(b: Baseline, spec: { stepMs: number | null; steps: number }, n: number): ModelWindow {
    const w = new ModelWindow(b, spec);
    const random = seededRandom(7);
    for (let i = 0; i < n; i++) {
      w.observe(
        {
          amount: random() * 200,
          country: `c${Math.floor(random() * 50)}`,
          is_new: random() < 0.5,
          [`k${i}`]: 1,
        },
        score(random()),
        Math.floor((i / n) * 120),
      );
    }
    return w;
  }

  it('does not grow with events', () => {
    for (const spec of [{ stepMs: 60_000, steps: 60 }, UNBOUNDED]) {
      const small = filled(baseline, spec, 10);
      const large = filled(baseline, spec, 100_000);
      expect(large.memoryBytes()).toBe(small.memoryBytes());
      expect(large.memoryBytes()).toBe(new ModelWindow(baseline, spec).memoryBytes());
    }
  });

  it('grows with steps and bins', () => {
    const bounded = new ModelWindow(baseline, { stepMs: 60_000, steps: 60 });
    const slots = bounded.snapshot().counts.length;
    // 60 Uint32 buckets and the Float64 totals at least.
    expect(bounded.memoryBytes()).toBeGreaterThanOrEqual(60 * 4 * slots + 8 * slots);
    expect(bounded.memoryBytes()).toBeLessThan(60 * 4 * slots + 8 * slots + 10_000);
  });
});
