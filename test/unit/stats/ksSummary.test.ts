import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KS_QUANTILES,
  KS_SUMMARY_VERSION,
  addToWindow,
  buildReferenceSummary,
  coarsenSummary,
  emptyWindowCounts,
  ksFromSummary,
  mergeCounts,
  validateReferenceSummary,
  type KsReferenceSummary,
  type KsWindowCounts,
} from '../../../src/stats/ksSummary.js';
import { numericCutPoints } from '../../../src/stats/bins.js';
import { ksPvalue, ksStatisticSorted, ksTest, type KsMethod } from '../../../src/stats/ksTwoSample.js';
import { seededRandom } from './vectors.js';

const rng = seededRandom;

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function sample(n: number, draw: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out.sort();
}

function countAll(summary: KsReferenceSummary, values: ArrayLike<number>): Uint32Array {
  const counts = emptyWindowCounts(summary);
  for (let i = 0; i < values.length; i++) addToWindow(summary, counts, values[i]!);
  return counts;
}

function distinctCount(sorted: Float64Array): number {
  let d = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i - 1] !== sorted[i]) d++;
  return d;
}

/**
 * The size corollary of the module comment, recomputed here from the slots: the bound is at most
 * max over cells of min(reference mass, current mass) in (e_{k-1}, e_k].
 */
function halfOpenCellLimit(summary: KsReferenceSummary, counts: ArrayLike<number>): number {
  const n = summary.n;
  let m = 0;
  for (let i = 0; i < counts.length; i++) m += counts[i]!;
  let limit = 0;
  for (let k = 0; k <= summary.edges.length; k++) {
    const r = summary.counts[2 * k]! + (summary.counts[2 * k + 1] ?? 0);
    const c = counts[2 * k]! + (counts[2 * k + 1] ?? 0);
    if (summary.counts[2 * k]! > 0 || counts[2 * k]! > 0) limit = Math.max(limit, Math.min(r / n, c / m));
  }
  return limit;
}

type Family = { name: string; ref: (r: () => number) => number; cur: (r: () => number) => number };

const FAMILIES: readonly Family[] = [
  { name: 'normal vs normal', ref: normal, cur: normal },
  { name: 'normal vs shifted 0.3', ref: normal, cur: (r) => normal(r) + 0.3 },
  { name: 'normal vs shifted 3', ref: normal, cur: (r) => normal(r) + 3 },
  { name: 'normal vs scaled 2', ref: normal, cur: (r) => 2 * normal(r) },
  { name: 'normal vs scaled 0.05', ref: normal, cur: (r) => 0.05 * normal(r) },
  { name: 'heavy tails: cauchy vs normal', ref: (r) => Math.tan(Math.PI * (r() - 0.5)), cur: normal },
  {
    name: 'ties: 5 levels vs 5 shifted weights',
    ref: (r) => Math.floor(5 * r()),
    cur: (r) => Math.floor(5 * r() ** 1.3),
  },
  { name: 'ties: 40 levels vs 41', ref: (r) => Math.floor(40 * r()), cur: (r) => Math.floor(41 * r()) },
  {
    name: 'ties: 3000 levels vs 3000',
    ref: (r) => Math.floor(3000 * r()),
    cur: (r) => Math.floor(3000 * r()),
  },
  {
    name: 'ties: rounded normal vs unrounded',
    ref: (r) => Math.round(10 * normal(r)) / 10,
    cur: (r) => normal(r) + 0.1,
  },
  {
    name: 'ties: spike at 0 plus normal',
    ref: (r) => (r() < 0.3 ? 0 : normal(r)),
    cur: (r) => (r() < 0.5 ? 0 : normal(r)),
  },
  { name: 'disjoint: current above', ref: normal, cur: (r) => 100 + normal(r) },
  { name: 'disjoint: current below', ref: normal, cur: (r) => -100 + normal(r) },
  { name: 'current inside one narrow range', ref: normal, cur: (r) => 0.5 + 1e-4 * r() },
];

