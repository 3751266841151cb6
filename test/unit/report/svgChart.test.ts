import { describe, expect, it } from 'vitest';
import {
  CURRENT_COLOUR,
  layoutBinChart,
  MAX_LABEL_CHARS,
  niceAxis,
  PLOT_HEIGHT,
  REFERENCE_COLOUR,
  renderBinChart,
  truncateLabel,
} from '../../../src/report/svgChart.js';

interface ParsedBar {
  series: string;
  bin: number;
  x: number;
  y: number;
  width: number;
  height: number;
  fill: string;
  title: string;
}

/** Reads the bars back out of the SVG text, as a browser would see their attributes. */
function parseBars(svg: string): ParsedBar[] {
  const re =
    /<rect class="bar (\w+)" data-bin="(\d+)" x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)" fill="([^"]+)"><title>([^<]*)<\/title><\/rect>/g;
  return [...svg.matchAll(re)].map((m) => ({
    series: m[1]!,
    bin: Number(m[2]),
    x: Number(m[3]),
    y: Number(m[4]),
    width: Number(m[5]),
    height: Number(m[6]),
    fill: m[7]!,
    title: m[8]!,
  }));
}

const THREE_BINS = {
  bins: ['(-inf, 10]', '(10, 20]', '(20, +inf)'],
  reference: [0.5, 0.3, 0.2],
  current: [0.2, 0.3, 0.5],
  label: 'age',
  xAxisTitle: 'value bin',
};

describe('niceAxis', () => {
  it('rounds the largest proportion up to a 1-2-5 step', () => {
    expect(niceAxis(0.5)).toEqual({ yMax: 0.5, step: 0.1 });
    expect(niceAxis(0.37)).toEqual({ yMax: 0.4, step: 0.1 });
    expect(niceAxis(0.3).yMax).toBeCloseTo(0.3, 12);
    expect(niceAxis(0.3).step).toBeCloseTo(0.1, 12);
    expect(niceAxis(0.03).yMax).toBeCloseTo(0.03, 12);
    expect(niceAxis(0.03).step).toBeCloseTo(0.01, 12);
    expect(niceAxis(1)).toEqual({ yMax: 1, step: 0.2 });
    expect(niceAxis(0)).toEqual({ yMax: 0.1, step: 0.025 });
  });
});

describe('renderBinChart', () => {
  it('draws one bar per bin per series, heights proportional to the proportions', () => {
    const svg = renderBinChart(THREE_BINS);
    const bars = parseBars(svg);
    expect(bars).toHaveLength(6);
    // yMax is 0.5, so a proportion of 0.5 fills the plot's 220 units.
    expect(PLOT_HEIGHT).toBe(220);
    const ref = bars.filter((b) => b.series === 'reference');
    const cur = bars.filter((b) => b.series === 'current');
    expect(ref.map((b) => b.bin)).toEqual([0, 1, 2]);
    expect(cur.map((b) => b.bin)).toEqual([0, 1, 2]);
    expect(ref.map((b) => b.height)).toEqual([220, 132, 88]);
    expect(cur.map((b) => b.height)).toEqual([88, 132, 220]);
    // Bars stand on the x axis: y + height is the plot's bottom edge for every bar.
    const layout = layoutBinChart(THREE_BINS);
    const bottom = layout.plotTop + PLOT_HEIGHT;
    for (const b of bars) expect(b.y + b.height).toBeCloseTo(bottom, 6);
    expect(ref.every((b) => b.fill === REFERENCE_COLOUR)).toBe(true);
    expect(cur.every((b) => b.fill === CURRENT_COLOUR)).toBe(true);
    // Within a group, baseline left of current; groups left to right in bin order, no overlap.
    for (let i = 0; i < 3; i++) {
      expect(ref[i]!.x + ref[i]!.width).toBeLessThanOrEqual(cur[i]!.x);
      if (i > 0) expect(cur[i - 1]!.x + cur[i - 1]!.width).toBeLessThan(ref[i]!.x);
    }
    for (const b of bars) {
      expect(b.x).toBeGreaterThanOrEqual(layout.plotLeft);
      expect(b.x + b.width).toBeLessThanOrEqual(layout.plotLeft + layout.plotWidth);
    }
    expect(ref[0]!.title).toBe('Baseline · (-inf, 10]: 50.00%');
    expect(cur[2]!.title).toBe('Current window · (20, +inf): 50.00%');
  });

  it('labels the y axis in percent up to the nice maximum, and the bins in order', () => {
    const svg = renderBinChart(THREE_BINS);
    const ticks = [...svg.matchAll(/text-anchor="end">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toEqual(['0%', '10%', '20%', '30%', '40%', '50%']);
    const labels = [...svg.matchAll(/<text class="bin-label"[^>]*><title>([^<]*)<\/title>([^<]*)<\/text>/g)];
    expect(labels.map((m) => m[2])).toEqual(['(-inf, 10]', '(10, 20]', '(20, +inf)']);
    expect(svg).toContain('>Baseline</text>');
    expect(svg).toContain('>Current window</text>');
  });

  it('draws only the baseline bars when the current window is empty', () => {
    const svg = renderBinChart({ ...THREE_BINS, current: [] });
    const bars = parseBars(svg);
    expect(bars.map((b) => b.series)).toEqual(['reference', 'reference', 'reference']);
    expect(bars.map((b) => b.height)).toEqual([220, 132, 88]);
    expect(svg).toContain('Current window: no values');
    expect(svg).not.toContain(CURRENT_COLOUR);
  });

  it('cuts long labels, keeps the full label in a tooltip, rotates, and escapes both', () => {
    const long = 'a very long category name that goes on <and on>';
    const svg = renderBinChart({
      bins: [long, `"&'<>`, '__other__'],
      reference: [0.2, 0.3, 0.5],
      current: [0.1, 0.1, 0.8],
      label: 'x<y',
      xAxisTitle: 'category',
    });
    expect(truncateLabel(long)).toHaveLength(MAX_LABEL_CHARS);
    expect(truncateLabel(long)).toBe('a very long catego'.slice(0, MAX_LABEL_CHARS - 1) + '…');
    const labels = [
      ...svg.matchAll(/<text class="bin-label" ([^>]*)><title>([^<]*)<\/title>([^<]*)<\/text>/g),
    ];
    expect(labels.map((m) => m[2])).toEqual([
      'a very long category name that goes on &lt;and on&gt;',
      '&quot;&amp;&#39;&lt;&gt;',
      '__other__',
    ]);
    expect(labels[0]![3]).toBe('a very long categ…');
    // Three groups of 160 units leave room for 18 characters: no rotation needed yet.
    expect(labels[0]![1]).toBe('x="138" y="268" text-anchor="middle"');
    expect(svg).toContain('aria-label="x&lt;y"');
    expect(svg).not.toContain('<and on>');
    expect(svg).not.toContain(`"&'<>`);
  });

  it('rotates the labels when they do not fit their group, and makes room below the axis', () => {
    const bins = Array.from({ length: 12 }, (_, i) => `merchant_category_${i}`);
    const proportions = bins.map(() => 1 / 12);
    const input = { bins, reference: proportions, current: proportions, label: 'm', xAxisTitle: 'category' };
    const layout = layoutBinChart(input);
    expect(layout.rotateLabels).toBe(true);
    expect(layout.height).toBeGreaterThan(layout.plotTop + PLOT_HEIGHT + 100);
    const svg = renderBinChart(input);
    const rotated = [...svg.matchAll(/<text class="bin-label" [^>]*transform="rotate\(-40 [^>]*>/g)];
    expect(rotated).toHaveLength(12);
    expect(parseBars(svg)).toHaveLength(24);
  });

  it('never writes NaN for odd input: no bins, non-finite or mismatched proportions', () => {
    const odd = [
      renderBinChart({ bins: [], reference: [], current: [], label: 'e', xAxisTitle: 'bin' }),
      renderBinChart({
        bins: ['a', 'b'],
        reference: [Number.NaN, Number.POSITIVE_INFINITY],
        current: [0, 0],
        label: 'n',
        xAxisTitle: 'bin',
      }),
      renderBinChart({ bins: ['a', 'b'], reference: [1], current: [0.5], label: 'm', xAxisTitle: 'bin' }),
    ];
    for (const svg of odd) {
      expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    }
    // A reference shorter than the bins draws the missing bin at 0; the mismatched current is left out.
    const bars = parseBars(odd[2]!);
    expect(bars.map((b) => [b.series, b.height])).toEqual([
      ['reference', 220],
      ['reference', 0],
    ]);
  });
});
