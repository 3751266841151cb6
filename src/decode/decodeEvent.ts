/**
 * Decoding and validation of one record into an event (PRODUCT.md §2). Pure: no I/O, no
 * clock, no metrics. Every way a record can be unusable maps to one bounded reason; the
 * caller counts it and keeps the record in the dead-letter topic.
 *
 * What is rejected is the envelope: a record whose model, timestamp, status or numeric
 * serving fields cannot be trusted. Feature values are never a reason to reject an event;
 * they are checked later, per feature, against the model's data contract.
 */
import { isUtf8 } from 'node:buffer';

import type { DriftEvent, FeatureEvent, Features, Prediction, PredictionEvent } from './event.js';
import { parseJson } from './json.js';
import type { RejectReason } from './reasons.js';
import type { EventKind, RawRecord } from './record.js';

export interface DecodeOptions {
  /** Names of the configured models; events for any other model are rejected. */
  readonly models: ReadonlySet<string>;
  readonly maxEventBytes: number;
  readonly maxFeaturesPerEvent: number;
}

export type DecodeResult =
  | { readonly ok: true; readonly event: DriftEvent }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

export const UNKNOWN_VERSION = 'unknown';

/** Envelope fields longer than this are not identifiers any more but payloads. */
const MAX_IDENT_LENGTH = 256;

// RFC 3339 date-time: a date, a time and an offset are all required.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

class Reject {
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
  ) {}
}

function reject(reason: RejectReason, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

/** Decodes a record of a topic that carries `kind` events. Never throws. */
export function decodeRecord(record: RawRecord, kind: EventKind, options: DecodeOptions): DecodeResult {
  const value = record.value;
  if (value === null || value.length === 0) return reject('empty', 'the record has no value');
  if (value.length > options.maxEventBytes) {
    return reject(
      'too_large',
      `${value.length} bytes exceeds limits.max_event_bytes (${options.maxEventBytes})`,
    );
  }
  if (!isUtf8(value)) return reject('invalid_utf8', 'the value is not valid UTF-8');

  let parsed: unknown;
  try {
    parsed = parseJson(value.toString('utf8'));
  } catch (error) {
    return reject('invalid_json', error instanceof Error ? error.message : 'not JSON');
  }
  // Each member of a JSON object takes at least 4 bytes ("":0), so a record of n bytes has at
  // most n/4 features: most records are too small to need counting them (a hot-path cost).
  return decodeValue(parsed, kind, record.timestamp, options, Math.floor(value.length / 4));
}

/**
 * Validates an already parsed JSON value; `fallbackTs` is used when the event has no `ts`.
 * `maxKeys`, when known, bounds the number of keys any object in the value can have.
 */
export function decodeValue(
  parsed: unknown,
  kind: EventKind,
  fallbackTs: number,
  options: DecodeOptions,
  maxKeys = Number.POSITIVE_INFINITY,
): DecodeResult {
  if (!isPlainObject(parsed)) {
    return reject('not_object', `expected a JSON object, got ${describe(parsed)}`);
  }
  const model = parsed.model;
  if (model === undefined || model === null || model === '') {
    return reject('missing_model', 'the event has no "model"');
  }
  if (typeof model !== 'string')
    return reject('invalid_field', `model: expected a string, got ${describe(model)}`);
  if (!options.models.has(model)) {
    return reject('unknown_model', `model ${JSON.stringify(truncate(model))} is not configured`);
  }
  try {
    const event =
      kind === 'prediction'
        ? predictionEvent(parsed, model, fallbackTs, options, maxKeys)
        : featureEvent(parsed, model, fallbackTs, options, maxKeys);
    return { ok: true, event };
  } catch (error) {
    if (error instanceof Reject) return reject(error.reason, error.detail);
    throw error;
  }
}

function predictionEvent(
  o: Record<string, unknown>,
  model: string,
  fallbackTs: number,
  options: DecodeOptions,
  maxKeys: number,
): PredictionEvent {
  const status = statusOf(o.status);
  return {
    kind: 'prediction',
    model,
    modelVersion: identifier(o.model_version, 'model_version') ?? UNKNOWN_VERSION,
    id: identifier(o.id, 'id'),
    ts: timestamp(o.ts, fallbackTs),
    features: features(o.features, options, maxKeys),
    prediction: prediction(o.prediction),
    latencyMs: nonNegative(o.latency_ms, 'latency_ms'),
    status,
    error: identifier(o.error, 'error'),
    cost: nonNegative(o.cost, 'cost'),
    success: booleanOr(o.success, 'success', status === 'ok'),
  };
}

function featureEvent(
  o: Record<string, unknown>,
  model: string,
  fallbackTs: number,
  options: DecodeOptions,
  maxKeys: number,
): FeatureEvent {
  return {
    kind: 'feature',
    model,
    ts: timestamp(o.ts, fallbackTs),
    features: features(o.features, options, maxKeys),
  };
}

function statusOf(v: unknown): 'ok' | 'error' {
  if (v === undefined || v === null || v === 'ok') return 'ok';
  if (v === 'error') return 'error';
  throw new Reject('invalid_field', `status: expected "ok" or "error", got ${describe(v)}`);
}

/** A short identifier (version, id, error class): a string or an integer, else absent. */
function identifier(v: unknown, field: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'string') {
    if (v.length > MAX_IDENT_LENGTH)
      throw new Reject('invalid_field', `${field}: longer than ${MAX_IDENT_LENGTH} characters`);
    return v;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new Reject('invalid_field', `${field}: expected a string, got ${describe(v)}`);
}

function timestamp(v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0) return v;
    throw new Reject('invalid_field', `ts: ${String(v)} is not a valid epoch-milliseconds timestamp`);
  }
  if (typeof v === 'string' && RFC3339.test(v)) {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms;
  }
  throw new Reject(
    'invalid_field',
    `ts: expected an RFC 3339 date-time or epoch milliseconds, got ${describe(v)}`,
  );
}

