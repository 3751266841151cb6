import { describe, expect, it } from 'vitest';

import {
  globMatcher,
  isFeatureSignal,
  RESERVED_LABELS,
  ruleSamples,
  signalLabelNames,
} from '../../../src/alerts/signals.js';
import type { AlertRule } from '../../../src/alerts/types.js';
import { SIGNALS } from '../../../src/alerts/types.js';
import type { FeatureEvaluation, ModelEvaluation, ServingSummary } from '../../../src/evaluate/types.js';
import { rule } from './rule.js';

function feature(name: string, overrides: Partial<FeatureEvaluation> = {}): FeatureEvaluation {
  return {
    feature: name,
    type: 'numeric',
    n_reference: 1000,
    n_current: 500,
    psi: 0.1,
    ks_statistic: 0.05,
    ks_statistic_error_bound: 0.001,
    ks_pvalue: 0.3,
    ks_pvalue_adjusted: 0.6,
    ks_method: 'exact',
    chi2_statistic: null,
    chi2_pvalue: null,
    chi2_pvalue_adjusted: null,
    js_distance: null,
    null_ratio: 0.01,
    out_of_range_ratio: 0.02,
    unseen_ratio: null,
    verdict: 'ok',
    drift_reasons: [],
    quality: { events: 505, missing: 2, null: 3, nan: 0, wrong_type: 0, out_of_range: 10, unseen: 0 },
    bins: [],
    reference_proportions: [],
    current_proportions: [],
    ...overrides,
  };
}

function evaluation(
  model: string,
  source: 'predictions' | 'features',
  features: FeatureEvaluation[],
  overrides: Partial<ModelEvaluation> = {},
): ModelEvaluation {
  return {
    model,
    baseline_id: `${model}-baseline`,
    source,
    window_start: 0,
    window_end: 3_600_000,
    events: 505,
    features,
    drifted_features: 0,
    evaluated_features: features.length,
    drift_share: 0,
    drift: false,
    unknown_features: 0,
    ...overrides,
  };
}

const SERVING: ServingSummary = {
  events: 1000,
  errors: 25,
  error_rate: 0.025,
  throughput_per_second: 0.2778,
  latency_p50_seconds: 0.04,
  latency_p95_seconds: 0.12,
  latency_p99_seconds: 0.31,
  cost_per_inference: 0.0021,
  cost_per_success: null,
};

const NOW = 1_700_000_000_000;

describe('ruleSamples: feature signals', () => {
  const evaluations = [
    evaluation('fraud-scorer', 'predictions', [
      feature('amount', { psi: 0.31, verdict: 'drift', drift_reasons: ['psi'] }),
      feature('country', { type: 'categorical', psi: 0.05, chi2_pvalue: 0.001, js_distance: 0.12 }),
      feature('age', { psi: null, verdict: 'insufficient_data', n_current: 12 }),
    ]),
    evaluation('fraud-scorer', 'features', [feature('amount', { psi: 0.02 })]),
    evaluation('churn', 'predictions', [feature('tenure', { psi: 0.5, verdict: 'drift' })]),
  ];

  it('gives one sample per (model, source, feature) with a value, labels exact', () => {
    expect(ruleSamples(rule({ name: 'psi_high' }), evaluations, new Map(), NOW)).toEqual([
      {
        labels: {
          alertname: 'psi_high',
          model: 'fraud-scorer',
          source: 'predictions',
          feature: 'amount',
          severity: 'warning',
        },
        value: 0.31,
      },
      {
        labels: {
          alertname: 'psi_high',
          model: 'fraud-scorer',
          source: 'predictions',
          feature: 'country',
          severity: 'warning',
        },
        value: 0.05,
      },
      {
        labels: {
          alertname: 'psi_high',
          model: 'fraud-scorer',
          source: 'features',
          feature: 'amount',
          severity: 'warning',
        },
        value: 0.02,
      },
      {
        labels: {
          alertname: 'psi_high',
          model: 'churn',
          source: 'predictions',
          feature: 'tenure',
          severity: 'warning',
        },
        value: 0.5,
      },
    ]);
  });

  it('applies the model and feature globs', () => {
    const samples = ruleSamples(
      rule({ models: ['fraud-*'], features: ['am?unt', 'coun*'] }),
      evaluations,
      new Map(),
      NOW,
    );
    expect(samples.map((s) => [s.labels.model, s.labels.source, s.labels.feature, s.value])).toEqual([
      ['fraud-scorer', 'predictions', 'amount', 0.31],
      ['fraud-scorer', 'predictions', 'country', 0.05],
      ['fraud-scorer', 'features', 'amount', 0.02],
    ]);
    expect(ruleSamples(rule({ models: ['fraud'] }), evaluations, new Map(), NOW)).toEqual([]);
    expect(ruleSamples(rule({ models: [] }), evaluations, new Map(), NOW)).toEqual([]);
  });

  it('skips null values: each field read from its own column', () => {
    const values = (signal: AlertRule['signal']) =>
      ruleSamples(rule({ signal, models: ['fraud-scorer'] }), evaluations.slice(0, 1), new Map(), NOW).map(
        (s) => [s.labels.feature, s.value],
      );
    expect(values('feature_chi2_pvalue')).toEqual([['country', 0.001]]);
    expect(values('feature_js_distance')).toEqual([['country', 0.12]]);
    expect(values('feature_ks_statistic')).toEqual([
      ['amount', 0.05],
      ['country', 0.05],
      ['age', 0.05],
    ]);
    expect(values('feature_ks_pvalue_adjusted')[0]).toEqual(['amount', 0.6]);
    expect(values('feature_ks_pvalue')[0]).toEqual(['amount', 0.3]);
    expect(values('feature_null_ratio')[0]).toEqual(['amount', 0.01]);
    expect(values('feature_out_of_range_ratio')[0]).toEqual(['amount', 0.02]);
    expect(values('feature_unseen_ratio')).toEqual([]);
    expect(values('feature_chi2_pvalue_adjusted')).toEqual([]);
  });

  it('feature_drift is 1 for drift, 0 for ok, nothing for insufficient_data', () => {
    const samples = ruleSamples(rule({ signal: 'feature_drift' }), evaluations, new Map(), NOW);
    expect(samples.map((s) => [s.labels.model, s.labels.source, s.labels.feature, s.value])).toEqual([
      ['fraud-scorer', 'predictions', 'amount', 1],
      ['fraud-scorer', 'predictions', 'country', 0],
      ['fraud-scorer', 'features', 'amount', 0],
      ['churn', 'predictions', 'tenure', 1],
    ]);
  });

  it('skips NaN and infinite values', () => {
    const odd = [
      evaluation('m', 'predictions', [feature('a', { psi: Number.NaN }), feature('b', { psi: Infinity })]),
    ];
    expect(ruleSamples(rule(), odd, new Map(), NOW)).toEqual([]);
  });

  it('keeps the first sample of a repeated label set', () => {
    const twice = [
      evaluation('m', 'predictions', [feature('a', { psi: 0.4 })]),
      evaluation('m', 'predictions', [feature('a', { psi: 0.9 })]),
    ];
    expect(ruleSamples(rule(), twice, new Map(), NOW).map((s) => s.value)).toEqual([0.4]);
  });
});

