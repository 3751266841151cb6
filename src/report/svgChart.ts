/**
 * The per-feature chart of the HTML report: a grouped bar chart, in inline SVG, of the baseline's
 * and the current window's proportions per PSI bin. Pure: the layout is computed as data
 * (layoutBinChart, which tests read) and then written out (renderBinChart), with no script, no
 * font and no external reference, so the report stays one self-contained file.
 */

import { escapeHtml, formatPercent } from './format.js';

/** Bar colours, repeated in the page's legend and table; chosen to stay apart for colour-blind readers. */
export const REFERENCE_COLOUR = '#5b7fb3';
export const CURRENT_COLOUR = '#e08a2c';

/** Height of the plot area in SVG units: a proportion equal to the axis maximum draws this tall. */
export const PLOT_HEIGHT = 220;
const MARGIN_LEFT = 58;
const MARGIN_RIGHT = 16;
const MARGIN_TOP = 34;
const MIN_PLOT_WIDTH = 480;
const MIN_GROUP_WIDTH = 34;
/** Labels longer than this (in code points) are cut with an ellipsis; the full label stays in <title>. */
export const MAX_LABEL_CHARS = 18;
/** Rough width of one character of the 11px label font, to decide whether labels need rotating. */
const CHAR_WIDTH = 6.6;
const LABEL_ANGLE = -40;

/** What one chart shows; built by html.ts from a FeatureEvaluation. */
export interface BinChartInput {
  /** Bin labels, one per bar group. */
  readonly bins: readonly string[];
  readonly reference: readonly number[];
  /** Empty (or of another length than `bins`) when the window is empty: only baseline bars are drawn. */
  readonly current: readonly number[];
  /** Accessible name of the chart (aria-label); escaped here. */
  readonly label: string;
  /** Title of the x axis ("value bin", "category"). */
  readonly xAxisTitle: string;
}

/** One bar of the chart, in SVG units (y grows downwards, as in SVG). */
export interface ChartBar {
  readonly series: 'reference' | 'current';
  readonly bin: number;
  /** The proportion drawn (a non-finite or negative input is drawn as 0). */
  readonly value: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The computed geometry of a chart; exported so tests can check it without parsing SVG. */
export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly plotLeft: number;
  readonly plotTop: number;
  readonly plotWidth: number;
  /** The y axis runs from 0 to this proportion (a "nice" ceiling of the largest bar). */
  readonly yMax: number;
  readonly yTicks: readonly number[];
  readonly hasCurrent: boolean;
  readonly rotateLabels: boolean;
  readonly bars: readonly ChartBar[];
  /** x of each group's centre, for its label. */
  readonly groupCentres: readonly number[];
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function drawable(x: number | undefined): number {
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : 0;
}

/**
 * The smallest 1-2-5 step that covers `max` in at most five ticks, and the axis maximum it gives.
 * Proportions are at most 1, so the axis never exceeds 100% by more than one step.
 */
export function niceAxis(max: number): { yMax: number; step: number } {
  if (!(max > 0)) return { yMax: 0.1, step: 0.025 };
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
  // The epsilon keeps 0.3 / 0.1 (= 3.0000000000000004) from asking for a fourth step.
  const yMax = Math.ceil(max / step - 1e-9) * step;
  return { yMax, step };
}

/** A label cut to MAX_LABEL_CHARS code points (never inside a surrogate pair). */
export function truncateLabel(label: string): string {
  const chars = Array.from(label);
  return chars.length <= MAX_LABEL_CHARS ? label : `${chars.slice(0, MAX_LABEL_CHARS - 1).join('')}…`;
}

/**
 * Computes the chart's geometry. Called by renderBinChart; safe on any input (empty bins,
 * mismatched or non-finite proportions): it never produces NaN.
 */
export function layoutBinChart(input: BinChartInput): ChartLayout {
  const n = input.bins.length;
  const hasCurrent = input.current.length === n && n > 0;
  const plotWidth = Math.max(MIN_PLOT_WIDTH, n * MIN_GROUP_WIDTH);
  const groupWidth = n > 0 ? plotWidth / n : plotWidth;
  const labelLengths = input.bins.map((b) => Array.from(truncateLabel(b)).length);
  const rotateLabels = labelLengths.some((len) => len * CHAR_WIDTH > groupWidth - 6);
  const longest = Math.max(0, ...labelLengths);
  const labelDepth = rotateLabels ? longest * CHAR_WIDTH * Math.sin((-LABEL_ANGLE * Math.PI) / 180) + 14 : 16;
  const bottom = Math.ceil(labelDepth) + 34;

  const values = input.bins.map((_, i) => ({
    ref: drawable(input.reference[i]),
    cur: hasCurrent ? drawable(input.current[i]) : 0,
  }));
  const { yMax, step } = niceAxis(Math.max(0, ...values.map((v) => Math.max(v.ref, v.cur))));
  const ticks: number[] = [];
  for (let k = 0; k * step <= yMax + step * 1e-9; k++) ticks.push(k * step);

  const plotLeft = MARGIN_LEFT;
  const plotTop = MARGIN_TOP;
  const baseline = plotTop + PLOT_HEIGHT;
  const barWidth = round2(hasCurrent ? groupWidth * 0.36 : groupWidth * 0.5);
  const bars: ChartBar[] = [];
  const groupCentres: number[] = [];
  values.forEach((v, i) => {
    const centre = plotLeft + groupWidth * (i + 0.5);
    groupCentres.push(round2(centre));
    const series: ['reference' | 'current', number, number][] = hasCurrent
      ? [
          ['reference', v.ref, centre - barWidth - 1],
          ['current', v.cur, centre + 1],
        ]
      : [['reference', v.ref, centre - barWidth / 2]];
    for (const [name, value, x] of series) {
      const height = round2((value / yMax) * PLOT_HEIGHT);
      bars.push({
        series: name,
        bin: i,
        value,
        x: round2(x),
        y: round2(baseline - height),
        width: barWidth,
        height,
      });
    }
  });

  return {
    width: plotLeft + plotWidth + MARGIN_RIGHT,
    height: plotTop + PLOT_HEIGHT + bottom,
    plotLeft,
    plotTop,
    plotWidth,
    yMax,
    yTicks: ticks,
    hasCurrent,
    rotateLabels,
    bars,
    groupCentres,
  };
}

function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step * 100) + 1e-9));
  return formatPercent(value, decimals);
}

