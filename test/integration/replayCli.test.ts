/**
 * `driftwatch replay` as a CI job runs it: a baseline built from a training CSV by
 * `driftwatch baseline build`, event files replayed against it, the exit codes, the JSON report's
 * figures checked against the statistics on the full samples, and the HTML report rendered by a
 * real headless Chromium.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FeatureEvaluation } from '../../src/evaluate/types.js';
import type { ReplayReport } from '../../src/report/types.js';
import {
  categoricalBins,
  categoricalBinCounts,
  numericBinCounts,
  numericCutPoints,
} from '../../src/stats/bins.js';
import { chiSquareFromCounts } from '../../src/stats/chiSquare.js';
import { jensenShannonFromCounts } from '../../src/stats/jensenShannon.js';
import { ksStatistic } from '../../src/stats/ksTwoSample.js';
import { psiFromCounts } from '../../src/stats/psi.js';
import { renderInChromium } from '../support/chromium.js';
import { execCli } from '../support/cli.js';
import { buildBaselineWithCli, eventLines as lines, rows } from '../support/driftData.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string): string => join(dir, name);

const T0 = Date.parse('2026-11-22T00:00:00.000Z');

const training = rows(1, 3000);
const stable = rows(2, 2000);
const shifted = rows(3, 2000, 8, 0.5);

function feature(report: ReplayReport, name: string): FeatureEvaluation {
  const f = report.models[0]?.features.find((x) => x.feature === name);
  if (f === undefined) throw new Error(`no feature ${name} in the report`);
  return f;
}

async function replay(
  args: readonly string[],
): Promise<{ code: number | null; report: ReplayReport; stdout: string; stderr: string }> {
  const out = path(`report-${Math.random().toString(36).slice(2)}.json`);
  const result = await execCli(['replay', '--baseline', baselinePath, '--json', out, ...args]);
  if (result.code !== 0 && result.code !== 1)
    throw new Error(`replay exited ${result.code}: ${result.stderr}`);
  return { ...result, report: JSON.parse(readFileSync(out, 'utf8')) as ReplayReport };
}

let baselinePath = '';

beforeAll(async () => {
  baselinePath = await buildBaselineWithCli(dir, 'fraud', training);
  writeFileSync(path('stable.jsonl'), `${lines('fraud', stable, T0).join('\n')}\n`);
  writeFileSync(path('shifted.jsonl'), `${lines('fraud', shifted, T0).join('\n')}\n`);
});

describe('driftwatch replay', () => {
  it('passes the gate on data like the training data, exit 0 with --fail-on-drift', async () => {
    const { code, report, stdout } = await replay(['--input', path('stable.jsonl'), '--fail-on-drift']);
    expect(code).toBe(0);
    expect(report.drift).toBe(false);
    expect(report.input).toMatchObject({ lines: 2000, accepted: 2000, rejected: 0 });
    const model = report.models[0]!;
    expect(model.features.map((f) => [f.feature, f.type, f.n_reference, f.n_current, f.verdict])).toEqual([
      ['amount', 'numeric', 3000, 2000, 'ok'],
      ['age', 'numeric', 3000, 2000, 'ok'],
      ['color', 'categorical', 3000, 2000, 'ok'],
      ['flag', 'boolean', 3000, 2000, 'ok'],
      ['__prediction__', 'numeric', 3000, 2000, 'ok'],
    ]);
    expect(model.drift_share).toBe(0);
    expect(stdout).toContain('result: no drift');
  });

  it('fails the gate on shifted data with exit 1, and names what drifted', async () => {
    const { code, report, stdout } = await replay(['--input', path('shifted.jsonl'), '--fail-on-drift']);
    expect(code).toBe(1);
    expect(report.drift).toBe(true);
    expect(feature(report, 'amount').verdict).toBe('drift');
    expect(feature(report, 'amount').drift_reasons).toEqual(['psi', 'ks']);
    expect(feature(report, 'color').verdict).toBe('drift');
    expect(feature(report, 'age').verdict).toBe('ok');
    expect(feature(report, 'flag').verdict).toBe('ok');
    expect(feature(report, '__prediction__').verdict).toBe('ok');
    expect(report.models[0]!.drift_share).toBe(0.4);
    expect(stdout).toContain('result: DRIFT');
  });

  it('reports drift but exits 0 without --fail-on-drift', async () => {
    const { code, report } = await replay(['--input', path('shifted.jsonl')]);
    expect(code).toBe(0);
    expect(report.drift).toBe(true);
  });

  it('gives the statistics of the full samples: PSI, JS and chi-square exactly, D within its bound', async () => {
    const { report } = await replay(['--input', path('shifted.jsonl')]);
    const amount = feature(report, 'amount');
    const cuts = numericCutPoints(training.amount, 10);
    const ref = numericBinCounts(cuts, training.amount);
    const cur = numericBinCounts(cuts, shifted.amount);
    expect(amount.psi).toBeCloseTo(psiFromCounts(ref, cur), 12);
    expect(amount.js_distance).toBeCloseTo(jensenShannonFromCounts(ref, cur), 12);
    const d = ksStatistic(training.amount, shifted.amount);
    expect(amount.ks_statistic!).toBeLessThanOrEqual(d);
    expect(d).toBeLessThanOrEqual(amount.ks_statistic! + amount.ks_statistic_error_bound!);
    // With 3,000 values and 1,000 quantiles the bound is below 1/Q + 2/n.
    expect(amount.ks_statistic_error_bound!).toBeLessThan(1 / 1000 + 2 / 3000);

    const color = feature(report, 'color');
    const bins = categoricalBins(training.color);
    const refC = categoricalBinCounts(bins, training.color);
    const curC = categoricalBinCounts(bins, shifted.color);
    expect(color.psi).toBeCloseTo(psiFromCounts(refC, curC), 12);
    const chi2 = chiSquareFromCounts(refC.slice(0, -1), curC.slice(0, -1));
    expect(color.chi2_statistic).toBeCloseTo(chi2!.statistic, 9);
    expect(color.chi2_pvalue).toBe(chi2!.pValue);
  });

  it('counts bad lines by the daemon reasons and replays the rest', async () => {
    const good = lines('fraud', stable, T0).slice(0, 500);
    const bad = [
      'not json',
      '[1,2]',
      '{"features":{}}',
      '{"model":"other","features":{}}',
      '{"model":"fraud","ts":"yesterday","features":{}}',
      '',
      '   ',
    ];
    writeFileSync(path('mixed.jsonl'), [...good.slice(0, 250), ...bad, ...good.slice(250)].join('\n'));
    const { code, report } = await replay(['--input', path('mixed.jsonl')]);
    expect(code).toBe(0);
    expect(report.input).toMatchObject({ lines: 505, accepted: 500, rejected: 5 });
    expect(report.input.rejected_by_reason).toEqual({
      invalid_json: 1,
      not_object: 1,
      missing_model: 1,
      unknown_model: 1,
      invalid_field: 1,
    });
    expect(feature(report, 'amount').n_current).toBe(500);
  });

  it('replays the daemon window by event time with --window and --step', async () => {
    // 2,000 events one per 3 s (100 minutes); a 30-minute window ends at the newest event's step.
    writeFileSync(path('timed.jsonl'), lines('fraud', stable, T0, 3000).join('\n'));
    const { report } = await replay(['--input', path('timed.jsonl'), '--window', '30m', '--step', '1m']);
    const lastTs = T0 + 1999 * 3000;
    const end = (Math.floor(lastTs / 60_000) + 1) * 60_000;
    const inWindow = stable.amount.filter((_, i) => T0 + i * 3000 >= end - 30 * 60_000).length;
    expect(report.window).toEqual({ window_ms: 1_800_000, step_ms: 60_000 });
    expect(report.models[0]).toMatchObject({
      window_start: end - 1_800_000,
      window_end: end,
      events: inWindow,
    });
    expect(feature(report, 'amount').n_current).toBe(inWindow);
  });

  it('counts events too far behind the newest as late, as the daemon does with time: event', async () => {
    const ordered = lines('fraud', stable, T0).slice(0, 300); // 300 s of events
    const behind = lines('fraud', stable, T0 - 10 * 60_000).slice(0, 1); // 15 min behind the newest
    const near = lines('fraud', stable, T0 + 100_000).slice(0, 1); // 200 s behind: within 5 min
    writeFileSync(path('late.jsonl'), [...ordered, ...behind, ...near].join('\n'));
    const { report } = await replay(['--input', path('late.jsonl'), '--window', '1h', '--step', '1m']);
    expect(report.input).toMatchObject({ lines: 302, accepted: 301, late: 1 });
    const strict = await replay([
      '--input',
      path('late.jsonl'),
      '--window',
      '1h',
      '--step',
      '1m',
      '--allowed-lateness',
      '1m',
    ]);
    expect(strict.report.input).toMatchObject({ accepted: 300, late: 2 });
  });

  it('writes the JSON to standard output with --json -, and the summary to standard error', async () => {
    const result = await execCli([
      'replay',
      '--baseline',
      baselinePath,
      '--input',
      path('stable.jsonl'),
      '--json',
      '-',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReplayReport;
    expect(report.models[0]!.model).toBe('fraud');
    expect(result.stderr).toContain('result: no drift');
  });

  it('renders an HTML report that a real browser shows with every feature', async () => {
    const html = path('report.html');
    const result = await execCli([
      'replay',
      '--baseline',
      baselinePath,
      '--input',
      path('shifted.jsonl'),
      '--html',
      html,
      '--quiet',
    ]);
    expect(result.code).toBe(0);
    const { png, dom } = await renderInChromium(html, {
      screenshot: path('report.png'),
      width: 1280,
      height: 3000,
    });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    for (const name of ['amount', 'age', 'color', 'flag', '__prediction__']) expect(dom).toContain(name);
  });
});

describe('driftwatch replay on bad input exits 2 and says what is wrong', () => {
  const cases: readonly [string, () => string[], RegExp][] = [
    [
      'a missing baseline',
      () => ['--baseline', path('nope.json'), '--input', path('stable.jsonl')],
      /DW_INPUT_READ: .*nope\.json: cannot read the baseline \(no such file\)/,
    ],
    [
      'a baseline that is not one',
      () => {
        writeFileSync(path('bad-baseline.json'), '{"format":"something else"}');
        return ['--baseline', path('bad-baseline.json'), '--input', path('stable.jsonl')];
      },
      /DW_BASELINE_INVALID: .*bad-baseline\.json/,
    ],
    [
      'an empty events file',
      () => {
        writeFileSync(path('empty.jsonl'), '');
        return ['--baseline', baselinePath, '--input', path('empty.jsonl')];
      },
      /DW_INPUT_INVALID: .*empty\.jsonl: no events/,
    ],
    [
      'a file of which no line is an event of the model',
      () => {
        writeFileSync(path('garbage.jsonl'), 'a\nb\n{"model":"other"}\n');
        return ['--baseline', baselinePath, '--input', path('garbage.jsonl')];
      },
      /none of its 3 lines could be replayed \(invalid_json 2, unknown_model 1\); the baselines are for fraud/,
    ],
    [
      '--window without --step',
      () => ['--baseline', baselinePath, '--input', path('stable.jsonl'), '--window', '1h'],
      /--window and --step go together/,
    ],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const result = await execCli(['replay', ...args()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
