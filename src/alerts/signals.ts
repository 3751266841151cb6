/**
 * Alert rules -> samples: what a rule sees of an evaluation round. This is the "query" half of a
 * Prometheus alerting rule (the vector its expression returns): one sample per label set in the
 * rule's scope, each with the value the rule compares against its threshold. The state machine
 * (stateMachine.ts) turns samples into pending / firing / resolved alerts.
 *
 * Pure: no I/O, no clock (`now` is passed in).
 */

import type { FeatureEvaluation, ModelEvaluation, ServingSummary } from '../evaluate/types.js';
import type { AlertRule, Labels, Signal } from './types.js';

/**
 * One value a rule compares with its threshold, under the labels of the alert it may become.
 * Made by {@link ruleSamples}; read by the state machine. Plain data.
 */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/**
 * The labels driftwatch sets itself. A rule's own `labels` cannot override them (they are what
 * routes, silences and the `driftwatch_alerts` gauge rely on); the config validator should reject
 * them in `alerts.rules[].labels`, and {@link ruleSamples} ignores them if they get through.
 */
export const RESERVED_LABELS: readonly string[] = Object.freeze([
  'alertname',
  'model',
  'source',
  'feature',
  'severity',
]);

type FeatureField =
  | 'psi'
  | 'ks_statistic'
  | 'ks_pvalue'
  | 'ks_pvalue_adjusted'
  | 'chi2_pvalue'
  | 'chi2_pvalue_adjusted'
  | 'js_distance'
  | 'null_ratio'
  | 'out_of_range_ratio'
  | 'unseen_ratio';

type ServingField =
  | 'error_rate'
  | 'latency_p50_seconds'
  | 'latency_p95_seconds'
  | 'latency_p99_seconds'
  | 'throughput_per_second'
  | 'cost_per_inference'
  | 'cost_per_success';

/** The FeatureEvaluation field each per-feature signal reads (feature_drift reads the verdict). */
const FEATURE_FIELDS: Readonly<Record<string, FeatureField>> = {
  feature_psi: 'psi',
  feature_ks_statistic: 'ks_statistic',
  feature_ks_pvalue: 'ks_pvalue',
  feature_ks_pvalue_adjusted: 'ks_pvalue_adjusted',
  feature_chi2_pvalue: 'chi2_pvalue',
  feature_chi2_pvalue_adjusted: 'chi2_pvalue_adjusted',
  feature_js_distance: 'js_distance',
  feature_null_ratio: 'null_ratio',
  feature_out_of_range_ratio: 'out_of_range_ratio',
  feature_unseen_ratio: 'unseen_ratio',
};

/** Serving signals are named as their ServingSummary field. */
const SERVING_FIELDS: ReadonlySet<string> = new Set<ServingField>([
  'error_rate',
  'latency_p50_seconds',
  'latency_p95_seconds',
  'latency_p99_seconds',
  'throughput_per_second',
  'cost_per_inference',
  'cost_per_success',
]);

/**
 * True for the signals measured per feature (labels model, source, feature), for which a rule's
 * `features` globs apply. The config validator may call it to refuse `features` on a model signal.
 */
export function isFeatureSignal(signal: Signal): boolean {
  return signal === 'feature_drift' || signal in FEATURE_FIELDS;
}

/**
 * Which of model / source / feature a signal's samples carry, in that order: what templates
 * (`{{feature}}`, `{{source}}`) can rely on. Called by templates.ts and the config validator.
 */
export function signalLabelNames(signal: Signal): readonly ('model' | 'source' | 'feature')[] {
  if (isFeatureSignal(signal)) return ['model', 'source', 'feature'];
  if (signal === 'model_drift_share') return ['model', 'source'];
  return ['model'];
}

// The config documents two wildcards, `*` (any run of characters) and `?` (one character), and
// every other character is literal. Path-glob libraries (picomatch, minimatch) do not fit names:
// `*` stops at `/`, and picomatch reads `(a|b)` as a regex group, so `price(eur)*` would not match
// the feature `price(eur)_net`. Matching is by code point (`u`), across line breaks (`s`).
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

// Keyed by the frozen globs array of a loaded rule, so each rule's globs compile once per config.
const compiledScopes = new WeakMap<readonly string[], (name: string) => boolean>();

