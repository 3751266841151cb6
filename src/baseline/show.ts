/**
 * The text of `driftwatch baseline show`: a readable summary of a validated baseline. Pure.
 */
import type { Baseline, BaselineFeature } from './format.js';

function pct(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

function fmt(x: number): string {
  return Number.isInteger(x)
    ? String(x)
    : x
        .toPrecision(6)
        .replace(/\.?0+$/, '')
        .replace(/\.?0+e/, 'e');
}

function detail(f: BaselineFeature): string {
  if (f.type === 'numeric') {
    return `min ${fmt(f.min)}  p50 ${fmt(f.percentiles.p50 ?? NaN)}  max ${fmt(f.max)}  ${f.bins.cuts.length + 1} PSI bins`;
  }
  const top = f.categories
    .map((c, i) => [c, f.counts[i]!] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([c, n]) => `${JSON.stringify(c)} ${pct(n, f.count)}`)
    .join(', ');
  return `${f.categories.length} categories; top: ${top}`;
}

/** The summary `baseline show` prints (ends with a newline). */
export function renderBaseline(b: Baseline): string {
  const lines = [
    `model:     ${b.model}`,
    `id:        ${b.id}`,
    `versions:  ${b.modelVersions.length === 0 ? '(all)' : b.modelVersions.join(', ')}`,
    `built:     ${b.createdAt} by driftwatch ${b.builtBy}`,
    `source:    ${b.source.file} (${b.source.format}${b.source.gzip ? ', gzip' : ''}), ${b.source.rows} rows` +
      `${b.source.skippedRows ? ` (+${b.source.skippedRows} skipped)` : ''}, sha256 ${b.source.sha256.slice(0, 12)}…`,
    `options:   bins ${b.options.bins}, ks_quantiles ${b.options.ksQuantiles}, prediction column ${b.options.predictionColumn ?? '(none)'}`,
    '',
  ];
  const rows = b.features.map((f) => [
    f.name,
    f.type,
    String(f.count),
    pct(f.nullCount, f.count + f.nullCount + f.invalidCount),
    detail(f),
  ]);
  const head = ['feature', 'type', 'count', 'null', 'summary'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (r: readonly string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  lines.push(render(head));
  for (const r of rows) lines.push(render(r));
  for (const e of b.excluded ?? []) lines.push(`excluded: ${e.name} (${e.reason})`);
  return lines.join('\n') + '\n';
}
