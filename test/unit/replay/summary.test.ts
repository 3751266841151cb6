import { describe, expect, it } from 'vitest';

import type { FeatureEvaluation, ModelEvaluation } from '../../../src/evaluate/types.js';
import { formatSummary } from '../../../src/replay/summary.js';
import type { ReplayReport } from '../../../src/report/types.js';
import { NO_STATISTICS } from '../report/sampleReport.js';

function feature(over: Partial<FeatureEvaluation>): FeatureEvaluation {
  return {
    feature: 'f',
    type: 'numeric',
    n_reference: 1000,
    n_current: 500,
    ...NO_STATISTICS,
    null_ratio: 0,
    out_of_range_ratio: 0,
    unseen_ratio: null,
    verdict: 'ok',
    drift_reasons: [],
    quality: { events: 500, missing: 0, null: 0, nan: 0, wrong_type: 0, out_of_range: 0, unseen: 0 },
    bins: [],
    reference_proportions: [],
    current_proportions: [],
    ...over,
  };
}

const model: ModelEvaluation = {
  model: 'fraud',
  baseline_id: 'fraud@0123456789ab',
  source: 'predictions',
  window_start: null,
  window_end: null,
  events: 500,
  features: [
    feature({
      feature: 'amount',
      psi: 0.31234,
      ks_statistic: 0.2,
      ks_pvalue_adjusted: 1.234e-9,
      js_distance: 0.15,
      verdict: 'drift',
      drift_reasons: ['psi', 'ks'],
    }),
    feature({
      feature: 'country',
      type: 'categorical',
      psi: 0.01,
      chi2_pvalue_adjusted: 0.5,
      ks_pvalue_adjusted: 1e-12, // not shown: a categorical feature's p-value is chi-square's
      js_distance: 0.02,
    }),
    feature({ feature: 'age', n_current: 12, verdict: 'insufficient_data' }),
  ],
  drifted_features: 1,
  evaluated_features: 2,
  drift_share: 0.5,
  drift: true,
  unknown_features: 0,
};

const report: ReplayReport = {
  report_version: 1,
  driftwatch_version: '0.1.0',
  generated_at: '2026-11-22T00:00:00.000Z',
  input: {
    file: 'events.jsonl',
    lines: 510,
    accepted: 500,
    rejected: 10,
    rejected_by_reason: { invalid_json: 7, unknown_model: 3 },
    late: 0,
    first_event_ts: 0,
    last_event_ts: 1,
  },
  window: { window_ms: null, step_ms: null },
  thresholds: {},
  models: [model],
  drift: true,
};

describe('formatSummary', () => {
  it('prints the input line, a table per model and the result', () => {
    expect(formatSummary(report)).toBe(
      [
        'events.jsonl: 510 lines, 500 events replayed, 10 rejected (invalid_json 7, unknown_model 3)',
        '',
        'model fraud (baseline fraud@0123456789ab, predictions): 500 events, 1 of 2 evaluated features drifted (share 0.50)',
        'feature  type         n    psi     ks_d    p_adj   js      verdict',
        'amount   numeric      500  0.3123  0.2000  1.2e-9  0.1500  DRIFT (psi, ks)',
        'country  categorical  500  0.0100  -       0.500   0.0200  ok',
        'age      numeric      12   -       -       -       -       insufficient_data',
        '',
        'result: DRIFT',
        '',
      ].join('\n'),
    );
  });

  it('says no drift, and shows late events when there are some', () => {
    const text = formatSummary({ ...report, drift: false, input: { ...report.input, late: 4 } });
    expect(text).toContain('unknown_model 3), 4 late\n');
    expect(text.endsWith('result: no drift\n')).toBe(true);
  });
});
