import { describe, expect, it } from 'vitest';

import type { Baseline } from '../../../src/baseline/format.js';
import { PREDICTION_FEATURE } from '../../../src/baseline/format.js';
import { evaluateModel } from '../../../src/evaluate/evaluateModel.js';
import type { DriftThresholds, FeatureEvaluation, ModelEvaluation } from '../../../src/evaluate/types.js';
import {
  categoricalBinCounts,
  categoricalBins,
  numericBinCounts,
  numericCutPoints,
} from '../../../src/stats/bins.js';
import { chiSquareFromCounts } from '../../../src/stats/chiSquare.js';
import { jensenShannonFromCounts } from '../../../src/stats/jensenShannon.js';
import { ksStatistic, ksTest } from '../../../src/stats/ksTwoSample.js';
import { adjustPValues } from '../../../src/stats/multipleTesting.js';
import { psiFromCategories, psiFromSamples } from '../../../src/stats/psi.js';
import { ModelWindow } from '../../../src/windows/modelWindow.js';
import { baselineOf, categoricalFeature, categories, numericFeature } from '../windows/baselineOf.js';
import {
  categoricalCases,
  expectPValue,
  expectStatistic,
  normalSample,
  numericCases,
  seededRandom,
} from '../stats/vectors.js';

const CONTEXT = { source: 'features', windowStart: null, windowEnd: null } as const;

/** Lenient rules, so each test turns on only the rule it checks. */
const RULES: DriftThresholds = {
  psi: Number.POSITIVE_INFINITY,
  pValue: 0,
  correction: 'none',
  minKsStatistic: 0,
  minJsDistance: 0,
  minSamples: 1,
};

/** Feeds one feature event per row of `columns` (feature name -> values; shorter columns are missing). */
function windowOf(baseline: Baseline, columns: Record<string, readonly unknown[]>): ModelWindow {
  const window = new ModelWindow(baseline, { stepMs: null, steps: 1 });
  const rows = Math.max(0, ...Object.values(columns).map((c) => c.length));
  for (let i = 0; i < rows; i++) {
    const features: Record<string, unknown> = {};
    for (const [name, values] of Object.entries(columns)) if (i < values.length) features[name] = values[i];
    window.observe(features, undefined, 0);
  }
  return window;
}

function evaluate(
  baseline: Baseline,
  columns: Record<string, readonly unknown[]>,
  rules: Partial<DriftThresholds> = {},
): ModelEvaluation {
  return evaluateModel(baseline, windowOf(baseline, columns).snapshot(), { ...RULES, ...rules }, CONTEXT);
}

function only(evaluation: ModelEvaluation, name?: string): FeatureEvaluation {
  const f = name === undefined ? evaluation.features[0] : evaluation.features.find((x) => x.feature === name);
  if (f === undefined) throw new Error(`no feature ${name}`);
  return f;
}

/** Every number anywhere in `value` is finite: no NaN (and no infinity) reaches a report. */
function expectFiniteNumbers(value: unknown, path = '$'): void {
  if (typeof value === 'number') expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
  else if (Array.isArray(value)) value.forEach((v, i) => expectFiniteNumbers(v, `${path}[${i}]`));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) expectFiniteNumbers(v, `${path}.${k}`);
  }
}

