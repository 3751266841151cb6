/**
 * Every Prometheus metric driftwatch exports, created on a registry handed in by the
 * composition root (no global registry). Names are a contract with dashboards and alert
 * rules: each one is documented in docs/metrics.md.
 */
import { Counter, Gauge, collectDefaultMetrics, type Registry } from 'prom-client';

import { REJECT_REASONS } from '../decode/reasons.js';
import { SeriesHistogram } from './seriesHistogram.js';

/** Seconds; from a cache hit (1 ms) to a slow batch model (10 s). */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

/** Scores are probabilities: 20 buckets of 0.05 over [0, 1]; values above 1 land in +Inf. */
export const SCORE_BUCKETS = Array.from({ length: 20 }, (_, i) => Math.round((i + 1) * 5) / 100);

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(registry: Registry, options: { version: string; defaultMetrics?: boolean }) {
  const registers = [registry];
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const metrics = {
    eventsConsumed: new Counter({
      name: 'driftwatch_events_consumed_total',
      help: 'Records read from a source, accepted or not.',
      labelNames: ['topic'] as const,
      registers,
    }),
    eventsRejected: new Counter({
      name: 'driftwatch_events_rejected_total',
      help: 'Records rejected before they became events, by bounded reason (see docs/errors.md).',
      labelNames: ['topic', 'reason'] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: 'driftwatch_dead_letters_total',
      help: 'Rejected records produced to the dead-letter topic, by outcome (written, failed).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    predictions: new Counter({
      name: 'driftwatch_predictions_total',
      help: 'Prediction events, by model, model version and status (ok, error).',
      labelNames: ['model', 'model_version', 'status'] as const,
      registers,
    }),
    predictionErrors: new Counter({
      name: 'driftwatch_prediction_errors_total',
      help: 'Prediction events with status "error", by error class (bounded per model; the rest is "other").',
      labelNames: ['model', 'model_version', 'error'] as const,
      registers,
    }),
    latency: new SeriesHistogram({
      name: 'driftwatch_prediction_latency_seconds',
      help: 'Inference latency reported by the serving system (latency_ms), in seconds.',
      labelNames: ['model', 'model_version'] as const,
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers,
    }),
    score: new SeriesHistogram({
      name: 'driftwatch_prediction_score',
      help: 'Distribution of prediction scores (0..1 buckets); events with no numeric score are not observed.',
      labelNames: ['model', 'model_version'] as const,
      buckets: SCORE_BUCKETS,
      registers,
    }),
    cost: new Counter({
      name: 'driftwatch_inference_cost_total',
      help: 'Sum of the inference cost of prediction events, in the configured currency.',
      labelNames: ['model', 'model_version'] as const,
      registers,
    }),
    costed: new Counter({
      name: 'driftwatch_inference_costed_total',
      help: 'Prediction events that carried a cost (the denominator of cost per inference).',
      labelNames: ['model', 'model_version'] as const,
      registers,
    }),
    taskSuccess: new Counter({
      name: 'driftwatch_task_success_total',
      help: 'Prediction events whose task succeeded for the business (success, default status == ok).',
      labelNames: ['model', 'model_version'] as const,
      registers,
    }),
    featureEvents: new Counter({
      name: 'driftwatch_feature_events_total',
      help: 'Feature events (from the feature pipeline topic), by model.',
      labelNames: ['model'] as const,
      registers,
    }),
    lastEventTimestamp: new Gauge({
      name: 'driftwatch_last_event_timestamp_seconds',
      help: 'Event time of the newest event seen for the model, in Unix seconds.',
      labelNames: ['model'] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: 'driftwatch_kafka_consumer_lag',
      help: "Records between the partition's high watermark and the consumer group's committed offset.",
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    sourceUp: new Gauge({
      name: 'driftwatch_source_up',
      help: '1 while the source is connected and consuming (Kafka: joined its group), else 0.',
      labelNames: ['source'] as const,
      registers,
    }),
    buildInfo: new Gauge({
      name: 'driftwatch_build_info',
      help: 'Always 1; the version label says which driftwatch is running.',
      labelNames: ['version'] as const,
      registers,
    }),
  };
  metrics.buildInfo.set({ version: options.version }, 1);
  return metrics;
}

/**
 * Creates the zero-valued series a dashboard expects to exist before the first event, so
 * that `rate()` over them starts from 0 instead of from the first increment.
 */
export function initialiseTopicSeries(metrics: Metrics, topics: readonly string[]): void {
  for (const topic of topics) {
    metrics.eventsConsumed.inc({ topic }, 0);
    for (const reason of REJECT_REASONS) metrics.eventsRejected.inc({ topic, reason }, 0);
  }
  metrics.deadLetters.inc({ outcome: 'written' }, 0);
  metrics.deadLetters.inc({ outcome: 'failed' }, 0);
}
