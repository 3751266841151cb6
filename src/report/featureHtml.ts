/**
 * The per-feature parts of the HTML report: the ordering, the anchors, the summary table's rows
 * and each feature's section (chart, statistics, verdict and why). Pure; every string from the
 * data is escaped here or in svgChart.ts.
 */

import type { FeatureEvaluation, Verdict } from '../evaluate/types.js';
import type { ReportThresholds } from './types.js';
import { escapeHtml, formatCount, formatPValue, formatPercent, formatStat, MISSING } from './format.js';
import { renderBinChart } from './svgChart.js';

/** A feature with its position in the baseline, which anchors are built from. */
export interface IndexedFeature {
  readonly index: number;
  readonly feature: FeatureEvaluation;
}

const VERDICT_RANK: Readonly<Record<Verdict, number>> = { drift: 0, ok: 1, insufficient_data: 2 };

/**
 * The order of the summary table and of the sections: drifted features first, then `ok`, then
 * `insufficient_data`; within each, PSI descending (the largest shift is what a reader checks
 * first); ties and missing PSI keep the baseline's order. Deterministic for a given input.
 */
export function orderFeatures(features: readonly FeatureEvaluation[]): IndexedFeature[] {
  return features
    .map((feature, index) => ({ index, feature }))
    .sort((a, b) => {
      const byVerdict = VERDICT_RANK[a.feature.verdict] - VERDICT_RANK[b.feature.verdict];
      if (byVerdict !== 0) return byVerdict;
      const pa = Number.isFinite(a.feature.psi) ? (a.feature.psi as number) : -Infinity;
      const pb = Number.isFinite(b.feature.psi) ? (b.feature.psi as number) : -Infinity;
      if (pa !== pb) return pb - pa;
      return a.index - b.index;
    });
}

/** The id of a model's section; `modelIndex` is its position in `report.models`. */
export function modelAnchorId(modelIndex: number): string {
  return `model-${modelIndex}`;
}

/**
 * The id of a feature's section, linked from the summary table. Unique through the indices (the
 * model's position in the report, the feature's in the baseline); the slug only makes URLs
 * readable, so any feature name gives a valid id with nothing to escape.
 */
export function featureAnchorId(modelIndex: number, featureIndex: number, feature: string): string {
  const slug = feature
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  return `m${modelIndex}-f${featureIndex}${slug === '' ? '' : `-${slug}`}`;
}

const VERDICT_TEXT: Readonly<Record<Verdict, string>> = {
  drift: 'drift',
  ok: 'ok',
  insufficient_data: 'insufficient data',
};

/** A verdict badge; the class is one of three fixed names, never data. */
export function verdictBadge(verdict: Verdict): string {
  const known = Object.hasOwn(VERDICT_TEXT, verdict) ? verdict : 'insufficient_data';
  return `<span class="badge ${known}">${VERDICT_TEXT[known]}</span>`;
}

function threshold(x: number | undefined): string {
  return x !== undefined && Number.isFinite(x) ? String(x) : MISSING;
}

function ksWithBound(f: FeatureEvaluation): string {
  if (f.ks_statistic === null) return MISSING;
  const d = formatStat(f.ks_statistic);
  return f.ks_statistic_error_bound === null ? d : `${d} ± ${formatStat(f.ks_statistic_error_bound)}`;
}

