import { describe, expect, it } from 'vitest';
import {
  KS_MAX_AUTO_N,
  ksPvalue,
  ksStatistic,
  ksStatisticSorted,
  ksTest,
  type KsMethod,
} from '../../../src/stats/ksTwoSample.js';
import { kstwobignSf, kstwoSf } from '../../../src/stats/kolmogorov.js';
import { numericCases, seededRandom } from './vectors.js';

const METHODS: readonly KsMethod[] = ['exact', 'asymp', 'kolmogorov'];

/** statistics.md: statistics within 1e-9 relative, or 1e-12 absolute near 0. */
function expectStatistic(actual: number, expected: number): void {
  const tol = Math.max(1e-9 * Math.abs(expected), 1e-12);
  expect(Math.abs(actual - expected), `D ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

/**
 * statistics.md: p-values within 1e-6 absolute and, below 1e-3, within 1e-4 relative; where scipy
 * underflowed to 0, any value below 1e-300.
 */
function expectPvalue(actual: number, expected: number): void {
  expect(actual).toBeGreaterThanOrEqual(0);
  expect(actual).toBeLessThanOrEqual(1);
  if (expected === 0) {
    expect(actual, `p ${actual} where scipy underflowed`).toBeLessThan(1e-300);
    return;
  }
  expect(Math.abs(actual - expected), `p ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-6);
  if (expected < 1e-3) {
    expect(Math.abs(actual - expected) / expected, `p ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-4);
  }
}

const rng = seededRandom;

function normals(n: number, shift: number, random: () => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = 1 - random();
    out.push(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random()) + shift);
  }
  return out;
}

/** Integers in [0, k): many ties. */
function ties(n: number, k: number, random: () => number): number[] {
  return Array.from({ length: n }, () => Math.floor(random() * k));
}

/** The definition, O((n+m)·(n+m)): max over pooled values of |#{a <= v}/n - #{b <= v}/m|. */
function bruteForceD(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (const v of [...a, ...b]) {
    const fa = a.filter((x) => x <= v).length / a.length;
    const fb = b.filter((x) => x <= v).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

describe('ksTest against the reference vectors (scipy 1.17.1)', () => {
  it('has numeric cases with KS expectations', () => {
    expect(numericCases.length).toBeGreaterThanOrEqual(12);
    for (const c of numericCases) expect(c.ks, c.name).toBeDefined();
  });

  for (const c of numericCases) {
    for (const method of METHODS) {
      it(`${c.name}: ${method}`, () => {
        const expected = c.ks![method];
        const result = ksTest(c.reference, c.current, method);
        expect(result.method).toBe(method);
        expectStatistic(result.statistic, expected.statistic);
        expectPvalue(result.pValue, expected.pvalue);
      });
    }

    it(`${c.name}: the statistic alone, from either order`, () => {
      const expected = c.ks!.asymp.statistic;
      expectStatistic(ksStatistic(c.reference, c.current), expected);
      expectStatistic(ksStatistic(c.current, c.reference), expected);
    });

    it(`${c.name}: auto uses scipy's rule`, () => {
      const n = c.reference.length;
      const m = c.current.length;
      const expectedMethod: KsMethod = Math.max(n, m) <= KS_MAX_AUTO_N ? 'exact' : 'asymp';
      const result = ksTest(c.reference, c.current, 'auto');
      expect(result.method).toBe(expectedMethod);
      expectPvalue(result.pValue, c.ks![expectedMethod].pvalue);
    });
  }
});

