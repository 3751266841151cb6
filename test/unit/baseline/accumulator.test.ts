import { describe, expect, it } from 'vitest';

import { BaselineAccumulator, type AccumulatorOptions } from '../../../src/baseline/accumulator.js';
import type { FeatureType, NumericFeature } from '../../../src/baseline/format.js';
import { completePasses } from '../../../src/baseline/passes.js';
import { classifyCsv, type ClassifiedValue } from '../../../src/baseline/values.js';
import { numericBinCounts, numericCutPoints } from '../../../src/stats/bins.js';
import { quantileSorted } from '../../../src/stats/quantile.js';
import { seededRandom } from '../stats/vectors.js';

type Row = Map<string, ClassifiedValue>;

function options(over: Partial<AccumulatorOptions> = {}): AccumulatorOptions {
  return {
    file: 'train.csv',
    bins: 10,
    ksQuantiles: 50,
    maxCategories: 100,
    memoryLimitBytes: 1 << 30,
    overrides: new Map<string, FeatureType>(),
    exclude: new Set(),
    predictionColumn: null,
    reservoirSize: 500,
    ...over,
  };
}

async function build(rows: Row[], over: Partial<AccumulatorOptions> = {}) {
  const acc = new BaselineAccumulator(options(over));
  rows.forEach((r, i) => acc.addRow(r, i + 2));
  const first = acc.finishFirstPass();
  const passes = await completePasses(first.streamed, over.bins ?? 10, async (visit) => rows.forEach(visit));
  return { features: acc.features(), passes, first };
}

function csvRows(columns: Record<string, string[]>): Row[] {
  const names = Object.keys(columns);
  const n = columns[names[0]!]!.length;
  return Array.from({ length: n }, (_, i) => new Map(names.map((c) => [c, classifyCsv(columns[c]![i]!)])));
}

const rand = seededRandom(11);
const xs = Array.from({ length: 4000 }, () => Math.round(rand() * 1e6) / 100);
const ys = Array.from({ length: 4000 }, () => Math.exp(rand() * 20) * (rand() < 0.5 ? -1 : 1));

describe('BaselineAccumulator', () => {
  it('computes exact cuts, counts, percentiles and KS in memory', async () => {
    const { features, passes } = await build(csvRows({ x: xs.map(String) }));
    expect(passes).toBe(1);
    const f = features[0] as NumericFeature;
    const cuts = numericCutPoints(xs).map((c) => c + 0);
    expect(f.bins.cuts).toEqual(cuts);
    expect(f.bins.counts).toEqual(numericBinCounts(cuts, xs));
    const sorted = Float64Array.from(xs).sort();
    expect(f.percentiles.p50).toBe(quantileSorted(sorted, 0.5));
    expect(f.percentiles.p99).toBe(quantileSorted(sorted, 0.99));
    expect(f.ks.n).toBe(4000);
    expect(f.min).toBe(sorted[0]);
    expect(f.max).toBe(sorted[3999]);
  });

  it('gives the same exact statistics when the values do not fit in memory (multi-pass)', async () => {
    const rows = csvRows({ x: xs.map(String), y: ys.map(String) });
    const mem = await build(rows);
    const streamed = await build(rows, { memoryLimitBytes: 8192 });
    expect(streamed.passes).toBeGreaterThan(2);
    for (let i = 0; i < 2; i++) {
      const a = mem.features[i] as NumericFeature;
      const b = streamed.features[i] as NumericFeature;
      expect(b.bins).toEqual(a.bins);
      expect(b.percentiles).toEqual(a.percentiles);
      expect(b.mean).toBe(a.mean);
      expect(b.ks.kind).toBe('quantile');
      expect(b.ks.counts.reduce((s, c) => s + c, 0)).toBe(4000);
      const values = i === 0 ? xs : ys;
      // Every slot count matches the data.
      const k = 3;
      const e = b.ks.edges[k]!;
      expect(b.ks.counts[2 * k + 1]).toBe(values.filter((v) => v === e).length);
      expect(b.ks.counts[2 * k]).toBe(values.filter((v) => v > b.ks.edges[k - 1]! && v < e).length);
    }
  });

  it('keeps few distinct numbers exactly (KS kind exact) without extra passes', async () => {
    const vals = Array.from({ length: 3000 }, (_, i) => String(i % 7));
    const { features, passes } = await build(csvRows({ d: vals }), { memoryLimitBytes: 1024 });
    expect(passes).toBe(1);
    const f = features[0] as NumericFeature;
    expect(f.ks.kind).toBe('exact');
    expect(f.ks.edges).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const nums = vals.map(Number);
    expect(f.bins.cuts).toEqual(numericCutPoints(nums));
    expect(f.bins.counts).toEqual(numericBinCounts(f.bins.cuts, nums));
  });

  it('infers types, counts nulls, sorts categories, puts __prediction__ last', async () => {
    const { features } = await build(
      csvRows({
        score: ['0.1', '0.9', 'NA', '0.5'],
        c: ['b', 'a', '', 'b'],
        f: ['true', 'False', 'null', 'TRUE'],
      }),
      { predictionColumn: 'score' },
    );
    expect(features.map((f) => [f.name, f.type, f.count, f.nullCount])).toEqual([
      ['c', 'categorical', 3, 1],
      ['f', 'boolean', 3, 1],
      ['__prediction__', 'numeric', 3, 1],
    ]);
    expect(features[0]).toMatchObject({ categories: ['a', 'b'], counts: [1, 2] });
    expect(features[1]).toMatchObject({ categories: ['false', 'true'], counts: [1, 2] });
  });

  it('refuses a mixed column, naming the counts, an example with its line and the fixes', async () => {
    await expect(build(csvRows({ amount: ['1', '2', 'abc', '4'] }))).rejects.toThrow(
      'train.csv: column "amount" mixes kinds of values: 3 numbers, 1 strings (e.g. "abc" on line 4); use --numeric amount',
    );
  });

  it('counts non-fitting values as invalid under an override', async () => {
    const { features } = await build(csvRows({ amount: ['1', '2', 'abc', '4'] }), {
      overrides: new Map([['amount', 'numeric']]),
    });
    expect(features[0]).toMatchObject({ count: 3, invalidCount: 1, nullCount: 0 });
  });

  it('refuses too many categories and excludes an all-null column with a warning', async () => {
    await expect(build(csvRows({ id: ['a', 'b', 'c', 'd'] }), { maxCategories: 3 })).rejects.toThrow(
      'column "id" has more than 3 distinct categories; exclude it with --exclude id',
    );
    const r = await build(csvRows({ a: ['1', '2'], e: ['', 'NA'] }));
    expect(r.first.excluded).toEqual([{ name: 'e', reason: 'no_valid_values' }]);
    expect(r.first.warnings[0]).toContain('column "e" has no valid value');
  });

  it('names the available columns when an option names a missing one', () => {
    const acc = new BaselineAccumulator(options({ predictionColumn: 'nope' }));
    expect(() => acc.declareColumns(['a', 'b'])).toThrow(
      '--prediction-column nope: no such column; the columns are: a, b',
    );
  });
});
