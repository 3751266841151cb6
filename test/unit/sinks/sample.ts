/** Evaluations for the InfluxDB sink tests: one numeric and one categorical feature, every statistic set. */
import type { FeatureEvaluation, ModelEvaluation } from '../../../src/evaluate/types.js';
import { NO_STATISTICS } from '../report/sampleReport.js';

const QUALITY = { events: 1000, missing: 3, null: 2, nan: 0, wrong_type: 0, out_of_range: 7, unseen: 0 };

export const AMOUNT: FeatureEvaluation = {
  feature: 'amount',
  type: 'numeric',
  n_reference: 3000,
  n_current: 995,
  psi: 0.3125,
  ks_statistic: 0.25,
  ks_statistic_error_bound: 0.0078125,
  ks_pvalue: 1.5e-12,
  ks_pvalue_adjusted: 3e-12,
  ks_method: 'asymp',
  chi2_statistic: null,
  chi2_pvalue: null,
  chi2_pvalue_adjusted: null,
  js_distance: null,
  null_ratio: 0.005,
  out_of_range_ratio: 0.0070351758793969,
  unseen_ratio: null,
  verdict: 'drift',
  drift_reasons: ['psi', 'ks'],
  quality: QUALITY,
  bins: ['(-inf, 1]', '(1, +inf)'],
  reference_proportions: [0.5, 0.5],
  current_proportions: [0.25, 0.75],
};

export const COLOR: FeatureEvaluation = {
  ...AMOUNT,
  feature: 'color name',
  type: 'categorical',
  psi: 0.01,
  ks_statistic: null,
  ks_statistic_error_bound: null,
  ks_pvalue: null,
  ks_pvalue_adjusted: null,
  ks_method: null,
  chi2_statistic: 1.5,
  chi2_pvalue: 0.47,
  chi2_pvalue_adjusted: 0.47,
  js_distance: 0.03,
  out_of_range_ratio: null,
  unseen_ratio: 0,
  verdict: 'ok',
  drift_reasons: [],
};

/** A feature with too few values: no statistic, no drift field. */
export const SPARSE: FeatureEvaluation = {
  ...AMOUNT,
  feature: 'age',
  n_current: 12,
  ...NO_STATISTICS,
  null_ratio: null,
  out_of_range_ratio: null,
  verdict: 'insufficient_data',
  drift_reasons: [],
};

export function evaluation(overrides: Partial<ModelEvaluation> = {}): ModelEvaluation {
  return {
    model: 'fraud',
    baseline_id: 'b1',
    source: 'predictions',
    window_start: 0,
    window_end: 60_000,
    events: 1000,
    features: [AMOUNT, COLOR],
    drifted_features: 1,
    evaluated_features: 2,
    drift_share: 0.5,
    drift: true,
    unknown_features: 4,
    ...overrides,
  };
}
