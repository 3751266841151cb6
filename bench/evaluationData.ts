/**
 * The models and events of the evaluation benchmark (bench/evaluation.ts): per model a baseline of
 * 40 numeric and 10 categorical features built in memory with the stats functions, as
 * `driftwatch baseline build` builds one, the `DriftModel` the daemon would load from it, and
 * prediction events drawn from the same distributions (so the windows hold realistic counts: no
 * feature drifts on purpose).
 *
 * Seeded (bench/gen/random.ts): the same data on every run. Used by bench/evaluation.ts only.
 */
import type { BaselineFeature } from '../src/baseline/format.js';
import type { Features, PredictionEvent } from '../src/decode/event.js';
import type { DriftModel } from '../src/drift/models.js';
import { DEFAULT_DRIFT_THRESHOLDS } from '../src/evaluate/thresholds.js';
import { baselineOf, categoricalFeature, numericFeature } from '../test/unit/windows/baselineOf.js';
import { DEFAULT_WINDOW_KS_QUANTILES } from '../src/config/defaults.js';
import { atWindowResolution } from '../src/windows/resolution.js';
import { cumulativeWeights, Draw, seededUniform } from './gen/random.js';

export const NUMERIC_FEATURES = 40;
export const CATEGORICAL_FEATURES = 10;
export const STEP_MS = 60_000;
export const STEPS = 60;

/**
 * How feature `f` of a model draws its values. Numeric features cycle through four shapes: normal,
 * lognormal (heavy right tail), uniform, and small integers with many ties (whose KS summary is
 * exact: one edge per distinct value, so its window slots are few). Categorical features have 5 to
 * 20 categories with Zipf-like weights.
 */
interface FeatureDraw {
  readonly name: string;
  readonly numeric: boolean;
  readonly value: (draw: Draw) => number | string;
}

function featureDraws(): FeatureDraw[] {
  const out: FeatureDraw[] = [];
  for (let f = 0; f < NUMERIC_FEATURES; f++) {
    const shift = f % 7;
    const shape = f % 4;
    const value =
      shape === 0
        ? (d: Draw) => d.normal(shift, 1 + (f % 3))
        : shape === 1
          ? (d: Draw) => d.lognormal(shift / 4, 0.6)
          : shape === 2
            ? (d: Draw) => d.uniformBetween(-shift, 100)
            : (d: Draw) => d.poisson(4 + shift);
    out.push({ name: `num_${String(f).padStart(2, '0')}`, numeric: true, value });
  }
  for (let c = 0; c < CATEGORICAL_FEATURES; c++) {
    const k = 5 + Math.round((15 * c) / (CATEGORICAL_FEATURES - 1));
    const labels = Array.from({ length: k }, (_, i) => `cat${c}_${i}`);
    const cumulative = cumulativeWeights(labels.map((_, i) => 1 / (i + 1)));
    out.push({ name: `cat_${c}`, numeric: false, value: (d: Draw) => d.pick(labels, cumulative) });
  }
  return out;
}

const DRAWS = featureDraws();

/** The benchmark's model names, `model-000` .. in order. */
export function modelName(i: number): string {
  return `model-${String(i).padStart(3, '0')}`;
}

/**
 * The `DriftModel` of model `i`, as `loadDriftModels` would build it for a model with a 1 h window
 * in 1 min steps by processing time, the default verdict rules and `feature_source: predictions`.
 * Its baseline comes from `referenceRows` draws per feature, with a stream of its own per model.
 */
export function benchModel(i: number, referenceRows: number): DriftModel {
  const draw = new Draw(seededUniform(1_000 + i));
  const features: BaselineFeature[] = DRAWS.map((d) => {
    if (d.numeric) {
      const values: number[] = [];
      for (let r = 0; r < referenceRows; r++) values.push(d.value(draw) as number);
      return numericFeature(d.name, values);
    }
    const values: string[] = [];
    for (let r = 0; r < referenceRows; r++) values.push(d.value(draw) as string);
    return categoricalFeature(d.name, values);
  });
  const name = modelName(i);
  return {
    name,
    // As loadDriftModels does: the windows count KS at the default window resolution.
    baseline: atWindowResolution(baselineOf(features, name), DEFAULT_WINDOW_KS_QUANTILES),
    spec: { stepMs: STEP_MS, steps: STEPS },
    windowMs: STEP_MS * STEPS,
    stepMs: STEP_MS,
    time: 'processing',
    allowedLatenessMs: 0,
    thresholds: DEFAULT_DRIFT_THRESHOLDS,
    sources: ['predictions'],
  };
}

/**
 * `n` feature objects drawn from the models' distributions, as `JSON.parse` would make them. Events
 * reuse them from this pool, so that generating events does not dominate the feed's time and the
 * pool's memory is fixed whatever the event rate.
 */
export function featurePool(n: number, seed: number): Features[] {
  const draw = new Draw(seededUniform(seed));
  const out: Features[] = [];
  for (let i = 0; i < n; i++) {
    const features: Record<string, number | string> = {};
    for (const d of DRAWS) features[d.name] = d.value(draw);
    out.push(features);
  }
  return out;
}

/** A decoded prediction event of `model` at `ts` with `features`. */
export function predictionEvent(
  model: string,
  ts: number,
  features: Features,
  score: number,
): PredictionEvent {
  return {
    kind: 'prediction',
    model,
    modelVersion: 'v1',
    id: null,
    ts,
    features,
    prediction: { score, label: null },
    latencyMs: 12,
    status: 'ok',
    error: null,
    cost: null,
    success: true,
  };
}
