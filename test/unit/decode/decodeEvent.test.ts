import { describe, expect, it } from 'vitest';

import { decodeRecord, type DecodeOptions, type DecodeResult } from '../../../src/decode/decodeEvent.js';
import type { FeatureEvent, PredictionEvent } from '../../../src/decode/event.js';
import { REJECT_REASONS, type RejectReason } from '../../../src/decode/reasons.js';
import type { EventKind, RawRecord } from '../../../src/decode/record.js';

const RECORD_TS = Date.parse('2026-11-21T10:00:00.000Z');
const options: DecodeOptions = {
  models: new Set(['fraud-scorer', 'modèle-é', '予測モデル', '🚀-model']),
  maxEventBytes: 4096,
  maxFeaturesPerEvent: 5,
};

function record(value: string | Buffer | null): RawRecord {
  return {
    topic: 'ml.predictions',
    partition: 0,
    offset: '0',
    key: null,
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers: {},
    timestamp: RECORD_TS,
  };
}

function decode(value: unknown, kind: EventKind = 'prediction'): DecodeResult {
  const text =
    typeof value === 'string' || Buffer.isBuffer(value) || value === null ? value : JSON.stringify(value);
  return decodeRecord(record(text as string | Buffer | null), kind, options);
}

function accepted(value: unknown): PredictionEvent {
  const result = decode(value);
  if (!result.ok) throw new Error(`rejected: ${result.reason}: ${result.detail}`);
  return result.event as PredictionEvent;
}

function rejectedAs(value: unknown, kind: EventKind = 'prediction'): RejectReason {
  const result = decode(value, kind);
  if (result.ok) throw new Error('accepted');
  expect(result.detail.length).toBeGreaterThan(0);
  return result.reason;
}

describe('decodeRecord: defaults of a minimal prediction event', () => {
  it('fills every optional field with its documented default', () => {
    expect(accepted({ model: 'fraud-scorer' })).toEqual({
      kind: 'prediction',
      model: 'fraud-scorer',
      modelVersion: 'unknown',
      id: null,
      ts: RECORD_TS,
      features: {},
      prediction: null,
      latencyMs: null,
      status: 'ok',
      error: null,
      cost: null,
      success: true,
    });
  });

  it('defaults success to false when status is error', () => {
    const e = accepted({ model: 'fraud-scorer', status: 'error', error: 'timeout' });
    expect(e.status).toBe('error');
    expect(e.error).toBe('timeout');
    expect(e.success).toBe(false);
  });

  it('keeps an explicit success that differs from the status', () => {
    expect(accepted({ model: 'fraud-scorer', status: 'ok', success: false }).success).toBe(false);
    expect(accepted({ model: 'fraud-scorer', status: 'error', success: true }).success).toBe(true);
  });

  it('treats explicit nulls like absent fields', () => {
    const e = accepted({
      model: 'fraud-scorer',
      model_version: null,
      ts: null,
      status: null,
      cost: null,
      latency_ms: null,
    });
    expect([e.modelVersion, e.ts, e.status, e.cost, e.latencyMs]).toEqual([
      'unknown',
      RECORD_TS,
      'ok',
      null,
      null,
    ]);
  });
});

describe('decodeRecord: a complete prediction event', () => {
  it('decodes the example of PRODUCT.md §2', () => {
    const e = accepted({
      model: 'fraud-scorer',
      model_version: '7',
      id: '0f8c2a9e',
      ts: '2026-11-21T10:15:00.123Z',
      features: { amount: 42.5, country: 'DE', is_new_customer: true, age: null },
      prediction: 0.91,
      latency_ms: 18.4,
      status: 'ok',
      error: null,
      cost: 0.00042,
      success: true,
    });
    expect(e).toEqual({
      kind: 'prediction',
      model: 'fraud-scorer',
      modelVersion: '7',
      id: '0f8c2a9e',
      ts: Date.parse('2026-11-21T10:15:00.123Z'),
      features: { amount: 42.5, country: 'DE', is_new_customer: true, age: null },
      prediction: { score: 0.91, label: null },
      latencyMs: 18.4,
      status: 'ok',
      error: null,
      cost: 0.00042,
      success: true,
    });
  });

  it('accepts ts as epoch milliseconds and as RFC 3339 with an offset', () => {
    expect(accepted({ model: 'fraud-scorer', ts: 1_763_719_200_000 }).ts).toBe(1_763_719_200_000);
    expect(accepted({ model: 'fraud-scorer', ts: '2026-11-21T11:15:00+01:00' }).ts).toBe(
      Date.parse('2026-11-21T10:15:00Z'),
    );
  });

  it('turns a numeric model_version and id into strings', () => {
    const e = accepted({ model: 'fraud-scorer', model_version: 7, id: 12345 });
    expect([e.modelVersion, e.id]).toEqual(['7', '12345']);
  });

  it('reads every prediction shape', () => {
    expect(accepted({ model: 'fraud-scorer', prediction: 'fraud' }).prediction).toEqual({
      score: null,
      label: 'fraud',
    });
    expect(accepted({ model: 'fraud-scorer', prediction: true }).prediction).toEqual({
      score: null,
      label: 'true',
    });
    expect(
      accepted({ model: 'fraud-scorer', prediction: { label: 'fraud', score: 0.8 } }).prediction,
    ).toEqual({
      score: 0.8,
      label: 'fraud',
    });
    expect(accepted({ model: 'fraud-scorer', prediction: { label: 1 } }).prediction).toEqual({
      score: null,
      label: '1',
    });
    expect(accepted({ model: 'fraud-scorer', prediction: 1234.5 }).prediction).toEqual({
      score: 1234.5,
      label: null,
    });
  });

  it('decodes a feature event', () => {
    const result = decode({ model: 'fraud-scorer', ts: 5, features: { amount: 1 } }, 'feature');
    expect(result).toEqual({
      ok: true,
      event: {
        kind: 'feature',
        model: 'fraud-scorer',
        ts: 5,
        features: { amount: 1 },
      } satisfies FeatureEvent,
    });
  });
});

