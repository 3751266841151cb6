/**
 * `baseline build` + `replay` on a checked-in training file and events file, against the figures
 * numpy/scipy computed on the same files (test/fixtures/replay/, written by
 * bench/peer/replay_peer.py): the statistics agree within statistics.md's tolerances, and KS
 * within the documented bound of the baseline's KS summary.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FeatureEvaluation } from '../../src/evaluate/types.js';
import type { ReplayReport } from '../../src/report/types.js';
import { ksPvalue, type KsMethod } from '../../src/stats/ksTwoSample.js';
import { expectPValue, expectStatistic } from '../unit/stats/vectors.js';
import { execCli } from '../support/cli.js';

const FIXTURE = 'test/fixtures/replay';
const dir = mkdtempSync(join(tmpdir(), 'driftwatch-scipy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ScipyFeature {
  readonly feature: string;
  readonly type: string;
  readonly n_reference: number;
  readonly n_current: number;
  readonly psi: number;
  readonly ks_statistic: number | null;
  readonly ks_pvalue: number | null;
  readonly ks_method: KsMethod | null;
  readonly chi2_statistic: number | null;
  readonly chi2_pvalue: number | null;
  readonly js_distance: number;
  readonly reference_proportions: readonly number[];
  readonly current_proportions: readonly number[];
}

interface Expected {
  readonly input: {
    lines: number;
    accepted: number;
    rejected: number;
    rejected_by_reason: Record<string, number>;
  };
  readonly features: readonly ScipyFeature[];
}

const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.scipy.json'), 'utf8')) as Expected;

/** Builds a baseline with `ksQuantiles` and replays the fixture's events against it. */
async function replayWith(ksQuantiles: number): Promise<ReplayReport> {
  const baseline = join(dir, `baseline-${ksQuantiles}.json`);
  const report = join(dir, `report-${ksQuantiles}.json`);
  const build = await execCli([
    'baseline',
    'build',
    '--model',
    'fixture-model',
    '--input',
    join(FIXTURE, 'train.csv'),
    '--prediction-column',
    'score',
    '--ks-quantiles',
    String(ksQuantiles),
    '--out',
    baseline,
    '--quiet',
  ]);
  if (build.code !== 0) throw new Error(`baseline build exited ${build.code}: ${build.stderr}`);
  const run = await execCli([
    'replay',
    '--baseline',
    baseline,
    '--input',
    join(FIXTURE, 'events.jsonl'),
    '--json',
    report,
    '--quiet',
  ]);
  if (run.code !== 0) throw new Error(`replay exited ${run.code}: ${run.stderr}`);
  return JSON.parse(readFileSync(report, 'utf8')) as ReplayReport;
}

const reports = new Map<number, ReplayReport>();
beforeAll(async () => {
  for (const q of [1000, 5000]) reports.set(q, await replayWith(q));
});

function ours(q: number, name: string): FeatureEvaluation {
  const f = reports.get(q)?.models[0]?.features.find((x) => x.feature === name);
  if (f === undefined) throw new Error(`no feature ${name}`);
  return f;
}

/** scipy's D (h/lcm(n, m) for 'exact') may differ from i/n - j/m in the last bits. */
const D_ROUNDING = 1e-12;

describe.each([1000, 5000])('replay against scipy, baseline with --ks-quantiles %i', (q) => {
  it("counts the lines as scipy's script does", () => {
    expect(reports.get(q)!.input).toMatchObject(expected.input);
  });

  it.each(expected.features.map((f) => [f.feature, f] as const))('%s', (name, scipy) => {
    const f = ours(q, name);
    expect([f.type, f.n_reference, f.n_current]).toEqual([scipy.type, scipy.n_reference, scipy.n_current]);
    expectStatistic(f.psi!, scipy.psi, `${name} psi`);
    expectStatistic(f.js_distance!, scipy.js_distance, `${name} js`);
    f.reference_proportions.forEach((p, i) =>
      expectStatistic(p, scipy.reference_proportions[i]!, `${name} reference proportion ${i}`),
    );
    f.current_proportions.forEach((p, i) =>
      expectStatistic(p, scipy.current_proportions[i]!, `${name} current proportion ${i}`),
    );
    if (scipy.chi2_pvalue === null) expect(f.chi2_pvalue).toBeNull();
    else {
      expectStatistic(f.chi2_statistic!, scipy.chi2_statistic!, `${name} chi2`);
      expectPValue(f.chi2_pvalue!, scipy.chi2_pvalue, `${name} chi2 p`);
    }
    if (scipy.ks_statistic === null) {
      expect(f.ks_statistic).toBeNull();
      return;
    }
    // D lies in [D_hat, D_hat + bound]; the p-value lies between the p-values at the two ends.
    const dHat = f.ks_statistic!;
    const bound = f.ks_statistic_error_bound!;
    expect(f.ks_method).toBe(scipy.ks_method);
    expect(scipy.ks_statistic).toBeGreaterThanOrEqual(dHat - D_ROUNDING);
    expect(scipy.ks_statistic).toBeLessThanOrEqual(dHat + bound + D_ROUNDING);
    if (bound === 0) {
      expectStatistic(dHat, scipy.ks_statistic, `${name} D`);
      expectPValue(f.ks_pvalue!, scipy.ks_pvalue!, `${name} ks p`);
    } else {
      const method = scipy.ks_method!;
      const pLow = ksPvalue(dHat + bound, f.n_reference, f.n_current, method).pValue;
      expect(scipy.ks_pvalue!).toBeGreaterThanOrEqual(pLow - 1e-9);
      expect(scipy.ks_pvalue!).toBeLessThanOrEqual(f.ks_pvalue! + 1e-9);
    }
  });

  it('finds the two drifted features and only them', () => {
    const drifted = reports
      .get(q)!
      .models[0]!.features.filter((f) => f.verdict === 'drift')
      .map((f) => f.feature);
    expect(drifted.sort()).toEqual(['channel', 'temperature']);
  });
});

describe('the KS summary bound on the fixture', () => {
  it('is 0 with more quantile steps than training values, except where the events hold new values', () => {
    for (const f of reports.get(5000)!.models[0]!.features) {
      if (f.ks_statistic_error_bound === null) continue;
      if (f.feature === 'tenure') expect(f.ks_statistic_error_bound).toBeGreaterThan(0);
      else expect(f.ks_statistic_error_bound, f.feature).toBe(0);
    }
  });
});
