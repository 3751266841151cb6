/**
 * What the replay benchmark's data looks like: the features of a model, how its training values
 * are drawn, and what drifts in its production events. Two profiles: `bench` (200,000 training
 * rows and 1,000,000 events of 25 features, bench/replay.ts) and `fixture` (3,000 rows and 4,000
 * events of 8 features plus bad lines, test/fixtures/replay/). Read by bench/gen/replayData.ts,
 * which writes the files.
 */
import { cumulativeWeights, decimals, type Draw, significant } from './random.js';

/** A feature value as written: a number, a category, a boolean, or null (an empty CSV cell). */
export type Value = number | string | boolean | null;

/** One feature of a profile. */
export interface FeatureSpec {
  readonly name: string;
  /** The type driftwatch should infer from the training CSV. */
  readonly kind: 'numeric' | 'categorical' | 'boolean';
  /** A training value. */
  readonly train: (d: Draw) => Value;
  /** A value in the events: `train` unless the feature drifts. */
  readonly current: (d: Draw) => Value;
  /** What drifts in the events, in words; null when nothing does. */
  readonly drift: string | null;
}

/** A model's data: its features, its score, and how much of each file to write. */
export interface Profile {
  readonly name: 'bench' | 'fixture';
  readonly model: string;
  readonly rows: number;
  readonly events: number;
  readonly seed: number;
  readonly features: readonly FeatureSpec[];
  /** The model's output for one row (training `score` column and the events' `prediction`). */
  readonly score: (row: ReadonlyMap<string, Value>, d: Draw) => number;
  /** Bad lines of each kind mixed into the events (the fixture only). */
  readonly badLinesPerKind: number;
  /**
   * 'full': events carry latency_ms, status, error and cost as well; 'minimal': only model,
   * model_version, id, ts, features and prediction (the fixture, to stay small in the repository).
   */
  readonly envelope: 'full' | 'minimal';
}

function same(name: string, kind: FeatureSpec['kind'], draw: (d: Draw) => Value): FeatureSpec {
  return { name, kind, train: draw, current: draw, drift: null };
}

function drifted(
  name: string,
  kind: FeatureSpec['kind'],
  train: (d: Draw) => Value,
  current: (d: Draw) => Value,
  drift: string,
): FeatureSpec {
  return { name, kind, train, current, drift };
}

/** Categories drawn with fixed weights (built once: the events call it a million times). */
function categorical(categories: readonly string[], weights: readonly number[]): (d: Draw) => string {
  const cumulative = cumulativeWeights(weights);
  return (d) => d.pick(categories, cumulative);
}

