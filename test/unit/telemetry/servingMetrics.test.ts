import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import type { PredictionEvent } from '../../../src/decode/event.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { ServingMetrics } from '../../../src/telemetry/servingMetrics.js';

function event(over: Partial<PredictionEvent>): PredictionEvent {
  return {
    kind: 'prediction',
    model: 'm',
    modelVersion: '1',
    id: null,
    ts: 1_000_000,
    features: {},
    prediction: null,
    latencyMs: null,
    status: 'ok',
    error: null,
    cost: null,
    success: true,
    ...over,
  };
}

async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === name.replace(/_(bucket|sum|count)$/, ''),
  );
  const found = metric?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? metric.name) === name &&
      Object.entries(labels).every(([k, l]) => String((v.labels as Record<string, unknown>)[k]) === l) &&
      Object.keys(v.labels).length === Object.keys(labels).length,
  );
  return found?.value;
}

function setup(limits = { maxVersionsPerModel: 3, maxErrorClassesPerModel: 2 }) {
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: '9.9.9', defaultMetrics: false });
  return { registry, stage: new ServingMetrics(metrics, limits) };
}

describe('ServingMetrics', () => {
  it('counts predictions by status, sums cost and success, observes latency in seconds', async () => {
    const { registry, stage } = setup();
    await stage.consume([
      event({ status: 'ok', cost: 0.25, latencyMs: 20, success: true }),
      event({ status: 'ok', cost: 0.5, latencyMs: 40, success: false }),
      event({ status: 'error', error: 'timeout', cost: 0.125, latencyMs: 3000, success: false }),
    ]);
    await stage.consume([event({ status: 'ok', latencyMs: 1 })]);
    const l = { model: 'm', model_version: '1' };
    expect(await value(registry, 'driftwatch_predictions_total', { ...l, status: 'ok' })).toBe(3);
    expect(await value(registry, 'driftwatch_predictions_total', { ...l, status: 'error' })).toBe(1);
    expect(await value(registry, 'driftwatch_prediction_errors_total', { ...l, error: 'timeout' })).toBe(1);
    expect(await value(registry, 'driftwatch_inference_cost_total', l)).toBe(0.875);
    expect(await value(registry, 'driftwatch_inference_costed_total', l)).toBe(3);
    expect(await value(registry, 'driftwatch_task_success_total', l)).toBe(2);
    expect(await value(registry, 'driftwatch_prediction_latency_seconds_count', l)).toBe(4);
    expect(await value(registry, 'driftwatch_prediction_latency_seconds_sum', l)).toBeCloseTo(3.061, 12);
    expect(await value(registry, 'driftwatch_prediction_latency_seconds_bucket', { ...l, le: '0.025' })).toBe(
      2,
    );
    expect(await value(registry, 'driftwatch_prediction_latency_seconds_bucket', { ...l, le: '2.5' })).toBe(
      3,
    );
  });

  it('observes numeric scores only, including the score of {label, score}', async () => {
    const { registry, stage } = setup();
    await stage.consume([
      event({ prediction: { score: 0.91, label: null } }),
      event({ prediction: { score: 0.02, label: 'no' } }),
      event({ prediction: { score: null, label: 'fraud' } }),
      event({ prediction: { score: Number.NaN, label: null } }),
      event({ prediction: null }),
    ]);
    const l = { model: 'm', model_version: '1' };
    expect(await value(registry, 'driftwatch_prediction_score_count', l)).toBe(2);
    expect(await value(registry, 'driftwatch_prediction_score_bucket', { ...l, le: '0.05' })).toBe(1);
    expect(await value(registry, 'driftwatch_prediction_score_sum', l)).toBeCloseTo(0.93, 12);
  });

  it('bounds error classes and versions per model, counting the rest as other', async () => {
    const { registry, stage } = setup();
    await stage.consume([
      event({ status: 'error', error: 'a' }),
      event({ status: 'error', error: 'b' }),
      event({ status: 'error', error: 'c' }),
      event({ status: 'error', error: 'd' }),
      event({ status: 'error', error: null }),
      event({ model: 'n', status: 'error', error: 'c' }),
    ]);
    const l = { model: 'm', model_version: '1' };
    expect(await value(registry, 'driftwatch_prediction_errors_total', { ...l, error: 'a' })).toBe(1);
    expect(await value(registry, 'driftwatch_prediction_errors_total', { ...l, error: 'b' })).toBe(1);
    expect(await value(registry, 'driftwatch_prediction_errors_total', { ...l, error: 'other' })).toBe(3);
    expect(await value(registry, 'driftwatch_prediction_errors_total', { ...l, error: 'c' })).toBeUndefined();
    // The bound is per model: "c" is model n's first class.
    expect(
      await value(registry, 'driftwatch_prediction_errors_total', {
        model: 'n',
        model_version: '1',
        error: 'c',
      }),
    ).toBe(1);

    await stage.consume(['1', '2', '3', '4', '5'].map((v) => event({ modelVersion: v })));
    expect(
      await value(registry, 'driftwatch_predictions_total', { model: 'm', model_version: '3', status: 'ok' }),
    ).toBe(1);
    expect(
      await value(registry, 'driftwatch_predictions_total', {
        model: 'm',
        model_version: 'other',
        status: 'ok',
      }),
    ).toBe(2);
  });

  it('keeps the newest event time per model, never moving back for a late event', async () => {
    const { registry, stage } = setup();
    await stage.consume([event({ ts: 5_000 }), event({ ts: 9_000 }), event({ ts: 7_000 })]);
    await stage.consume([event({ ts: 8_000 })]);
    expect(await value(registry, 'driftwatch_last_event_timestamp_seconds', { model: 'm' })).toBe(9);
  });

  it('counts feature events apart from predictions', async () => {
    const { registry, stage } = setup();
    await stage.consume([{ kind: 'feature', model: 'm', ts: 1, features: { a: 1 } }]);
    expect(await value(registry, 'driftwatch_feature_events_total', { model: 'm' })).toBe(1);
    expect(
      await value(registry, 'driftwatch_predictions_total', { model: 'm', model_version: '1', status: 'ok' }),
    ).toBeUndefined();
  });
});