describe('kstwoSf, kstwobignSf: the branches the vectors do not reach (scipy 1.17.1 values)', () => {
  // [n, x, scipy.stats.kstwo.sf(x, n)]
  const kstwo: [number, number, number, string][] = [
    [10, 0.45, 0.022891810311718164, 'Pomeranz: n <= 140, 0.754693 < n x^2 <= 4'],
    [60, 0.2, 0.014023403960275127, 'Pomeranz'],
    [140, 0.1, 0.11353657290090946, 'Pomeranz'],
    [60, 0.1, 0.5521961259289287, 'Durbin: n <= 140, n x^2 <= 0.754693'],
    [3, 0.3, 0.8862222222222222, 'Ruben-Gambino: n x <= 1'],
    [50, 0.97, 1.4357959753837688e-76, 'Ruben-Gambino: n x >= n - 1'],
    [200, 0.03, 0.991436524714942, 'Durbin: n > 140, n x^1.5 <= 1.4'],
    [1000, 0.012, 0.9984464668620097, 'Durbin: n > 140, n x^1.5 <= 1.4'],
    [20000, 0.0016, 0.9999999995165078, 'Durbin: n > 140, n x^1.5 <= 1.4'],
    [1000, 0.03, 0.3226902143914636, 'Pelz-Good: n x^1.5 > 1.4'],
    [20000, 0.004, 0.9048968240702959, 'Pelz-Good: n x^1.5 > 1.4'],
    [300000, 0.002, 0.18105935573978393, 'Pelz-Good: n > 1e5'],
    [100, 0.25, 5.408871776434847e-6, '2 smirnov: n <= 140, n x^2 > 4'],
    [200, 0.6, 2.2284451128877564e-69, '2 smirnov: x >= 0.5'],
    [2_000_000, 0.0015, 0.00024657290508461606, 'smirnov approximation: n > 1e6'],
  ];
  for (const [n, x, expected, branch] of kstwo) {
    it(`kstwo.sf(${x}, ${n}) (${branch})`, () => {
      const actual = kstwoSf(x, n);
      expectPvalue(actual, expected);
      // The same algorithms as scipy: far closer than the contract (observed <= 3e-12), which also
      // catches slips in small correction terms such as Pelz-Good's K3 / n^1.5.
      expect(Math.abs(actual - expected) / expected).toBeLessThan(1e-9);
    });
  }

  // [x, scipy.stats.kstwobign.sf(x)], on both sides of the series switch at 0.82
  const kstwobign: [number, number][] = [
    [0.3, 0.9999906941986655],
    [0.82, 0.5119717052984973],
    [0.83, 0.4961909953505036],
    [1.5, 0.022217962616525127],
    [27.0, 0.0],
  ];
  for (const [x, expected] of kstwobign) {
    it(`kstwobign.sf(${x})`, () => expectPvalue(kstwobignSf(x), expected));
  }

  it('Durbin and Pomeranz, both exact, agree where they hand over (n x^2 = 0.754693)', () => {
    for (const n of [10, 27, 60, 140]) {
      const x = Math.sqrt(0.754693 / n);
      const below = kstwoSf(x * (1 - 1e-12), n);
      const above = kstwoSf(x * (1 + 1e-12), n);
      expect(Math.abs(below - above)).toBeLessThan(1e-10);
    }
  });

  it('Pelz-Good agrees with Durbin where they hand over (n x^1.5 = 1.4), within the expansion error', () => {
    for (const n of [141, 171, 1364, 8571]) {
      const x = Math.pow(1.4 / n, 2 / 3);
      const below = kstwoSf(x * (1 - 1e-12), n);
      const above = kstwoSf(x * (1 + 1e-12), n);
      expect(Math.abs(below - above)).toBeLessThan(1e-5);
    }
  });
});

describe('ksStatistic', () => {
  it('counts ties on both sides, as searchsorted(side=right) does', () => {
    // F_a: 1 -> 1/4, 2 -> 3/4, 3 -> 1;  F_b: 1 -> 0, 2 -> 3/4, 3 -> 3/4, 4 -> 1: a gap of 1/4 at 1 and 3.
    expect(ksStatistic([1, 2, 2, 3], [2, 2, 2, 4])).toBe(0.25);
    expect(ksStatistic([5, 5, 5], [5, 5])).toBe(0);
    expect(ksStatistic([0], [1])).toBe(1);
  });

  it('matches the definition on random samples with and without ties', () => {
    const random = rng(7);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(random() * 40);
      const m = 1 + Math.floor(random() * 40);
      const withTies = trial % 2 === 0;
      const a = withTies ? ties(n, 6, random) : normals(n, 0, random);
      const b = withTies ? ties(m, 6, random) : normals(m, 0.3, random);
      expectStatistic(ksStatistic(a, b), bruteForceD(a, b));
    }
  });

  it('is symmetric, in [0, 1], and 0 for identical samples', () => {
    const random = rng(11);
    for (let trial = 0; trial < 30; trial++) {
      const a = normals(5 + Math.floor(random() * 200), 0, random);
      const b = normals(5 + Math.floor(random() * 200), random(), random);
      const d = ksStatistic(a, b);
      expect(ksStatistic(b, a)).toBe(d);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(1);
      expect(ksStatistic(a, [...a].reverse())).toBe(0);
    }
  });

  it('is invariant under a strictly increasing transform', () => {
    const random = rng(13);
    for (let trial = 0; trial < 20; trial++) {
      const a = normals(50 + trial * 7, 0, random);
      const b = normals(40 + trial * 5, 0.5, random);
      const d = ksStatistic(a, b);
      expect(ksStatistic(a.map(Math.exp), b.map(Math.exp))).toBe(d);
      expect(ksStatistic(a.map(Math.atan), b.map(Math.atan))).toBe(d);
    }
  });

  it('takes typed arrays, leaves its inputs alone, and agrees with the sorted fast path', () => {
    const a = new Float64Array([3, 1, 2, 9, -4]);
    const b = [0.5, 7, -1];
    const d = ksStatistic(a, b);
    expect(Array.from(a)).toEqual([3, 1, 2, 9, -4]);
    expect(b).toEqual([0.5, 7, -1]);
    expect(ksStatisticSorted(Float64Array.from(a).sort(), [-1, 0.5, 7])).toBe(d);
  });

  it('propagates NaN, takes infinities, and rejects empty or unsorted input', () => {
    expect(ksStatistic([1, Number.NaN], [1, 2])).toBeNaN();
    expect(ksStatistic([Number.NEGATIVE_INFINITY, 0], [0, Number.POSITIVE_INFINITY])).toBe(0.5);
    expect(() => ksStatistic([], [1])).toThrow(RangeError);
    expect(() => ksStatisticSorted([2, 1], [1])).toThrow(RangeError);
    expect(ksTest([Number.NaN], [1, 2], 'exact').pValue).toBeNaN();
  });
});