const SIZES: readonly [number, number][] = [
  [50, 50],
  [50, 2_000],
  [1_000, 300],
  [20_000, 5_000],
  [200_000, 200_000],
];

const QS = [10, 100, 1000] as const;

describe('ksFromSummary: the true D lies in [D_hat, D_hat + bound]', () => {
  let seed = 1;
  for (const family of FAMILIES) {
    for (const [n, m] of SIZES) {
      const caseSeed = seed++;
      it(`${family.name}, n=${n}, m=${m}, Q in {${QS.join(', ')}}`, () => {
        const random = rng(caseSeed);
        const ref = sample(n, () => family.ref(random));
        const cur = sample(m, () => family.cur(random));
        const d = ksStatisticSorted(ref, cur);
        for (const q of QS) {
          const summary = buildReferenceSummary(ref, { quantiles: q });
          expect(summary.kind).toBe(distinctCount(ref) <= q + 1 ? 'exact' : 'quantile');
          expect(summary.edges.length).toBeLessThanOrEqual(q + 1);
          const counts = countAll(summary, cur);
          const result = ksFromSummary(summary, counts, 'asymp');
          const { statistic, statisticErrorBound: bound } = result;
          // No tolerance: the module makes both inequalities hold for the computed numbers.
          expect(statistic, `Q=${q}`).toBeLessThanOrEqual(d);
          expect(d, `Q=${q}`).toBeLessThanOrEqual(statistic + bound);
          expect(bound).toBeGreaterThanOrEqual(0);
          expect(bound).toBeLessThanOrEqual(halfOpenCellLimit(summary, counts) + 1e-15);
          expect(result.nReference).toBe(n);
          expect(result.nCurrent).toBe(m);
          // The p-value is the test's at D_hat.
          expect(result.pValue).toBe(ksPvalue(statistic, n, m, 'asymp').pValue);
        }
      });
    }
  }
});

describe('ksFromSummary: the bound is the tightest the counts allow', () => {
  /**
   * Moves the current values of the cell where D_up is reached to the worst place the counts allow
   * (all above, or all below, that cell's reference values): the counts stay the same, and the true
   * D of the new sample must reach D_hat + bound.
   */
  function worstCase(ref: Float64Array, cur: Float64Array, s: KsReferenceSummary): Float64Array {
    const counts = countAll(s, cur);
    const n = s.n;
    const m = cur.length;
    let a = 0;
    let b = 0;
    let best = -1;
    let where: { k: number; refFirst: boolean } | null = null;
    for (let k = 0; k <= s.edges.length; k++) {
      const r = s.counts[2 * k]!;
      const c = counts[2 * k]!;
      if (r > 0 && (a + r) / n - b / m > best) [best, where] = [(a + r) / n - b / m, { k, refFirst: true }];
      if (c > 0 && (b + c) / m - a / n > best) [best, where] = [(b + c) / m - a / n, { k, refFirst: false }];
      if (k === s.edges.length) break;
      a += r + s.counts[2 * k + 1]!;
      b += c + counts[2 * k + 1]!;
    }
    if (where === null) return cur;
    const lo = where.k === 0 ? -Infinity : s.edges[where.k - 1]!;
    const hi = where.k === s.edges.length ? Infinity : s.edges[where.k]!;
    const inside = ref.filter((x) => x > lo && x < hi);
    let target: number;
    if (where.refFirst) {
      const from = inside.length > 0 ? inside[inside.length - 1]! : lo;
      target = hi === Infinity ? from + 1 : (from + hi) / 2;
    } else {
      const to = inside.length > 0 ? inside[0]! : hi;
      target = lo === -Infinity ? to - 1 : (lo + to) / 2;
    }
    return Float64Array.from(cur, (x) => (x > lo && x < hi ? target : x)).sort();
  }

  it('some current sample with the same counts has D = D_hat + bound', () => {
    const random = rng(99);
    let positive = 0;
    for (let trial = 0; trial < 60; trial++) {
      const n = 50 + Math.floor(random() * 3000);
      const m = 20 + Math.floor(random() * 3000);
      const shift = random() - 0.5;
      const ref = sample(n, () => normal(random));
      const cur = sample(m, () => normal(random) * (0.5 + random()) + shift);
      const s = buildReferenceSummary(ref, { quantiles: [10, 100, 1000][trial % 3]! });
      const moved = worstCase(ref, cur, s);
      const before = ksFromSummary(s, countAll(s, cur), 'asymp');
      const after = ksFromSummary(s, countAll(s, moved), 'asymp');
      expect(after.statistic).toBe(before.statistic);
      expect(after.statisticErrorBound).toBe(before.statisticErrorBound);
      const dMoved = ksStatisticSorted(ref, moved);
      expect(dMoved).toBeLessThanOrEqual(before.statistic + before.statisticErrorBound);
      expect(dMoved).toBeGreaterThanOrEqual(before.statistic + before.statisticErrorBound - 1e-12);
      if (before.statisticErrorBound > 0) positive++;
    }
    expect(positive).toBeGreaterThan(40);
  });
});

