/**
 * The HTML drift report of `driftwatch replay --html`: one self-contained HTML5 document (inline
 * CSS and SVG, no script, no network) for an engineer deciding whether a release may go out.
 * Pure and deterministic: the same report renders to the same bytes, and every string that comes
 * from data is escaped.
 */

import type { ModelEvaluation } from '../evaluate/types.js';
import type { ReplayReport, ReportThresholds } from './types.js';
import {
  featureSection,
  modelAnchorId,
  orderFeatures,
  SUMMARY_HEADER,
  summaryRow,
  verdictBadge,
} from './featureHtml.js';
import {
  escapeHtml,
  formatCount,
  formatDuration,
  formatPercent,
  formatTimestamp,
  MISSING,
} from './format.js';
import { REPORT_CSS } from './styles.js';

export { featureAnchorId, modelAnchorId, orderFeatures } from './featureHtml.js';

function facts(rows: readonly [string, string][]): string {
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function thresholdsOf(report: ReplayReport, model: string): ReportThresholds | undefined {
  return Object.hasOwn(report.thresholds, model) ? report.thresholds[model] : undefined;
}

function windowText(report: ReplayReport): string {
  const w = report.window;
  if (w.window_ms === null) return 'the whole file (every accepted event)';
  const step = w.step_ms === null ? '' : `, step ${formatDuration(w.step_ms)}`;
  return `sliding window of ${formatDuration(w.window_ms)} ending at the last event${step}`;
}

function rejectedText(report: ReplayReport): string {
  const input = report.input;
  const reasons = Object.entries(input.rejected_by_reason)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (reasons.length === 0) return formatCount(input.rejected);
  const items = reasons.map(
    ([reason, n]) => `<li><code>${escapeHtml(reason)}</code>: ${formatCount(n)}</li>`,
  );
  return `${formatCount(input.rejected)}<ul class="inline">${items.join('')}</ul>`;
}

function header(report: ReplayReport): string {
  const drifted = report.models.filter((m) => m.drift);
  const verdict = report.drift ? 'drift' : 'ok';
  const title = report.drift ? 'Drift detected' : 'No drift';
  const summary = report.drift
    ? `${formatCount(drifted.length)} of ${formatCount(report.models.length)} model(s) drifted: ` +
      drifted.map((m) => `<code>${escapeHtml(m.model)}</code>`).join(', ')
    : `No feature of the ${formatCount(report.models.length)} model(s) drifted.`;
  const input = report.input;
  const rows: [string, string][] = [
    ['driftwatch version', escapeHtml(report.driftwatch_version)],
    ['generated at', escapeHtml(report.generated_at)],
    ['input file', `<code>${escapeHtml(input.file)}</code>`],
    ['lines', formatCount(input.lines)],
    ['accepted', formatCount(input.accepted)],
    ['rejected', rejectedText(report)],
    ['late', formatCount(input.late)],
    ['events from', `${formatTimestamp(input.first_event_ts)} to ${formatTimestamp(input.last_event_ts)}`],
    ['window', windowText(report)],
  ];
  const toc = report.models.map(
    (m, i) =>
      `<li><a href="#${modelAnchorId(i)}">${escapeHtml(m.model)}</a> (${escapeHtml(m.source)}) ${verdictBadge(
        m.drift ? 'drift' : m.evaluated_features > 0 ? 'ok' : 'insufficient_data',
      )}</li>`,
  );
  return (
    `<header class="banner ${verdict}"><h1>${title}</h1><p>${summary}</p></header>\n` +
    `<section class="card"><h2>Run</h2>${facts(rows)}` +
    (toc.length > 0 ? `<h2 style="margin-top:12px">Models</h2><ul>${toc.join('')}</ul>` : '') +
    `</section>`
  );
}

function thresholdsText(t: ReportThresholds | undefined): string {
  if (t === undefined) return MISSING;
  const num = (x: number): string => (Number.isFinite(x) ? String(x) : MISSING);
  const parts = [
    `PSI &gt; ${num(t.psi)}`,
    `p-value &lt; ${num(t.p_value)} (correction ${escapeHtml(t.correction)})`,
    `KS D ≥ ${num(t.min_ks_statistic)}`,
    `JS distance ≥ ${num(t.min_js_distance)}`,
    `min_samples ${formatCount(t.min_samples)}`,
  ];
  return parts.join('; ');
}

function windowBounds(m: ModelEvaluation): string {
  if (m.window_start === null && m.window_end === null) return 'whole file';
  return `${formatTimestamp(m.window_start)} to ${formatTimestamp(m.window_end)}`;
}

function modelSection(report: ReplayReport, m: ModelEvaluation, modelIndex: number): string {
  const thresholds = thresholdsOf(report, m.model);
  const ordered = orderFeatures(m.features);
  const rows: [string, string][] = [
    ['baseline', `<code>${escapeHtml(m.baseline_id)}</code>`],
    ['source', escapeHtml(m.source)],
    ['window', windowBounds(m)],
    ['events', formatCount(m.events)],
    [
      'drifted / evaluated',
      `${formatCount(m.drifted_features)} / ${formatCount(m.evaluated_features)} features (drift share ${formatPercent(m.drift_share)})`,
    ],
    ['unknown features seen', formatCount(m.unknown_features)],
    ['thresholds', thresholdsText(thresholds)],
  ];
  const table =
    ordered.length === 0
      ? '<p class="note">The baseline has no features.</p>'
      : `<div class="table-box"><table><thead>${SUMMARY_HEADER}</thead><tbody>${ordered
          .map((f) => summaryRow(f, modelIndex))
          .join('\n')}</tbody></table></div>`;
  const sections = ordered.map((f) => featureSection(f, modelIndex, thresholds)).join('\n');
  return (
    `<section class="card model" id="${modelAnchorId(modelIndex)}">` +
    `<h2>${escapeHtml(m.model)} <span class="note">(${escapeHtml(m.source)})</span> ${verdictBadge(
      m.drift ? 'drift' : m.evaluated_features > 0 ? 'ok' : 'insufficient_data',
    )}</h2>` +
    `${facts(rows)}\n` +
    `<p class="note">Drifted features first, then by PSI, largest first. ` +
    `<span class="swatch reference"></span>baseline <span class="swatch current"></span>current window</p>` +
    `${table}\n${sections}</section>`
  );
}

/**
 * Renders a replay report as a complete HTML5 document. Called by `driftwatch replay --html`
 * with the report it also writes as JSON; the caller writes the string to a file. Safe on any
 * report that matches the types: missing values show "–", never "NaN" or "undefined".
 */
export function renderHtmlReport(report: ReplayReport): string {
  const title = `driftwatch drift report: ${report.drift ? 'drift' : 'no drift'} (${report.input.file})`;
  const body = [header(report), ...report.models.map((m, i) => modelSection(report, m, i))];
  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${REPORT_CSS}</style>\n</head>\n` +
    `<body>\n<main>\n${body.join('\n')}\n</main>\n</body>\n</html>\n`
  );
}
