/**
 * How far `driftwatch replay`'s report is from the numpy/scipy peer's figures on the same files,
 * feature by feature, and whether every difference is one the documentation explains. Used by
 * bench/replay.ts after its runs; pure apart from the caller's printing.
 *
 * What must hold (statistics.md, docs/statistics.md):
 * - n_current equal; PSI and Jensen–Shannon within 1e-9 relative (1e-12 absolute near 0); the
 *   chi-square p-value within the p-value tolerance (1e-6 absolute, 1e-4 relative below 1e-3,
 *   anything below 1e-300 when scipy underflows to 0); chi-square null on both sides together.
 * - KS: driftwatch computes D from the baseline's summary, so scipy's full-sample D must lie in
 *   [ks_statistic, ks_statistic + ks_statistic_error_bound] up to float rounding (1e-12; a
 *   violation beyond it is a bug, by proof), and
 *   scipy's p-value must lie between the p-values at the two ends of that interval (the p-value
 *   is monotone in D), up to the p-value tolerance; the method must be the same.
 */
import { ksPvalue, type KsMethod } from '../src/stats/ksTwoSample.js';

/** The figures of one feature both sides report (driftwatch's report names). */
export interface FeatureFigures {
  readonly feature: string;
  readonly type: string;
  readonly n_reference: number;
  readonly n_current: number;
  readonly psi: number | null;
  readonly ks_statistic: number | null;
  readonly ks_pvalue: number | null;
  readonly ks_method: string | null;
  readonly chi2_pvalue: number | null;
  readonly js_distance: number | null;
}

/** driftwatch's figures of a feature: the peer's plus the KS bound. */
export interface DriftwatchFigures extends FeatureFigures {
  readonly ks_statistic_error_bound: number | null;
  readonly verdict?: string;
}

/** One feature's comparison. Differences are null where either side has no figure. */
export interface FeatureAgreement {
  readonly feature: string;
  readonly nCurrentEqual: boolean;
  readonly psiDiff: number | null;
  readonly jsDiff: number | null;
  readonly chi2PvalueDiff: number | null;
  readonly ksPvalueDiff: number | null;
  /** scipy's D minus driftwatch's D_hat (must lie in [0, bound]). */
  readonly ksDExcess: number | null;
  readonly ksBound: number | null;
  /** scipy's D within [D_hat, D_hat + bound]; null for categorical features. */
  readonly ksDWithinBound: boolean | null;
  /** scipy's p-value within the p-values at D_hat + bound and D_hat (with tolerance). */
  readonly ksPvalueExplained: boolean | null;
  readonly ksMethodEqual: boolean | null;
  /** What does not hold, in words; empty when everything does. */
  readonly problems: readonly string[];
}

/** Float slack on D (a value in [0, 1]) when checking the bound. */
const D_ROUNDING = 1e-12;

function statisticClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-12, 1e-9 * Math.max(Math.abs(a), Math.abs(b)));
}

function pvalueClose(ours: number, scipy: number): boolean {
  if (scipy === 0) return ours < 1e-300;
  if (Math.abs(ours - scipy) > 1e-6) return false;
  return scipy >= 1e-3 || Math.abs(ours - scipy) <= 1e-4 * scipy;
}

function diff(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.abs(a - b);
}

