import { describe, expect, it } from 'vitest';

import {
  DEFAULT_ALPHA,
  DEFAULT_CORRECTION,
  adjustPValues,
  benjaminiHochberg,
  bonferroni,
  rejected,
} from '../../../src/stats/multipleTesting.js';
import { seededRandom } from './vectors.js';

function expectAllClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(value, `index ${i}`).toBeCloseTo(expected[i]!, 15));
}

describe('Bonferroni and Benjamini-Hochberg by hand', () => {
  it('adjusts, keeping the input order', () => {
    const p = [0.01, 0.04, 0.03, 0.005];
    expectAllClose(bonferroni(p), [0.04, 0.16, 0.12, 0.02]);
    // Sorted 0.005, 0.01, 0.03, 0.04 -> p * 4 / rank = 0.02, 0.02, 0.04, 0.04 (already monotone).
    expectAllClose(benjaminiHochberg(p), [0.02, 0.04, 0.04, 0.02]);
  });

  it('caps at 1 and takes the cumulative minimum from the largest rank', () => {
    const p = [0.5, 0.9, 0.02, 0.6];
    expectAllClose(bonferroni(p), [1, 1, 0.08, 1]);
    // Sorted 0.02, 0.5, 0.6, 0.9 -> raw 0.08, 1.0, 0.8, 0.9 -> cummin from the top 0.08, 0.8, 0.8, 0.9.
    expectAllClose(benjaminiHochberg(p), [0.8, 0.9, 0.08, 0.8]);
    expectAllClose(adjustPValues(p, 'bonferroni'), bonferroni(p));
    expectAllClose(adjustPValues(p, 'benjamini-hochberg'), benjaminiHochberg(p));
  });

  it('gives tied p-values equal adjusted values', () => {
    expectAllClose(benjaminiHochberg([0.02, 0.02, 0.02]), [0.02, 0.02, 0.02]);
    expect(benjaminiHochberg([])).toEqual([]);
    expect(bonferroni([])).toEqual([]);
  });

  it('rejects as statsmodels does, with the step-up rule for Benjamini-Hochberg', () => {
    expect(DEFAULT_CORRECTION).toBe('benjamini-hochberg');
    expect(DEFAULT_ALPHA).toBe(0.05);
    const p = [0.01, 0.04, 0.03, 0.005];
    expect(rejected(p, 0.05, 'bonferroni')).toEqual([true, false, false, true]);
    expect(rejected(p)).toEqual([true, true, true, true]);
    // Rank 2 (0.03 > 2/4 * 0.05) fails on its own, but rank 3 (0.032 <= 0.0375) passes: both rejected.
    expect(rejected([0.2, 0.032, 0.001, 0.03], 0.05, 'benjamini-hochberg')).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect(rejected([], 0.05, 'benjamini-hochberg')).toEqual([]);
  });
});

describe('multiple testing properties', () => {
  it('BH lies between raw and Bonferroni, is monotone in p, and rejects where adjusted <= alpha', () => {
    const random = seededRandom(3);
    for (let trial = 0; trial < 200; trial++) {
      const m = 1 + Math.floor(random() * 40);
      const p = Array.from({ length: m }, () => (random() < 0.3 ? random() * 0.01 : random()));
      const bh = benjaminiHochberg(p);
      const bonf = bonferroni(p);
      const bounded = p.every((pi, i) => pi <= bh[i]! && bh[i]! <= bonf[i]! + 1e-15 && bh[i]! <= 1);
      expect(bounded, `p=${p}`).toBe(true);
      const monotone = p.every((pi, i) => p.every((pj, j) => pi > pj || bh[i]! <= bh[j]!));
      expect(monotone, `p=${p}`).toBe(true);
      const alpha = 0.1 * random();
      expect(rejected(p, alpha, 'benjamini-hochberg')).toEqual(bh.map((q) => q <= alpha));
      expect(rejected(p, alpha, 'bonferroni')).toEqual(bonf.map((q) => q <= alpha));
    }
  });
});