describe('ksTest and ksPvalue', () => {
  it('gives D = 0 and p = 1 for identical samples, by every method', () => {
    const sample = normals(300, 0, rng(17));
    for (const method of [...METHODS, 'auto'] as const) {
      const result = ksTest(sample, [...sample], method);
      expect(result.statistic).toBe(0);
      expect(result.pValue).toBe(1);
    }
  });

  it('gives p in [0, 1] and is symmetric in the samples', () => {
    const random = rng(19);
    for (let trial = 0; trial < 20; trial++) {
      const a = normals(2 + Math.floor(random() * 300), 0, random);
      const b = normals(2 + Math.floor(random() * 300), random() * 2, random);
      for (const method of METHODS) {
        const ab = ksTest(a, b, method);
        const ba = ksTest(b, a, method);
        expect(ab.pValue).toBeGreaterThanOrEqual(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
        expect(ba.statistic).toBe(ab.statistic);
        expect(Math.abs(ba.pValue - ab.pValue)).toBeLessThanOrEqual(1e-15);
      }
    }
  });

  it('exact: p is non-increasing over every attainable D', () => {
    for (const [n, m] of [
      [7, 9],
      [20, 20],
      [30, 45],
      [100, 120],
    ] as const) {
      const lcm = (n * m) / gcd(n, m);
      let previous = 1;
      for (let h = 0; h <= lcm; h++) {
        const { pValue: pvalue } = ksPvalue(h / lcm, n, m, 'exact');
        expect(pvalue).toBeGreaterThanOrEqual(0);
        expect(pvalue).toBeLessThanOrEqual(previous);
        previous = pvalue;
      }
    }
  });

  it('asymp and kolmogorov: p is non-increasing in D', () => {
    // scipy's kstwo switches method at n x^2 = 2.2 and n x^1.5 = 1.4 (n > 140); its approximations
    // leave steps of up to ~3e-6 there, which we reproduce rather than smooth.
    const stepTolerance = { asymp: 1e-5, kolmogorov: 0 };
    for (const [n, m] of [
      [5, 7],
      [50, 60],
      [300, 280],
      [400, 300],
      [3000, 2500],
      [20000, 15000],
    ] as const) {
      for (const method of ['asymp', 'kolmogorov'] as const) {
        let previous = 1;
        for (let i = 0; i <= 2000; i++) {
          const { pValue: pvalue } = ksPvalue(i / 2000, n, m, method);
          expect(pvalue).toBeGreaterThanOrEqual(0);
          expect(pvalue).toBeLessThanOrEqual(previous + stepTolerance[method]);
          previous = pvalue;
        }
      }
    }
  });

  it("auto follows scipy's size rule and names the method", () => {
    expect(ksPvalue(0.1, KS_MAX_AUTO_N, 5000, 'auto').method).toBe('exact');
    expect(ksPvalue(0.1, KS_MAX_AUTO_N + 1, 5, 'auto').method).toBe('asymp');
  });

  it('exact falls back to asymp, and says so, when lcm(n, m) reaches 2^31 - 1', () => {
    const result = ksPvalue(0.01, 50_000, 49_999, 'exact');
    expect(result.method).toBe('asymp');
    expect(result.pValue).toBe(ksPvalue(0.01, 50_000, 49_999, 'asymp').pValue);
  });

  it('exact reports D on the lattice h / lcm(n, m)', () => {
    const result = ksPvalue(0.2 + 1e-15, 5, 10, 'exact');
    expect(result.statistic).toBe(2 / 10);
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => ksPvalue(0.1, 0, 5)).toThrow(RangeError);
    expect(() => ksPvalue(0.1, 2.5, 5)).toThrow(RangeError);
  });
});

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

describe("ksPvalue 'auto-bounded'", () => {
  it("takes 'exact' where scipy would and it is cheap, 'asymp' where it would cost more", () => {
    // d * n * m = 0.1 * 300 * 299 = 8970 <= 1e4: exact.
    expect(ksPvalue(0.1, 300, 299, 'auto-bounded')).toEqual(ksPvalue(0.1, 300, 299, 'exact'));
    // d * n * m = 3.6e6 > 1e4.
    const bounded = ksPvalue(0.1, 5000, 7213, 'auto-bounded');
    expect(bounded).toEqual(ksPvalue(0.1, 5000, 7213, 'asymp'));
    expect(bounded.method).toBe('asymp');
    // Above scipy's 10,000 both rules take asymp.
    expect(ksPvalue(0.01, 20_000, 30_000, 'auto-bounded').method).toBe('asymp');
    // Just above the limit.
    expect(ksPvalue(0.1, 300, 334, 'auto-bounded').method).toBe('asymp');
  });
});