describe('ksFromSummary: the bound is small for continuous data', () => {
  it('a quantile cell holds at most ceil((n-1)/Q) reference values, so bound <= (ceil((n-1)/Q) + 1)/n', () => {
    const random = rng(5);
    for (const n of [1_002, 5_000, 33_333, 100_000]) {
      const ref = sample(n, () => normal(random));
      expect(distinctCount(ref)).toBe(n);
      for (const q of QS) {
        const s = buildReferenceSummary(ref, { quantiles: q });
        expect(s.kind).toBe('quantile');
        const perCell = Math.ceil((n - 1) / q);
        for (let k = 0; k <= s.edges.length; k++) expect(s.counts[2 * k]!).toBeLessThanOrEqual(perCell);
        for (const shift of [0, 0.2, 1]) {
          const cur = sample(2_000 + Math.floor(random() * 50_000), () => normal(random) * 1.3 + shift);
          const result = ksFromSummary(s, countAll(s, cur), 'asymp');
          expect(result.statisticErrorBound).toBeLessThanOrEqual((perCell + 1) / n);
        }
      }
    }
  });

  it('with Q = 1000 and n = 100,000 the bound is below 1/Q + 2/n = 0.00102 and D is within it', () => {
    const random = rng(6);
    const q = 1000;
    const n = 100_000;
    const ref = sample(n, () => normal(random));
    const s = buildReferenceSummary(ref, { quantiles: q });
    for (const [shift, scale] of [
      [0, 1],
      [0.05, 1],
      [0.5, 1],
      [0, 1.5],
    ] as const) {
      const cur = sample(100_000, () => normal(random) * scale + shift);
      const result = ksFromSummary(s, countAll(s, cur), 'asymp');
      expect(result.statisticErrorBound).toBeLessThan(1 / q + 2 / n);
      expect(result.statisticErrorBound).toBeGreaterThan(0);
      const d = ksStatisticSorted(ref, cur);
      expect(d - result.statistic).toBeLessThanOrEqual(result.statisticErrorBound);
    }
  });
});

