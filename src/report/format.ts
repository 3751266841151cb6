/**
 * Escaping and number formatting for the HTML report (html.ts, svgChart.ts). Pure and
 * deterministic: no locale, no clock, so two renders of one report are byte-identical.
 */

/** Shown for a value that does not exist (null) or cannot be shown (NaN, ±Infinity). */
export const MISSING = '–';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes a string for HTML text and for a double- or single-quoted attribute value (SVG text
 * too). Called on every string that comes from data: feature, category, model and file names,
 * reasons. Safe on any string; the result never contains `<`, `>`, `"` or `'`.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function finite(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/**
 * A p-value: scientific notation below 1e-3 (where fixed decimals would show 0.0000), else 4
 * decimals; an exact 0 (an underflow) stays "0". Used for KS and chi-square p-values.
 */
export function formatPValue(p: number | null | undefined): string {
  if (!finite(p)) return MISSING;
  if (p === 0) return '0';
  if (Math.abs(p) < 1e-3) return p.toExponential(2);
  return p.toFixed(4);
}

/**
 * A statistic with `digits` decimals (PSI, KS D, JS distance: 4), switching to scientific
 * notation when fixed decimals would hide a non-zero value or the value is very large.
 */
export function formatStat(x: number | null | undefined, digits = 4): string {
  if (!finite(x)) return MISSING;
  if (x === 0) return (0).toFixed(digits);
  const abs = Math.abs(x);
  if (abs < 0.5 * 10 ** -digits || abs >= 1e6) return x.toExponential(2);
  return x.toFixed(digits);
}

/** A ratio in [0, 1] as a percentage with two decimals ("1.25%"); null ratios show "–". */
export function formatPercent(x: number | null | undefined, digits = 2): string {
  if (!finite(x)) return MISSING;
  return `${(x * 100).toFixed(digits)}%`;
}

/** A count with thousands separators ("12,345"), independent of the machine's locale. */
export function formatCount(n: number | null | undefined): string {
  if (!finite(n)) return MISSING;
  const [int = '0', frac] = String(Math.abs(n)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/** A duration in ms in the config's style ("10m", "1h30m", "250ms"); null shows "–". */
export function formatDuration(ms: number | null | undefined): string {
  if (!finite(ms)) return MISSING;
  if (ms < 1000 || ms % 1000 !== 0) return `${formatCount(ms)}ms`;
  const units: readonly [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    const whole = Math.floor(rest / size);
    if (whole > 0) {
      out += `${whole}${unit}`;
      rest -= whole * size;
    }
  }
  return out;
}

/**
 * An epoch-ms timestamp as RFC 3339 UTC; "–" for null and for values outside the Date range
 * (toISOString would throw on those, and a bad timestamp must not cost the whole report).
 */
export function formatTimestamp(ms: number | null | undefined): string {
  if (!finite(ms)) return MISSING;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? MISSING : d.toISOString();
}
