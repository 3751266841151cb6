/**
 * Decoded events: what the stages after decode work with. Field names follow TypeScript
 * conventions; the wire format (PRODUCT.md §2) is snake_case.
 */

/** A model's output: a score (probability or regression value), a class label, or both. */
export interface Prediction {
  readonly score: number | null;
  readonly label: string | null;
}

/**
 * Feature values exactly as sent: numbers (NaN and ±Infinity included), strings, booleans,
 * null, or anything else. Whether a value is a valid observation is decided against the
 * model's data contract by a later stage, which counts the issues per feature.
 */
export type Features = Readonly<Record<string, unknown>>;

export interface PredictionEvent {
  readonly kind: 'prediction';
  readonly model: string;
  /** Defaults to `"unknown"`. */
  readonly modelVersion: string;
  readonly id: string | null;
  /** Event time in epoch milliseconds; the record's timestamp when the event has no `ts`. */
  readonly ts: number;
  readonly features: Features;
  readonly prediction: Prediction | null;
  readonly latencyMs: number | null;
  readonly status: 'ok' | 'error';
  /** Short error class; only meaningful with status `error`. */
  readonly error: string | null;
  readonly cost: number | null;
  /** Business success; defaults to `status === 'ok'`. */
  readonly success: boolean;
}

export interface FeatureEvent {
  readonly kind: 'feature';
  readonly model: string;
  readonly ts: number;
  readonly features: Features;
}

export type DriftEvent = PredictionEvent | FeatureEvent;
