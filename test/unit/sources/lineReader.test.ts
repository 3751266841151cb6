import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import { DriftwatchError } from '../../../src/errors.js';
import { type Line, openInput, readLines } from '../../../src/sources/file/lineReader.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function linesOf(chunks: readonly (string | Buffer)[], maxLineBytes = 100): Promise<Line[]> {
  const out: Line[] = [];
  const input = Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  for await (const line of readLines(input, 'test', { maxLineBytes })) out.push(line);
  return out;
}

const texts = (lines: readonly Line[]): string[] => lines.map((l) => l.value.toString('utf8'));

describe('readLines', () => {
  it('splits on \\n, strips a \\r before it, and keeps a last line without a terminator', async () => {
    const lines = await linesOf(['a\r\nbb\n', '\nccc']);
    expect(texts(lines)).toEqual(['a', 'bb', '', 'ccc']);
    expect(lines.map((l) => l.lineNumber)).toEqual([1, 2, 3, 4]);
  });

  it('joins a line split across many chunks', async () => {
    const lines = await linesOf(['{"mo', 'del":', '"m"}\n{"x"', ':1}\n']);
    expect(texts(lines)).toEqual(['{"model":"m"}', '{"x":1}']);
  });

  it('does not yield an empty last line after a final newline', async () => {
    expect(texts(await linesOf(['a\nb\n']))).toEqual(['a', 'b']);
  });

  it('reports a line over the limit as too long, with its size, and goes on', async () => {
    const long = 'x'.repeat(250);
    // The long line arrives in three chunks, so it is dropped before it is ever whole.
    const lines = await linesOf([
      'ok\n',
      long.slice(0, 90),
      long.slice(90, 200),
      `${long.slice(200)}\nafter\n`,
    ]);
    expect(lines.map((l) => [l.lineNumber, l.tooLong, l.bytes])).toEqual([
      [1, false, 2],
      [2, true, 250],
      [3, false, 5],
    ]);
    expect(lines[1]!.value.length).toBe(0);
    expect(texts([lines[2]!])).toEqual(['after']);
  });

  it('treats a line of exactly the limit as fine and one byte more as too long', async () => {
    const lines = await linesOf([`${'a'.repeat(10)}\n${'b'.repeat(11)}\n`], 10);
    expect(lines.map((l) => l.tooLong)).toEqual([false, true]);
  });
});

describe('openInput', () => {
  it('reads plain and gzip files alike, whatever their names', async () => {
    const text = '{"a":1}\n{"b":2}\n';
    writeFileSync(join(dir, 'plain.jsonl'), text);
    writeFileSync(join(dir, 'zipped.jsonl'), gzipSync(text)); // gzip without the .gz suffix
    for (const name of ['plain.jsonl', 'zipped.jsonl']) {
      const lines: string[] = [];
      const input = await openInput(join(dir, name));
      for await (const line of readLines(input, name, { maxLineBytes: 100 }))
        lines.push(line.value.toString());
      expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    }
  });

  it('names a missing file with DW_INPUT_READ', async () => {
    const error = await openInput(join(dir, 'nope.jsonl')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriftwatchError);
    expect((error as DriftwatchError).code).toBe('DW_INPUT_READ');
    expect((error as DriftwatchError).message).toContain('nope.jsonl: cannot be read (ENOENT)');
  });

  it('turns a truncated gzip file into DW_INPUT_READ naming the line reached', async () => {
    const zipped = gzipSync('{"a":1}\n'.repeat(1000));
    writeFileSync(join(dir, 'cut.jsonl.gz'), zipped.subarray(0, zipped.length - 20));
    const input = await openInput(join(dir, 'cut.jsonl.gz'));
    let count = 0;
    const error = await (async () => {
      for await (const _line of readLines(input, 'cut.jsonl.gz', { maxLineBytes: 100 })) count += 1;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriftwatchError);
    expect((error as DriftwatchError).code).toBe('DW_INPUT_READ');
    expect((error as DriftwatchError).message).toMatch(/^cut\.jsonl\.gz: reading failed after line \d+ /);
    expect(count).toBeLessThan(1000);
  });
});
