/**
 * The evaluator: one model's window compared with its baseline, feature by feature, and the verdicts
 * (PRODUCT.md §4, statistics.md, docs/windows.md "Verdicts"). Called each step by the daemon for every
 * model and source, and once per model and source by `replay`; the result feeds the gauges, the
 * status API and the report unchanged.
 *
 * Pure: no I/O, no clock (the window's bounds come in `context`).
 */

import type { Baseline, BaselineFeature } from '../baseline/format.js';
import { chiSquareFromCounts, type ChiSquareResult } from '../stats/chiSquare.js';
import { jensenShannonFromCounts } from '../stats/jensenShannon.js';
import { ksFromSummary, type KsSummaryResult } from '../stats/ksSummary.js';
import type { KsMethodOption } from '../stats/ksTwoSample.js';
import { adjustPValues } from '../stats/multipleTesting.js';
import { psiFromCounts } from '../stats/psi.js';
import type { FeatureWindowCounts, WindowSnapshot } from '../windows/snapshot.js';
import { categoricalBinLabels, numericBinLabels } from './binLabels.js';
import type { DriftReason, DriftThresholds, FeatureEvaluation, ModelEvaluation, Verdict } from './types.js';

/** What the evaluator needs to know besides the counts: which events fed them and when. */
export interface EvaluationContext {
  /** Which events fed the window: 'predictions' or 'features'. */
  readonly source: 'predictions' | 'features';
  /** The window evaluated, epoch ms, [start, end); null for a window over a whole file. */
  readonly windowStart: number | null;
  readonly windowEnd: number | null;
  /**
   * The KS p-value method; by default 'auto-bounded': scipy's 'auto' rule (exact up to 10,000
   * values, else asymp), with asymp also where exact would cost more than about a millisecond.
   */
  readonly ksMethod?: KsMethodOption;
}

/** One feature's statistics before the p-values are adjusted across the model. */
interface FeatureStatistics {
  readonly feature: BaselineFeature;
  readonly counts: FeatureWindowCounts;
  /** Both the window and the reference hold at least min_samples valid values. */
  readonly sufficient: boolean;
  readonly bins: readonly string[];
  readonly referenceProportions: readonly number[];
  readonly currentProportions: readonly number[];
  readonly psi: number | null;
  readonly js: number | null;
  readonly ks: KsSummaryResult | null;
  readonly chi2: ChiSquareResult | null;
  /** The p-value that takes part in the correction: KS for numeric, chi-square for categorical. */
  readonly pValue: number | null;
}

/**
 * Evaluates one model's window: per feature (in the baseline's order) PSI, KS from the summary
 * (numeric), chi-square (categorical), Jensen–Shannon, the data-quality ratios and the verdict; per
 * model the share of drifted features. Every field of the result is filled; no number in it is NaN.
 *
 * Rules (docs/windows.md): fewer than `minSamples` valid values in the window or in the baseline is
 * `insufficient_data`, with every statistic null (quality, ratios and proportions still filled).
 * Otherwise the feature drifts when PSI > `psi` (reason 'psi'), or when its adjusted p-value <
 * `pValue` and the effect size passes its floor: KS D > `minKsStatistic` for numeric features
 * (reason 'ks'), Jensen–Shannon distance > `minJsDistance` for categorical ones (reason 'chi2'). The
 * p-values of every evaluated feature that has one are adjusted together by `correction`.
 *
 * Pure; O(features × bins) plus the KS p-values' cost.
 * @throws RangeError when the snapshot was not counted against this baseline (a programming error:
 *   a reloaded baseline needs new windows).
 */
export function evaluateModel(
  baseline: Baseline,
  snapshot: WindowSnapshot,
  thresholds: DriftThresholds,
  context: EvaluationContext,
): ModelEvaluation {
  checkSnapshot(baseline, snapshot);
  const method = context.ksMethod ?? 'auto-bounded';
  const statistics = baseline.features.map((feature, i) =>
    featureStatistics(feature, snapshot.features[i]!, thresholds.minSamples, method),
  );

  const testedIndex: number[] = [];
  const raw: number[] = [];
  statistics.forEach((s, i) => {
    if (s.pValue !== null) {
      testedIndex.push(i);
      raw.push(s.pValue);
    }
  });
  const adjustedValues =
    thresholds.correction === 'none' || raw.length === 0 ? raw : adjustPValues(raw, thresholds.correction);
  const adjusted = new Map<number, number>();
  testedIndex.forEach((featureIndex, k) => adjusted.set(featureIndex, adjustedValues[k]!));

  const features = statistics.map((s, i) => featureEvaluation(s, adjusted.get(i) ?? null, thresholds));
  const evaluated = features.filter((f) => f.verdict !== 'insufficient_data').length;
  const drifted = features.filter((f) => f.verdict === 'drift').length;
  return {
    model: baseline.model,
    baseline_id: baseline.id,
    source: context.source,
    window_start: context.windowStart,
    window_end: context.windowEnd,
    events: snapshot.events,
    features,
    drifted_features: drifted,
    evaluated_features: evaluated,
    drift_share: evaluated === 0 ? null : drifted / evaluated,
    drift: drifted > 0,
    unknown_features: snapshot.unknownFeatures,
  };
}