/**
 * The chart as an `<svg>` element to inline in the page. Called by html.ts once per feature with
 * bins; every data string (bin labels, the chart's label) is escaped here.
 */
export function renderBinChart(input: BinChartInput): string {
  const layout = layoutBinChart(input);
  const { plotLeft, plotTop, plotWidth, width, height } = layout;
  const baseline = plotTop + PLOT_HEIGHT;
  const step = layout.yTicks.length > 1 ? (layout.yTicks[1] ?? layout.yMax) : layout.yMax;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(input.label)}" ` +
      `font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">`,
  );

  // Legend: the series drawn, and a note when the window had no values.
  out.push(
    `<g class="legend"><rect x="${plotLeft}" y="8" width="12" height="12" fill="${REFERENCE_COLOUR}"/>` +
      `<text x="${plotLeft + 18}" y="18">Baseline</text>`,
  );
  if (layout.hasCurrent) {
    out.push(
      `<rect x="${plotLeft + 90}" y="8" width="12" height="12" fill="${CURRENT_COLOUR}"/>` +
        `<text x="${plotLeft + 108}" y="18">Current window</text>`,
    );
  } else {
    out.push(`<text x="${plotLeft + 90}" y="18" fill="#666">Current window: no values</text>`);
  }
  out.push('</g>');

  // Grid lines and y tick labels.
  out.push('<g class="y-axis">');
  for (const tick of layout.yTicks) {
    const y = round2(baseline - (tick / layout.yMax) * PLOT_HEIGHT);
    out.push(
      `<line x1="${plotLeft}" x2="${plotLeft + plotWidth}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>` +
        `<text x="${plotLeft - 6}" y="${round2(y + 4)}" text-anchor="end">${tickLabel(tick, step)}</text>`,
    );
  }
  const yTitleY = plotTop + PLOT_HEIGHT / 2;
  out.push(
    `<text x="14" y="${yTitleY}" text-anchor="middle" transform="rotate(-90 14 ${yTitleY})">share of values</text>`,
  );
  out.push('</g>');

  out.push('<g class="bars">');
  for (const bar of layout.bars) {
    const label = input.bins[bar.bin] ?? '';
    const seriesName = bar.series === 'reference' ? 'Baseline' : 'Current window';
    const colour = bar.series === 'reference' ? REFERENCE_COLOUR : CURRENT_COLOUR;
    out.push(
      `<rect class="bar ${bar.series}" data-bin="${bar.bin}" x="${bar.x}" y="${bar.y}" ` +
        `width="${bar.width}" height="${bar.height}" fill="${colour}">` +
        `<title>${seriesName} · ${escapeHtml(label)}: ${formatPercent(bar.value)}</title></rect>`,
    );
  }
  out.push('</g>');

  // x axis, bin labels (cut when long, the full label in a tooltip) and the axis title.
  out.push(
    `<g class="x-axis"><line x1="${plotLeft}" x2="${plotLeft + plotWidth}" y1="${baseline}" y2="${baseline}" stroke="#444"/>`,
  );
  layout.groupCentres.forEach((centre, i) => {
    const full = input.bins[i] ?? '';
    const shown = escapeHtml(truncateLabel(full));
    const y = baseline + 14;
    const placement = layout.rotateLabels
      ? `x="${centre}" y="${y}" text-anchor="end" transform="rotate(${LABEL_ANGLE} ${centre} ${y})"`
      : `x="${centre}" y="${y}" text-anchor="middle"`;
    out.push(`<text class="bin-label" ${placement}><title>${escapeHtml(full)}</title>${shown}</text>`);
  });
  out.push(
    `<text x="${round2(plotLeft + plotWidth / 2)}" y="${height - 8}" text-anchor="middle">${escapeHtml(input.xAxisTitle)}</text>`,
  );
  out.push('</g></svg>');
  return out.join('');
}
