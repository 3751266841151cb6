import { describe, expect, it } from 'vitest';

import { quantileSorted } from '../../../src/stats/quantile.js';
import { numericCases } from './vectors.js';

describe('quantileSorted (numpy.quantile, method linear)', () => {
  it('interpolates at h = (n - 1) q as numpy documents', () => {
    // np.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.75, 1]) -> [1, 1.75, 2.5, 3.25, 4]
    const a = [1, 2, 3, 4];
    expect([0, 0.25, 0.5, 0.75, 1].map((q) => quantileSorted(a, q))).toEqual([1, 1.75, 2.5, 3.25, 4]);
    // np.quantile(range(11), [0.2, 0.5, 0.9]) -> [2, 5, 9]
    const b = Array.from({ length: 11 }, (_, i) => i);
    expect([0.2, 0.5, 0.9].map((q) => quantileSorted(b, q))).toEqual([2, 5, 9]);
    expect(quantileSorted([7], 0.3)).toBe(7);
  });

  it("follows numpy's _lerp on both sides of t = 0.5, to the last bit", () => {
    // t < 0.5: a + (b - a) t. t >= 0.5: b - (b - a)(1 - t), where a + (b - a) t would round
    // differently (0.16999999999999998, 0.8599999999999999, 0.5199999999999999).
    expect(quantileSorted([0.1, 0.2], 0.3)).toBe(0.1 + (0.2 - 0.1) * 0.3);
    expect(quantileSorted([0.1, 0.2], 0.7)).toBe(0.17);
    expect(quantileSorted([0.3, 1.1], 0.7)).toBe(0.8600000000000001);
    expect(quantileSorted([0, 0.1, 0.7], 0.85)).toBe(0.5199999999999999); // h = 1.7
  });

  it('reproduces every unmerged cut point of the reference vectors bit for bit', () => {
    for (const c of numericCases) {
      const sorted = Float64Array.from(c.reference).sort();
      const all = Array.from({ length: c.bins - 1 }, (_, i) => quantileSorted(sorted, (i + 1) / c.bins));
      expect([...new Set(all)], c.name).toEqual(c.cut_points);
    }
  });

  it('is monotone in q and stays within [min, max]', () => {
    const sorted = [-3, -1, -1, 0, 2.5, 2.5, 2.5, 9];
    let previous = -Infinity;
    for (let k = 0; k <= 100; k++) {
      const value = quantileSorted(sorted, k / 100);
      expect(value).toBeGreaterThanOrEqual(previous);
      expect(value).toBeGreaterThanOrEqual(-3);
      expect(value).toBeLessThanOrEqual(9);
      previous = value;
    }
  });

  it('rejects an empty sample and levels outside [0, 1]', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(RangeError);
    expect(() => quantileSorted([1, 2], -0.1)).toThrow(RangeError);
    expect(() => quantileSorted([1, 2], 1.5)).toThrow(RangeError);
    expect(() => quantileSorted([1, 2], Number.NaN)).toThrow(RangeError);
  });
});
