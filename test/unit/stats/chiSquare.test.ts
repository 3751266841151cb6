import { describe, expect, it } from 'vitest';

import {
  chiSquareFromCounts,
  chiSquareSurvival,
  logGamma,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../../src/stats/chiSquare.js';
import { categoricalCases, expectPValue, expectStatistic, seededRandom } from './vectors.js';

/** |actual - expected| <= rel * |expected|. */
function expectRelative(actual: number, expected: number, rel: number, label: string): void {
  expect(Math.abs(actual - expected) <= rel * Math.abs(expected), `${label}: ${actual} vs ${expected}`).toBe(
    true,
  );
}

describe('chi-square against the reference vectors', () => {
  for (const c of categoricalCases) {
    it(`${c.name}: statistic and p-value, or not applicable`, () => {
      const result = chiSquareFromCounts(c.reference_counts, c.current_counts);
      if (c.chi_square === null) {
        expect(result).toBeNull();
        return;
      }
      expect(result).not.toBeNull();
      expectStatistic(result!.statistic, c.chi_square.statistic, `${c.name} chi2 statistic`);
      expectPValue(result!.pValue, c.chi_square.pvalue, `${c.name} chi2 pvalue`);
      // Over the baseline's categories: the empty __other__ bin is not compared.
      expect(result!.degreesOfFreedom).toBe(c.categories.length - 2);
    });
  }
});

describe('chi-square test by hand', () => {
  it("matches scipy's documented example", () => {
    // scipy.stats.chisquare([16, 18, 16, 14, 12, 12]) -> statistic 2.0, pvalue 0.84914503608460956
    const result = chiSquareFromCounts([1, 1, 1, 1, 1, 1], [16, 18, 16, 14, 12, 12]);
    expect(result!.statistic).toBeCloseTo(2, 13);
    expect(result!.pValue).toBeCloseTo(0.84914503608460956, 14);
    expect(result!.degreesOfFreedom).toBe(5);
  });

  it('scales the expected counts to the size of the current window', () => {
    // Expected [20, 30, 50] * 200 / 100 = [40, 60, 100] against observed [50, 50, 100].
    const result = chiSquareFromCounts([20, 30, 50, 0], [50, 50, 100, 0]);
    expect(result!.statistic).toBeCloseTo(100 / 40 + 100 / 60, 13);
    expect(result!.degreesOfFreedom).toBe(2);
  });

  it('is not applicable when the window holds categories the baseline had not', () => {
    expect(chiSquareFromCounts([20, 30, 0], [20, 30, 1])).toBeNull();
    expect(chiSquareFromCounts([20, 0, 30, 0], [20, 5, 30, 0])).toBeNull();
  });

  it('leaves out categories empty in both, and needs two categories and two non-empty windows', () => {
    const result = chiSquareFromCounts([20, 0, 30, 0], [25, 0, 25, 0]);
    expect(result!.degreesOfFreedom).toBe(1);
    expect(result!.statistic).toBeCloseTo(25 / 20 + 25 / 30, 13);
    expect(chiSquareFromCounts([50, 0], [40, 0])).toBeNull();
    expect(chiSquareFromCounts([0, 0], [1, 1])).toBeNull();
    expect(chiSquareFromCounts([1, 1], [0, 0])).toBeNull();
    expect(() => chiSquareFromCounts([1, 1], [1, 1, 1])).toThrow(RangeError);
  });

  it('gives p-values in [0, 1] for any counts', () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 300; trial++) {
      const k = 2 + Math.floor(random() * 30);
      const reference = Array.from({ length: k }, () => 1 + Math.floor(random() * 1000));
      const current = Array.from({ length: k }, () => Math.floor(random() * random() * 1000));
      current[0]! += 1;
      const result = chiSquareFromCounts(reference, current)!;
      expect(result.pValue).toBeGreaterThanOrEqual(0);
      expect(result.pValue).toBeLessThanOrEqual(1);
      expect(result.statistic).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('chi-square survival function and the incomplete gamma function', () => {
  // Exact values: Q(n, x) = e^-x sum_{k<n} x^k / k! for integer n, Q(1/2, x) = erfc(sqrt x) and
  // Q(a + 1, x) = Q(a, x) + x^a e^-x / Gamma(a + 1), evaluated in 600-digit decimal arithmetic.
  const known: Array<[x: number, df: number, sf: number]> = [
    [3.84, 1, 5.00435212487050987e-2],
    [100, 10, 5.44970198292052954e-17],
    [734.9727830284819, 3, 5.47461241877789841e-159],
    [1000, 2, 7.12457640674128552e-218],
    [20, 25, 7.46825306016536961e-1],
    [60, 25, 1.04554861315264732e-4],
    [1, 20, 9.99999999829032982e-1],
    [226.37885393958265, 2, 6.95755194136178224e-50],
    [13.406442124258707, 3, 3.83523128057899074e-3],
    [0.001, 1, 9.74772879369960377e-1],
    [400, 1, 5.50724823721246747e-89],
  ];
  for (const [x, df, sf] of known) {
    it(`chi2.sf(${x}, ${df}) = ${sf}`, () => {
      expectRelative(chiSquareSurvival(x, df), sf, 1e-12, `chi2.sf(${x}, ${df})`);
    });
  }

  it('keeps its accuracy for many degrees of freedom', () => {
    // chi2.sf(1000, 1000) = Q(500, 500) = 0.494052853829239635
    expectRelative(chiSquareSurvival(1000, 1000), 0.494052853829239635, 1e-11, 'chi2.sf(1000, 1000)');
  });

  it('underflows only below 1e-300, and handles the edges', () => {
    const far = chiSquareSurvival(1500, 2); // e^-750
    expect(far).toBeGreaterThanOrEqual(0);
    expect(far).toBeLessThan(1e-300);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(-1, 3)).toBe(1);
    expect(chiSquareSurvival(Infinity, 3)).toBe(0);
    expect(regularizedGammaQ(0, 1)).toBeNaN();
    expect(regularizedGammaQ(1, Number.NaN)).toBeNaN();
  });

  it('has P + Q = 1 on both sides of x = a + 1', () => {
    for (const a of [0.5, 1, 2.5, 7, 40.5]) {
      for (const x of [0.01, 0.5 * a, a + 0.99, a + 1, 2 * a + 3]) {
        expect(regularizedGammaP(a, x) + regularizedGammaQ(a, x)).toBeCloseTo(1, 14);
      }
    }
    // Q(1, x) = e^-x exactly.
    for (const x of [0.1, 1, 2, 10, 300])
      expectRelative(regularizedGammaQ(1, x), Math.exp(-x), 1e-13, `Q(1, ${x})`);
  });

  it('computes ln Gamma as Python math.lgamma', () => {
    const lgamma: Array<[number, number]> = [
      [0.5, 0.5723649429247004],
      [1, 0],
      [1.5, -0.12078223763524543],
      [2.5, 0.2846828704729196],
      [10, 12.801827480081467],
      [12.5, 18.73434751193645],
      [100.5, 361.4355404677776],
      [500, 2605.115850361734],
      [0.001, 6.907178885383854],
      [0.1, 2.2527126517342055],
      [0.3, 1.0957979948180752],
    ];
    for (const [x, expected] of lgamma) {
      expect(Math.abs(logGamma(x) - expected), `lgamma(${x})`).toBeLessThanOrEqual(
        1e-14 * Math.max(1, Math.abs(expected)),
      );
    }
  });
});