describe('ksFromSummary: an exact summary', () => {
  const METHODS: readonly KsMethod[] = ['exact', 'asymp', 'kolmogorov'];

  it('gives bound 0 and the full-sample test when every current value is a reference value', () => {
    const random = rng(3);
    for (let trial = 0; trial < 30; trial++) {
      const levels = 2 + Math.floor(random() * 60);
      const n = 30 + Math.floor(random() * 5_000);
      const ref = sample(n, () => Math.floor(random() * levels) / 7);
      const s = buildReferenceSummary(ref, { quantiles: DEFAULT_KS_QUANTILES });
      expect(s.kind).toBe('exact');
      // Drawn from the reference itself, with a different weighting.
      const cur = sample(10 + Math.floor(random() * 2_000), () => ref[Math.floor(random() ** 1.5 * n)]!);
      const counts = countAll(s, cur);
      for (const method of METHODS) {
        const result = ksFromSummary(s, counts, method);
        const full = ksTest(ref, cur, method);
        expect(result.statisticErrorBound).toBe(0);
        expect(result.statistic).toBe(ksStatisticSorted(ref, cur));
        expect(result.method).toBe(full.method);
        expect(result.pValue).toBe(full.pValue);
      }
    }
  });

  it('keeps small continuous references whole, and then only values off them widen the bound', () => {
    const random = rng(4);
    const ref = sample(800, () => normal(random));
    const s = buildReferenceSummary(ref);
    expect(s.kind).toBe('exact');
    expect(s.edges).toEqual(Array.from(ref));
    const onRef = sample(500, () => ref[Math.floor(random() * 800)]!);
    expect(ksFromSummary(s, countAll(s, onRef)).statisticErrorBound).toBe(0);
    const offRef = sample(500, () => normal(random));
    const result = ksFromSummary(s, countAll(s, offRef));
    // Each open cell is capped by the reference value that closes it: 1/n (here reached, up to rounding).
    expect(result.statisticErrorBound).toBeGreaterThan(0);
    expect(result.statisticErrorBound).toBeLessThanOrEqual(1 / 800 + 1e-15);
  });
});

describe('buildReferenceSummary', () => {
  it('keeps the distinct values and their counts when there are at most Q + 1', () => {
    const s = buildReferenceSummary([1, 2, 2, 3], { quantiles: 10 });
    expect(s).toEqual({
      version: KS_SUMMARY_VERSION,
      kind: 'exact',
      quantiles: 10,
      n: 4,
      edges: [1, 2, 3],
      counts: [0, 1, 0, 2, 0, 1, 0],
    });
  });

  it('takes numpy-linear quantiles at k/Q otherwise, with exact counts in every cell', () => {
    const ref = Array.from({ length: 100 }, (_, i) => i);
    const s = buildReferenceSummary(ref, { quantiles: 10 });
    expect(s.kind).toBe('quantile');
    expect(s.edges).toHaveLength(11);
    expect(s.edges[0]).toBe(0);
    expect(s.edges[1]).toBeCloseTo(9.9, 12);
    expect(s.edges[10]).toBe(99);
    // {0}, then 1..9 inside (0, 9.9), nothing at 9.9, 10..19 inside (9.9, 19.8), ...
    expect(s.counts.slice(0, 5)).toEqual([0, 1, 9, 0, 10]);
    expect(s.counts.reduce((x, y) => x + y, 0)).toBe(100);
    expect(s.counts[s.counts.length - 1]).toBe(0);
    expect(s.counts[s.counts.length - 2]).toBe(1);
  });

  it('holds the PSI cut points among its edges when Q is a multiple of the bin count', () => {
    const random = rng(14);
    const ref = sample(50_000, () => Math.round(1000 * normal(random)) / 100);
    const s = buildReferenceSummary(ref, { quantiles: 1000 });
    expect(s.kind).toBe('quantile');
    const edges = new Set(s.edges);
    for (const bins of [4, 10, 20])
      for (const cut of numericCutPoints(ref, bins)) expect(edges.has(cut)).toBe(true);
  });

  it('puts values equal to an edge in its point slot, and ±Infinity in the outer cells', () => {
    const s = buildReferenceSummary([1, 2, 3]);
    const counts = emptyWindowCounts(s);
    for (const x of [2, 2.5, -Infinity, Infinity, 0, 3]) addToWindow(s, counts, x);
    expect(Array.from(counts)).toEqual([2, 0, 0, 1, 1, 1, 1]);
  });

  it('refuses empty, unsorted or non-finite references and a bad Q', () => {
    expect(() => buildReferenceSummary([])).toThrow(RangeError);
    expect(() => buildReferenceSummary([2, 1])).toThrow(/not sorted/);
    expect(() => buildReferenceSummary([1, Number.NaN])).toThrow(/not finite/);
    expect(() => buildReferenceSummary([1, Infinity])).toThrow(/not finite/);
    expect(() => buildReferenceSummary([1], { quantiles: 0 })).toThrow(/quantiles/);
    expect(() => buildReferenceSummary([1], { quantiles: 2.5 })).toThrow(/quantiles/);
  });

  it('refuses NaN in the window, windows of the wrong length and empty windows', () => {
    const s = buildReferenceSummary([1, 2, 3]);
    expect(() => addToWindow(s, emptyWindowCounts(s), Number.NaN)).toThrow(/NaN/);
    expect(() => ksFromSummary(s, new Uint32Array(3))).toThrow(/slots/);
    expect(() => ksFromSummary(s, emptyWindowCounts(s))).toThrow(/empty/);
    expect(() => ksFromSummary(s, [0, 0.5, 0, 0, 0, 0, 0])).toThrow(/count 1/);
  });
});

