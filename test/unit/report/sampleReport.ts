/**
 * Builders of report objects for the report tests (unit and integration): a feature evaluation
 * with plausible defaults that a test overrides field by field, and a report around models.
 */

import type { FeatureEvaluation, ModelEvaluation } from '../../../src/evaluate/types.js';
import type { ReplayReport, ReportThresholds } from '../../../src/report/types.js';

export const DEFAULT_THRESHOLDS: ReportThresholds = {
  psi: 0.2,
  p_value: 0.05,
  correction: 'benjamini-hochberg',
  min_ks_statistic: 0.1,
  min_js_distance: 0.1,
  min_samples: 200,
};

/** Every statistic of a feature evaluation null, as for `insufficient_data`: spread it, then override. */
export const NO_STATISTICS = {
  psi: null,
  ks_statistic: null,
  ks_statistic_error_bound: null,
  ks_pvalue: null,
  ks_pvalue_adjusted: null,
  ks_method: null,
  chi2_statistic: null,
  chi2_pvalue: null,
  chi2_pvalue_adjusted: null,
  js_distance: null,
} as const satisfies Partial<FeatureEvaluation>;

/** An `ok` numeric feature with three bins; override any field. */
export function feature(overrides: Partial<FeatureEvaluation> & { feature: string }): FeatureEvaluation {
  return {
    type: 'numeric',
    n_reference: 5000,
    n_current: 1200,
    psi: 0.0123,
    ks_statistic: 0.031,
    ks_statistic_error_bound: 0.002,
    ks_pvalue: 0.41,
    ks_pvalue_adjusted: 0.62,
    ks_method: 'exact',
    chi2_statistic: null,
    chi2_pvalue: null,
    chi2_pvalue_adjusted: null,
    js_distance: null,
    null_ratio: 0.01,
    out_of_range_ratio: 0.002,
    unseen_ratio: null,
    verdict: 'ok',
    drift_reasons: [],
    quality: { events: 1212, missing: 4, null: 8, nan: 0, wrong_type: 0, out_of_range: 2, unseen: 0 },
    bins: ['(-inf, 10]', '(10, 20]', '(20, +inf)'],
    reference_proportions: [0.3, 0.4, 0.3],
    current_proportions: [0.32, 0.38, 0.3],
    ...overrides,
  };
}

/** A model evaluation whose counts agree with its features' verdicts. */
export function model(
  name: string,
  features: readonly FeatureEvaluation[],
  overrides: Partial<ModelEvaluation> = {},
): ModelEvaluation {
  const drifted = features.filter((f) => f.verdict === 'drift').length;
  const evaluated = features.filter((f) => f.verdict !== 'insufficient_data').length;
  return {
    model: name,
    baseline_id: `${name}@2024-05-01`,
    source: 'predictions',
    window_start: null,
    window_end: null,
    events: 1212,
    features,
    drifted_features: drifted,
    evaluated_features: evaluated,
    drift_share: evaluated === 0 ? null : drifted / evaluated,
    drift: drifted > 0,
    unknown_features: 0,
    ...overrides,
  };
}

/** A report around `models`, with the default thresholds for each model name. */
export function report(
  models: readonly ModelEvaluation[],
  overrides: Partial<ReplayReport> = {},
): ReplayReport {
  return {
    report_version: 1,
    driftwatch_version: '0.1.0',
    generated_at: '2024-05-02T10:00:00.000Z',
    input: {
      file: 'events.jsonl',
      lines: 1300,
      accepted: 1212,
      rejected: 88,
      rejected_by_reason: { invalid_json: 80, invalid_field: 8 },
      late: 0,
      first_event_ts: 1714500000000,
      last_event_ts: 1714586399000,
    },
    window: { window_ms: null, step_ms: null },
    thresholds: Object.fromEntries(models.map((m) => [m.model, DEFAULT_THRESHOLDS])),
    models,
    drift: models.some((m) => m.drift),
    ...overrides,
  };
}
