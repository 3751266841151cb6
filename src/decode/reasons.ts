/**
 * Why a record was rejected. The set is closed: it is the `reason` label of
 * `driftwatch_events_rejected_total`, so it must never grow with the data.
 */
export const REJECT_REASONS = [
  /** The record has no value (a tombstone) or an empty one. */
  'empty',
  /** The value is larger than `limits.max_event_bytes`. */
  'too_large',
  /** The bytes are not valid UTF-8. */
  'invalid_utf8',
  /** The value does not parse as JSON (NaN and Infinity tokens are accepted). */
  'invalid_json',
  /** The JSON value is not an object. */
  'not_object',
  /** The event has no `model`, or an empty one. */
  'missing_model',
  /** The `model` is not configured. */
  'unknown_model',
  /** An envelope field (ts, latency_ms, status, ...) has the wrong type or value. */
  'invalid_field',
  /** The event has more features than `limits.max_features_per_event`. */
  'too_many_features',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];