describe('mergeCounts', () => {
  it('summing per-step counts equals counting the concatenated sample', () => {
    const random = rng(8);
    const ref = sample(20_000, () => Math.round(100 * normal(random)) / 50);
    const s = buildReferenceSummary(ref, { quantiles: 100 });
    const steps: Float64Array[] = [];
    for (let i = 0; i < 12; i++)
      steps.push(sample(Math.floor(random() * 3_000), () => normal(random) + i / 20));
    const intoU32 = emptyWindowCounts(s);
    const intoF64: KsWindowCounts = new Float64Array(intoU32.length);
    for (const step of steps.reverse()) {
      const counts = countAll(s, step);
      mergeCounts(intoU32, counts);
      mergeCounts(intoF64, counts);
    }
    const all = Float64Array.from(steps.flatMap((x) => Array.from(x)));
    const direct = countAll(s, all);
    expect(Array.from(intoU32)).toEqual(Array.from(direct));
    expect(Array.from(intoF64)).toEqual(Array.from(direct));
    expect(ksFromSummary(s, intoF64)).toEqual(ksFromSummary(s, direct));
  });

  it('refuses mismatched lengths and Uint32 overflow, leaving the window unchanged', () => {
    expect(() => mergeCounts(new Uint32Array(3), new Uint32Array(5))).toThrow(/merge/);
    const into = Uint32Array.of(1, 0xffff_fff0, 2);
    expect(() => mergeCounts(into, [1, 0x10, 1])).toThrow(/overflow/);
    expect(Array.from(into)).toEqual([1, 0xffff_fff0, 2]);
    const wide = Float64Array.of(1, 0xffff_fff0, 2);
    mergeCounts(wide, [1, 0x10, 1]);
    expect(wide[1]).toBe(0x1_0000_0000);
    const s = buildReferenceSummary([1]);
    const full = Uint32Array.of(0xffff_ffff, 0, 0);
    expect(() => addToWindow(s, full, 0)).toThrow(/overflow/);
    expect(full[0]).toBe(0xffff_ffff);
  });
});

