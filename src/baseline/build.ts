/**
 * `driftwatch baseline build`: reads the training file (streaming, as many passes as its size
 * needs), assembles the baseline and writes it. The effectful shell around accumulator.ts.
 */
import { open, rename, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

import { DriftwatchError } from '../errors.js';
import { BaselineAccumulator } from './accumulator.js';
import type { Baseline, FeatureType } from './format.js';
import { completePasses } from './passes.js';
import { renderProgress, renderSummary } from './progress.js';
import { readRows, type ReadOptions } from './reader.js';
import { serializeBaseline } from './serialize.js';

/** Everything `baseline build` is told on the command line. */
export interface BuildOptions {
  readonly model: string;
  readonly input: string;
  readonly out: string;
  readonly format: 'csv' | 'jsonl' | null;
  readonly modelVersions: readonly string[];
  readonly predictionColumn: string | null;
  readonly overrides: ReadonlyMap<string, FeatureType>;
  readonly exclude: ReadonlySet<string>;
  readonly bins: number;
  readonly ksQuantiles: number;
  readonly maxCategories: number;
  readonly delimiter: string;
  readonly skipBadRows: boolean;
  readonly memoryLimitBytes: number;
  readonly quiet: boolean;
}

/** Where the build talks and what it knows of the world. */
export interface BuildIo {
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly now: () => Date;
  readonly version: string;
}

function formatOf(path: string): 'csv' | 'jsonl' | null {
  const p = path.toLowerCase().replace(/\.gz$/, '');
  if (p.endsWith('.csv')) return 'csv';
  if (p.endsWith('.jsonl') || p.endsWith('.ndjson') || p.endsWith('.json')) return 'jsonl';
  return null;
}

async function isGzip(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith('.gz')) return true;
  if (path === '-') return false;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Builds the baseline and writes it to `o.out` (through a temporary file, renamed: a reader never
 * sees half a baseline). Returns it.
 * @throws DriftwatchError DW_INPUT_READ, DW_INPUT_INVALID or DW_USAGE with the file, line and fix.
 */
export async function buildBaseline(o: BuildOptions, io: BuildIo): Promise<Baseline> {
  const started = Date.now();
  const name = o.input === '-' ? '(stdin)' : basename(o.input);
  let totalBytes: number | null = null;
  if (o.input !== '-') {
    try {
      const st = await stat(o.input);
      if (!st.isFile()) throw new DriftwatchError('DW_INPUT_READ', `${o.input}: not a file`);
      totalBytes = st.size;
    } catch (error) {
      if (error instanceof DriftwatchError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new DriftwatchError(
        'DW_INPUT_READ',
        `${o.input}: cannot read the input (${code === 'ENOENT' ? 'no such file' : code})`,
      );
    }
  }
  const format = o.format ?? formatOf(o.input);
  if (format === null) {
    throw new DriftwatchError(
      'DW_USAGE',
      `${o.input}: cannot tell the format from the name; pass --format csv or --format jsonl`,
    );
  }
  const gzip = await isGzip(o.input).catch((error: unknown) => {
    throw new DriftwatchError('DW_INPUT_READ', `${o.input}: cannot read the input (${String(error)})`);
  });
  const read: ReadOptions = {
    path: o.input,
    name,
    format,
    gzip,
    delimiter: o.delimiter,
    skipBadRows: o.skipBadRows,
    hash: true,
  };
  const acc = new BaselineAccumulator({
    file: name,
    bins: o.bins,
    ksQuantiles: o.ksQuantiles,
    maxCategories: o.maxCategories,
    memoryLimitBytes: o.memoryLimitBytes,
    overrides: o.overrides,
    exclude: o.exclude,
    predictionColumn: o.predictionColumn,
  });

  const tty = io.stderr.isTTY === true && !o.quiet;
  let lastDraw = 0;
  let pass = 1;
  let passes: number | null = null;
  const progress = (bytes: number, rows: number) => {
    if (!tty) return;
    const now = Date.now();
    if (now - lastDraw < 100) return;
    lastDraw = now;
    const line = renderProgress({
      pass,
      passes,
      bytes,
      totalBytes,
      rows,
      elapsedSeconds: (now - started) / 1000,
    });
    io.stderr.write(`\r${line}\x1b[K`);
  };

  const first = await readRows(read, {
    header: (names) => acc.declareColumns(names),
    row: (values, line) => acc.addRow(values, line),
    progress,
  });
  const planned = acc.finishFirstPass();
  if (tty) io.stderr.write('\r\x1b[K');
  for (const w of planned.warnings) io.stderr.write(`driftwatch: warning: ${w}\n`);
  if (first.skippedRows > 0) {
    io.stderr.write(
      `driftwatch: warning: ${name}: skipped ${first.skippedRows} malformed row(s) (--skip-bad-rows)\n`,
    );
  }
  if (planned.streamed.length > 0 && o.input === '-') {
    throw new DriftwatchError(
      'DW_USAGE',
      `(stdin): the numeric values do not fit in --memory-limit ${o.memoryLimitBytes} bytes and stdin cannot be read twice; ` +
        'write the data to a file, or raise --memory-limit',
    );
  }
  const total = await completePasses(planned.streamed, o.bins, async (visit, p) => {
    pass = p;
    const again = await readRows({ ...read, hash: false }, { row: (values) => visit(values), progress });
    if (again.rows !== first.rows) {
      throw new DriftwatchError(
        'DW_INPUT_INVALID',
        `${name}: the input changed during the build (${again.rows} rows in pass ${p}, ${first.rows} in pass 1)`,
      );
    }
  });
  passes = total;
  if (tty) io.stderr.write('\r\x1b[K');

  const sha256 = first.sha256!;
  const predictionColumn = o.predictionColumn ?? (first.sawPredictions ? 'prediction' : null);
  const baseline: Baseline = {
    id: `${o.model}@${sha256.slice(0, 12)}`,
    model: o.model,
    modelVersions: [...o.modelVersions],
    createdAt: io.now().toISOString(),
    builtBy: io.version,
    source: {
      file: name,
      sha256,
      bytes: first.bytes,
      format,
      gzip,
      rows: first.rows,
      skippedRows: first.skippedRows,
    },
    options: { bins: o.bins, ksQuantiles: o.ksQuantiles, predictionColumn },
    features: acc.features(),
    excluded: planned.excluded,
  };
  const tmp = `${o.out}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, serializeBaseline(baseline));
    await rename(tmp, o.out);
  } catch (error) {
    throw new DriftwatchError(
      'DW_INPUT_READ',
      `${o.out}: cannot write the baseline (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  io.stderr.write(
    renderSummary(first.rows, baseline.features.length, total, (Date.now() - started) / 1000, o.out) + '\n',
  );
  return baseline;
}