describe('decodeRecord: NaN and Infinity', () => {
  it("keeps Python's bare NaN / Infinity / -Infinity feature values for the data-quality checks", () => {
    const e = accepted(
      '{"model": "fraud-scorer", "features": {"a": NaN, "b": Infinity, "c": -Infinity, "d": 1, "e": "NaN"}}',
    );
    expect(e.features.a).toBeNaN();
    expect(e.features.b).toBe(Number.POSITIVE_INFINITY);
    expect(e.features.c).toBe(Number.NEGATIVE_INFINITY);
    expect(e.features.d).toBe(1);
    // A string that spells NaN is a string, not a number.
    expect(e.features.e).toBe('NaN');
  });

  it('keeps a NaN score (a data-quality issue of __prediction__), not a reason to lose the event', () => {
    expect(accepted('{"model": "fraud-scorer", "prediction": NaN}').prediction?.score).toBeNaN();
  });

  it('does not touch NaN or Infinity inside strings, escaped quotes included', () => {
    const e = accepted('{"model": "fraud-scorer", "id": "say \\"NaN\\" Infinity", "features": {"x": NaN}}');
    expect(e.id).toBe('say "NaN" Infinity');
    expect(e.features.x).toBeNaN();
  });

  it('rejects non-finite serving fields as invalid_field', () => {
    expect(rejectedAs('{"model": "fraud-scorer", "latency_ms": NaN}')).toBe('invalid_field');
    expect(rejectedAs('{"model": "fraud-scorer", "cost": Infinity}')).toBe('invalid_field');
    expect(rejectedAs('{"model": "fraud-scorer", "ts": -Infinity}')).toBe('invalid_field');
  });

  it('still rejects text that is not JSON even when it contains the tokens', () => {
    expect(rejectedAs('{"model": NaNa}')).toBe('invalid_json');
    expect(rejectedAs('NaN garbage {')).toBe('invalid_json');
  });
});