/**
 * A predicate: does `name` match any of `globs` (`*` any run of characters, `?` one character,
 * anything else literal; case-sensitive, whole name)? An empty list matches nothing. Compiled once
 * per globs array. Called by {@link ruleSamples}; exported for the code that filters by the same
 * scopes (the status API, the config validator's "matches no model" check).
 */
export function globMatcher(globs: readonly string[]): (name: string) => boolean {
  let matcher = compiledScopes.get(globs);
  if (matcher === undefined) {
    const patterns = globs.map(globToRegExp);
    matcher = (name: string) => patterns.some((pattern) => pattern.test(name));
    compiledScopes.set(globs, matcher);
  }
  return matcher;
}

/**
 * The samples `rule` sees in one evaluation round; called by the daemon once per rule after each
 * round, and its result handed to `AlertStates.update`.
 *
 * - Feature signals: one sample per (model, source, feature) in scope (the rule's `models` and
 *   `features` globs) with a value; `feature_drift` is 1 for a `drift` verdict, 0 for `ok`, none
 *   for `insufficient_data`.
 * - `model_drift_share`: one per (model, source) in scope with a drift share.
 * - Serving signals (`error_rate`, latency, throughput, cost): one per model in scope from the
 *   `serving` summary of its `predictions` evaluation.
 * - `seconds_since_last_event`: (now - lastEventAt[model]) / 1000 for every model in scope that
 *   has a last event, whether or not it was evaluated this round; never negative (an event time
 *   ahead of the clock reads 0). A model that never had an event has no sample.
 *
 * A null value makes no sample (no value is not 0; a firing alert whose sample disappears
 * resolves), nor does a NaN or infinite one, which cannot be compared or persisted as JSON.
 * Labels: `alertname` (the rule's name), `model`, `source` and `feature` where the signal has
 * them, `severity`, and the rule's `labels` but for the reserved ones and empty values (an empty
 * label is no label, as in Prometheus). Each label set appears once: a repeated one (the same
 * model and source twice in `evaluations`) keeps its first sample.
 * Samples follow the order of `evaluations` and their features. Pure.
 */
export function ruleSamples(
  rule: AlertRule,
  evaluations: readonly ModelEvaluation[],
  lastEventAt: ReadonlyMap<string, number>,
  now: number,
): Sample[] {
  const inModels = globMatcher(rule.models);
  const extra = extraLabels(rule);
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const push = (value: number | null | undefined, scope: Record<string, string>): void => {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    const key = JSON.stringify(scope);
    if (seen.has(key)) return;
    seen.add(key);
    samples.push({
      labels: Object.freeze({ ...extra, alertname: rule.name, ...scope, severity: rule.severity }),
      value,
    });
  };

  const signal = rule.signal;
  if (signal === 'seconds_since_last_event') {
    for (const [model, at] of lastEventAt) {
      if (inModels(model)) push(Math.max(0, now - at) / 1000, { model });
    }
    return samples;
  }
  for (const evaluation of evaluations) {
    const { model, source } = evaluation;
    if (!inModels(model)) continue;
    if (isFeatureSignal(signal)) {
      const inFeatures = globMatcher(rule.features);
      for (const f of evaluation.features) {
        if (inFeatures(f.feature)) push(featureValue(signal, f), { model, source, feature: f.feature });
      }
    } else if (signal === 'model_drift_share') {
      push(evaluation.drift_share, { model, source });
    } else if (SERVING_FIELDS.has(signal) && evaluation.serving !== undefined) {
      push(evaluation.serving[signal as keyof ServingSummary], { model });
    }
  }
  return samples;
}

function featureValue(signal: Signal, f: FeatureEvaluation): number | null {
  if (signal === 'feature_drift') {
    if (f.verdict === 'insufficient_data') return null;
    return f.verdict === 'drift' ? 1 : 0;
  }
  const field = FEATURE_FIELDS[signal];
  return field === undefined ? null : f[field];
}

function extraLabels(rule: AlertRule): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(rule.labels)) {
    if (value !== '' && !RESERVED_LABELS.includes(name)) labels[name] = value;
  }
  return labels;
}
