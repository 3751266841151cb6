/**
 * The verdict rules a model gets when its config names none (PRODUCT.md §4, statistics.md). The
 * values are the config defaults of `models[].drift` (config/defaults.ts), re-exported here so that
 * the evaluator, `replay` without a config, and the config loader can never disagree.
 */

import {
  DEFAULT_CORRECTION,
  DEFAULT_MIN_JS_DISTANCE,
  DEFAULT_MIN_KS_STATISTIC,
  DEFAULT_MIN_SAMPLES,
  DEFAULT_P_VALUE,
  DEFAULT_PSI_THRESHOLD,
} from '../config/defaults.js';
import type { DriftThresholds } from './types.js';

export {
  DEFAULT_CORRECTION,
  DEFAULT_MIN_JS_DISTANCE,
  DEFAULT_MIN_KS_STATISTIC,
  DEFAULT_MIN_SAMPLES,
  DEFAULT_P_VALUE,
  DEFAULT_PSI_THRESHOLD,
};

/**
 * PSI > 0.2, or an adjusted (Benjamini–Hochberg) KS / chi-square p-value < 0.05 together with KS
 * D > 0.1 (numeric) or Jensen–Shannon distance > 0.1 (categorical); no verdict below 200 valid
 * values. Frozen: safe to share between models.
 */
export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = Object.freeze({
  psi: DEFAULT_PSI_THRESHOLD,
  pValue: DEFAULT_P_VALUE,
  correction: DEFAULT_CORRECTION,
  minKsStatistic: DEFAULT_MIN_KS_STATISTIC,
  minJsDistance: DEFAULT_MIN_JS_DISTANCE,
  minSamples: DEFAULT_MIN_SAMPLES,
});
