/* eslint-disable @typescript-eslint/no-explicit-any -- the tests break parsed JSON on purpose */
import { describe, expect, it } from 'vitest';

import { BaselineAccumulator } from '../../../src/baseline/accumulator.js';
import type { Baseline } from '../../../src/baseline/format.js';
import { renderProgress, renderSummary } from '../../../src/baseline/progress.js';
import { serializeBaseline } from '../../../src/baseline/serialize.js';
import { parseBaseline } from '../../../src/baseline/validate.js';
import { classifyCsv } from '../../../src/baseline/values.js';

function sample(): Baseline {
  const acc = new BaselineAccumulator({
    file: 't.csv',
    bins: 4,
    ksQuantiles: 10,
    maxCategories: 10,
    memoryLimitBytes: 1 << 20,
    overrides: new Map(),
    exclude: new Set(['skip']),
    predictionColumn: null,
  });
  for (let i = 0; i < 50; i++) {
    acc.addRow(
      new Map([
        ['x', classifyCsv(String((i * 37) % 23) + '.5')],
        ['c', classifyCsv(['a', 'b', 'é'][i % 3]!)],
        ['skip', classifyCsv('1')],
      ]),
      i + 2,
    );
  }
  const first = acc.finishFirstPass();
  const sha = 'ab'.repeat(32);
  return {
    id: `m@${sha.slice(0, 12)}`,
    model: 'm',
    modelVersions: ['7'],
    createdAt: '2026-01-02T03:04:05.000Z',
    builtBy: '0.1.0',
    source: { file: 't.csv', sha256: sha, bytes: 100, format: 'csv', gzip: false, rows: 50, skippedRows: 0 },
    options: { bins: 4, ksQuantiles: 10, predictionColumn: null },
    features: acc.features(),
    excluded: first.excluded,
  };
}

describe('serializeBaseline / parseBaseline', () => {
  it('round-trips to the same object', () => {
    const b = sample();
    expect(parseBaseline(serializeBaseline(b), 'b.json')).toEqual(b);
  });

  it('keeps number arrays on one line', () => {
    expect(serializeBaseline(sample())).toMatch(/"cuts": \[[^\n]+\]/);
  });

  function broken(
    edit: (j: Record<string, unknown> & { features: Array<Record<string, any>> }) => void,
  ): string {
    const j = JSON.parse(serializeBaseline(sample()));
    edit(j);
    return JSON.stringify(j);
  }

  it.each([
    [
      (j: any) => (j.features[0].bins.cuts = [3, 2, 5]),
      'b.json: features[0].bins.cuts: not strictly ascending',
    ],
    [
      (j: any) => (j.features[0].bins.counts = [1]),
      'b.json: features[0].bins.counts: must hold cuts.length + 1',
    ],
    [
      (j: any) => (j.features[1].categories = ['b', 'a', 'é']),
      'b.json: features[1].categories[1]: not distinct',
    ],
    [
      (j: any) => (j.features[1].counts = [1, 1, 1]),
      'b.json: features[1].counts: add up to 3, must equal count = 50',
    ],
    [(j: any) => (j.features[1].name = 'x'), 'b.json: features[1].name: "x" is also features[0]\'s name'],
    [(j: any) => (j.features[0].ks.counts = [1]), 'b.json: features[0].ks.counts: must hold'],
    [(j: any) => (j.id = 'm@000'), 'b.json: id: must be "m@abababababab"'],
    [
      (j: any) => (j.version = 2),
      'b.json: version: the file has version 2, this driftwatch reads version 1; rebuild it with `driftwatch baseline build`',
    ],
  ])('names the path of a problem (%#)', (edit, message) => {
    expect(() => parseBaseline(broken(edit), 'b.json')).toThrow(message);
  });

  it('refuses text that is not JSON with DW_BASELINE_INVALID', () => {
    expect(() => parseBaseline('{', 'b.json')).toThrow(
      expect.objectContaining({ code: 'DW_BASELINE_INVALID' }),
    );
  });
});

describe('progress lines', () => {
  it('renders pass, bar, bytes, rows and rate', () => {
    expect(
      renderProgress({
        pass: 2,
        passes: 4,
        bytes: 512 * 1024,
        totalBytes: 1024 * 1024,
        rows: 1234567,
        elapsedSeconds: 2,
      }),
    ).toBe('pass 2/4 [############------------]  50.0% 512.0 KiB/1.0 MiB  1,234,567 rows  256.0 KiB/s');
    expect(renderSummary(10, 3, 1, 0.25, 'o.json')).toBe(
      'baseline: 10 rows, 3 features, 1 pass, 0.3 s -> o.json',
    );
  });
});
