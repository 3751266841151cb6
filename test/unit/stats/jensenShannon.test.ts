import { describe, expect, it } from 'vitest';

import { jensenShannonDistance, jensenShannonFromCounts } from '../../../src/stats/jensenShannon.js';
import { expectStatistic, seededRandom, vectors } from './vectors.js';

const SQRT_LN2 = Math.sqrt(Math.LN2);

describe('Jensen-Shannon distance against the reference vectors', () => {
  for (const c of vectors.cases) {
    it(`${c.name}: from counts`, () => {
      expectStatistic(
        jensenShannonFromCounts(c.reference_counts, c.current_counts),
        c.jensen_shannon,
        `${c.name} jensen_shannon`,
      );
    });
  }
});

describe('Jensen-Shannon distance by hand', () => {
  it("matches scipy's documented example and normalises its inputs", () => {
    // scipy.spatial.distance.jensenshannon([1.0, 0.0], [0.5, 0.5]) -> 0.46450140402245893
    expect(jensenShannonDistance([1, 0], [0.5, 0.5])).toBeCloseTo(0.46450140402245893, 15);
    expect(jensenShannonDistance([2, 0], [1, 1])).toBeCloseTo(0.46450140402245893, 15);
  });

  it('reaches sqrt(ln 2) for disjoint supports', () => {
    expect(jensenShannonDistance([1, 0, 0], [0, 1, 0])).toBeCloseTo(SQRT_LN2, 15);
    expect(jensenShannonFromCounts([10, 0, 5], [0, 7, 0])).toBeCloseTo(SQRT_LN2, 15);
  });

  it('rejects mismatched and empty inputs', () => {
    expect(() => jensenShannonDistance([1], [0.5, 0.5])).toThrow(RangeError);
    expect(() => jensenShannonFromCounts([0, 0], [1, 1])).toThrow(RangeError);
  });
});

describe('Jensen-Shannon distance properties', () => {
  it('is symmetric, within [0, sqrt(ln 2)], and 0 for equal distributions', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 300; trial++) {
      const bins = 2 + Math.floor(random() * 20);
      const a = Array.from({ length: bins }, () => (random() < 0.3 ? 0 : Math.floor(random() * 100)));
      const b = Array.from({ length: bins }, () => (random() < 0.3 ? 0 : Math.floor(random() * 100)));
      a[0]! += 1;
      b[bins - 1]! += 1;
      const ab = jensenShannonFromCounts(a, b);
      expect(ab).toBeGreaterThanOrEqual(0);
      expect(ab).toBeLessThanOrEqual(SQRT_LN2 + 1e-15);
      expect(jensenShannonFromCounts(b, a)).toBeCloseTo(ab, 14);
      expect(jensenShannonFromCounts(a, a)).toBe(0);
    }
  });
});
