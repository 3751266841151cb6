/**
 * The progress line of `baseline build` (stderr, only on a TTY and without --quiet) and its final
 * summary line. Rendering is pure (`renderProgress`, `renderSummary`); build.ts decides when to
 * redraw (at most 10 times a second).
 */

/** What the progress line shows. */
export interface ProgressState {
  readonly pass: number;
  /** Known total of passes, or null while the streamed path is still narrowing. */
  readonly passes: number | null;
  readonly bytes: number;
  /** Total bytes of the input (compressed for gzip), or null for stdin. */
  readonly totalBytes: number | null;
  readonly rows: number;
  readonly elapsedSeconds: number;
}

/** Bytes in binary units, one decimal: `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

const BAR_WIDTH = 24;

/** One progress line, no newline: `pass 1/1 [#####-----]  42.0% 1.2 GiB/2.9 GiB  1,234,567 rows  45.1 MiB/s`. */
export function renderProgress(s: ProgressState): string {
  const pass = `pass ${s.pass}${s.passes === null ? '' : `/${s.passes}`}`;
  const rate = s.elapsedSeconds > 0 ? `${formatBytes(s.bytes / s.elapsedSeconds)}/s` : '-';
  const rows = `${s.rows.toLocaleString('en-US')} rows`;
  if (s.totalBytes === null || s.totalBytes === 0) return `${pass} ${formatBytes(s.bytes)}  ${rows}  ${rate}`;
  const fraction = Math.min(1, s.bytes / s.totalBytes);
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const pct = `${(fraction * 100).toFixed(1).padStart(5)}%`;
  return `${pass} ${bar} ${pct} ${formatBytes(s.bytes)}/${formatBytes(s.totalBytes)}  ${rows}  ${rate}`;
}

/** The final line, always printed: rows, features, passes, seconds, output. */
export function renderSummary(
  rows: number,
  features: number,
  passes: number,
  seconds: number,
  out: string,
): string {
  return `baseline: ${rows.toLocaleString('en-US')} rows, ${features} features, ${passes} pass${passes === 1 ? '' : 'es'}, ${seconds.toFixed(1)} s -> ${out}`;
}
