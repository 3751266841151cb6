import { describe, expect, it } from 'vitest';
import { featureAnchorId, modelAnchorId, renderHtmlReport } from '../../../src/report/html.js';
import { feature, model, report, NO_STATISTICS } from './sampleReport.js';

const XSS = '<img src=x onerror=alert(1)>';
const QUOTES = `"&'<>`;

/** The text of a feature's <section>, found by its id; throws when missing, so tests fail clearly. */
function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`<section class="feature" id="${id}">`);
  if (start < 0) throw new Error(`no section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

const driftAge = feature({
  feature: 'age',
  psi: 0.342149,
  ks_statistic: 0.2134,
  ks_statistic_error_bound: 0.0011,
  ks_pvalue: 1.2e-9,
  ks_pvalue_adjusted: 1.2345e-5,
  verdict: 'drift',
  drift_reasons: ['psi', 'ks'],
  reference_proportions: [0.5, 0.3, 0.2],
  current_proportions: [0.2, 0.3, 0.5],
});
const xssCategory = feature({
  feature: XSS,
  type: 'categorical',
  psi: 0.05,
  ks_statistic: null,
  ks_statistic_error_bound: null,
  ks_pvalue: null,
  ks_pvalue_adjusted: null,
  ks_method: null,
  chi2_statistic: 3.2,
  chi2_pvalue: 0.2,
  chi2_pvalue_adjusted: 0.4,
  js_distance: 0.04,
  out_of_range_ratio: null,
  unseen_ratio: 0,
  bins: ['a', QUOTES, '__other__'],
});
const insufficient = feature({
  feature: 'income',
  n_reference: 150,
  n_current: 12,
  ...NO_STATISTICS,
  null_ratio: 0.5,
  out_of_range_ratio: 0,
  verdict: 'insufficient_data',
});
const emptyWindow = feature({
  feature: 'is_premium',
  type: 'boolean',
  n_current: 0,
  ...NO_STATISTICS,
  null_ratio: null,
  out_of_range_ratio: null,
  unseen_ratio: null,
  verdict: 'insufficient_data',
  quality: { events: 0, missing: 0, null: 0, nan: 0, wrong_type: 0, out_of_range: 0, unseen: 0 },
  bins: ['false', 'true', '__other__'],
  reference_proportions: [0.7, 0.3, 0],
  current_proportions: [],
});
const steady = feature({ feature: 'tenure_days', psi: 0.0012 });

const sample = report([
  model('churn', [steady, insufficient, driftAge, xssCategory]),
  model('fraud<script>', [emptyWindow, feature({ feature: 'age', psi: 0.02 })], { source: 'features' }),
]);

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(sample);

  it('is one self-contained HTML5 document: no script, no external resource', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/@import|url\(/);
    // Every link is an anchor within the page; the only URL is the SVG namespace, once per chart.
    expect([...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].every((m) => m[1]!.startsWith('#'))).toBe(true);
    expect(html.match(/https?:\/\/[^\s"]*/g)).toEqual(Array(6).fill('http://www.w3.org/2000/svg'));
  });

  it('escapes data: the XSS feature name, a category of quotes, a model name', () => {
    expect(html).not.toContain(XSS);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain(QUOTES);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;&amp;&#39;&lt;&gt;');
    expect(html).toContain('fraud&lt;script&gt;');
    const id = featureAnchorId(0, 3, XSS);
    expect(id).toBe('m0-f3-img-src-x-onerror-alert-1');
    expect(sectionOf(html, id)).toContain('<h3><span class="name">&lt;img src=x onerror=alert(1)&gt;</span>');
  });

  it('gives every feature of every model one section with its anchor and name, linked once from the table', () => {
    sample.models.forEach((m, mi) => {
      expect(count(html, `id="${modelAnchorId(mi)}"`)).toBe(1);
      m.features.forEach((f, fi) => {
        const id = featureAnchorId(mi, fi, f.feature);
        expect(count(html, `id="${id}"`)).toBe(1);
        expect(count(html, `href="#${id}"`)).toBe(1);
        const section = sectionOf(html, id);
        const name = f.feature.replace(
          /[&<>"']/g,
          (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`,
        );
        expect(section).toContain(`<span class="name">${name}</span>`);
      });
    });
    // The two `age` features of different models get different anchors.
    expect(featureAnchorId(0, 2, 'age')).toBe('m0-f2-age');
    expect(featureAnchorId(1, 1, 'age')).toBe('m1-f1-age');
    expect(featureAnchorId(0, 0, '日本')).toBe('m0-f0');
  });

  it('orders the table drifted first, then by PSI descending, insufficient data last', () => {
    const table = html.slice(html.indexOf('<table>'), html.indexOf('</table>'));
    const names = [...table.matchAll(/<td class="name"><a href="#[^"]+">([^<]*)<\/a>/g)].map((m) => m[1]);
    expect(names).toEqual(['age', '&lt;img src=x onerror=alert(1)&gt;', 'tenure_days', 'income']);
  });

  it('formats numbers: PSI with 4 decimals, small p-values in scientific notation, null as –', () => {
    const row = html.slice(
      html.indexOf('<tr class="drift">'),
      html.indexOf('</tr>', html.indexOf('<tr class="drift">')),
    );
    expect(row).toContain('<td>0.3421</td>');
    expect(row).toContain('<td>0.2134 ± 0.0011</td>');
    expect(row).toContain('<td>1.23e-5</td>');
    expect(row).toContain('<td>5,000</td><td>1,200</td>');
    expect(row).toContain('<td>1.00%</td><td>0.20%</td><td>–</td>');
  });

  it('explains a drift verdict with the numbers and thresholds compared', () => {
    const section = sectionOf(html, featureAnchorId(0, 2, 'age'));
    expect(section).toContain('<li>PSI 0.3421 is above the threshold 0.2.</li>');
    expect(section).toContain(
      '<li>KS p-value (adjusted) 1.23e-5 is below 0.05 and D 0.2134 reaches min_ks_statistic 0.1.</li>',
    );
  });

  it('shows counts and the reason for insufficient_data, and only baseline bars for an empty window', () => {
    const income = sectionOf(html, featureAnchorId(0, 1, 'income'));
    expect(income).toContain('<span class="badge insufficient_data">insufficient data</span>');
    expect(income).toContain('The window has 12 valid values, fewer than min_samples (200).');
    expect(income).toContain('The baseline has 150 valid values, fewer than min_samples (200).');
    const premium = sectionOf(html, featureAnchorId(1, 0, 'is_premium'));
    expect(premium).toContain('The window holds no valid value of this feature.');
    expect(count(premium, 'class="bar reference"')).toBe(3);
    expect(count(premium, 'class="bar current"')).toBe(0);
    const age = sectionOf(html, featureAnchorId(0, 2, 'age'));
    expect(count(age, 'class="bar reference"')).toBe(3);
    expect(count(age, 'class="bar current"')).toBe(3);
  });

  it('never prints NaN or undefined, whatever is null', () => {
    expect(html).not.toContain('NaN');
    expect(html).not.toContain('undefined');
    const bare = renderHtmlReport(
      report([model('empty', [emptyWindow, insufficient], { drift_share: null, events: 0 })], {
        input: {
          file: '-',
          lines: 0,
          accepted: 0,
          rejected: 0,
          rejected_by_reason: {},
          late: 0,
          first_event_ts: null,
          last_event_ts: null,
        },
        thresholds: {},
        window: { window_ms: 600_000, step_ms: 60_000 },
      }),
    );
    expect(bare).not.toContain('NaN');
    expect(bare).not.toContain('undefined');
    expect(bare).toContain('<dt>events from</dt><dd>– to –</dd>');
    expect(bare).toContain('sliding window of 10m ending at the last event, step 1m');
    expect(bare).toContain('<dt>thresholds</dt><dd>–</dd>');
    // Without thresholds the reason is still given, in general terms.
    expect(bare).toContain('The window or the baseline has fewer valid values than min_samples.');
  });

  it('states the overall verdict and the run facts in the header', () => {
    expect(html).toContain('<header class="banner drift"><h1>Drift detected</h1>');
    expect(html).toContain('1 of 2 model(s) drifted: <code>churn</code>');
    expect(html).toContain('<dt>driftwatch version</dt><dd>0.1.0</dd>');
    expect(html).toContain('<dt>input file</dt><dd><code>events.jsonl</code></dd>');
    expect(html).toContain(
      '<dt>rejected</dt><dd>88<ul class="inline"><li><code>invalid_field</code>: 8</li><li><code>invalid_json</code>: 80</li></ul></dd>',
    );
    expect(html).toContain('<dt>window</dt><dd>the whole file (every accepted event)</dd>');
    const calm = renderHtmlReport(report([model('churn', [steady])]));
    expect(calm).toContain('<header class="banner ok"><h1>No drift</h1>');
  });

  it('is deterministic: two renders of one report are identical', () => {
    expect(renderHtmlReport(sample)).toBe(html);
    expect(renderHtmlReport(structuredClone(sample))).toBe(html);
  });
});