describe('evaluateModel: the statistics are the stats functions on the raw samples', () => {
  const random = seededRandom(21);

  it('numeric: PSI, JS and KS (D, p-value, method)', () => {
    // Integers, so every current value is a reference value: the KS summary is exact and D_hat is D.
    const reference = normalSample(random, 2000, 50, 10).map(Math.round);
    const current = normalSample(random, 1500, 53, 12).map(Math.round);
    const baseline = baselineOf([numericFeature('amount', reference)]);
    const f = only(evaluate(baseline, { amount: current }));
    expect(f.psi).toBe(psiFromSamples(reference, current, 10));
    const cuts = numericCutPoints(reference, 10);
    expect(f.js_distance).toBe(
      jensenShannonFromCounts(numericBinCounts(cuts, reference), numericBinCounts(cuts, current)),
    );
    // By default the evaluator's 'auto-bounded': at 2000 x 1500 the exact method costs too much.
    const test = ksTest(reference, current, 'asymp');
    expect(f.ks_statistic).toBe(ksStatistic(reference, current));
    expect(f.ks_statistic_error_bound).toBe(0);
    expect(f.ks_pvalue).toBe(test.pValue);
    expect(f.ks_method).toBe('asymp');
    expect(f.ks_pvalue_adjusted).toBe(f.ks_pvalue);
    expect([f.chi2_statistic, f.chi2_pvalue, f.chi2_pvalue_adjusted]).toEqual([null, null, null]);
    expect(f.n_reference).toBe(2000);
    expect(f.n_current).toBe(1500);
    expect(f.verdict).toBe('ok');

    const exact = evaluateModel(baseline, windowOf(baseline, { amount: current }).snapshot(), RULES, {
      ...CONTEXT,
      ksMethod: 'auto',
    });
    expect(only(exact).ks_method).toBe('exact');
    expect(only(exact).ks_pvalue).toBe(ksTest(reference, current).pValue);
  });

  it('categorical: PSI, JS and chi-square over the categories and __other__', () => {
    const reference = categories(random, 1000, [5, 3, 2, 1]);
    const current = categories(random, 700, [4, 4, 2, 1]);
    const baseline = baselineOf([categoricalFeature('country', reference)]);
    const f = only(evaluate(baseline, { country: current }));
    const bins = categoricalBins(reference);
    const refCounts = categoricalBinCounts(bins, reference);
    const curCounts = categoricalBinCounts(bins, current);
    const chi2 = chiSquareFromCounts(refCounts, curCounts)!;
    expect(f.psi).toBe(psiFromCategories(reference, current));
    expect(f.js_distance).toBe(jensenShannonFromCounts(refCounts, curCounts));
    expect(f.chi2_statistic).toBe(chi2.statistic);
    expect(f.chi2_pvalue).toBe(chi2.pValue);
    expect(f.chi2_pvalue_adjusted).toBe(chi2.pValue);
    expect([
      f.ks_statistic,
      f.ks_statistic_error_bound,
      f.ks_pvalue,
      f.ks_pvalue_adjusted,
      f.ks_method,
    ]).toEqual([null, null, null, null, null]);
    expect(f.bins).toEqual(['c0', 'c1', 'c2', 'c3', '__other__']);
    expect(f.reference_proportions).toEqual(refCounts.map((c) => c / 1000));
    expect(f.current_proportions).toEqual(curCounts.map((c) => c / 700));
  });

  it('categorical with unseen values: chi-square not applicable, PSI through __other__', () => {
    const reference = ['a', 'a', 'b', 'b', 'b', 'c'];
    const current = ['a', 'b', 'b', 'zz', 'zz', 'c', 'c', 'a'];
    const f = only(evaluate(baselineOf([categoricalFeature('k', reference)]), { k: current }));
    expect(f.chi2_statistic).toBeNull();
    expect(f.chi2_pvalue).toBeNull();
    expect(f.chi2_pvalue_adjusted).toBeNull();
    expect(f.psi).toBe(psiFromCategories(reference, current));
    expect(f.unseen_ratio).toBe(2 / 8);
    expect(f.quality.unseen).toBe(2);
    expect(f.current_proportions).toEqual([2 / 8, 2 / 8, 2 / 8, 2 / 8]);
    expect(f.reference_proportions).toEqual([2 / 6, 3 / 6, 1 / 6, 0]);
  });

  it('matches every numeric case of the reference vectors through a window', () => {
    for (const c of numericCases) {
      const baseline = baselineOf([
        numericFeature('x', c.reference, { bins: c.bins, quantiles: c.reference.length }),
      ]);
      const f = only(evaluate(baseline, { x: c.current }));
      expectStatistic(f.psi!, c.psi, `${c.name} psi`);
      expectStatistic(f.js_distance!, c.jensen_shannon, `${c.name} js`);
      const d = c.ks.exact.statistic;
      expect(f.ks_statistic!, c.name).toBeLessThanOrEqual(d + 1e-12);
      expect(d, c.name).toBeLessThanOrEqual(f.ks_statistic! + f.ks_statistic_error_bound! + 1e-12);
      expect(f.reference_proportions).toEqual(c.reference_counts.map((n) => n / c.reference.length));
      expect(f.current_proportions).toEqual(c.current_counts.map((n) => n / c.current.length));
    }
  });

  it('matches every categorical case of the reference vectors through a window', () => {
    for (const c of categoricalCases) {
      const f = only(evaluate(baselineOf([categoricalFeature('x', c.reference)]), { x: c.current }));
      expect(f.bins).toEqual(c.categories);
      expectStatistic(f.psi!, c.psi, `${c.name} psi`);
      expectStatistic(f.js_distance!, c.jensen_shannon, `${c.name} js`);
      if (c.chi_square === null) {
        expect(f.chi2_statistic, c.name).toBeNull();
      } else {
        expectStatistic(f.chi2_statistic!, c.chi_square.statistic, `${c.name} chi2`);
        expectPValue(f.chi2_pvalue!, c.chi_square.pvalue, `${c.name} chi2 p`);
      }
    }
  });
});

