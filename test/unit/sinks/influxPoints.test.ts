import { describe, expect, it } from 'vitest';

import type { ModelEvaluation } from '../../../src/evaluate/types.js';
import { evaluationLines, NewEvaluations } from '../../../src/sinks/influxPoints.js';
import { AMOUNT, COLOR, SPARSE, evaluation } from './sample.js';

const AT = 1_705_320_000_123;

describe('evaluationLines', () => {
  it('writes a model point and one point per feature, tags and fields sorted, at the round time in ms', () => {
    expect(evaluationLines(evaluation(), AT)).toEqual([
      'driftwatch_model,model=fraud,source=predictions ' +
        'drift_share=0.5,drifted_features=1i,evaluated_features=2i,events=1000i,unknown_features=4i ' +
        '1705320000123',
      'driftwatch_feature,feature=amount,model=fraud,source=predictions,type=numeric,verdict=drift ' +
        'drift=T,ks_pvalue=1.5e-12,ks_pvalue_adjusted=3e-12,ks_statistic=0.25,ks_statistic_error_bound=0.0078125,' +
        'n_current=995i,null_ratio=0.005,out_of_range_ratio=0.0070351758793969,psi=0.3125 ' +
        '1705320000123',
      // The space in the feature name is escaped; chi-square fields for a categorical feature.
      'driftwatch_feature,feature=color\\ name,model=fraud,source=predictions,type=categorical,verdict=ok ' +
        'chi2_pvalue=0.47,chi2_pvalue_adjusted=0.47,drift=F,js_distance=0.03,n_current=995i,null_ratio=0.005,psi=0.01,' +
        'unseen_ratio=0 ' +
        '1705320000123',
    ]);
  });

  it('skips null statistics, and the drift field while the feature has no verdict', () => {
    const lines = evaluationLines(
      evaluation({ features: [SPARSE], drift_share: null, evaluated_features: 0, drifted_features: 0 }),
      AT,
    );
    expect(lines).toEqual([
      'driftwatch_model,model=fraud,source=predictions ' +
        'drifted_features=0i,evaluated_features=0i,events=1000i,unknown_features=4i 1705320000123',
      'driftwatch_feature,feature=age,model=fraud,source=predictions,type=numeric,verdict=insufficient_data ' +
        'n_current=12i 1705320000123',
    ]);
  });

  it('does not write a value InfluxDB cannot store, and no point left without a field', () => {
    const nan = { ...SPARSE, psi: Number.NaN, null_ratio: Number.POSITIVE_INFINITY, n_current: Number.NaN };
    const lines = evaluationLines(evaluation({ features: [nan] }), AT);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^driftwatch_model,/);
  });

  it('adds the serving summary to the model point when the evaluation carries one, skipping nulls', () => {
    const withServing = {
      ...evaluation({ features: [] }),
      serving: {
        events: 480,
        error_rate: 0.025,
        throughput_per_second: 8,
        latency_p50_seconds: 0.012,
        latency_p95_seconds: 0.05,
        latency_p99_seconds: null,
        cost_per_inference: 0.0002,
        cost_per_success: null,
      },
    } as ModelEvaluation;
    expect(evaluationLines(withServing, AT)).toEqual([
      'driftwatch_model,model=fraud,source=predictions ' +
        'cost_per_inference=0.0002,drift_share=0.5,drifted_features=1i,error_rate=0.025,evaluated_features=2i,' +
        'events=1000i,latency_p50_seconds=0.012,latency_p95_seconds=0.05,serving_events=480,' +
        'throughput_per_second=8,unknown_features=4i 1705320000123',
    ]);
  });
});

describe('NewEvaluations', () => {
  it('selects an evaluation once, and again only when a new object replaces it', () => {
    const fresh = new NewEvaluations();
    const fraud = evaluation();
    const fraudFeatures = evaluation({ source: 'features' });
    const churn = evaluation({ model: 'churn' });
    expect(fresh.select([fraud, fraudFeatures, churn])).toEqual([fraud, fraudFeatures, churn]);
    // The next round repeats fraud (not evaluated) and has a new evaluation of churn with equal numbers.
    const churn2 = evaluation({ model: 'churn' });
    const picked = fresh.select([fraud, fraudFeatures, churn2]);
    expect(picked).toHaveLength(1);
    expect(picked[0]).toBe(churn2);
    expect(fresh.select([fraud, fraudFeatures, churn2])).toEqual([]);
  });

  it('forgets a model that leaves the round, so its return is written', () => {
    const fresh = new NewEvaluations();
    const fraud = evaluation();
    fresh.select([fraud]);
    expect(fresh.select([])).toEqual([]);
    expect(fresh.select([fraud])).toEqual([fraud]);
  });
});

it('keeps the sample features apart (sanity of the fixtures)', () => {
  expect([AMOUNT.type, COLOR.type]).toEqual(['numeric', 'categorical']);
});