/** One row of a model's summary table, linking to the feature's section. */
export function summaryRow(f: IndexedFeature, modelIndex: number): string {
  const e = f.feature;
  const id = featureAnchorId(modelIndex, f.index, e.feature);
  const cells = [
    `<td class="name"><a href="#${id}">${escapeHtml(e.feature)}</a></td>`,
    `<td class="text">${escapeHtml(e.type)}</td>`,
    `<td class="text">${verdictBadge(e.verdict)}</td>`,
    `<td>${formatCount(e.n_reference)}</td>`,
    `<td>${formatCount(e.n_current)}</td>`,
    `<td>${formatStat(e.psi)}</td>`,
    `<td>${ksWithBound(e)}</td>`,
    `<td>${formatPValue(e.ks_pvalue_adjusted)}</td>`,
    `<td>${formatPValue(e.chi2_pvalue_adjusted)}</td>`,
    `<td>${formatStat(e.js_distance)}</td>`,
    `<td>${formatPercent(e.null_ratio)}</td>`,
    `<td>${formatPercent(e.out_of_range_ratio)}</td>`,
    `<td>${formatPercent(e.unseen_ratio)}</td>`,
  ];
  return `<tr class="${e.verdict === 'drift' ? 'drift' : 'plain'}">${cells.join('')}</tr>`;
}

/** The header row matching summaryRow's cells. */
export const SUMMARY_HEADER =
  '<tr><th class="text">Feature</th><th class="text">Type</th><th class="text">Verdict</th>' +
  '<th>n ref.</th><th>n current</th><th>PSI</th><th>KS D ± bound</th><th>KS p (adj.)</th>' +
  '<th>χ² p (adj.)</th><th>JS distance</th><th>Null</th><th>Out of range</th><th>Unseen</th></tr>';

/** Why a drifted feature drifted, one sentence per rule that fired, with the numbers compared. */
function driftReasons(e: FeatureEvaluation, t: ReportThresholds | undefined): string[] {
  return e.drift_reasons.map((reason) => {
    switch (reason) {
      case 'psi':
        return `PSI ${formatStat(e.psi)} is above the threshold ${threshold(t?.psi)}.`;
      case 'ks':
        return (
          `KS p-value (adjusted) ${formatPValue(e.ks_pvalue_adjusted)} is below ${threshold(t?.p_value)} ` +
          `and D ${formatStat(e.ks_statistic)} reaches min_ks_statistic ${threshold(t?.min_ks_statistic)}.`
        );
      case 'chi2':
        return (
          `Chi-square p-value (adjusted) ${formatPValue(e.chi2_pvalue_adjusted)} is below ${threshold(t?.p_value)} ` +
          `and the JS distance ${formatStat(e.js_distance)} reaches min_js_distance ${threshold(t?.min_js_distance)}.`
        );
      default:
        return `Rule ${escapeHtml(String(reason))} fired.`;
    }
  });
}

/** Why an `insufficient_data` feature has no verdict, from its counts and min_samples. */
function insufficientReasons(e: FeatureEvaluation, t: ReportThresholds | undefined): string[] {
  const min = t?.min_samples;
  const reasons: string[] = [];
  if (e.n_current === 0) reasons.push('The window holds no valid value of this feature.');
  if (min !== undefined && Number.isFinite(min)) {
    if (e.n_current > 0 && e.n_current < min) {
      reasons.push(
        `The window has ${formatCount(e.n_current)} valid values, fewer than min_samples (${formatCount(min)}).`,
      );
    }
    if (e.n_reference < min) {
      reasons.push(
        `The baseline has ${formatCount(e.n_reference)} valid values, fewer than min_samples (${formatCount(min)}).`,
      );
    }
  }
  if (reasons.length === 0) {
    reasons.push('The window or the baseline has fewer valid values than min_samples.');
  }
  return reasons;
}