describe('evaluateModel: verdicts', () => {
  const random = seededRandom(5);
  const reference = normalSample(random, 3000, 0, 1);
  const shifted = normalSample(random, 1000, 0.4, 1);
  const baseline = baselineOf([numericFeature('x', reference)]);
  const snapshot = windowOf(baseline, { x: shifted }).snapshot();
  const psi = only(evaluateModel(baseline, snapshot, RULES, CONTEXT)).psi!;

  it('drifts on PSI just above the threshold, not at or just below it', () => {
    expect(psi).toBeGreaterThan(0.05);
    const above = only(evaluateModel(baseline, snapshot, { ...RULES, psi: psi * (1 - 1e-12) }, CONTEXT));
    expect(above.verdict).toBe('drift');
    expect(above.drift_reasons).toEqual(['psi']);
    const at = only(evaluateModel(baseline, snapshot, { ...RULES, psi }, CONTEXT));
    expect(at.verdict).toBe('ok');
    expect(at.drift_reasons).toEqual([]);
    expect(
      only(evaluateModel(baseline, snapshot, { ...RULES, psi: psi * (1 + 1e-12) }, CONTEXT)).verdict,
    ).toBe('ok');
  });

  it('needs the KS effect size above its floor besides a significant p-value', () => {
    const r = seededRandom(8);
    const big = baselineOf([numericFeature('x', normalSample(r, 20000, 0, 1))]);
    const small = big.features[0]!;
    const snap = windowOf(big, { x: normalSample(r, 20000, 0.08, 1) }).snapshot();
    const rules = { ...RULES, psi: 0.2, pValue: 0.05 };
    const f = only(evaluateModel(big, snap, { ...rules, minKsStatistic: 0.1 }, CONTEXT));
    expect(small.count).toBe(20000);
    expect(f.ks_pvalue!).toBeLessThan(1e-6);
    expect(f.ks_statistic!).toBeLessThan(0.1);
    expect(f.psi!).toBeLessThan(0.2);
    expect(f.ks_method).toBe('asymp');
    expect(f.verdict).toBe('ok');
    const lowFloor = only(
      evaluateModel(big, snap, { ...rules, minKsStatistic: f.ks_statistic! * 0.99 }, CONTEXT),
    );
    expect(lowFloor.verdict).toBe('drift');
    expect(lowFloor.drift_reasons).toEqual(['ks']);
    // A p-value just not below the level: no drift whatever the effect size.
    const level = only(
      evaluateModel(big, snap, { ...rules, minKsStatistic: 0, pValue: f.ks_pvalue! }, CONTEXT),
    );
    expect(level.verdict).toBe('ok');
  });

  it('needs the Jensen–Shannon distance above its floor besides a significant chi-square', () => {
    const r = seededRandom(9);
    const cat = baselineOf([categoricalFeature('k', categories(r, 5000, [4, 3, 2, 1]))]);
    const snap = windowOf(cat, { k: categories(r, 5000, [1, 2, 3, 4]) }).snapshot();
    const base = only(evaluateModel(cat, snap, RULES, CONTEXT));
    expect(base.chi2_pvalue!).toBeLessThan(1e-10);
    const js = base.js_distance!;
    const rules = { ...RULES, pValue: 0.05 };
    const drift = only(evaluateModel(cat, snap, { ...rules, minJsDistance: js * (1 - 1e-12) }, CONTEXT));
    expect(drift.verdict).toBe('drift');
    expect(drift.drift_reasons).toEqual(['chi2']);
    expect(only(evaluateModel(cat, snap, { ...rules, minJsDistance: js }, CONTEXT)).verdict).toBe('ok');
    const both = only(evaluateModel(cat, snap, { ...rules, psi: 0.2, minJsDistance: 0.1 }, CONTEXT));
    expect(both.drift_reasons).toEqual(['psi', 'chi2']);
  });

  it('adjusts the p-values of every tested feature together: none, Bonferroni, BH change a borderline verdict', () => {
    const r = seededRandom(4);
    // a and b hold the same data: two equal p-values, which BH adjusts to 1.5 p and Bonferroni to 3 p.
    const reference = normalSample(r, 300, 0, 1);
    const current = normalSample(r, 300, 0.4, 1);
    const b = baselineOf([
      numericFeature('a', reference),
      numericFeature('b', reference),
      categoricalFeature('c', categories(r, 400, [1, 1, 1])),
      numericFeature('tiny', [1, 2, 3]), // insufficient below: no p-value, not in the family
    ]);
    const snap = windowOf(b, {
      a: current,
      b: current,
      c: categories(r, 400, [1, 1, 1]),
      tiny: [1, 2],
    }).snapshot();
    const raw = evaluateModel(b, snap, { ...RULES, minSamples: 5 }, CONTEXT);
    const [fa, fb, fc, tiny] = raw.features;
    expect(tiny!.verdict).toBe('insufficient_data');
    const pa = fa!.ks_pvalue!;
    const pb = fb!.ks_pvalue!;
    const pc = fc!.chi2_pvalue!;
    const p1 = Math.min(pa, pb, pc);
    expect(pa).toBe(pb);
    expect(p1).toBe(pa);
    expect(pa).toBeLessThan(0.05);
    expect(pc).toBeGreaterThan(1.5 * pa);
    const bh = adjustPValues([pa, pb, pc], 'benjamini-hochberg');
    const bonf = adjustPValues([pa, pb, pc], 'bonferroni');
    const first = [pa, pb, pc].indexOf(p1);
    expect(p1).toBeLessThan(bh[first]!);
    expect(bh[first]!).toBeLessThan(bonf[first]!);

    const adjustedOf = (e: ModelEvaluation): (number | null)[] => [
      e.features[0]!.ks_pvalue_adjusted,
      e.features[1]!.ks_pvalue_adjusted,
      e.features[2]!.chi2_pvalue_adjusted,
      e.features[3]!.ks_pvalue_adjusted,
    ];
    const at = (correction: DriftThresholds['correction'], pValue: number): ModelEvaluation =>
      evaluateModel(b, snap, { ...RULES, minSamples: 5, correction, pValue }, CONTEXT);
    expect(adjustedOf(at('benjamini-hochberg', 0.05))).toEqual([...bh, null]);
    expect(adjustedOf(at('bonferroni', 0.05))).toEqual([...bonf, null]);
    expect(adjustedOf(at('none', 0.05))).toEqual([pa, pb, pc, null]);

    const verdictOfFirst = (correction: DriftThresholds['correction'], pValue: number): string =>
      at(correction, pValue).features[first]!.verdict;
    // A level between the raw and the BH-adjusted p-value: drift only without correction.
    const low = (p1 + bh[first]!) / 2;
    expect(verdictOfFirst('none', low)).toBe('drift');
    expect(verdictOfFirst('benjamini-hochberg', low)).toBe('ok');
    // A level between the BH- and the Bonferroni-adjusted p-value: BH drifts, Bonferroni does not.
    const mid = (bh[first]! + bonf[first]!) / 2;
    expect(verdictOfFirst('none', mid)).toBe('drift');
    expect(verdictOfFirst('benjamini-hochberg', mid)).toBe('drift');
    expect(verdictOfFirst('bonferroni', mid)).toBe('ok');
  });

  it('gives insufficient_data below min_samples in the window or the baseline, statistics null', () => {
    const r = seededRandom(12);
    const b = baselineOf([
      numericFeature('x', normalSample(r, 1000, 0, 1)),
      numericFeature('few', normalSample(r, 150, 0, 1)),
    ]);
    const values = normalSample(r, 200, 3, 1);
    const rules = { ...RULES, psi: 0.2, minSamples: 200 };
    const below = evaluateModel(
      b,
      windowOf(b, { x: values.slice(0, 199), few: values }).snapshot(),
      rules,
      CONTEXT,
    );
    for (const f of below.features) {
      expect(f.verdict).toBe('insufficient_data');
      expect(f.drift_reasons).toEqual([]);
      for (const key of [
        'psi',
        'ks_statistic',
        'ks_statistic_error_bound',
        'ks_pvalue',
        'ks_pvalue_adjusted',
        'ks_method',
        'js_distance',
      ] as const) {
        expect(f[key], `${f.feature}.${key}`).toBeNull();
      }
      expect(f.reference_proportions).toHaveLength(10);
      expect(f.current_proportions).toHaveLength(10);
      expect(f.out_of_range_ratio).not.toBeNull();
    }
    expect(below.features[0]!.n_current).toBe(199);
    expect(below.features[0]!.quality.missing).toBe(1);
    expect(below.features[0]!.null_ratio).toBe(1 / 200);
    expect(below.evaluated_features).toBe(0);
    expect(below.drift_share).toBeNull();
    expect(below.drift).toBe(false);

    const enough = evaluateModel(b, windowOf(b, { x: values, few: values }).snapshot(), rules, CONTEXT);
    expect(enough.features[0]!.verdict).toBe('drift');
    expect(enough.features[0]!.n_current).toBe(200);
    expect(enough.features[1]!.verdict).toBe('insufficient_data'); // the baseline holds 150
    expect(enough.drift_share).toBe(1);
  });

  it('reports the share of drifted features among those with a verdict', () => {
    const r = seededRandom(13);
    const b = baselineOf([
      numericFeature('drifting', normalSample(r, 500, 0, 1)),
      numericFeature('stable', normalSample(r, 500, 0, 1)),
      categoricalFeature('cat', categories(r, 500, [1, 1])),
      numericFeature('empty', normalSample(r, 500, 0, 1)),
    ]);
    const e = evaluate(
      b,
      {
        drifting: normalSample(r, 400, 2, 1),
        stable: normalSample(r, 400, 0, 1),
        cat: categories(r, 400, [1, 1]),
      },
      { psi: 0.2, minSamples: 100 },
    );
    expect(e.features.map((f) => f.verdict)).toEqual(['drift', 'ok', 'ok', 'insufficient_data']);
    expect(e.drifted_features).toBe(1);
    expect(e.evaluated_features).toBe(3);
    expect(e.drift_share).toBe(1 / 3);
    expect(e.drift).toBe(true);
  });
});