function nonNegative(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  throw new Reject('invalid_field', `${field}: expected a non-negative number, got ${describe(v)}`);
}

function booleanOr(v: unknown, field: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  throw new Reject('invalid_field', `${field}: expected true or false, got ${describe(v)}`);
}

function features(v: unknown, options: DecodeOptions, maxKeys: number): Features {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v))
    throw new Reject('invalid_field', `features: expected an object, got ${describe(v)}`);
  if (maxKeys <= options.maxFeaturesPerEvent) return v;
  let count = 0;
  for (const _ in v) {
    if (++count > options.maxFeaturesPerEvent) {
      throw new Reject(
        'too_many_features',
        `more than limits.max_features_per_event (${options.maxFeaturesPerEvent}) features`,
      );
    }
  }
  return v;
}

/**
 * `prediction` is a number (score or regression value), a string or boolean (class), or
 * `{label, score}`. A non-finite score is kept: it is a data-quality issue of the
 * `__prediction__` pseudo-feature, not a reason to lose the event.
 */
function prediction(v: unknown): Prediction | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return { score: v, label: null };
  if (typeof v === 'string') return { score: null, label: v };
  if (typeof v === 'boolean') return { score: null, label: String(v) };
  if (isPlainObject(v)) {
    const score = v.score;
    const label = v.label;
    if (score !== undefined && score !== null && typeof score !== 'number') {
      throw new Reject('invalid_field', `prediction.score: expected a number, got ${describe(score)}`);
    }
    if (
      label !== undefined &&
      label !== null &&
      typeof label !== 'string' &&
      typeof label !== 'number' &&
      typeof label !== 'boolean'
    ) {
      throw new Reject('invalid_field', `prediction.label: expected a string, got ${describe(label)}`);
    }
    return {
      score: typeof score === 'number' ? score : null,
      label: label === undefined || label === null ? null : String(label),
    };
  }
  throw new Reject(
    'invalid_field',
    `prediction: expected a number, a string or {label, score}, got ${describe(v)}`,
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return `the string ${JSON.stringify(truncate(v))}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