function facts(rows: readonly [string, string][]): string {
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** A value with its adjusted twin in brackets; just "–" when there is neither. */
function withAdjusted(raw: number | null, adjusted: number | null): string {
  if (raw === null && adjusted === null) return MISSING;
  return `${formatPValue(raw)} (adjusted ${formatPValue(adjusted)})`;
}

function statisticsFacts(e: FeatureEvaluation): string {
  const rows: [string, string][] = [
    ['n reference', formatCount(e.n_reference)],
    ['n current', formatCount(e.n_current)],
    ['PSI', formatStat(e.psi)],
  ];
  if (e.type === 'numeric') {
    const upper =
      e.ks_statistic !== null && e.ks_statistic_error_bound !== null
        ? formatStat(e.ks_statistic + e.ks_statistic_error_bound)
        : MISSING;
    rows.push(
      ['KS D', e.ks_statistic === null ? MISSING : `${formatStat(e.ks_statistic)} (at most ${upper})`],
      ['KS p-value', withAdjusted(e.ks_pvalue, e.ks_pvalue_adjusted)],
      ['KS method', e.ks_method === null ? MISSING : escapeHtml(e.ks_method)],
    );
  } else {
    rows.push(
      ['χ² statistic', formatStat(e.chi2_statistic, 2)],
      ['χ² p-value', withAdjusted(e.chi2_pvalue, e.chi2_pvalue_adjusted)],
      ['JS distance', formatStat(e.js_distance)],
    );
  }
  return facts(rows);
}

function qualityFacts(e: FeatureEvaluation): string {
  const q = e.quality;
  const rows: [string, string][] = [
    ['events', formatCount(q.events)],
    ['missing / null', `${formatCount(q.missing)} / ${formatCount(q.null)} (${formatPercent(e.null_ratio)})`],
    ['non-finite values', formatCount(q.nan)],
    ['wrong type', formatCount(q.wrong_type)],
  ];
  if (e.type === 'numeric') {
    rows.push(['out of range', `${formatCount(q.out_of_range)} (${formatPercent(e.out_of_range_ratio)})`]);
  } else {
    rows.push(['unseen categories', `${formatCount(q.unseen)} (${formatPercent(e.unseen_ratio)})`]);
  }
  return facts(rows);
}

/**
 * One feature's section: heading with its verdict, the verdict's explanation, the chart of
 * baseline vs current proportions per bin, the statistics and the data-quality counts. The
 * feature's name appears once as text (in the heading); the chart refers to it only by attribute.
 */
export function featureSection(
  f: IndexedFeature,
  modelIndex: number,
  thresholds: ReportThresholds | undefined,
): string {
  const e = f.feature;
  const id = featureAnchorId(modelIndex, f.index, e.feature);
  const out: string[] = [];
  out.push(`<section class="feature" id="${id}">`);
  out.push(
    `<h3><span class="name">${escapeHtml(e.feature)}</span> ${verdictBadge(e.verdict)}` +
      ` <span class="note">${escapeHtml(e.type)}</span>` +
      `<a class="top" href="#${modelAnchorId(modelIndex)}">back to summary</a></h3>`,
  );
  if (e.verdict === 'drift') {
    const items = driftReasons(e, thresholds);
    out.push(
      `<p class="note">Drift because:</p><ul class="reasons">${items.map((r) => `<li>${r}</li>`).join('')}</ul>`,
    );
  } else if (e.verdict === 'insufficient_data') {
    const items = insufficientReasons(e, thresholds);
    out.push(
      `<p class="note">No verdict:</p><ul class="reasons">${items.map((r) => `<li>${r}</li>`).join('')}</ul>`,
    );
  } else {
    out.push('<p class="note">No drift rule fired.</p>');
  }

  out.push('<div class="cols">');
  if (e.bins.length > 0) {
    const xAxisTitle = e.type === 'numeric' ? 'value bin (baseline quantiles)' : 'category';
    const chart = renderBinChart({
      bins: e.bins,
      reference: e.reference_proportions,
      current: e.current_proportions,
      label: `Baseline vs current proportions per bin of ${e.feature}`,
      xAxisTitle,
    });
    out.push(`<div class="chart-box">${chart}</div>`);
  } else {
    out.push('<p class="note">No bins to chart.</p>');
  }
  out.push(`<div><strong>Statistics</strong>${statisticsFacts(e)}</div>`);
  out.push(`<div><strong>Data quality</strong>${qualityFacts(e)}</div>`);
  out.push('</div></section>');
  return out.join('\n');
}