describe('ruleSamples: labels', () => {
  it('adds the rule labels, which cannot override the reserved ones; empty values are dropped', () => {
    const samples = ruleSamples(
      rule({
        name: 'psi_high',
        severity: 'critical',
        labels: {
          team: 'fraud',
          alertname: 'other',
          model: 'x',
          source: 'y',
          feature: 'z',
          severity: 'info',
          empty: '',
        },
      }),
      [evaluation('m', 'features', [feature('f', { psi: 0.7 })])],
      new Map(),
      NOW,
    );
    expect(samples).toEqual([
      {
        labels: {
          team: 'fraud',
          alertname: 'psi_high',
          model: 'm',
          source: 'features',
          feature: 'f',
          severity: 'critical',
        },
        value: 0.7,
      },
    ]);
    expect(Object.isFrozen(samples[0]!.labels)).toBe(true);
  });

  it('a rule label named feature does not appear on a model signal', () => {
    const samples = ruleSamples(
      rule({ signal: 'model_drift_share', labels: { feature: 'z', team: 'a' } }),
      [evaluation('m', 'predictions', [], { drift_share: 0.25 })],
      new Map(),
      NOW,
    );
    expect(samples[0]!.labels).toEqual({
      team: 'a',
      alertname: 'test_rule',
      model: 'm',
      source: 'predictions',
      severity: 'warning',
    });
  });
});

