/**
 * What the InfluxDB history holds: the points of an evaluation, as line protocol
 * (docs/influxdb.md, "Schema"), and which evaluations of a round are new. Pure: no I/O, no
 * clock; the sink (influx.ts) calls both from `publish`, so both are cheap and never throw
 * for a well-formed evaluation.
 */
import { Point } from '@influxdata/influxdb-client';

import type { FeatureEvaluation, ModelEvaluation } from '../evaluate/types.js';

export const FEATURE_MEASUREMENT = 'driftwatch_feature';
export const MODEL_MEASUREMENT = 'driftwatch_model';

/** The statistics of a feature written as float fields, each only when it is not null. */
const FEATURE_FLOAT_FIELDS = [
  'psi',
  'ks_statistic',
  'ks_statistic_error_bound',
  'ks_pvalue',
  'ks_pvalue_adjusted',
  'chi2_pvalue',
  'chi2_pvalue_adjusted',
  'js_distance',
  'null_ratio',
  'out_of_range_ratio',
  'unseen_ratio',
] as const satisfies readonly (keyof FeatureEvaluation)[];

/**
 * The serving summary an evaluation may carry (`serving`), field by field: the key in the
 * summary and the field it is written as. `events` is renamed because the model point
 * already has an `events` field (the window's events of the model and source).
 */
const SERVING_FIELDS = [
  ['events', 'serving_events'],
  ['error_rate', 'error_rate'],
  ['throughput_per_second', 'throughput_per_second'],
  ['latency_p50_seconds', 'latency_p50_seconds'],
  ['latency_p95_seconds', 'latency_p95_seconds'],
  ['latency_p99_seconds', 'latency_p99_seconds'],
  ['cost_per_inference', 'cost_per_inference'],
  ['cost_per_success', 'cost_per_success'],
] as const;

/** A number InfluxDB can store: null, NaN and ±Infinity are not written (a float field cannot hold them). */
function writable(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function featurePoint(evaluation: ModelEvaluation, feature: FeatureEvaluation, at: string): Point {
  const point = new Point(FEATURE_MEASUREMENT)
    .tag('model', evaluation.model)
    .tag('source', evaluation.source)
    .tag('feature', feature.feature)
    .tag('type', feature.type)
    .tag('verdict', feature.verdict)
    .timestamp(at);
  for (const field of FEATURE_FLOAT_FIELDS) {
    const value = feature[field];
    if (writable(value)) point.floatField(field, value);
  }
  if (Number.isSafeInteger(feature.n_current)) point.intField('n_current', feature.n_current);
  // No verdict, no drift field: like the driftwatch_feature_drift gauge, absent while insufficient_data.
  if (feature.verdict !== 'insufficient_data') point.booleanField('drift', feature.verdict === 'drift');
  return point;
}

function modelPoint(evaluation: ModelEvaluation, at: string): Point {
  const point = new Point(MODEL_MEASUREMENT)
    .tag('model', evaluation.model)
    .tag('source', evaluation.source)
    .timestamp(at);
  if (writable(evaluation.drift_share)) point.floatField('drift_share', evaluation.drift_share);
  for (const field of ['drifted_features', 'evaluated_features', 'events', 'unknown_features'] as const) {
    const value = evaluation[field];
    if (Number.isSafeInteger(value)) point.intField(field, value);
  }
  // Read by name, not by type: the summary is optional and written only as far as it is there.
  const serving = (evaluation as unknown as { readonly serving?: unknown }).serving;
  if (typeof serving === 'object' && serving !== null) {
    for (const [key, field] of SERVING_FIELDS) {
      const value = (serving as Readonly<Record<string, unknown>>)[key];
      if (writable(value)) point.floatField(field, value);
    }
  }
  return point;
}

/**
 * The line-protocol lines of one evaluation at `at` (epoch ms, written with ms precision):
 * the model point, then one point per feature in the evaluation's order. A point left
 * without any field is not written.
 */
export function evaluationLines(evaluation: ModelEvaluation, at: number): string[] {
  const time = String(Math.floor(at));
  const lines: string[] = [];
  for (const point of [
    modelPoint(evaluation, time),
    ...evaluation.features.map((f) => featurePoint(evaluation, f, time)),
  ]) {
    const line = point.toLineProtocol();
    if (line !== undefined) lines.push(line);
  }
  return lines;
}

/**
 * Picks the evaluations of a round that the previous round did not already hold. A round
 * repeats the latest evaluation of every model and source, including those not evaluated in
 * it; the evaluation loop hands on the very same object then, and a new evaluation is always
 * a new object, so identity tells them apart (an evaluation with the same numbers as the last
 * one is still new: it is another step's). Keeps only the last round's evaluations, so models
 * that are gone are forgotten.
 */
export class NewEvaluations {
  private last = new Map<string, ModelEvaluation>();

  /** Called once per round, in order; returns the new evaluations in the round's order. */
  select(evaluations: readonly ModelEvaluation[]): ModelEvaluation[] {
    const current = new Map<string, ModelEvaluation>();
    const fresh: ModelEvaluation[] = [];
    for (const evaluation of evaluations) {
      const key = `${evaluation.model}\u0000${evaluation.source}`;
      current.set(key, evaluation);
      if (this.last.get(key) !== evaluation) fresh.push(evaluation);
    }
    this.last = current;
    return fresh;
  }
}
