/**
 * The models the daemon evaluates: each configured model that has a baseline, with the baseline
 * loaded and validated, its window and its verdict rules. Built at start and on every reload,
 * before anything is swapped, so that a bad baseline keeps the running state.
 */
import { resolve } from 'node:path';

import { loadBaseline } from '../baseline/load.js';
import type { Baseline } from '../baseline/format.js';
import type { DriftwatchConfig, ModelConfig, TimeMode } from '../config/types.js';
import { DriftwatchError } from '../errors.js';
import type { DriftThresholds } from '../evaluate/types.js';
import type { WindowSpec } from '../windows/modelWindow.js';
import { atWindowResolution } from '../windows/resolution.js';

/** Which events feed a model's feature windows, kept apart in metrics by the `source` label. */
export type DriftSource = 'predictions' | 'features';

export interface DriftModel {
  readonly name: string;
  readonly baseline: Baseline;
  readonly spec: WindowSpec;
  readonly windowMs: number;
  readonly stepMs: number;
  readonly time: TimeMode;
  readonly allowedLatenessMs: number;
  readonly thresholds: DriftThresholds;
  readonly sources: readonly DriftSource[];
}

/** The sources of a `feature_source` setting. */
export function sourcesOf(model: ModelConfig): DriftSource[] {
  switch (model.featureSource) {
    case 'predictions':
      return ['predictions'];
    case 'features':
      return ['features'];
    case 'both':
      return ['predictions', 'features'];
  }
}

/**
 * Loads the baseline of every model that names one (relative paths from the working directory, as
 * docs/config.md says).
 * @throws DriftwatchError naming the model and the file when a baseline cannot be read, is invalid,
 *   or is the baseline of another model.
 */
export async function loadDriftModels(config: DriftwatchConfig): Promise<DriftModel[]> {
  const models: DriftModel[] = [];
  for (const model of config.models) {
    if (model.baseline === null) continue;
    let baseline: Baseline;
    try {
      baseline = await loadBaseline(resolve(model.baseline));
    } catch (error) {
      if (error instanceof DriftwatchError) {
        throw new DriftwatchError(error.code, `model ${model.name}: ${error.message}`, { cause: error });
      }
      throw error;
    }
    if (baseline.model !== model.name) {
      throw new DriftwatchError(
        'DW_BASELINE_INVALID',
        `model ${model.name}: ${model.baseline} is the baseline of model "${baseline.model}"; ` +
          `build one for "${model.name}" (driftwatch baseline build --model ${model.name} ...)`,
      );
    }
    models.push({
      name: model.name,
      // The windows count at the configured resolution; the fine summary is not kept.
      baseline: atWindowResolution(baseline, model.windowKsQuantiles),
      spec: { stepMs: model.stepMs, steps: model.windowMs / model.stepMs },
      windowMs: model.windowMs,
      stepMs: model.stepMs,
      time: model.time,
      allowedLatenessMs: model.allowedLatenessMs,
      thresholds: model.drift,
      sources: sourcesOf(model),
    });
  }
  return models;
}
