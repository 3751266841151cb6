import { describe, expect, it } from 'vitest';

import { populationStd, wasserstein, wassersteinDistance } from '../../../src/stats/wasserstein.js';
import { expectStatistic, normalSample, numericCases, seededRandom } from './vectors.js';

describe('Wasserstein-1 against the reference vectors', () => {
  for (const c of numericCases) {
    it(`${c.name}: distance and normed distance`, () => {
      const result = wasserstein(c.reference, c.current);
      expectStatistic(result.distance, c.wasserstein, `${c.name} wasserstein`);
      if (c.wasserstein_normed === null) {
        expect(result.normed).toBeNull();
      } else {
        expect(result.normed).not.toBeNull();
        expectStatistic(result.normed!, c.wasserstein_normed, `${c.name} wasserstein_normed`);
      }
      expectStatistic(wassersteinDistance(c.reference, c.current), c.wasserstein, `${c.name} distance`);
    });
  }
});

describe('Wasserstein-1 by hand', () => {
  it("matches scipy's documented example and simple cases", () => {
    // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) -> 5.0
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBe(5);
    expect(wassersteinDistance([0], [1])).toBe(1);
    // Half the mass moves by 1: F_u - F_v = 0.5 on [0, 1).
    expect(wassersteinDistance([0, 1], [0])).toBe(0.5);
    expect(wassersteinDistance([1, 0, 0], [0, 0, 1])).toBe(0);
  });

  it('divides by the population standard deviation, null for a constant baseline', () => {
    expect(populationStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(1.25), 15);
    const result = wasserstein([1, 2, 3, 4], [2, 3, 4, 5]);
    expect(result.distance).toBe(1);
    expect(result.normed).toBeCloseTo(1 / Math.sqrt(1.25), 15);
    expect(wasserstein([0.1, 0.1, 0.1], [0.2, 0.3]).normed).toBeNull();
  });

  it('rejects empty samples', () => {
    expect(() => wassersteinDistance([], [1])).toThrow(RangeError);
    expect(() => wassersteinDistance([1], [])).toThrow(RangeError);
    expect(() => populationStd([])).toThrow(RangeError);
  });
});

describe('Wasserstein-1 properties', () => {
  const random = seededRandom(23);

  it('is symmetric and 0 for identical samples', () => {
    for (let trial = 0; trial < 100; trial++) {
      const a = normalSample(random, 1 + Math.floor(random() * 300));
      const b = normalSample(random, 1 + Math.floor(random() * 300), random() * 2, 0.5 + random());
      const ab = wassersteinDistance(a, b);
      expect(Math.abs(ab - wassersteinDistance(b, a))).toBeLessThanOrEqual(1e-12 * Math.max(1, ab));
      expect(wassersteinDistance(a, [...a].reverse())).toBe(0);
    }
  });

  it('is shift equivariant: W(a, a + c) = |c|', () => {
    for (let trial = 0; trial < 100; trial++) {
      const a = normalSample(random, 1 + Math.floor(random() * 300));
      const c = (random() - 0.5) * 10;
      const shifted = a.map((x) => x + c);
      // (x + c) - x is c up to one rounding of x + c.
      expect(Math.abs(wassersteinDistance(a, shifted) - Math.abs(c))).toBeLessThanOrEqual(1e-12);
    }
  });
});
