import { describe, expect, it } from 'vitest';

import { PREDICTION_FEATURE } from '../../../src/baseline/format.js';
import type { Features, Prediction } from '../../../src/decode/event.js';
import { evaluateModel } from '../../../src/evaluate/evaluateModel.js';
import { ksStatistic } from '../../../src/stats/ksTwoSample.js';
import { ModelWindow } from '../../../src/windows/modelWindow.js';
import { mergeSnapshots } from '../../../src/windows/snapshot.js';
import { normalSample, seededRandom } from '../stats/vectors.js';
import { baselineOf, categoricalFeature, numericFeature } from './baselineOf.js';

interface Ev {
  readonly features: Features;
  readonly prediction: Prediction | null | undefined;
  readonly step: number;
}

function randomEvents(seed: number, n: number, firstStep: number): Ev[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    features: {
      amount: random() < 0.05 ? 'n/a' : normalSample(random, 1, 50, 20)[0]!,
      country: ['DE', 'FR', 'US', 'BR', null][Math.floor(random() * 5)],
      ...(random() < 0.3 ? { session: 'x' } : {}),
    },
    prediction: random() < 0.3 ? undefined : { score: random(), label: null },
    step: firstStep + Math.floor(i / 50),
  }));
}

describe('mergeSnapshots', () => {
  const random = seededRandom(3);
  const baseline = baselineOf([
    numericFeature('amount', normalSample(random, 2000, 50, 20), { quantiles: 50 }),
    categoricalFeature('country', ['DE', 'FR', 'US', 'DE']),
    numericFeature(
      PREDICTION_FEATURE,
      Array.from({ length: 500 }, () => random()),
    ),
  ]);

  it('equals one window fed both event sets', () => {
    const spec = { stepMs: 1000, steps: 10 };
    const a = randomEvents(1, 400, 0);
    const b = randomEvents(2, 300, 4);
    const wa = new ModelWindow(baseline, spec);
    const wb = new ModelWindow(baseline, spec);
    const both = new ModelWindow(baseline, spec);
    for (const e of a) wa.observe(e.features, e.prediction, e.step);
    for (const e of b) wb.observe(e.features, e.prediction, e.step);
    // Both sets in step order, as one partition-less window would see them.
    for (const e of [...a, ...b].sort((x, y) => x.step - y.step))
      both.observe(e.features, e.prediction, e.step);
    const merged = mergeSnapshots(wa.snapshot(), wb.snapshot());
    const expected = both.snapshot();
    expect(Array.from(merged.counts)).toEqual(Array.from(expected.counts));
    expect(merged.events).toBe(700);
    expect(merged.unknownFeatures).toBe(expected.unknownFeatures);
    expect(merged.features.map((f) => f.quality)).toEqual(expected.features.map((f) => f.quality));
    expect(merged.firstStep).toBe(-2); // wa covers steps -2..7 (newest 7), wb 0..9 (newest 9)
    expect(merged.lastStep).toBe(9);
    // Neither input changed.
    expect(wa.snapshot().events).toBe(400);
  });

  it('refuses snapshots of different baselines', () => {
    const other = baselineOf([numericFeature('amount', [1, 2, 3])]);
    const x = new ModelWindow(baseline, { stepMs: null, steps: 1 }).snapshot();
    const y = new ModelWindow(other, { stepMs: null, steps: 1 }).snapshot();
    expect(() => mergeSnapshots(x, y)).toThrow(RangeError);
  });
});

describe('KS from a window: the full-sample D lies within the reported bound', () => {
  it('over random windows of continuous and tied data', () => {
    const thresholds = {
      psi: 0.2,
      pValue: 0.05,
      correction: 'none',
      minKsStatistic: 0.1,
      minJsDistance: 0.1,
      minSamples: 1,
    } as const;
    let positiveBounds = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const tied = seed % 3 === 0;
      const draw = (n: number, mean: number, sd: number): number[] =>
        normalSample(random, n, mean, sd).map((x) => (tied ? Math.round(x) : x));
      const reference = draw(200 + Math.floor(random() * 800), 0, 3);
      const baseline = baselineOf([
        numericFeature('x', reference, { quantiles: 5 + Math.floor(random() * 40) }),
      ]);
      const window = new ModelWindow(baseline, { stepMs: 1, steps: 4 });
      const current: number[] = [];
      const shift = random() * 2 - 1;
      const scale = 0.5 + random();
      for (let step = 0; step < 12; step++) {
        for (const x of draw(1 + Math.floor(random() * 60), shift, 3 * scale)) {
          window.observe({ x }, undefined, step);
          if (step >= 8) current.push(x);
        }
      }
      const f = evaluateModel(baseline, window.snapshot(), thresholds, {
        source: 'features',
        windowStart: null,
        windowEnd: null,
      }).features[0]!;
      expect(f.n_current).toBe(current.length);
      const d = ksStatistic(reference, current);
      const low = f.ks_statistic!;
      const bound = f.ks_statistic_error_bound!;
      expect(low, `seed ${seed}`).toBeLessThanOrEqual(d);
      expect(d, `seed ${seed}`).toBeLessThanOrEqual(low + bound);
      if (bound > 0) positiveBounds++;
    }
    // The quantile summaries are coarse: the bound is exercised, not always 0.
    expect(positiveBounds).toBeGreaterThan(20);
  });
});
