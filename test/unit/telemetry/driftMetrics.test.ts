import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import type { FeatureEvaluation } from '../../../src/evaluate/types.js';
import { DriftMetrics } from '../../../src/telemetry/driftMetrics.js';
import { parsePromText, type Sample } from '../../support/promText.js';
import { feature, model } from '../report/sampleReport.js';
import { NO_STATISTICS } from '../report/sampleReport.js';

const FEATURE_GAUGES = [
  'driftwatch_feature_psi',
  'driftwatch_feature_ks_statistic',
  'driftwatch_feature_ks_statistic_error_bound',
  'driftwatch_feature_ks_pvalue',
  'driftwatch_feature_ks_pvalue_adjusted',
  'driftwatch_feature_chi2_pvalue',
  'driftwatch_feature_chi2_pvalue_adjusted',
  'driftwatch_feature_js_distance',
  'driftwatch_feature_drift',
  'driftwatch_feature_verdict',
  'driftwatch_feature_window_samples',
  'driftwatch_feature_null_ratio',
  'driftwatch_feature_out_of_range_ratio',
  'driftwatch_feature_unseen_ratio',
  'driftwatch_model_drift_share',
  'driftwatch_model_window_events',
];

function setup() {
  const registry = new Registry();
  return { registry, metrics: new DriftMetrics(registry) };
}

async function scrape(registry: Registry): Promise<Sample[]> {
  return parsePromText(await registry.metrics());
}

/** `name{labels}` -> value, label sets written in sorted key order, for exact comparisons. */
function series(samples: readonly Sample[], name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const labels = Object.keys(s.labels)
      .sort()
      .map((k) => `${k}=${s.labels[k]}`)
      .join(',');
    out[labels] = s.value;
  }
  return out;
}

const amount = feature({
  feature: 'amount',
  n_current: 1200,
  psi: 0.31,
  ks_statistic: 0.18,
  ks_statistic_error_bound: 0.004,
  ks_pvalue: 1e-12,
  ks_pvalue_adjusted: 3e-12,
  verdict: 'drift',
  drift_reasons: ['psi', 'ks'],
  null_ratio: 0.01,
  out_of_range_ratio: 0.05,
});
const country = feature({
  feature: 'country',
  type: 'categorical',
  n_current: 1150,
  psi: 0.02,
  ks_statistic: null,
  ks_statistic_error_bound: null,
  ks_pvalue: null,
  ks_pvalue_adjusted: null,
  ks_method: null,
  chi2_statistic: 3.5,
  chi2_pvalue: 0.32,
  chi2_pvalue_adjusted: 0.48,
  js_distance: 0.04,
  null_ratio: 0.05,
  out_of_range_ratio: null,
  unseen_ratio: 0,
});
const thin = (f: FeatureEvaluation): FeatureEvaluation => ({
  ...f,
  n_current: 120,
  ...NO_STATISTICS,
  verdict: 'insufficient_data',
  drift_reasons: [],
});

const FRAUD = 'model=fraud,source=predictions';

