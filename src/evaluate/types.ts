/**
 * What the evaluator takes (thresholds) and returns (evaluations). The same objects feed the
 * daemon's gauges, its status API and `replay`'s JSON report, so that all three say the same
 * thing. Field names are the report's (snake_case): an evaluation is serialised as it is.
 */

import type { FeatureType } from '../baseline/format.js';
import type { KsMethod } from '../stats/ksTwoSample.js';
import type { CorrectionMethod } from '../stats/multipleTesting.js';

/** How p-values are adjusted across a model's features: a method of stats/multipleTesting.ts, or none. */
export type Correction = CorrectionMethod | 'none';

/** The verdict rules of one model (config `models[].drift`, docs/config.md). */
export interface DriftThresholds {
  /** PSI above this is drift. Default 0.2. */
  readonly psi: number;
  /** Adjusted KS / chi-square p-value below this, with the effect-size floor, is drift. Default 0.05. */
  readonly pValue: number;
  /** Default 'benjamini-hochberg'. */
  readonly correction: Correction;
  /** Numeric features: the KS D the p-value test also needs. Default 0.1. */
  readonly minKsStatistic: number;
  /** Categorical features: the Jensen–Shannon distance the p-value test also needs. Default 0.1. */
  readonly minJsDistance: number;
  /** A window (and a reference) with fewer valid values is `insufficient_data`. Default 200. */
  readonly minSamples: number;
}

export type Verdict = 'ok' | 'drift' | 'insufficient_data';

/** Why a feature's verdict is `drift`: which rule fired. */
export type DriftReason = 'psi' | 'ks' | 'chi2';

/** Data-quality counts of a feature over the window: every event the model received on the source. */
export interface FeatureQuality {
  /** Events seen for the model (valid or not for this feature). */
  readonly events: number;
  /** The feature was absent from the event. */
  readonly missing: number;
  /** The feature was null. */
  readonly null: number;
  /** NaN or ±Infinity. */
  readonly nan: number;
  /** A value of the wrong JSON type (a string for a numeric feature, an object, ...). */
  readonly wrong_type: number;
  /** Numeric values outside the baseline's [min, max]: valid, counted in the statistics. */
  readonly out_of_range: number;
  /** Categories the baseline never saw: valid, counted in `__other__`. */
  readonly unseen: number;
}

/** One feature's evaluation: the report's `features[]` entry and the source of its gauges. */
export interface FeatureEvaluation {
  readonly feature: string;
  readonly type: FeatureType;
  readonly n_reference: number;
  /** Valid values in the window: the statistics' current sample size. */
  readonly n_current: number;
  /** Null for `insufficient_data` here and below. */
  readonly psi: number | null;
  /** Numeric only: D from the summary (a lower bound of the full-sample D). */
  readonly ks_statistic: number | null;
  /** D lies in [ks_statistic, ks_statistic + ks_statistic_error_bound]. */
  readonly ks_statistic_error_bound: number | null;
  readonly ks_pvalue: number | null;
  readonly ks_pvalue_adjusted: number | null;
  readonly ks_method: KsMethod | null;
  /** Categorical only; null also when the window holds unseen categories (statistics.md). */
  readonly chi2_statistic: number | null;
  readonly chi2_pvalue: number | null;
  readonly chi2_pvalue_adjusted: number | null;
  readonly js_distance: number | null;
  /** (missing + null) / events. Null when no event was seen. */
  readonly null_ratio: number | null;
  /** out_of_range / n_current (numeric). */
  readonly out_of_range_ratio: number | null;
  /** unseen / n_current (categorical). */
  readonly unseen_ratio: number | null;
  readonly verdict: Verdict;
  /** The rules that made it `drift`; empty otherwise. */
  readonly drift_reasons: readonly DriftReason[];
  readonly quality: FeatureQuality;
  /** Bin labels of the PSI bins (numeric: "(-inf, c1]", ...; categorical: the categories and `__other__`). */
  readonly bins: readonly string[];
  /** Raw reference proportions per bin (no epsilon). */
  readonly reference_proportions: readonly number[];
  /** Raw current proportions per bin; empty when the window is empty. */
  readonly current_proportions: readonly number[];
}

/** One model's evaluation of one window. */
export interface ModelEvaluation {
  readonly model: string;
  readonly baseline_id: string;
  /** Which events fed the features: 'predictions' or 'features'. */
  readonly source: 'predictions' | 'features';
  /** The window evaluated, epoch ms, [start, end); null bounds for a window over a whole file. */
  readonly window_start: number | null;
  readonly window_end: number | null;
  /** Events of the model in the window. */
  readonly events: number;
  readonly features: readonly FeatureEvaluation[];
  /** Features whose verdict is `drift`. */
  readonly drifted_features: number;
  /** Features with a verdict (`ok` or `drift`). */
  readonly evaluated_features: number;
  /** drifted / evaluated; null when no feature has a verdict. */
  readonly drift_share: number | null;
  /** True when any feature drifted. */
  readonly drift: boolean;
  /** Extra features the baseline does not know, summed over the window's events. */
  readonly unknown_features: number;
  /**
   * The model's serving over the same window (error rate, latency quantiles, throughput, cost), on
   * the `predictions` evaluation of the daemon; absent from `features` evaluations and from replay.
   */
  readonly serving?: ServingSummary;
}

/**
 * One model's serving over a window (PRODUCT.md §4): made by `summarizeServing`
 * (windows/servingWindow.ts) from the model's merged serving windows, for the status API, InfluxDB
 * history and alert rules (`error_rate`, `latency_p99_seconds`, `cost_per_success`). Every ratio is
 * null when its denominator is 0.
 */
export interface ServingSummary {
  /** Prediction events in the window. */
  readonly events: number;
  /** Of them, with status `error`. */
  readonly errors: number;
  /** errors / events. */
  readonly error_rate: number | null;
  /** events / the window's length in seconds; null for a window over a whole file. */
  readonly throughput_per_second: number | null;
  /** Latency quantiles of the events that had a `latency_ms`, from a log-bucketed histogram (docs/windows.md). */
  readonly latency_p50_seconds: number | null;
  readonly latency_p95_seconds: number | null;
  readonly latency_p99_seconds: number | null;
  /** The sum of costs / the events that had a cost. */
  readonly cost_per_inference: number | null;
  /** The sum of costs / the successful events (`success` true); null also when no event had a cost. */
  readonly cost_per_success: number | null;
}
