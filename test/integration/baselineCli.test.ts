/**
 * `driftwatch baseline build` and `baseline show` as shipped (dist/): files written, exit codes and
 * messages on bad input, the streamed multi-pass path equal to the in-memory one.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { numericBinCounts, numericCutPoints } from '../../src/stats/bins.js';
import { runCli } from '../support/daemon.js';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Result> {
  const proc = runCli(args);
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-baseline-'));
function file(name: string, data: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

let seed = 5;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const amounts = Array.from({ length: 3000 }, () => Math.round(rand() * 1e5) / 100);
const countries = amounts.map((_, i) => ['DE', 'FR', 'US'][i % 3]!);
const csv = 'amount,country,empty\n' + amounts.map((a, i) => `${a},${countries[i]},`).join('\n') + '\n';

describe('driftwatch baseline build', () => {
  it('builds from CSV: exact cuts and counts, categories, id and sha256', async () => {
    const input = file('train.csv', csv);
    const out = join(dir, 'b.json');
    const r = await cli(['baseline', 'build', '--model', 'fraud', '--input', input, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('column "empty" has no valid value');
    const b = JSON.parse(readFileSync(out, 'utf8'));
    const sha = createHash('sha256').update(readFileSync(input)).digest('hex');
    expect(b.source.sha256).toBe(sha);
    expect(b.id).toBe(`fraud@${sha.slice(0, 12)}`);
    const cuts = numericCutPoints(amounts);
    expect(b.features[0].bins.cuts).toEqual(cuts);
    expect(b.features[0].bins.counts).toEqual(numericBinCounts(cuts, amounts));
    expect(b.features[1]).toMatchObject({ categories: ['DE', 'FR', 'US'], counts: [1000, 1000, 1000] });
    expect(b.excluded).toEqual([{ name: 'empty', reason: 'no_valid_values' }]);

    const show = await cli(['baseline', 'show', out]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`id:        fraud@${sha.slice(0, 12)}`);
  });

  it('gives the same statistics from gzip JSONL with a tiny --memory-limit (multi-pass)', async () => {
    const jsonl = amounts
      .map((a, i) =>
        JSON.stringify({
          features: { amount: a, country: countries[i] },
          prediction: { label: 'x', score: a / 1000 },
        }),
      )
      .join('\n');
    const input = file('train.jsonl.gz', gzipSync(jsonl));
    const small = join(dir, 'small.json');
    const big = join(dir, 'big.json');
    const a = await cli([
      'baseline',
      'build',
      '--model',
      'm',
      '--input',
      input,
      '--out',
      small,
      '--memory-limit',
      '16KiB',
    ]);
    const b = await cli(['baseline', 'build', '--model', 'm', '--input', input, '--out', big]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const fa = JSON.parse(readFileSync(small, 'utf8')).features;
    const fb = JSON.parse(readFileSync(big, 'utf8')).features;
    expect(fa.map((f: { name: string }) => f.name)).toEqual(['amount', 'country', '__prediction__']);
    expect(fa[0].bins).toEqual(fb[0].bins);
    expect(fa[0].percentiles).toEqual(fb[0].percentiles);
    expect(fa[0].ks.counts.reduce((s: number, c: number) => s + c, 0)).toBe(3000);
    expect(a.stderr).toMatch(/3,000 rows, 3 features, [3-9] passes/);
  });

  it.each([
    [['--input', 'nope.csv'], 'DW_INPUT_READ', 'no such file'],
    [['--input', 'ragged.csv'], 'DW_INPUT_INVALID', 'ragged.csv: line 3: 1 fields, the header has 2'],
    [['--input', 'bad.jsonl'], 'DW_INPUT_INVALID', 'bad.jsonl: line 2: not valid JSON'],
    [['--input', 'header.csv'], 'DW_INPUT_INVALID', 'header.csv: no data rows'],
    [['--input', 'dup.csv'], 'DW_INPUT_INVALID', 'the header names column "a" twice'],
    [['--input', 'corrupt.csv.gz'], 'DW_INPUT_INVALID', 'corrupt gzip'],
    [
      ['--input', 'ragged.csv', '--numeric', 'zz'],
      'DW_USAGE',
      '--numeric zz: no such column; the columns are: a, b',
    ],
  ])('exits 2 on bad input %#', async (args, code, message) => {
    file('ragged.csv', 'a,b\n1,2\n3\n');
    file('bad.jsonl', '{"a":1}\n{oops\n');
    file('header.csv', 'a,b\n');
    file('dup.csv', 'a,a\n1,2\n');
    file('corrupt.csv.gz', Buffer.concat([gzipSync('a\n1\n').subarray(0, 12), Buffer.from('garbage')]));
    const full = args.map((x) => (x.includes('.') ? join(dir, x) : x));
    const r = await cli(['baseline', 'build', '--model', 'm', '--out', join(dir, 'x.json'), ...full]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`driftwatch: ${code}: `);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('    at ');
  });

  it('skips bad rows when asked and records them', async () => {
    const out = join(dir, 's.json');
    const r = await cli([
      'baseline',
      'build',
      '--model',
      'm',
      '--input',
      file('r2.csv', 'a,b\n1,2\n3\n4,5\n'),
      '--out',
      out,
      '--skip-bad-rows',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).source).toMatchObject({ rows: 2, skipped_rows: 1 });
  });

  it('show refuses an invalid baseline with exit 2', async () => {
    const r = await cli([
      'baseline',
      'show',
      file('bad.json', '{"format":"driftwatch-baseline","version":9}'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('version: the file has version 9, this driftwatch reads version 1');
  });
});