function nullable(p: number, draw: (d: Draw) => Value): (d: Draw) => Value {
  return (d) => (d.chance(p) ? null : draw(d));
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function num(row: ReadonlyMap<string, Value>, name: string, fallback: number): number {
  const v = row.get(name);
  return typeof v === 'number' ? v : fallback;
}

const COUNTRIES = [
  'AR', 'AT', 'AU', 'BE', 'BG', 'BR', 'CA', 'CH', 'CL', 'CN', 'CO', 'CZ', 'DE', 'DK', 'EE', 'EG', 'ES',
  'FI', 'FR', 'GB', 'GR', 'HK', 'HR', 'HU', 'ID', 'IE', 'IL', 'IN', 'IS', 'IT', 'JP', 'KR', 'LT', 'LU',
  'LV', 'MA', 'MX', 'MY', 'NG', 'NL', 'NO', 'NZ', 'PE', 'PH', 'PL', 'PT', 'RO', 'SE', 'SG', 'US',
]; // prettier-ignore
const COUNTRY_WEIGHTS = COUNTRIES.map((_, k) => 1 / (k + 1) ** 1.1);
const countryDraw = categorical(COUNTRIES, COUNTRY_WEIGHTS);
const PLANS = [
  'basic',
  'bronze',
  'business',
  'enterprise',
  'family',
  'free',
  'gold',
  'platinum',
  'pro',
  'silver',
  'student',
  'trial',
];
const DEVICES = ['android', 'chromeos', 'ios', 'ipados', 'linux', 'macos', 'tv', 'windows'];

/** The benchmark's model: 20 numeric and 5 categorical features, 5 of them drifting, plus the score. */
export const BENCH_PROFILE: Profile = {
  name: 'bench',
  model: 'bench-model',
  rows: 200_000,
  events: 1_000_000,
  seed: 20261121,
  badLinesPerKind: 0,
  envelope: 'full',
  features: [
    same('age', 'numeric', (d) => Math.max(18, Math.round(d.normal(41, 12)))),
    same('income', 'numeric', (d) => significant(d.lognormal(10.6, 0.7), 6)),
    same('txn_amount', 'numeric', (d) => decimals(d.lognormal(3, 1.3), 2)),
    drifted(
      'balance',
      'numeric',
      (d) => decimals(d.normal(5000, 2000), 2),
      (d) => decimals(d.normal(5600, 2000), 2),
      'mean shifted by 0.3 sd',
    ),
    same('credit_score', 'numeric', (d) => Math.round(d.normal(680, 60))),
    same('num_txn_7d', 'numeric', (d) => d.poisson(4)),
    same('num_logins_30d', 'numeric', (d) => d.poisson(12)),
    drifted(
      'session_seconds',
      'numeric',
      (d) => decimals(d.lognormal(5, 0.8), 1),
      (d) => decimals(d.lognormal(5, 1.1), 1),
      'log-scale sd 0.8 -> 1.1 (variance scaled)',
    ),
    same('pages_viewed', 'numeric', (d) => d.poisson(7)),
    same('days_since_signup', 'numeric', (d) => d.integerBetween(0, 3650)),
    same('distance_km', 'numeric', (d) => decimals(d.lognormal(2, 1.5), 3)),
    same('hour_of_day', 'numeric', (d) => d.integerBetween(0, 23)),
    same('ratio_a', 'numeric', (d) => decimals(d.uniform(), 5)),
    same(
      'ratio_b',
      'numeric',
      nullable(0.05, (d) => decimals(d.uniform(), 5)),
    ),
    drifted(
      'bimodal_x',
      'numeric',
      (d) => decimals(d.chance(0.4) ? d.normal(-2, 1) : d.normal(3, 0.7), 4),
      (d) => decimals(d.chance(0.55) ? d.normal(-2, 1) : d.normal(3, 0.7), 4),
      'mode weights 0.4/0.6 -> 0.55/0.45',
    ),
    same('temp_c', 'numeric', (d) => decimals(d.normal(20, 5), 2)),
    same('wait_minutes', 'numeric', (d) => decimals(d.exponential(8), 2)),
    same('discount', 'numeric', (d) => decimals(d.uniformBetween(0, 0.5), 4)),
    drifted(
      'risk_z',
      'numeric',
      (d) => decimals(d.normal(0, 1), 4),
      (d) => decimals(d.normal(0.03, 1), 4),
      'mean shifted by 0.03 sd (tiny: significant at this size, below the effect floor)',
    ),
    same('items_in_cart', 'numeric', (d) => d.poisson(2)),
    drifted(
      'country',
      'categorical',
      countryDraw,
      (d) => (d.chance(0.05) ? 'ZZ' : countryDraw(d)),
      '5% of events hold the unseen category ZZ',
    ),
    drifted(
      'channel',
      'categorical',
      categorical(['app', 'store', 'web'], [0.5, 0.2, 0.3]),
      categorical(['app', 'store', 'web'], [0.35, 0.2, 0.45]),
      'mix app/store/web 0.5/0.2/0.3 -> 0.35/0.2/0.45',
    ),
    same('device', 'categorical', categorical(DEVICES, [30, 2, 25, 8, 3, 15, 2, 15])),
    same('plan', 'categorical', categorical(PLANS, [20, 6, 5, 2, 7, 25, 4, 1, 9, 6, 8, 7])),
    same('is_new_customer', 'boolean', (d) => d.chance(0.22)),
  ],
  score: (row, d) =>
    decimals(
      sigmoid(
        (num(row, 'balance', 5000) - 5000) / 2500 +
          0.6 * num(row, 'risk_z', 0) +
          (row.get('is_new_customer') === true ? 0.4 : 0) +
          0.5 * d.normal(),
      ),
      4,
    ),
};

const FIXTURE_COUNTRIES = ['DE', 'ES', 'FR', 'GB', 'IT', 'NL'];
const fixtureCountryDraw = categorical(FIXTURE_COUNTRIES, [30, 12, 20, 18, 12, 8]);

/**
 * The CI fixture's model: 8 features (5 numeric, one of them with ties and one with nulls; 2
 * categorical; 1 boolean), `temperature` and `channel` drifting, `country` holding an unseen
 * category in a few events, and 4 bad lines of each of 5 kinds.
 */
export const FIXTURE_PROFILE: Profile = {
  name: 'fixture',
  model: 'fixture-model',
  rows: 3_000,
  events: 4_000,
  seed: 7,
  badLinesPerKind: 4,
  envelope: 'minimal',
  features: [
    same('amount', 'numeric', (d) => decimals(d.lognormal(3, 1.1), 2)),
    drifted(
      'temperature',
      'numeric',
      (d) => decimals(d.normal(20, 4), 1),
      (d) => decimals(d.normal(22, 4), 1),
      'mean shifted by 0.5 sd',
    ),
    same('visits', 'numeric', (d) => d.poisson(3)),
    same(
      'ratio',
      'numeric',
      nullable(0.04, (d) => decimals(d.uniform(), 3)),
    ),
    same('tenure', 'numeric', (d) => d.integerBetween(0, 3650)),
    drifted(
      'channel',
      'categorical',
      categorical(['app', 'phone', 'store', 'web'], [0.45, 0.1, 0.15, 0.3]),
      categorical(['app', 'phone', 'store', 'web'], [0.23, 0.1, 0.15, 0.52]),
      'mix app/phone/store/web 0.45/0.1/0.15/0.3 -> 0.23/0.1/0.15/0.52',
    ),
    drifted(
      'country',
      'categorical',
      fixtureCountryDraw,
      (d) => (d.chance(0.015) ? 'XX' : fixtureCountryDraw(d)),
      '1.5% of events hold the unseen category XX',
    ),
    same('is_new', 'boolean', (d) => d.chance(0.3)),
  ],
  score: (row, d) =>
    decimals(
      sigmoid(
        0.3 * (num(row, 'visits', 3) - 3) +
          (row.get('is_new') === true ? 0.5 : 0) +
          0.2 * Math.log1p(num(row, 'amount', 20)) -
          0.6 +
          0.5 * d.normal(),
      ),
      3,
    ),
};

/** The profiles by name, for the generator's command line. */
export const PROFILES: Readonly<Record<Profile['name'], Profile>> = {
  bench: BENCH_PROFILE,
  fixture: FIXTURE_PROFILE,
};
