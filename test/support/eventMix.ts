/**
 * A deterministic mix of prediction events and invalid records for integration tests, with
 * the exact counts and sums the daemon must report for it. The valid events repeat a
 * pattern of period 100, so any run of whole periods has the same proportions.
 */
import { REJECT_REASONS, type RejectReason } from '../../src/decode/reasons.js';

export const MODELS = ['fraud-scorer', 'churn-model'] as const;
/** Limits the test config sets, so that too_large and too_many_features are cheap to make. */
export const TEST_MAX_EVENT_BYTES = 8192;
export const TEST_MAX_FEATURES = 50;
/** Binary-exact, so sums of costs are exact in floating point. */
const COST_UNIT = 2 ** -10;

export interface MixRecord {
  readonly value: Buffer | null;
  /** Set for an invalid record: the reason the daemon must give. */
  readonly reason: RejectReason | null;
  /** Set for a valid record. */
  readonly event: ValidEvent | null;
}

export interface ValidEvent {
  readonly model: string;
  readonly version: string;
  readonly status: 'ok' | 'error';
  readonly error: string | null;
  readonly latencyMs: number;
  readonly cost: number;
  readonly success: boolean;
  readonly score: number;
}

export function validEvent(i: number): ValidEvent {
  const j = i % 100;
  const model = j % 4 === 3 ? 'churn-model' : 'fraud-scorer';
  const failed = j % 20 === 0;
  return {
    model,
    version: model === 'churn-model' ? '2' : j % 10 < 7 ? '7' : '8',
    status: failed ? 'error' : 'ok',
    error: failed ? (j % 40 === 0 ? 'timeout' : 'upstream_5xx') : null,
    latencyMs: j < 90 ? 5 + (j % 9) * 2 : j < 99 ? 200 : 2000,
    cost: COST_UNIT * (1 + (j % 3)),
    success: !failed && j % 7 !== 0,
    score: (j % 50) / 50 + 0.01,
  };
}

function encodeValid(e: ValidEvent, i: number): Buffer {
  const features: Record<string, unknown> = {
    amount: i % 1000,
    country: ['DE', 'FR', 'US'][i % 3],
    new_customer: i % 5 === 0,
  };
  return Buffer.from(
    JSON.stringify({
      model: e.model,
      model_version: e.version,
      id: `ev-${i}`,
      ts: 1_763_719_200_000 + i,
      features,
      prediction:
        e.model === 'churn-model' ? { label: e.score > 0.5 ? 'churn' : 'stay', score: e.score } : e.score,
      latency_ms: e.latencyMs,
      status: e.status,
      error: e.error,
      cost: e.cost,
      success: e.success,
    }),
  );
}

/** Every rejection reason: a reason added to the decoder needs a generator below. */
export const INVALID_KINDS: readonly RejectReason[] = REJECT_REASONS;

function encodeInvalid(reason: RejectReason, i: number): Buffer | null {
  switch (reason) {
    case 'empty':
      return null;
    case 'too_large':
      return Buffer.from(
        JSON.stringify({ model: 'fraud-scorer', id: `big-${i}`, pad: 'x'.repeat(TEST_MAX_EVENT_BYTES) }),
      );
    case 'invalid_utf8':
      return Buffer.concat([
        Buffer.from(`{"model":"fraud-scorer","id":"bad-${i}","x":"`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]);
    case 'invalid_json':
      return Buffer.from(`{"model": "fraud-scorer", "id": "trunc-${i}"`);
    case 'not_object':
      return Buffer.from(`[${i}, "fraud-scorer"]`);
    case 'missing_model':
      return Buffer.from(JSON.stringify({ id: `nomodel-${i}`, prediction: 0.5 }));
    case 'unknown_model':
      return Buffer.from(JSON.stringify({ model: `ghost-${i % 7}`, id: `ghost-${i}` }));
    case 'invalid_field':
      return Buffer.from(JSON.stringify({ model: 'fraud-scorer', id: `lat-${i}`, latency_ms: 'slow' }));
    case 'too_many_features':
      return Buffer.from(
        JSON.stringify({
          model: 'churn-model',
          id: `wide-${i}`,
          features: Object.fromEntries(Array.from({ length: TEST_MAX_FEATURES + 1 }, (_, k) => [`f${k}`, k])),
        }),
      );
    default:
      throw new Error(`no generator for ${reason}`);
  }
}

/**
 * `valid` valid events with one invalid record after every `valid / invalid` of them,
 * cycling through every rejection reason.
 */
export function buildMix(valid: number, invalid: number, startIndex = 0): MixRecord[] {
  const out: MixRecord[] = [];
  const every = Math.floor(valid / invalid);
  let bad = 0;
  for (let i = startIndex; i < startIndex + valid; i++) {
    const e = validEvent(i);
    out.push({ value: encodeValid(e, i), reason: null, event: e });
    if ((i - startIndex + 1) % every === 0 && bad < invalid) {
      const reason = INVALID_KINDS[(startIndex + bad) % INVALID_KINDS.length] as RejectReason;
      out.push({ value: encodeInvalid(reason, startIndex + bad), reason, event: null });
      bad++;
    }
  }
  return out;
}

/** What /metrics must show for a set of records, keyed like the metric labels. */
export interface Expected {
  predictions: Map<string, number>; // model|version|status
  errors: Map<string, number>; // model|version|error
  cost: Map<string, number>; // model|version
  success: Map<string, number>; // model|version
  latencyCount: Map<string, number>; // model|version
  latencySum: Map<string, number>; // model|version (seconds)
  latencyBucket: Map<string, number>; // model|version|le
  rejected: Map<string, number>; // reason
  valid: number;
  invalid: number;
}

export function expectedFor(records: readonly MixRecord[], buckets: readonly number[]): Expected {
  const x: Expected = {
    predictions: new Map(),
    errors: new Map(),
    cost: new Map(),
    success: new Map(),
    latencyCount: new Map(),
    latencySum: new Map(),
    latencyBucket: new Map(),
    rejected: new Map(),
    valid: 0,
    invalid: 0,
  };
  const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);
  for (const r of records) {
    if (r.reason !== null) {
      add(x.rejected, r.reason, 1);
      x.invalid++;
      continue;
    }
    const e = r.event as ValidEvent;
    const mv = `${e.model}|${e.version}`;
    x.valid++;
    add(x.predictions, `${mv}|${e.status}`, 1);
    if (e.error !== null) add(x.errors, `${mv}|${e.error}`, 1);
    add(x.cost, mv, e.cost);
    if (e.success) add(x.success, mv, 1);
    add(x.latencyCount, mv, 1);
    add(x.latencySum, mv, e.latencyMs / 1000);
    for (const le of buckets) if (e.latencyMs / 1000 <= le) add(x.latencyBucket, `${mv}|${le}`, 1);
  }
  return x;
}
