/**
 * The baseline: what a model's training data looked like, feature by feature, as
 * `driftwatch baseline build` writes it and the daemon and `replay` load it (PRODUCT.md §3,
 * docs/baselines.md). These are the runtime types (camelCase); the file is JSON with
 * snake_case keys, written by `serializeBaseline` and read back, validated, by
 * `parseBaseline` (baseline/validate.ts). Immutable once built.
 */

import type { KsReferenceSummary } from '../stats/ksSummary.js';

/** The `format` field of every baseline file: tells a baseline from any other JSON. */
export const BASELINE_FORMAT = 'driftwatch-baseline';

/** The version this code writes and the only one it reads; bumped on any incompatible change. */
export const BASELINE_VERSION = 1;

/** The pseudo-feature that monitors a model's output (PRODUCT.md §2). */
export const PREDICTION_FEATURE = '__prediction__';

/** How a feature's values are compared: numeric (PSI on quantile bins, KS) or by category (PSI, chi-square). */
export type FeatureType = 'numeric' | 'categorical' | 'boolean';

interface FeatureCommon {
  readonly name: string;
  /** Rows of the training file that had the column (or the key). */
  readonly rows: number;
  /** Valid observations: the reference size n of every statistic. */
  readonly count: number;
  /** Rows whose value was missing or null (null tokens of CSV included). */
  readonly nullCount: number;
  /** Rows whose value was present but not a valid observation of the type (NaN, Infinity, a string in a numeric column forced numeric). */
  readonly invalidCount: number;
}

/** The PSI bins of a numeric feature (statistics.md): cut points and the reference's count per bin. */
export interface NumericBins {
  /** Ascending, distinct cut points c_1..c_last; bin i holds x with exactly i cuts strictly below x. */
  readonly cuts: readonly number[];
  /** cuts.length + 1 reference counts. */
  readonly counts: readonly number[];
}

export interface NumericFeature extends FeatureCommon {
  readonly type: 'numeric';
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation (ddof 0). */
  readonly std: number;
  /** Quantiles at 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99 (numpy 'linear'), for people reading the file. */
  readonly percentiles: Readonly<Record<string, number>>;
  readonly bins: NumericBins;
  /** The KS reference summary (stats/ksSummary.ts). */
  readonly ks: KsReferenceSummary;
}

/**
 * A categorical or boolean feature. Boolean values are the categories "false" and "true".
 * PSI bins are `categories` then `__other__` (statistics.md), the baseline's `__other__` count is 0.
 */
export interface CategoricalFeature extends FeatureCommon {
  readonly type: 'categorical' | 'boolean';
  /** Distinct categories in code point order (`compareCodePoints`). */
  readonly categories: readonly string[];
  /** categories.length counts, in the same order. */
  readonly counts: readonly number[];
}

export type BaselineFeature = NumericFeature | CategoricalFeature;

/** Where the baseline came from. */
export interface BaselineSource {
  /** The input's file name as given (no directory). */
  readonly file: string;
  /** Hex SHA-256 of the input's bytes as stored (compressed bytes for .gz). */
  readonly sha256: string;
  readonly bytes: number;
  readonly format: 'csv' | 'jsonl';
  readonly gzip: boolean;
  /** Data rows read (header excluded). */
  readonly rows: number;
  /** Rows skipped as malformed under `--skip-bad-rows` (not in `rows`); absent in a file means 0. */
  readonly skippedRows?: number;
}

/** The options the baseline was built with, kept so a rebuild can reproduce it. */
export interface BaselineBuildOptions {
  /** B, the number of PSI quantile bins asked for (equal cut points are merged). */
  readonly bins: number;
  /** Q of the KS summaries. */
  readonly ksQuantiles: number;
  /** The training column monitored as `__prediction__`, or null. */
  readonly predictionColumn: string | null;
}

export interface Baseline {
  /** `<model>@<first 12 hex of the source's sha256>`: the `baseline_id` label of driftwatch_baseline_info. */
  readonly id: string;
  readonly model: string;
  /** Model versions this baseline applies to; empty means every version. */
  readonly modelVersions: readonly string[];
  /** RFC 3339 time of the build. */
  readonly createdAt: string;
  /** driftwatch version that built it. */
  readonly builtBy: string;
  readonly source: BaselineSource;
  readonly options: BaselineBuildOptions;
  /** In the order of the training file's columns, `__prediction__` last when present. */
  readonly features: readonly BaselineFeature[];
  /** Columns of the training file that are not features, and why; absent in a file means none. */
  readonly excluded?: readonly ExcludedColumn[];
}

/** A column left out of a baseline: by `--exclude`, or because it held no valid value. */
export interface ExcludedColumn {
  readonly name: string;
  readonly reason: 'excluded_by_option' | 'no_valid_values';
}