describe('evaluateModel: quality, ratios, bins and the model fields', () => {
  it('fills the ratios from the quality counts', () => {
    const b = baselineOf([
      numericFeature(
        'amount',
        Array.from({ length: 100 }, (_, i) => i + 1),
      ),
      categoricalFeature('country', ['DE', 'FR']),
      numericFeature(PREDICTION_FEATURE, [0.1, 0.5, 0.9]),
    ]);
    const w = new ModelWindow(b, { stepMs: null, steps: 1 });
    const rows: [Record<string, unknown>, number | null][] = [
      [{ amount: 0, country: 'DE', other: 1 }, 0.5],
      [{ amount: 150, country: 'XX' }, 0.95],
      [{ amount: 50, country: null }, null],
      [{ amount: null, country: 'FR' }, 0.2],
      [{ amount: 'x' }, 0.3],
    ];
    for (const [features, s] of rows) w.observe(features, s === null ? null : { score: s, label: null }, 0);
    w.observe({ amount: 20, country: 'DE' }, undefined, 0); // a feature event
    const e = evaluateModel(b, w.snapshot(), RULES, {
      source: 'predictions',
      windowStart: 1000,
      windowEnd: 61_000,
    });
    const [amount, country, prediction] = e.features as [
      FeatureEvaluation,
      FeatureEvaluation,
      FeatureEvaluation,
    ];
    expect(amount.n_current).toBe(4);
    expect(amount.null_ratio).toBe(1 / 6); // one null in 6 events
    expect(amount.out_of_range_ratio).toBe(2 / 4); // 0 and 150 outside [1, 100]
    expect(amount.unseen_ratio).toBeNull();
    expect(country.null_ratio).toBe(2 / 6); // one null, one missing
    expect(country.unseen_ratio).toBe(1 / 4);
    expect(country.out_of_range_ratio).toBeNull();
    expect(prediction.quality.events).toBe(5);
    expect(prediction.null_ratio).toBe(1 / 5);
    expect(prediction.out_of_range_ratio).toBe(1 / 4);
    expect(e).toMatchObject({
      model: 'fraud-scorer',
      baseline_id: 'fraud-scorer@0123456789ab',
      source: 'predictions',
      window_start: 1000,
      window_end: 61_000,
      events: 6,
      unknown_features: 1,
    });
  });

  it('labels numeric bins by their cut points and gives raw proportions', () => {
    const b = baselineOf([
      numericFeature(
        'amount',
        Array.from({ length: 100 }, (_, i) => i + 1),
      ),
    ]);
    const f = only(evaluate(b, { amount: [5, 15, 15, 95] }));
    expect(f.bins).toEqual([
      '(-inf, 10.9]',
      '(10.9, 20.8]',
      '(20.8, 30.7]',
      '(30.7, 40.6]',
      '(40.6, 50.5]',
      '(50.5, 60.4]',
      '(60.4, 70.3]',
      '(70.3, 80.2]',
      '(80.2, 90.1]',
      '(90.1, +inf)',
    ]);
    expect(f.reference_proportions).toEqual(Array(10).fill(0.1));
    expect(f.current_proportions).toEqual([0.25, 0.5, 0, 0, 0, 0, 0, 0, 0, 0.25]);
  });

  it('refuses a snapshot counted against another baseline', () => {
    const a = baselineOf([numericFeature('x', [1, 2, 3])]);
    const other = baselineOf([numericFeature('x', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])]);
    const snap = new ModelWindow(a, { stepMs: null, steps: 1 }).snapshot();
    expect(() => evaluateModel(other, snap, RULES, CONTEXT)).toThrow(RangeError);
    expect(() =>
      evaluateModel(baselineOf([numericFeature('x', [1, 2, 3])], 'other'), snap, RULES, CONTEXT),
    ).toThrow(RangeError);
  });
});