describe('validateReferenceSummary', () => {
  const good = buildReferenceSummary(
    sample(5_000, rng(12)).map((x) => Math.floor(x * 3000)),
    { quantiles: 100 },
  );
  const exact = buildReferenceSummary([1, 2, 2, 3]);
  const path = 'features.amount.ks';
  const cases: [string, unknown, string][] = [
    ['not an object', [1, 2], `${path}:`],
    ['null', null, `${path}:`],
    ['no version', { ...good, version: undefined }, `${path}.version`],
    ['a future version', { ...good, version: 2 }, `${path}.version`],
    ['an unknown kind', { ...good, kind: 'sketch' }, `${path}.kind`],
    ['Q not an integer', { ...good, quantiles: 10.5 }, `${path}.quantiles`],
    ['n zero', { ...good, n: 0 }, `${path}.n`],
    ['n a string', { ...good, n: '5000' }, `${path}.n`],
    ['edges missing', { ...good, edges: undefined }, `${path}.edges`],
    ['edges empty', { ...good, edges: [], counts: [good.n] }, `${path}.edges`],
    ['more than Q + 1 edges', { ...good, quantiles: 5 }, `${path}.edges`],
    [
      'an edge not a number',
      { ...good, edges: good.edges.map((e, i) => (i === 3 ? null : e)) },
      `${path}.edges[3]`,
    ],
    [
      'edges out of order',
      { ...good, edges: good.edges.map((e, i) => (i === 2 ? good.edges[1] : e)) },
      `${path}.edges[2]`,
    ],
    ['counts missing', { ...good, counts: 'x' }, `${path}.counts`],
    ['counts of the wrong length', { ...good, counts: good.counts.slice(1) }, `${path}.counts`],
    [
      'a negative count',
      { ...good, counts: good.counts.map((c, i) => (i === 4 ? -1 : c)) },
      `${path}.counts[4]`,
    ],
    [
      'a fractional count',
      { ...good, counts: good.counts.map((c, i) => (i === 7 ? c + 0.5 : c)) },
      `${path}.counts[7]`,
    ],
    ['counts not adding up to n', { ...good, n: good.n + 1 }, `${path}.counts`],
    ['an exact summary with an open cell', { ...exact, counts: [1, 0, 0, 2, 0, 1, 0] }, `${path}.counts[0]`],
  ];
  for (const [what, value, field] of cases) {
    it(`refuses ${what}, naming ${field}`, () => {
      expect(() => validateReferenceSummary(value, path)).toThrow(RangeError);
      expect(() => validateReferenceSummary(value, path)).toThrow(field);
    });
  }

  it('accepts what buildReferenceSummary makes, after a JSON round trip, with the same results', () => {
    const random = rng(13);
    const ref = sample(30_000, () => (random() < 0.2 ? -0 : normal(random)));
    const cur = sample(4_000, () => normal(random) + 0.1);
    for (const s of [
      good,
      exact,
      buildReferenceSummary(ref),
      buildReferenceSummary(ref, { quantiles: 10 }),
    ]) {
      const back = validateReferenceSummary(JSON.parse(JSON.stringify(s)));
      expect(back).toEqual(s);
      const values = s === exact ? [1, 2, 2.5] : cur;
      expect(ksFromSummary(back, countAll(back, values))).toEqual(ksFromSummary(s, countAll(s, values)));
    }
  });
});

describe('coarsenSummary', () => {
  let seed = 100;
  for (const family of FAMILIES) {
    it(`${family.name}: exact counts, at most Q + 1 edges, and the true D still within the bound`, () => {
      const random = rng(seed++);
      const ref = sample(3000, () => family.ref(random));
      const cur = sample(2000, () => family.cur(random));
      const d = ksStatisticSorted(ref, cur);
      const fine = buildReferenceSummary(ref, { quantiles: 1000 });
      for (const q of [1, 7, 50, 100]) {
        const coarse = coarsenSummary(fine, q);
        expect(coarse.edges.length).toBeLessThanOrEqual(2 * q + 2);
        expect(coarse.edges[0]).toBe(fine.edges[0]);
        expect(coarse.edges.at(-1)).toBe(fine.edges.at(-1));
        // Its counts are the reference's own in its cells: the summary built on these edges.
        expect(validateReferenceSummary(coarse)).toEqual(coarse);
        const direct = countAll({ ...coarse, counts: new Array<number>(coarse.counts.length).fill(0) }, ref);
        expect(coarse.counts).toEqual([...direct]);
        const result = ksFromSummary(coarse, countAll(coarse, cur), 'asymp');
        expect(result.statistic).toBeLessThanOrEqual(d);
        expect(d).toBeLessThanOrEqual(result.statistic + result.statisticErrorBound);
        if (distinctCount(ref) > 100 && q === 100)
          expect(result.statisticErrorBound).toBeLessThan(1 / q + 2 / 3000 + 0.01);
      }
    });
  }

  it('returns a summary that already has few enough edges as it is', () => {
    const small = buildReferenceSummary([1, 2, 2, 3], { quantiles: 1000 });
    expect(coarsenSummary(small, 10)).toBe(small);
  });

  it('refuses a resolution that is not a positive integer', () => {
    const small = buildReferenceSummary([1, 2, 3]);
    expect(() => coarsenSummary(small, 0)).toThrow(RangeError);
    expect(() => coarsenSummary(small, 2.5)).toThrow(RangeError);
  });
});