describe('DriftMetrics.publish', () => {
  it('sets every statistic of a round with model, source and feature labels', async () => {
    const { registry, metrics } = setup();
    metrics.publish([
      model('fraud', [amount, country], { events: 1300 }),
      model('churn', [feature({ feature: 'tenure', psi: 0.05 })], { source: 'features', events: 900 }),
    ]);
    const s = await scrape(registry);

    expect(series(s, 'driftwatch_feature_psi')).toEqual({
      [`feature=amount,${FRAUD}`]: 0.31,
      [`feature=country,${FRAUD}`]: 0.02,
      'feature=tenure,model=churn,source=features': 0.05,
    });
    expect(series(s, 'driftwatch_feature_ks_statistic')).toEqual({
      [`feature=amount,${FRAUD}`]: 0.18,
      'feature=tenure,model=churn,source=features': 0.031,
    });
    expect(series(s, 'driftwatch_feature_ks_statistic_error_bound')).toEqual({
      [`feature=amount,${FRAUD}`]: 0.004,
      'feature=tenure,model=churn,source=features': 0.002,
    });
    expect(series(s, 'driftwatch_feature_ks_pvalue')[`feature=amount,${FRAUD}`]).toBe(1e-12);
    expect(series(s, 'driftwatch_feature_ks_pvalue_adjusted')[`feature=amount,${FRAUD}`]).toBe(3e-12);
    // Numeric features have no chi-square and no JS distance: no series, not NaN.
    expect(series(s, 'driftwatch_feature_chi2_pvalue')).toEqual({ [`feature=country,${FRAUD}`]: 0.32 });
    expect(series(s, 'driftwatch_feature_chi2_pvalue_adjusted')).toEqual({
      [`feature=country,${FRAUD}`]: 0.48,
    });
    expect(series(s, 'driftwatch_feature_js_distance')).toEqual({ [`feature=country,${FRAUD}`]: 0.04 });
    expect(series(s, 'driftwatch_feature_drift')).toEqual({
      [`feature=amount,${FRAUD}`]: 1,
      [`feature=country,${FRAUD}`]: 0,
      'feature=tenure,model=churn,source=features': 0,
    });
    expect(series(s, 'driftwatch_feature_window_samples')).toEqual({
      [`feature=amount,${FRAUD}`]: 1200,
      [`feature=country,${FRAUD}`]: 1150,
      'feature=tenure,model=churn,source=features': 1200,
    });
    expect(series(s, 'driftwatch_feature_null_ratio')).toEqual({
      [`feature=amount,${FRAUD}`]: 0.01,
      [`feature=country,${FRAUD}`]: 0.05,
      'feature=tenure,model=churn,source=features': 0.01,
    });
    expect(series(s, 'driftwatch_feature_out_of_range_ratio')).toEqual({
      [`feature=amount,${FRAUD}`]: 0.05,
      'feature=tenure,model=churn,source=features': 0.002,
    });
    expect(series(s, 'driftwatch_feature_unseen_ratio')).toEqual({ [`feature=country,${FRAUD}`]: 0 });
    expect(series(s, 'driftwatch_model_drift_share')).toEqual({
      [FRAUD]: 0.5,
      'model=churn,source=features': 0,
    });
    expect(series(s, 'driftwatch_model_window_events')).toEqual({
      [FRAUD]: 1300,
      'model=churn,source=features': 900,
    });
    expect(s.some((x) => Number.isNaN(x.value))).toBe(false);
  });

  it('publishes the verdict as a state set that sums to 1 per feature', async () => {
    const { registry, metrics } = setup();
    metrics.publish([model('fraud', [amount, country, thin(feature({ feature: 'age' }))])]);
    const verdicts = series(await scrape(registry), 'driftwatch_feature_verdict');
    expect(verdicts).toEqual({
      [`feature=amount,${FRAUD},verdict=ok`]: 0,
      [`feature=amount,${FRAUD},verdict=drift`]: 1,
      [`feature=amount,${FRAUD},verdict=insufficient_data`]: 0,
      [`feature=country,${FRAUD},verdict=ok`]: 1,
      [`feature=country,${FRAUD},verdict=drift`]: 0,
      [`feature=country,${FRAUD},verdict=insufficient_data`]: 0,
      [`feature=age,${FRAUD},verdict=ok`]: 0,
      [`feature=age,${FRAUD},verdict=drift`]: 0,
      [`feature=age,${FRAUD},verdict=insufficient_data`]: 1,
    });
    for (const name of ['amount', 'country', 'age']) {
      const sum = Object.entries(verdicts)
        .filter(([k]) => k.startsWith(`feature=${name},`))
        .reduce((acc, [, v]) => acc + v, 0);
      expect(sum, name).toBe(1);
    }
  });

  it('removes exactly the series of a feature and of a model absent from the next round', async () => {
    const { registry, metrics } = setup();
    const churn = model('churn', [feature({ feature: 'tenure' })], { source: 'features' });
    metrics.publish([model('fraud', [amount, country]), churn]);
    const before = await scrape(registry);
    expect(before.filter((x) => x.labels.model === 'churn')).toHaveLength(14);

    metrics.publish([model('fraud', [amount])]);
    const after = await scrape(registry);
    const drift = after.filter((x) => FEATURE_GAUGES.includes(x.name));
    expect(drift.filter((x) => x.labels.model === 'churn')).toEqual([]);
    expect(drift.filter((x) => x.labels.feature === 'country')).toEqual([]);
    // What stayed is exactly amount's series and fraud's model series, unchanged.
    const kept = before.filter(
      (x) =>
        FEATURE_GAUGES.includes(x.name) &&
        x.labels.model === 'fraud' &&
        x.labels.feature !== 'country' &&
        x.name !== 'driftwatch_model_drift_share',
    );
    expect(drift.filter((x) => x.name !== 'driftwatch_model_drift_share')).toEqual(kept);
    expect(series(after, 'driftwatch_model_drift_share')).toEqual({ [FRAUD]: 1 });
  });

  it('keeps window_samples and the verdict, and drops the statistics, of a feature that becomes insufficient_data', async () => {
    const { registry, metrics } = setup();
    metrics.publish([model('fraud', [amount, country])]);
    metrics.publish([model('fraud', [thin(amount), thin(country)])]);
    const s = await scrape(registry);
    for (const name of FEATURE_GAUGES) {
      if (['driftwatch_feature_window_samples', 'driftwatch_feature_verdict'].includes(name)) continue;
      if (name.startsWith('driftwatch_model_') || name.endsWith('_ratio')) continue;
      expect(series(s, name), name).toEqual({});
    }
    expect(series(s, 'driftwatch_feature_window_samples')).toEqual({
      [`feature=amount,${FRAUD}`]: 120,
      [`feature=country,${FRAUD}`]: 120,
    });
    expect(series(s, 'driftwatch_feature_verdict')[`feature=amount,${FRAUD},verdict=insufficient_data`]).toBe(
      1,
    );
    expect(series(s, 'driftwatch_feature_verdict')[`feature=amount,${FRAUD},verdict=drift`]).toBe(0);
    // Quality ratios do not need min_samples: they stay.
    expect(series(s, 'driftwatch_feature_null_ratio')[`feature=amount,${FRAUD}`]).toBe(0.01);
    // No feature has a verdict: drift_share is null, so its series goes; window_events stays.
    expect(series(s, 'driftwatch_model_drift_share')).toEqual({});
    expect(series(s, 'driftwatch_model_window_events')).toEqual({ [FRAUD]: 1212 });

    // And back: the series return with the new values.
    metrics.publish([model('fraud', [{ ...amount, psi: 0.07, verdict: 'ok', drift_reasons: [] }])]);
    const back = await scrape(registry);
    expect(series(back, 'driftwatch_feature_psi')).toEqual({ [`feature=amount,${FRAUD}`]: 0.07 });
    expect(series(back, 'driftwatch_feature_drift')).toEqual({ [`feature=amount,${FRAUD}`]: 0 });
  });

  it('drops the chi-square series of a feature whose test became not applicable', async () => {
    const { registry, metrics } = setup();
    metrics.publish([model('fraud', [country])]);
    metrics.publish([
      model('fraud', [
        {
          ...country,
          chi2_statistic: null,
          chi2_pvalue: null,
          chi2_pvalue_adjusted: null,
          unseen_ratio: 0.03,
        },
      ]),
    ]);
    const s = await scrape(registry);
    expect(series(s, 'driftwatch_feature_chi2_pvalue')).toEqual({});
    expect(series(s, 'driftwatch_feature_chi2_pvalue_adjusted')).toEqual({});
    expect(series(s, 'driftwatch_feature_psi')).toEqual({ [`feature=country,${FRAUD}`]: 0.02 });
    expect(series(s, 'driftwatch_feature_unseen_ratio')).toEqual({ [`feature=country,${FRAUD}`]: 0.03 });
  });

  it('keeps the two sources of one model apart', async () => {
    const { registry, metrics } = setup();
    metrics.publish([
      model('fraud', [{ ...amount, psi: 0.3 }]),
      model('fraud', [{ ...amount, psi: 0.01 }], { source: 'features' }),
    ]);
    expect(series(await scrape(registry), 'driftwatch_feature_psi')).toEqual({
      [`feature=amount,${FRAUD}`]: 0.3,
      'feature=amount,model=fraud,source=features': 0.01,
    });
  });

  it('publishes nothing for an empty round and forgets every earlier series', async () => {
    const { registry, metrics } = setup();
    metrics.publish([model('fraud', [amount, country])]);
    metrics.publish([]);
    const s = await scrape(registry);
    expect(s.filter((x) => FEATURE_GAUGES.includes(x.name))).toEqual([]);
  });
});