/** Compares one feature of driftwatch's report with the peer's figures for it. */
export function compareFeature(ours: DriftwatchFigures, scipy: FeatureFigures): FeatureAgreement {
  const problems: string[] = [];
  const nCurrentEqual = ours.n_current === scipy.n_current;
  if (!nCurrentEqual) problems.push(`n_current ${ours.n_current} vs scipy ${scipy.n_current}`);
  if (ours.n_reference !== scipy.n_reference) {
    problems.push(`n_reference ${ours.n_reference} vs scipy ${scipy.n_reference}`);
  }
  for (const key of ['psi', 'js_distance'] as const) {
    const a = ours[key];
    const b = scipy[key];
    if (a !== null && b !== null && !statisticClose(a, b)) problems.push(`${key} ${a} vs scipy ${b}`);
  }
  if ((ours.chi2_pvalue === null) !== (scipy.chi2_pvalue === null) && ours.psi !== null) {
    problems.push(`chi2_pvalue ${ours.chi2_pvalue} vs scipy ${scipy.chi2_pvalue}`);
  } else if (
    ours.chi2_pvalue !== null &&
    scipy.chi2_pvalue !== null &&
    !pvalueClose(ours.chi2_pvalue, scipy.chi2_pvalue)
  ) {
    problems.push(`chi2_pvalue ${ours.chi2_pvalue} vs scipy ${scipy.chi2_pvalue}`);
  }

  let ksDWithinBound: boolean | null = null;
  let ksPvalueExplained: boolean | null = null;
  let ksMethodEqual: boolean | null = null;
  let ksDExcess: number | null = null;
  const d = ours.ks_statistic;
  const bound = ours.ks_statistic_error_bound;
  if (d !== null && bound !== null && scipy.ks_statistic !== null) {
    ksDExcess = scipy.ks_statistic - d;
    // D_hat is i/n - j/m in floating point, where scipy's 'exact' reports h/lcm(n, m): the same
    // real number, a few ulps apart. Anything beyond that slack is a real violation.
    ksDWithinBound = scipy.ks_statistic >= d - D_ROUNDING && scipy.ks_statistic <= d + bound + D_ROUNDING;
    if (!ksDWithinBound) {
      problems.push(`KS BOUND VIOLATED: scipy D ${scipy.ks_statistic} outside [${d}, ${d + bound}]`);
    }
    ksMethodEqual = ours.ks_method === scipy.ks_method;
    if (!ksMethodEqual) problems.push(`ks_method ${ours.ks_method} vs scipy ${scipy.ks_method}`);
    if (ours.ks_pvalue !== null && scipy.ks_pvalue !== null) {
      const method = (ours.ks_method ?? 'asymp') as KsMethod;
      const low = ksPvalue(Math.min(1, d + bound), ours.n_reference, ours.n_current, method).pValue;
      const high = ours.ks_pvalue;
      const p = scipy.ks_pvalue;
      ksPvalueExplained =
        (p >= low && p <= high) || pvalueClose(low, p) || pvalueClose(high, p) || (p === 0 && low < 1e-300);
      if (!ksPvalueExplained) {
        problems.push(
          `ks_pvalue: scipy ${p} outside [${low}, ${high}] (the p-values at D_hat + bound and D_hat)`,
        );
      }
    }
  }
  return {
    feature: ours.feature,
    nCurrentEqual,
    psiDiff: diff(ours.psi, scipy.psi),
    jsDiff: diff(ours.js_distance, scipy.js_distance),
    chi2PvalueDiff: diff(ours.chi2_pvalue, scipy.chi2_pvalue),
    ksPvalueDiff: diff(ours.ks_pvalue, scipy.ks_pvalue),
    ksDExcess,
    ksBound: bound,
    ksDWithinBound,
    ksPvalueExplained,
    ksMethodEqual,
    problems,
  };
}

function fmt(x: number | null, digits = 2): string {
  return x === null ? 'n/a' : x.toExponential(digits);
}

/** The agreement table and its maxima, as lines to print. */
export function agreementLines(rows: readonly FeatureAgreement[]): string[] {
  const lines = [
    'feature              n_cur  |dPSI|     |dJS|      |dchi2 p|  |dKS p|    D_scipy-D  bound      D in bound',
  ];
  for (const r of rows) {
    lines.push(
      `${r.feature.padEnd(20)} ${(r.nCurrentEqual ? 'same' : 'DIFF').padEnd(6)} ${fmt(r.psiDiff).padEnd(10)} ${fmt(r.jsDiff).padEnd(10)} ${fmt(r.chi2PvalueDiff).padEnd(10)} ${fmt(r.ksPvalueDiff).padEnd(10)} ${fmt(r.ksDExcess).padEnd(10)} ${fmt(r.ksBound).padEnd(10)} ${r.ksDWithinBound === null ? 'n/a' : r.ksDWithinBound ? 'yes' : 'NO'}`,
    );
  }
  const max = (pick: (r: FeatureAgreement) => number | null): string => {
    const xs = rows.map(pick).filter((x): x is number => x !== null);
    return xs.length === 0 ? 'n/a' : Math.max(...xs).toExponential(2);
  };
  lines.push(
    `max |dPSI| ${max((r) => r.psiDiff)}, max |dJS| ${max((r) => r.jsDiff)}, max |dchi2 p| ${max((r) => r.chi2PvalueDiff)}, max |dKS p| ${max((r) => r.ksPvalueDiff)} (KS p-values differ by D's summary; see "KS p explained")`,
  );
  const ks = rows.filter((r) => r.ksDWithinBound !== null);
  lines.push(
    `KS: scipy's D within driftwatch's bound for ${ks.filter((r) => r.ksDWithinBound).length}/${ks.length} features; ` +
      `scipy's p-value explained by the bound for ${ks.filter((r) => r.ksPvalueExplained).length}/${ks.length}; ` +
      `same method for ${ks.filter((r) => r.ksMethodEqual).length}/${ks.length}; ` +
      `n_current equal for ${rows.filter((r) => r.nCurrentEqual).length}/${rows.length} features`,
  );
  return lines;
}
