import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect } from 'vitest';

/**
 * The reference cases of statistics.md, computed with numpy/scipy (shared/reference/stats_vectors.json),
 * and the tolerances statistics.md sets for matching them. Shared by the tests of src/stats/.
 */

interface CaseBase {
  readonly name: string;
  readonly reference_counts: readonly number[];
  readonly current_counts: readonly number[];
  readonly psi: number;
  readonly jensen_shannon: number;
}

export interface NumericCase extends CaseBase {
  readonly type: 'numeric';
  readonly bins: number;
  readonly reference: readonly number[];
  readonly current: readonly number[];
  readonly cut_points: readonly number[];
  readonly wasserstein: number;
  readonly wasserstein_normed: number | null;
  /** Per p-value method: scipy's statistic and p-value. */
  readonly ks: Readonly<
    Record<'exact' | 'asymp' | 'kolmogorov', { readonly statistic: number; readonly pvalue: number }>
  >;
}

export interface CategoricalCase extends CaseBase {
  readonly type: 'categorical';
  readonly reference: readonly string[];
  readonly current: readonly string[];
  /** The bin labels: the baseline's categories in order, then `__other__`. */
  readonly categories: readonly string[];
  readonly chi_square: { readonly statistic: number; readonly pvalue: number } | null;
}

export type StatsCase = NumericCase | CategoricalCase;

interface StatsVectors {
  readonly generator: string;
  readonly epsilon: number;
  readonly cases: readonly StatsCase[];
}

/**
 * shared/ stands beside the repository (in CI too); DRIFTWATCH_SHARED_DIR points elsewhere.
 */
const VECTORS_FILE =
  process.env.DRIFTWATCH_SHARED_DIR !== undefined
    ? join(process.env.DRIFTWATCH_SHARED_DIR, 'reference', 'stats_vectors.json')
    : fileURLToPath(new URL('../../../../shared/reference/stats_vectors.json', import.meta.url));

function readVectors(): StatsVectors {
  try {
    return JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as StatsVectors;
  } catch (error) {
    throw new Error(
      `cannot read the reference vectors at ${VECTORS_FILE} (${(error as Error).message}); ` +
        'shared/ must stand beside the repository, or set DRIFTWATCH_SHARED_DIR',
    );
  }
}

export const vectors = readVectors();

export const numericCases = vectors.cases.filter((c): c is NumericCase => c.type === 'numeric');
export const categoricalCases = vectors.cases.filter((c): c is CategoricalCase => c.type === 'categorical');

/** A statistic (PSI, JS, Wasserstein, chi-square): within 1e-9 relative, or 1e-12 absolute near 0. */
export function expectStatistic(actual: number, expected: number, label: string): void {
  const ok = Math.abs(actual - expected) <= Math.max(1e-9 * Math.abs(expected), 1e-12);
  expect(ok, `${label}: got ${actual}, expected ${expected}`).toBe(true);
}

/**
 * A p-value: within 1e-6 absolute, and within 1e-4 relative below 1e-3; a p-value that underflowed
 * to 0 in scipy may be anything in [0, 1e-300).
 */
export function expectPValue(actual: number, expected: number, label: string): void {
  let ok: boolean;
  if (expected === 0) ok = actual >= 0 && actual < 1e-300;
  else if (expected < 1e-3) ok = Math.abs(actual - expected) <= 1e-4 * expected;
  else ok = Math.abs(actual - expected) <= 1e-6;
  expect(ok, `${label}: got ${actual}, expected ${expected}`).toBe(true);
}

/** A deterministic pseudo-random generator (mulberry32) for property tests: same cases every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by Box-Muller, from `seededRandom`. */
export function normalSample(random: () => number, n: number, mean = 0, sd = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = 1 - random();
    const v = random();
    out.push(mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}
