/**
 * The plain-text summary `driftwatch replay` prints on standard output: what a CI log shows.
 * Pure; the JSON report holds every figure, this keeps to the ones a reader acts on.
 */

import type { FeatureEvaluation } from '../evaluate/types.js';
import type { ReplayReport } from '../report/types.js';

function fixed(x: number | null, digits: number): string {
  return x === null ? '-' : x.toFixed(digits);
}

function pValue(x: number | null): string {
  if (x === null) return '-';
  if (x !== 0 && x < 1e-3) return x.toExponential(1);
  return x.toFixed(3);
}

function row(f: FeatureEvaluation): string[] {
  const p = f.type === 'numeric' ? f.ks_pvalue_adjusted : f.chi2_pvalue_adjusted;
  const verdict = f.verdict === 'drift' ? `DRIFT (${f.drift_reasons.join(', ')})` : f.verdict;
  return [
    f.feature,
    f.type,
    String(f.n_current),
    fixed(f.psi, 4),
    fixed(f.ks_statistic, 4),
    pValue(p),
    fixed(f.js_distance, 4),
    verdict,
  ];
}

/** Columns padded to their widest cell; the last column is left ragged. */
function table(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

/** The summary of a report, ending with a newline. */
export function formatSummary(report: ReplayReport): string {
  const input = report.input;
  const out: string[] = [];
  const reasons = Object.entries(input.rejected_by_reason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  out.push(
    `${input.file}: ${input.lines} lines, ${input.accepted} events replayed, ${input.rejected} rejected` +
      (reasons === '' ? '' : ` (${reasons})`) +
      (input.late > 0 ? `, ${input.late} late` : ''),
  );
  for (const m of report.models) {
    const share = m.drift_share === null ? '-' : m.drift_share.toFixed(2);
    out.push(
      '',
      `model ${m.model} (baseline ${m.baseline_id}, ${m.source}): ${m.events} events, ` +
        `${m.drifted_features} of ${m.evaluated_features} evaluated features drifted (share ${share})`,
    );
    const header = ['feature', 'type', 'n', 'psi', 'ks_d', 'p_adj', 'js', 'verdict'];
    out.push(table([header, ...m.features.map(row)]));
  }
  out.push('', report.drift ? 'result: DRIFT' : 'result: no drift');
  return `${out.join('\n')}\n`;
}