describe('evaluateModel: edge cases never produce NaN', () => {
  const constant = Array(300).fill(5);

  const cases: [string, Baseline, Record<string, readonly unknown[]>][] = [
    [
      'every current value in one bin',
      baselineOf([
        numericFeature(
          'x',
          Array.from({ length: 300 }, (_, i) => i),
        ),
      ]),
      { x: Array(300).fill(1000) },
    ],
    [
      'an empty window (every value missing)',
      baselineOf([numericFeature('x', constant)]),
      { y: Array(300).fill(1) },
    ],
    ['no event at all', baselineOf([numericFeature('x', constant), categoricalFeature('c', ['a'])]), {}],
    [
      'a constant baseline, one cut point after merging',
      baselineOf([numericFeature('x', constant)]),
      { x: Array(300).fill(5) },
    ],
    [
      'a constant baseline, values above it',
      baselineOf([numericFeature('x', constant)]),
      { x: Array(300).fill(7) },
    ],
    [
      'a baseline feature with no cut points',
      baselineOf([numericFeature('x', normalSample(seededRandom(1), 300), { bins: 1 })]),
      { x: normalSample(seededRandom(2), 300) },
    ],
    [
      'one category',
      baselineOf([categoricalFeature('c', Array(300).fill('a'))]),
      { c: Array(300).fill('a') },
    ],
    [
      'one category, all unseen',
      baselineOf([categoricalFeature('c', Array(300).fill('a'))]),
      { c: Array(300).fill('b') },
    ],
    [
      'a boolean all true',
      baselineOf([categoricalFeature('b', Array(300).fill('true'), 'boolean')]),
      { b: Array(300).fill(true) },
    ],
  ];

  for (const [name, baseline, columns] of cases) {
    it(name, () => {
      for (const minSamples of [1, 200]) {
        for (const correction of ['none', 'bonferroni', 'benjamini-hochberg'] as const) {
          const e = evaluate(baseline, columns, { minSamples, correction, psi: 0.2, pValue: 0.05 });
          expectFiniteNumbers(e);
        }
      }
    });
  }

  it('gives the expected values at the edges', () => {
    const one = only(evaluate(cases[0]![1], cases[0]![2]));
    expect(one.current_proportions).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(one.ks_statistic).toBe(1);
    expect(one.out_of_range_ratio).toBe(1);

    const empty = only(evaluate(cases[1]![1], cases[1]![2]));
    expect(empty.n_current).toBe(0);
    expect(empty.current_proportions).toEqual([]);
    expect(empty.verdict).toBe('insufficient_data');
    expect(empty.null_ratio).toBe(1);
    expect(empty.out_of_range_ratio).toBeNull();

    const none = evaluate(cases[2]![1], cases[2]![2]);
    expect(none.events).toBe(0);
    expect(none.features.map((f) => [f.null_ratio, f.unseen_ratio, f.verdict])).toEqual([
      [null, null, 'insufficient_data'],
      [null, null, 'insufficient_data'],
    ]);
    expect(none.drift_share).toBeNull();

    const same = only(evaluate(cases[3]![1], cases[3]![2]));
    expect(same.bins).toEqual(['(-inf, 5]', '(5, +inf)']);
    expect([same.psi, same.js_distance, same.ks_statistic, same.ks_pvalue]).toEqual([0, 0, 0, 1]);

    const above = only(evaluate(cases[4]![1], cases[4]![2]));
    expect(above.current_proportions).toEqual([0, 1]);
    expect(above.ks_statistic).toBe(1);

    const noCuts = only(evaluate(cases[5]![1], cases[5]![2]));
    expect(noCuts.bins).toEqual(['(-inf, +inf)']);
    expect([noCuts.psi, noCuts.js_distance]).toEqual([0, 0]);
    expect(noCuts.ks_statistic).toBeGreaterThan(0);

    const single = only(evaluate(cases[6]![1], cases[6]![2]));
    expect(single.chi2_pvalue).toBeNull(); // fewer than two categories compared
    expect(single.psi).toBe(0);

    const unseen = only(evaluate(cases[7]![1], cases[7]![2], { psi: 0.2 }));
    expect(unseen.chi2_pvalue).toBeNull();
    expect(unseen.unseen_ratio).toBe(1);
    expect(unseen.verdict).toBe('drift');
    expect(unseen.drift_reasons).toEqual(['psi']);
  });
});