describe('ruleSamples: model signals', () => {
  const evaluations = [
    evaluation('fraud-scorer', 'predictions', [], { drift_share: 0.5, serving: SERVING }),
    evaluation('fraud-scorer', 'features', [], { drift_share: 0.125 }),
    evaluation('churn', 'predictions', [], { drift_share: null, serving: { ...SERVING, error_rate: null } }),
    evaluation('churn', 'features', [], { drift_share: 0 }),
  ];

  it('model_drift_share: one per model and source, null skipped', () => {
    expect(
      ruleSamples(rule({ signal: 'model_drift_share', name: 'share' }), evaluations, new Map(), NOW),
    ).toEqual([
      {
        labels: { alertname: 'share', model: 'fraud-scorer', source: 'predictions', severity: 'warning' },
        value: 0.5,
      },
      {
        labels: { alertname: 'share', model: 'fraud-scorer', source: 'features', severity: 'warning' },
        value: 0.125,
      },
      { labels: { alertname: 'share', model: 'churn', source: 'features', severity: 'warning' }, value: 0 },
    ]);
  });

  it('serving signals: one per model from its serving summary, labels model only, nulls skipped', () => {
    expect(ruleSamples(rule({ signal: 'error_rate', name: 'errors' }), evaluations, new Map(), NOW)).toEqual([
      { labels: { alertname: 'errors', model: 'fraud-scorer', severity: 'warning' }, value: 0.025 },
    ]);
    const value = (signal: AlertRule['signal']) =>
      ruleSamples(rule({ signal, models: ['churn'] }), evaluations, new Map(), NOW).map((s) => s.value);
    expect(value('latency_p50_seconds')).toEqual([0.04]);
    expect(value('latency_p95_seconds')).toEqual([0.12]);
    expect(value('latency_p99_seconds')).toEqual([0.31]);
    expect(value('throughput_per_second')).toEqual([0.2778]);
    expect(value('cost_per_inference')).toEqual([0.0021]);
    expect(value('cost_per_success')).toEqual([]);
    expect(value('error_rate')).toEqual([]);
  });

  it('seconds_since_last_event: per model in scope that has a last event, never negative', () => {
    const lastEventAt = new Map([
      ['fraud-scorer', NOW - 90_500],
      ['churn', NOW - 1_000],
      ['future', NOW + 5_000],
    ]);
    expect(
      ruleSamples(rule({ signal: 'seconds_since_last_event', name: 'silent' }), [], lastEventAt, NOW),
    ).toEqual([
      { labels: { alertname: 'silent', model: 'fraud-scorer', severity: 'warning' }, value: 90.5 },
      { labels: { alertname: 'silent', model: 'churn', severity: 'warning' }, value: 1 },
      { labels: { alertname: 'silent', model: 'future', severity: 'warning' }, value: 0 },
    ]);
    expect(
      ruleSamples(
        rule({ signal: 'seconds_since_last_event', models: ['ch*'] }),
        evaluations,
        lastEventAt,
        NOW,
      ).map((s) => s.labels.model),
    ).toEqual(['churn']);
  });
});

describe('globMatcher', () => {
  it('knows * and ?; everything else is literal', () => {
    const match = globMatcher(['price(eur)*', 'a.b', 'x?z', '[ab]', 'p/*']);
    expect(match('price(eur)_net')).toBe(true);
    expect(match('priceeur_net')).toBe(false);
    expect(match('a.b')).toBe(true);
    expect(match('axb')).toBe(false);
    expect(match('xyz')).toBe(true);
    expect(match('x/z')).toBe(true);
    expect(match('xz')).toBe(false);
    expect(match('[ab]')).toBe(true);
    expect(match('a')).toBe(false);
    expect(match('p/q/r')).toBe(true);
    expect(globMatcher(['*'])('')).toBe(true);
    expect(globMatcher(['*'])('.hidden')).toBe(true);
    expect(globMatcher(['Fraud'])('fraud')).toBe(false);
    expect(globMatcher(['?'])('é')).toBe(true);
    expect(globMatcher(['?'])('😀')).toBe(true);
  });

  it('matches the whole name', () => {
    expect(globMatcher(['fraud'])('fraud-scorer')).toBe(false);
    expect(globMatcher(['*scorer'])('fraud-scorer')).toBe(true);
    expect(globMatcher(['scorer*'])('fraud-scorer')).toBe(false);
  });
});

describe('signal classification', () => {
  it('knows which labels each signal carries', () => {
    const feature = SIGNALS.filter((s) => isFeatureSignal(s));
    expect(feature).toEqual([
      'feature_psi',
      'feature_ks_statistic',
      'feature_ks_pvalue',
      'feature_ks_pvalue_adjusted',
      'feature_chi2_pvalue',
      'feature_chi2_pvalue_adjusted',
      'feature_js_distance',
      'feature_drift',
      'feature_null_ratio',
      'feature_out_of_range_ratio',
      'feature_unseen_ratio',
    ]);
    expect(signalLabelNames('feature_psi')).toEqual(['model', 'source', 'feature']);
    expect(signalLabelNames('model_drift_share')).toEqual(['model', 'source']);
    expect(signalLabelNames('latency_p99_seconds')).toEqual(['model']);
    expect(signalLabelNames('seconds_since_last_event')).toEqual(['model']);
    expect(RESERVED_LABELS).toEqual(['alertname', 'model', 'source', 'feature', 'severity']);
  });

  it('every signal produces samples from a full evaluation', () => {
    const full = [
      evaluation(
        'm',
        'predictions',
        [feature('f', { chi2_pvalue: 0.4, chi2_pvalue_adjusted: 0.5, js_distance: 0.2, unseen_ratio: 0.1 })],
        {
          drift_share: 0.5,
          serving: { ...SERVING, cost_per_success: 0.003 },
        },
      ),
    ];
    const last = new Map([['m', NOW]]);
    for (const signal of SIGNALS) {
      expect(ruleSamples(rule({ signal }), full, last, NOW), signal).toHaveLength(1);
    }
  });
});
