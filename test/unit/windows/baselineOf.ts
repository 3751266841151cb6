import type {
  Baseline,
  BaselineFeature,
  CategoricalFeature,
  NumericFeature,
} from '../../../src/baseline/format.js';
import {
  categoricalBinCounts,
  categoricalBins,
  numericBinCounts,
  numericCutPoints,
} from '../../../src/stats/bins.js';
import { buildReferenceSummary } from '../../../src/stats/ksSummary.js';
import { quantileSorted } from '../../../src/stats/quantile.js';

/**
 * Baselines built in memory from arrays with the stats functions, as `driftwatch baseline build`
 * builds them (statistics.md): the window and evaluator tests need baselines without depending on
 * the builder. Shared by test/unit/windows and test/unit/evaluate.
 */

export interface NumericOptions {
  /** PSI bins B asked for (equal cut points merged). Default 10. */
  readonly bins?: number;
  /** Q of the KS summary. Default 1000. */
  readonly quantiles?: number;
}

/** A numeric baseline feature from its reference values (finite numbers). */
export function numericFeature(
  name: string,
  values: readonly number[],
  options: NumericOptions = {},
): NumericFeature {
  const sorted = Float64Array.from(values).sort();
  const cuts = numericCutPoints(sorted, options.bins ?? 10);
  const n = sorted.length;
  let sum = 0;
  for (const x of sorted) sum += x;
  const mean = sum / n;
  let squares = 0;
  for (const x of sorted) squares += (x - mean) ** 2;
  const percentiles: Record<string, number> = {};
  for (const q of [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
    percentiles[String(q)] = quantileSorted(sorted, q);
  return {
    name,
    type: 'numeric',
    rows: n,
    count: n,
    nullCount: 0,
    invalidCount: 0,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean,
    std: Math.sqrt(squares / n),
    percentiles,
    bins: { cuts, counts: numericBinCounts(cuts, sorted) },
    ks: buildReferenceSummary(sorted, { quantiles: options.quantiles ?? 1000 }),
  };
}

/** A categorical (or boolean) baseline feature from its reference values. */
export function categoricalFeature(
  name: string,
  values: readonly string[],
  type: 'categorical' | 'boolean' = 'categorical',
): CategoricalFeature {
  const bins = categoricalBins(values);
  const counts = categoricalBinCounts(bins, values).slice(0, -1);
  return {
    name,
    type,
    rows: values.length,
    count: values.length,
    nullCount: 0,
    invalidCount: 0,
    categories: bins.categories,
    counts,
  };
}

/** A baseline of model `model` holding `features` in this order. */
export function baselineOf(features: readonly BaselineFeature[], model = 'fraud-scorer'): Baseline {
  return {
    id: `${model}@0123456789ab`,
    model,
    modelVersions: [],
    createdAt: '2026-11-21T10:00:00.000Z',
    builtBy: '0.1.0',
    source: {
      file: 'train.csv',
      sha256: '0123456789ab'.padEnd(64, '0'),
      bytes: 1,
      format: 'csv',
      gzip: false,
      rows: 1,
    },
    options: { bins: 10, ksQuantiles: 1000, predictionColumn: null },
    features,
  };
}

/** n integers in [0, k) from `random`, as strings "c0".."c{k-1}" weighted by `weights` when given. */
export function categories(random: () => number, n: number, weights: readonly number[]): string[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let u = random() * total;
    let k = 0;
    while (k < weights.length - 1 && u >= weights[k]!) u -= weights[k++]!;
    out.push(`c${k}`);
  }
  return out;
}