describe('decodeRecord: every rejection reason', () => {
  it('empty: a tombstone or an empty value', () => {
    expect(rejectedAs(null)).toBe('empty');
    expect(rejectedAs('')).toBe('empty');
  });

  it('too_large: bigger than max_event_bytes, checked before parsing', () => {
    const big = JSON.stringify({ model: 'fraud-scorer', features: { blob: 'x'.repeat(5000) } });
    const result = decode(big);
    expect(result).toMatchObject({ ok: false, reason: 'too_large' });
    if (!result.ok) expect(result.detail).toContain('limits.max_event_bytes (4096)');
    // Exactly at the limit is fine.
    const atLimit = JSON.stringify({ model: 'fraud-scorer', id: '' }).padEnd(4096, ' ');
    expect(Buffer.byteLength(atLimit)).toBe(4096);
    expect(decode(atLimit).ok).toBe(true);
  });

  it('invalid_utf8', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"model": "fraud-scorer", "id": "'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect(rejectedAs(bytes)).toBe('invalid_utf8');
  });

  it('invalid_json', () => {
    for (const text of [
      '{',
      '{"model": "fraud-scorer",}',
      "{'model': 'x'}",
      'undefined',
      '{"model": "fraud-scorer"} x',
    ]) {
      expect(rejectedAs(text), text).toBe('invalid_json');
    }
  });

  it('not_object: arrays, strings, numbers, null', () => {
    for (const text of ['[]', '[{"model": "fraud-scorer"}]', '"fraud-scorer"', '42', 'null', 'true']) {
      expect(rejectedAs(text), text).toBe('not_object');
    }
  });

  it('missing_model: absent, null or empty', () => {
    expect(rejectedAs({ prediction: 1 })).toBe('missing_model');
    expect(rejectedAs({ model: null })).toBe('missing_model');
    expect(rejectedAs({ model: '' })).toBe('missing_model');
  });

  it('unknown_model: not configured, compared exactly (case and unicode normalisation matter)', () => {
    expect(rejectedAs({ model: 'Fraud-Scorer' })).toBe('unknown_model');
    expect(rejectedAs({ model: 'fraud-scorer ' })).toBe('unknown_model');
    // "é" precomposed is configured; "e" + combining acute is a different string.
    expect(rejectedAs({ model: 'mode\u0300le-e\u0301' })).toBe('unknown_model');
  });

  it('invalid_field: each envelope field of the wrong type', () => {
    const cases: Record<string, unknown>[] = [
      { model: 42 },
      { model: ['fraud-scorer'] },
      { model: 'fraud-scorer', model_version: { v: 7 } },
      { model: 'fraud-scorer', id: [1] },
      { model: 'fraud-scorer', ts: 'yesterday' },
      { model: 'fraud-scorer', ts: '2026-11-21' },
      { model: 'fraud-scorer', ts: '2026-11-21T10:15:00' },
      { model: 'fraud-scorer', ts: -1 },
      { model: 'fraud-scorer', ts: true },
      { model: 'fraud-scorer', latency_ms: '18' },
      { model: 'fraud-scorer', latency_ms: -1 },
      { model: 'fraud-scorer', cost: -0.5 },
      { model: 'fraud-scorer', cost: '0.1' },
      { model: 'fraud-scorer', status: 'OK' },
      { model: 'fraud-scorer', status: 1 },
      { model: 'fraud-scorer', error: { code: 1 } },
      { model: 'fraud-scorer', success: 'yes' },
      { model: 'fraud-scorer', features: [1, 2] },
      { model: 'fraud-scorer', features: 'amount=1' },
      { model: 'fraud-scorer', prediction: [0.1, 0.9] },
      { model: 'fraud-scorer', prediction: { score: '0.9' } },
      { model: 'fraud-scorer', prediction: { label: ['a'] } },
      { model: 'fraud-scorer', model_version: 'v'.repeat(257) },
    ];
    for (const c of cases) expect(rejectedAs(c), JSON.stringify(c).slice(0, 80)).toBe('invalid_field');
  });

  it('invalid_field names the field in its detail', () => {
    const result = decode({ model: 'fraud-scorer', latency_ms: 'fast' });
    expect(result).toEqual({
      ok: false,
      reason: 'invalid_field',
      detail: 'latency_ms: expected a non-negative number, got the string "fast"',
    });
  });

  it('too_many_features', () => {
    const features = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}`, i]));
    expect(rejectedAs({ model: 'fraud-scorer', features })).toBe('too_many_features');
    expect(
      accepted({ model: 'fraud-scorer', features: { a: 1, b: 2, c: 3, d: 4, e: 5 } }).features,
    ).toHaveProperty('e', 5);
  });

  it('covers every declared reason (a new reason needs a test here)', () => {
    const tested: RejectReason[] = [
      'empty',
      'too_large',
      'invalid_utf8',
      'invalid_json',
      'not_object',
      'missing_model',
      'unknown_model',
      'invalid_field',
      'too_many_features',
    ];
    expect([...tested].sort()).toEqual([...REJECT_REASONS].sort());
  });
});

describe('decodeRecord: hostile and unusual input', () => {
  it('survives deep nesting inside features without recursion', () => {
    const depth = 100_000;
    const text = `{"model": "fraud-scorer", "features": {"x": ${'['.repeat(depth)}${']'.repeat(depth)}, "y": 1}}`;
    const e = decodeRecord(record(text), 'prediction', { ...options, maxEventBytes: 1 << 20 });
    expect(e.ok).toBe(true);
    if (e.ok) expect((e.event as PredictionEvent).features.y).toBe(1);
  });

  it('rejects a deeply nested top-level array as not_object', () => {
    const depth = 2000;
    expect(rejectedAs(`${'['.repeat(depth)}${']'.repeat(depth)}`)).toBe('not_object');
  });

  it('accepts configured unicode model names and keeps them byte for byte', () => {
    for (const model of ['modèle-é', '予測モデル', '🚀-model']) {
      expect(accepted({ model }).model).toBe(model);
    }
    expect(rejectedAs({ model: '予測' })).toBe('unknown_model');
  });

  it('ignores unknown top-level fields (forward compatibility)', () => {
    expect(accepted({ model: 'fraud-scorer', trace_id: 'abc', extra: { a: 1 } }).model).toBe('fraud-scorer');
  });

  it('rejects a leading UTF-8 byte-order mark: JSON text has none', () => {
    expect(
      rejectedAs(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"model":"fraud-scorer"}')])),
    ).toBe('invalid_json');
  });

  it('never throws, whatever the bytes', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = '{}[]":,0123456789.eE+-NaInfitylmodel\\ u';
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(rand() * 60);
      let s = '';
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      expect(() => decode(s)).not.toThrow();
    }
  });
});
