/**
 * The built-in synthetic stream of `driftwatch demo`: two models with realistic features,
 * latencies, errors and costs, a steady state, and then drift injected at a known moment
 * (a numeric and a categorical feature shift, errors and latency rise for one model).
 * A small share of records is malformed on purpose, to show the rejection path.
 * Pure: the caller passes the time, so a given seed always yields the same records.
 */
import { Random } from './random.js';

export const DEMO_MODELS = ['fraud-scorer', 'price-estimator'] as const;

export interface SyntheticOptions {
  readonly seed: number;
  /** Event time (epoch ms) from which drift is injected. */
  readonly driftAt: number;
  /** Share of records that are malformed on purpose. */
  readonly invalidShare: number;
}

const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'ES'] as const;
const COUNTRIES_DRIFTED = ['DE', 'FR', 'GB', 'US', 'ES', 'BR'] as const;
const CITIES = ['Berlin', 'Paris', 'London', 'Madrid'] as const;
const MALFORMED = [
  'not json at all',
  '[1, 2, 3]',
  '{"model_version": "7", "prediction": 0.5}',
  '{"model": "unknown-model", "prediction": 0.5}',
  '{"model": "fraud-scorer", "latency_ms": "fast"}',
] as const;

export class SyntheticStream {
  private readonly random: Random;
  private seq = 0;

  constructor(private readonly options: SyntheticOptions) {
    this.random = new Random(options.seed);
  }

  /** The next record's JSON text, stamped with event time `now`. */
  next(now: number): string {
    const r = this.random;
    this.seq++;
    if (r.next() < this.options.invalidShare) return MALFORMED[this.seq % MALFORMED.length] as string;
    const drifted = now >= this.options.driftAt;
    return JSON.stringify(r.next() < 0.7 ? this.fraud(now, drifted) : this.price(now));
  }

  private fraud(now: number, drifted: boolean): object {
    const r = this.random;
    const amount = Math.exp(r.normal(3.5, 0.8)) * (drifted ? 1.8 : 1);
    const country = drifted
      ? r.pick(COUNTRIES_DRIFTED, [0.25, 0.15, 0.15, 0.15, 0.1, 0.2])
      : r.pick(COUNTRIES, [0.3, 0.2, 0.2, 0.2, 0.1]);
    const isNew = r.next() < 0.2;
    const failed = r.next() < (drifted ? 0.08 : 0.01);
    const score = 1 / (1 + Math.exp(-(r.normal(-2, 1.2) + (isNew ? 1 : 0) + amount / 400)));
    return {
      model: 'fraud-scorer',
      model_version: '7',
      id: `f-${this.seq}`,
      ts: new Date(now).toISOString(),
      features: {
        amount: round(amount, 2),
        country,
        is_new_customer: isNew,
        age: r.next() < 0.05 ? null : Math.round(r.normal(41, 12)),
        session_seconds: round(Math.exp(r.normal(4, 1)), 1),
      },
      prediction: failed ? null : round(score, 4),
      latency_ms: round(Math.max(1, r.normal(drifted ? 60 : 20, drifted ? 20 : 6)), 2),
      status: failed ? 'error' : 'ok',
      error: failed ? r.pick(['timeout', 'feature_store_unavailable'], [0.7, 0.3]) : null,
      cost: 0.0004,
      success: !failed && r.next() < 0.97,
    };
  }

  private price(now: number): object {
    const r = this.random;
    const sqft = Math.max(200, r.normal(1400, 400));
    const failed = r.next() < 0.005;
    return {
      model: 'price-estimator',
      model_version: '3',
      id: `p-${this.seq}`,
      ts: new Date(now).toISOString(),
      features: {
        sqft: Math.round(sqft),
        rooms: Math.max(1, Math.round(sqft / 450)),
        city: r.pick(CITIES, [0.3, 0.3, 0.2, 0.2]),
      },
      prediction: failed ? null : round(sqft * 310 * (1 + r.normal(0, 0.05)), 0),
      latency_ms: round(Math.max(1, r.normal(45, 10)), 2),
      status: failed ? 'error' : 'ok',
      error: failed ? 'model_exception' : null,
      cost: 0.0011,
    };
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