describe('DriftMetrics counters and info', () => {
  it('replaces the baseline_info series with exactly the given baselines', async () => {
    const { registry, metrics } = setup();
    metrics.setBaselines([
      { model: 'fraud', baselineId: 'fraud@1' },
      { model: 'churn', baselineId: 'churn@1' },
    ]);
    metrics.setBaselines([{ model: 'fraud', baselineId: 'fraud@2' }]);
    expect(series(await scrape(registry), 'driftwatch_baseline_info')).toEqual({
      'baseline_id=fraud@2,model=fraud': 1,
    });
  });

  it('counts overruns, late events, feature issues and checkpoints', async () => {
    const { registry, metrics } = setup();
    let s = await scrape(registry);
    expect(series(s, 'driftwatch_checkpoint_saves_total')).toEqual({ 'outcome=ok': 0, 'outcome=failed': 0 });
    expect(series(s, 'driftwatch_evaluation_overruns_total')).toEqual({ '': 0 });

    metrics.countOverrun();
    metrics.countOverrun();
    metrics.countLate('fraud', 7);
    metrics.countLate('fraud', 3);
    metrics.countIssues('fraud', 'predictions', 'amount', 'nan', 4);
    metrics.countIssues('fraud', 'predictions', 'amount', 'nan', 1);
    metrics.countIssues('fraud', 'features', 'country', 'unseen', 2);
    metrics.countCheckpoint('ok', 1_714_000_000_500);
    metrics.countCheckpoint('failed', 1_714_000_060_000);
    s = await scrape(registry);

    expect(series(s, 'driftwatch_evaluation_overruns_total')).toEqual({ '': 2 });
    expect(series(s, 'driftwatch_late_events_total')).toEqual({ 'model=fraud': 10 });
    expect(series(s, 'driftwatch_feature_issues_total')).toEqual({
      'feature=amount,issue=nan,model=fraud,source=predictions': 5,
      'feature=country,issue=unseen,model=fraud,source=features': 2,
    });
    expect(series(s, 'driftwatch_checkpoint_saves_total')).toEqual({ 'outcome=ok': 1, 'outcome=failed': 1 });
    // The failed save does not move the last-success time.
    expect(series(s, 'driftwatch_checkpoint_last_success_timestamp_seconds')).toEqual({
      '': 1_714_000_000.5,
    });
  });

  it('observes evaluation durations in buckets from 1 ms to 10 s', async () => {
    const { registry, metrics } = setup();
    metrics.observeEvaluation(0.004);
    metrics.observeEvaluation(0.3);
    metrics.observeEvaluation(12);
    const buckets = series(await scrape(registry), 'driftwatch_evaluation_duration_seconds_bucket');
    expect(Object.keys(buckets)).toHaveLength(14);
    expect(buckets['le=0.001']).toBe(0);
    expect(buckets['le=0.005']).toBe(1);
    expect(buckets['le=0.25']).toBe(1);
    expect(buckets['le=0.5']).toBe(2);
    expect(buckets['le=10']).toBe(2);
    expect(buckets['le=+Inf']).toBe(3);
    const s = await scrape(registry);
    expect(series(s, 'driftwatch_evaluation_duration_seconds_sum')).toEqual({ '': 12.304 });
    expect(series(s, 'driftwatch_evaluation_duration_seconds_count')).toEqual({ '': 3 });
  });
});
