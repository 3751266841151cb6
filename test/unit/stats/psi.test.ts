import { describe, expect, it } from 'vitest';

import {
  PSI_EPSILON,
  psiFromCategories,
  psiFromCounts,
  psiFromSamples,
  psiProportions,
} from '../../../src/stats/psi.js';
import { categoricalCases, expectStatistic, numericCases, seededRandom, vectors } from './vectors.js';

describe('PSI against the reference vectors', () => {
  it('uses the epsilon of the vectors', () => {
    expect(PSI_EPSILON).toBe(vectors.epsilon);
  });

  for (const c of vectors.cases) {
    it(`${c.name}: from counts`, () => {
      expectStatistic(psiFromCounts(c.reference_counts, c.current_counts), c.psi, `${c.name} psi`);
    });
  }
  for (const c of numericCases) {
    it(`${c.name}: from samples`, () => {
      expectStatistic(psiFromSamples(c.reference, c.current, c.bins), c.psi, `${c.name} psi`);
    });
  }
  for (const c of categoricalCases) {
    it(`${c.name}: from categories`, () => {
      expectStatistic(psiFromCategories(c.reference, c.current), c.psi, `${c.name} psi`);
    });
  }
});

describe('PSI by hand', () => {
  it('replaces empty proportions by epsilon without renormalising', () => {
    expect(psiProportions([0, 10, 30])).toEqual([1e-4, 0.25, 0.75]);
    // [0.5, 0.5] against [1, 0 -> 1e-4]
    const expected = 0.5 * Math.log(1 / 0.5) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5);
    expect(psiFromCounts([50, 50], [100, 0])).toBeCloseTo(expected, 14);
    expect(psiFromCounts([50, 50], [100, 0])).toBeCloseTo(4.6043184667, 9);
  });

  it('rejects mismatched and empty counts', () => {
    expect(() => psiFromCounts([1, 2], [1, 2, 3])).toThrow(RangeError);
    expect(() => psiFromCounts([0, 0], [1, 2])).toThrow(RangeError);
  });
});

describe('PSI properties', () => {
  const random = seededRandom(7);
  const randomCounts = (bins: number): number[] =>
    Array.from(
      { length: bins },
      () => (random() < 0.2 ? 0 : Math.floor(random() * 500)) + (random() < 0.05 ? 1 : 0),
    );

  it('is non-negative, symmetric, and 0 for equal proportions', () => {
    for (let trial = 0; trial < 300; trial++) {
      const bins = 2 + Math.floor(random() * 20);
      const a = randomCounts(bins);
      const b = randomCounts(bins);
      a[0]! += 1;
      b[0]! += 1;
      const ab = psiFromCounts(a, b);
      expect(ab).toBeGreaterThanOrEqual(0);
      expect(Math.abs(ab - psiFromCounts(b, a))).toBeLessThanOrEqual(1e-12 * Math.max(1, ab));
      expect(psiFromCounts(a, a)).toBe(0);
      // Same proportions, different totals.
      expect(
        psiFromCounts(
          a,
          a.map((x) => 3 * x),
        ),
      ).toBeLessThan(1e-15);
    }
  });
});
