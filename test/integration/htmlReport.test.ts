/**
 * The HTML drift report as a real browser sees it: a realistic report rendered to a file, opened
 * in headless Chromium (test/support/chromium.ts), checked on the screenshot (a PNG of the
 * requested size that is not blank, with the verdict banner and both chart series drawn) and on
 * the DOM Chromium parsed (every feature's section once, the XSS name as text, no element made
 * from data). Fails, never skips, when Chromium is missing.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureEvaluation } from '../../src/evaluate/types.js';
import { featureAnchorId, renderHtmlReport } from '../../src/report/html.js';
import { CURRENT_COLOUR, REFERENCE_COLOUR } from '../../src/report/svgChart.js';
import {
  decodePng,
  findChromium,
  isPng,
  pixelStats,
  readPngHeader,
  renderInChromium,
} from '../support/chromium.js';
import { feature, model, NO_STATISTICS, report } from '../unit/report/sampleReport.js';

const XSS = '<img src=x onerror=alert(1)>';
const WIDTH = 1280;
const HEIGHT = 4000;

function decileBins(cuts: readonly number[]): string[] {
  const edges = ['-inf', ...cuts.map(String), '+inf'];
  return edges.slice(1).map((hi, i) => (hi === '+inf' ? `(${edges[i]}, +inf)` : `(${edges[i]}, ${hi}]`));
}

const TENTHS = Array<number>(10).fill(0.1);
const shiftedRight = [0.03, 0.04, 0.05, 0.07, 0.08, 0.1, 0.12, 0.14, 0.17, 0.2];

const numericDrift = (name: string, overrides: Partial<FeatureEvaluation> = {}): FeatureEvaluation =>
  feature({
    feature: name,
    psi: 0.3184,
    ks_statistic: 0.2417,
    ks_statistic_error_bound: 0.0009,
    ks_pvalue: 3.1e-42,
    ks_pvalue_adjusted: 1.9e-41,
    ks_method: 'asymp',
    verdict: 'drift',
    drift_reasons: ['psi', 'ks'],
    bins: decileBins([23, 28, 32, 36, 40, 44, 49, 55, 63]),
    reference_proportions: TENTHS,
    current_proportions: shiftedRight,
    ...overrides,
  });

const categorical = (name: string, overrides: Partial<FeatureEvaluation>): FeatureEvaluation =>
  feature({
    feature: name,
    type: 'categorical',
    ks_statistic: null,
    ks_statistic_error_bound: null,
    ks_pvalue: null,
    ks_pvalue_adjusted: null,
    ks_method: null,
    chi2_statistic: 4.1,
    chi2_pvalue: 0.25,
    chi2_pvalue_adjusted: 0.5,
    js_distance: 0.03,
    out_of_range_ratio: null,
    unseen_ratio: 0,
    ...overrides,
  });

const merchantCategories = [
  'grocery_and_supermarkets',
  'restaurants_and_fast_food_outlets',
  'fuel_stations',
  'online_marketplaces_and_digital_goods',
  'travel_airlines_hotels_car_rental',
  'electronics',
  'pharmacies_and_health',
  'utilities_and_telecommunications',
  'gambling',
  'money_transfer_services_and_crypto_exchanges',
  'clothing',
  'subscriptions',
  'charity',
  'education',
];

const churn = model(
  'churn-classifier',
  [
    numericDrift('age'),
    feature({
      feature: 'tenure_days',
      psi: 0.0213,
      bins: decileBins([30, 90, 180, 365, 540, 730, 1095, 1460, 2190]),
      reference_proportions: TENTHS,
      current_proportions: [0.11, 0.1, 0.09, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
    }),
    numericDrift('monthly_spend', {
      psi: 0.1412,
      drift_reasons: ['ks'],
      ks_statistic: 0.1533,
      ks_pvalue_adjusted: 2.2e-6,
    }),
    categorical('country', {
      psi: 0.9021,
      chi2_statistic: 812.4,
      chi2_pvalue: 1.1e-170,
      chi2_pvalue_adjusted: 4.4e-170,
      js_distance: 0.2871,
      verdict: 'drift',
      drift_reasons: ['psi', 'chi2'],
      unseen_ratio: 0.0342,
      bins: ['DE', 'FR', 'United Kingdom of Great Britain and Northern Ireland', 'US', '__other__'],
      reference_proportions: [0.3, 0.25, 0.2, 0.2, 0.05],
      current_proportions: [0.1, 0.12, 0.18, 0.45, 0.15],
    }),
    categorical('plan', {
      bins: ['basic', 'pro', `"&'<>`, '__other__'],
      reference_proportions: [0.5, 0.3, 0.2, 0],
      current_proportions: [0.48, 0.33, 0.19, 0],
    }),
    categorical('is_premium', {
      type: 'boolean',
      bins: ['false', 'true', '__other__'],
      reference_proportions: [0.82, 0.18, 0],
      current_proportions: [0.8, 0.2, 0],
    }),
    categorical(XSS, {
      n_current: 37,
      psi: null,
      chi2_statistic: null,
      chi2_pvalue: null,
      chi2_pvalue_adjusted: null,
      js_distance: null,
      verdict: 'insufficient_data',
      bins: ['a', 'b', '__other__'],
      reference_proportions: [0.6, 0.4, 0],
      current_proportions: [0.5, 0.45, 0.05],
    }),
    feature({
      feature: 'days_since_last_login',
      n_current: 0,
      ...NO_STATISTICS,
      null_ratio: 1,
      out_of_range_ratio: null,
      verdict: 'insufficient_data',
      quality: { events: 1212, missing: 1212, null: 0, nan: 0, wrong_type: 0, out_of_range: 0, unseen: 0 },
      bins: decileBins([1, 2, 3, 5, 8, 13, 21, 34, 55]),
      reference_proportions: TENTHS,
      current_proportions: [],
    }),
  ],
  { events: 1212 },
);

const fraud = model(
  'fraud-scorer',
  [
    feature({
      feature: 'amount',
      psi: 0.0441,
      bins: decileBins([5, 10, 20, 35, 50, 80, 120, 200, 500]),
      reference_proportions: TENTHS,
      current_proportions: [0.09, 0.1, 0.11, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
    }),
    categorical('merchant_category', {
      bins: [...merchantCategories].sort().concat('__other__'),
      reference_proportions: [...Array<number>(14).fill(0.07), 0.02],
      current_proportions: [...Array<number>(14).fill(0.068), 0.048],
    }),
    categorical('has_chargeback', {
      type: 'boolean',
      psi: 0.2533,
      js_distance: 0.1702,
      chi2_pvalue_adjusted: 0.0312,
      verdict: 'drift',
      drift_reasons: ['psi', 'chi2'],
      bins: ['false', 'true', '__other__'],
      reference_proportions: [0.97, 0.03, 0],
      current_proportions: [0.9, 0.1, 0],
    }),
    categorical('device_type', {
      n_current: 50,
      psi: null,
      verdict: 'insufficient_data',
      chi2_statistic: null,
      chi2_pvalue: null,
      chi2_pvalue_adjusted: null,
      js_distance: null,
      bins: ['android', 'ios', 'web', '__other__'],
      reference_proportions: [0.45, 0.35, 0.2, 0],
      current_proportions: [0.4, 0.4, 0.2, 0],
    }),
    feature({ feature: 'age', psi: 0.0102 }),
  ],
  { source: 'features', window_start: 1714585800000, window_end: 1714586400000, events: 48211 },
);

const realistic = report([churn, fraud], { window: { window_ms: 600_000, step_ms: 60_000 } });

/** The serialised <section> of a feature in the browser's DOM, or every one with that id. */
function sectionsWithId(dom: string, id: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<section class="feature" id="${id}">`, 'g');
  for (const m of dom.matchAll(re)) out.push(dom.slice(m.index, dom.indexOf('</section>', m.index)));
  return out;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** Pixels of exactly one RGB colour: bars and banners are flat fills, so their colour survives. */
function pixelsOfColour(png: Buffer, hex: string): number {
  const { channels, data } = decodePng(png);
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let at = 0; at + 2 < data.length; at += channels) {
    if (data[at] === want[0] && data[at + 1] === want[1] && data[at + 2] === want[2]) n++;
  }
  return n;
}

describe('HTML report in headless Chromium', () => {
  let dir: string;
  let png: Buffer;
  let dom: string;
  let blank: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-html-'));
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtmlReport(realistic));
    const blankFile = join(dir, 'blank.html');
    await writeFile(blankFile, '<!DOCTYPE html><html><head><title>blank</title></head><body></body></html>');
    const [page, empty] = await Promise.all([
      renderInChromium(file, { screenshot: join(dir, 'report.png'), width: WIDTH, height: HEIGHT }),
      renderInChromium(blankFile, { width: WIDTH, height: HEIGHT }),
    ]);
    png = page.png;
    dom = page.dom;
    blank = empty.png;
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('screenshots a PNG of the window size', () => {
    expect(isPng(png)).toBe(true);
    const header = readPngHeader(png);
    expect([header.width, header.height]).toEqual([WIDTH, HEIGHT]);
  });

  it('draws the page: far from blank, with the drift banner and both chart series', () => {
    // The control: a blank page is one colour, so these bounds tell a drawn page from it.
    const control = pixelStats(blank);
    expect(control.distinctColours).toBe(1);
    expect(control.nonBackground).toBe(0);
    const stats = pixelStats(png);
    expect(stats.pixels).toBe(WIDTH * HEIGHT);
    expect(stats.distinctColours).toBeGreaterThan(50);
    expect(stats.nonBackground).toBeGreaterThan(stats.pixels * 0.05);
    // The red banner (at least 1000 × 60 px) and the bars of both series.
    expect(pixelsOfColour(png, '#b42318')).toBeGreaterThan(60_000);
    expect(pixelsOfColour(png, REFERENCE_COLOUR)).toBeGreaterThan(5_000);
    expect(pixelsOfColour(png, CURRENT_COLOUR)).toBeGreaterThan(5_000);
  });

  it('parses every feature into exactly one section holding its name once', () => {
    expect(dom).toContain('<h1>Drift detected</h1>');
    let sections = 0;
    realistic.models.forEach((m, mi) => {
      m.features.forEach((f, fi) => {
        const found = sectionsWithId(dom, featureAnchorId(mi, fi, f.feature));
        expect(found, f.feature).toHaveLength(1);
        const section = found[0]!;
        // Chromium serialises text with &, < and > escaped, quotes as they are.
        const asText = f.feature.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        expect(count(section, `<span class="name">${asText}</span>`), f.feature).toBe(1);
        expect(count(section, '<span class="name">'), f.feature).toBe(1);
        sections++;
      });
    });
    expect(sections).toBe(13);
    expect(count(dom, '<section class="feature"')).toBe(13);
  });

  it('keeps the XSS name as text: no element made from it', () => {
    expect(dom).not.toMatch(/<img/i);
    expect(dom).not.toContain('onerror=alert(1)>');
    // The table's link, the section's heading and the chart's aria-label.
    expect(count(dom, '&lt;img src=x onerror=alert(1)&gt;')).toBe(3);
    expect(
      count(
        dom,
        'aria-label="Baseline vs current proportions per bin of &lt;img src=x onerror=alert(1)&gt;"',
      ),
    ).toBe(1);
    // The category of quotes, as the text of its bin label's tooltip.
    expect(dom).toContain(`<title>"&amp;'&lt;&gt;</title>`);
  });

  it('keeps every bar: one per bin per series, baseline only for the empty window', () => {
    const features = realistic.models.flatMap((m) => m.features);
    const refBars = features.reduce((n, f) => n + f.bins.length, 0);
    const curBars = features.reduce((n, f) => n + (f.current_proportions.length > 0 ? f.bins.length : 0), 0);
    expect(count(dom, 'class="bar reference"')).toBe(refBars);
    expect(count(dom, 'class="bar current"')).toBe(curBars);
    const empty = sectionsWithId(dom, featureAnchorId(0, 7, 'days_since_last_login'))[0]!;
    expect(count(empty, 'class="bar reference"')).toBe(10);
    expect(count(empty, 'class="bar current"')).toBe(0);
    expect(dom).not.toMatch(/NaN|undefined/);
  });

  it('fails with the install hint when Chromium cannot be found', () => {
    const saved = process.env.CHROMIUM_BIN;
    process.env.CHROMIUM_BIN = join(dir, 'no-such-chromium');
    try {
      expect(() => findChromium()).toThrow(/Chromium not found .*scripts\/install-test-deps\.sh/);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_BIN;
      else process.env.CHROMIUM_BIN = saved;
    }
  });
});