function checkSnapshot(baseline: Baseline, snapshot: WindowSnapshot): void {
  const fits =
    snapshot.baselineId === baseline.id &&
    snapshot.features.length === baseline.features.length &&
    baseline.features.every((feature, i) => {
      const counts = snapshot.features[i]!;
      return (
        counts.feature === feature.name &&
        counts.bins.length === referenceBinCounts(feature).length &&
        (feature.type === 'numeric'
          ? counts.ks !== null && counts.ks.length === feature.ks.counts.length
          : counts.ks === null)
      );
    });
  if (!fits) {
    throw new RangeError(
      `evaluate: the window of baseline ${snapshot.baselineId} does not fit baseline ${baseline.id}`,
    );
  }
}

/** Bin labels per baseline feature, made once: a baseline is immutable, and a round evaluates it every step. */
const labelCache = new WeakMap<BaselineFeature, readonly string[]>();

function binLabelsOf(feature: BaselineFeature): readonly string[] {
  let labels = labelCache.get(feature);
  if (labels === undefined) {
    labels =
      feature.type === 'numeric'
        ? numericBinLabels(feature.bins.cuts)
        : categoricalBinLabels(feature.categories);
    labelCache.set(feature, labels);
  }
  return labels;
}

/** The reference's count per PSI bin; categorical features get a 0 for `__other__` (statistics.md). */
function referenceBinCounts(feature: BaselineFeature): readonly number[] {
  return feature.type === 'numeric' ? feature.bins.counts : [...feature.counts, 0];
}

function featureStatistics(
  feature: BaselineFeature,
  counts: FeatureWindowCounts,
  minSamples: number,
  method: KsMethodOption,
): FeatureStatistics {
  const reference = referenceBinCounts(feature);
  const referenceTotal = sum(reference);
  const nCurrent = counts.valid;
  // At least one value on each side whatever the config says: every statistic divides by n.
  const floor = Math.max(1, minSamples);
  const sufficient = nCurrent >= floor && feature.count >= floor && referenceTotal > 0;
  const common = {
    feature,
    counts,
    sufficient,
    bins: binLabelsOf(feature),
    referenceProportions: proportions(reference, referenceTotal),
    currentProportions: proportions(counts.bins, nCurrent),
  };
  if (!sufficient) return { ...common, psi: null, js: null, ks: null, chi2: null, pValue: null };

  const psi = psiFromCounts(reference, counts.bins);
  const js = jensenShannonFromCounts(reference, counts.bins);
  if (feature.type === 'numeric') {
    const ks = ksFromSummary(feature.ks, counts.ks!, method);
    return { ...common, psi, js, ks, chi2: null, pValue: ks.pValue };
  }
  // Null (not applicable) when the window holds unseen categories or fewer than 2 categories compare.
  const chi2 = chiSquareFromCounts(reference, counts.bins);
  return { ...common, psi, js, ks: null, chi2, pValue: chi2 === null ? null : chi2.pValue };
}

function featureEvaluation(
  s: FeatureStatistics,
  adjustedPValue: number | null,
  thresholds: DriftThresholds,
): FeatureEvaluation {
  const { feature, counts } = s;
  const quality = counts.quality;
  const nCurrent = counts.valid;
  const numeric = feature.type === 'numeric';

  const reasons: DriftReason[] = [];
  let verdict: Verdict = 'insufficient_data';
  if (s.sufficient) {
    if (s.psi! > thresholds.psi) reasons.push('psi');
    const significant = adjustedPValue !== null && adjustedPValue < thresholds.pValue;
    if (significant && s.ks !== null && s.ks.statistic > thresholds.minKsStatistic) reasons.push('ks');
    if (significant && s.chi2 !== null && s.js! > thresholds.minJsDistance) reasons.push('chi2');
    verdict = reasons.length > 0 ? 'drift' : 'ok';
  }

  return {
    feature: feature.name,
    type: feature.type,
    n_reference: feature.count,
    n_current: nCurrent,
    psi: s.psi,
    ks_statistic: s.ks?.statistic ?? null,
    ks_statistic_error_bound: s.ks?.statisticErrorBound ?? null,
    ks_pvalue: s.ks?.pValue ?? null,
    ks_pvalue_adjusted: s.ks === null ? null : adjustedPValue,
    ks_method: s.ks?.method ?? null,
    chi2_statistic: s.chi2?.statistic ?? null,
    chi2_pvalue: s.chi2?.pValue ?? null,
    chi2_pvalue_adjusted: s.chi2 === null ? null : adjustedPValue,
    js_distance: s.js,
    null_ratio: quality.events === 0 ? null : (quality.missing + quality.null) / quality.events,
    out_of_range_ratio: numeric && nCurrent > 0 ? quality.out_of_range / nCurrent : null,
    unseen_ratio: !numeric && nCurrent > 0 ? quality.unseen / nCurrent : null,
    verdict,
    drift_reasons: reasons,
    quality,
    bins: s.bins,
    reference_proportions: s.referenceProportions,
    current_proportions: s.currentProportions,
  };
}

/** count / total per bin, raw (no epsilon); empty when total is 0, so no 0/0 reaches the report. */
function proportions(counts: ArrayLike<number>, total: number): number[] {
  return total > 0 ? Array.from(counts, (c) => c / total) : [];
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
