/**
 * Reads the rows of a training file, streaming: file (or stdin) -> optional gunzip -> CSV or
 * line parser -> one `Map` of classified values per data row. Memory does not depend on the file's
 * size. Counts and hashes the bytes as read (compressed bytes for gzip). The effectful shell of
 * `baseline build`; build.ts calls it once per pass.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

import { parse as parseCsv } from 'csv-parse';

import { parseJson } from '../decode/json.js';
import { DriftwatchError } from '../errors.js';
import { PREDICTION_FEATURE } from './format.js';
import { classifyCsv, classifyJson, type ClassifiedValue } from './values.js';

/** How to read the input. */
export interface ReadOptions {
  /** A path, or `-` for stdin. */
  readonly path: string;
  /** Shown in messages. */
  readonly name: string;
  readonly format: 'csv' | 'jsonl';
  readonly gzip: boolean;
  readonly delimiter: string;
  readonly skipBadRows: boolean;
  /** Hash the bytes (pass 1 only). */
  readonly hash: boolean;
}

/** What one read of the input saw. */
export interface ReadResult {
  readonly rows: number;
  readonly skippedRows: number;
  readonly bytes: number;
  readonly sha256: string | null;
  /** True when event-shaped JSON lines carried a prediction. */
  readonly sawPredictions: boolean;
}

/** Callbacks of one read. */
export interface RowSink {
  /** The CSV header, before any row. */
  header?(names: readonly string[]): void;
  row(values: ReadonlyMap<string, ClassifiedValue>, line: number): void;
  /** Called per chunk read: bytes so far and rows so far. */
  progress?(bytes: number, rows: number): void;
}

function invalid(message: string): DriftwatchError {
  return new DriftwatchError('DW_INPUT_INVALID', message);
}

function open(o: ReadOptions, tap: (chunk: Buffer) => void): Readable {
  const raw: Readable = o.path === '-' ? process.stdin : createReadStream(o.path);
  raw.on('data', (chunk: Buffer) => tap(chunk));
  if (!o.gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

function wrapStreamError(o: ReadOptions, error: unknown): never {
  if (error instanceof DriftwatchError) throw error;
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR' || e.code === 'Z_NEED_DICT') {
    throw invalid(
      `${o.name}: corrupt gzip data (${e.message}); check the file, or rename it without .gz if it is not compressed`,
    );
  }
  if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') {
    throw new DriftwatchError('DW_INPUT_READ', `${o.name}: cannot read (${e.code})`, { cause: error });
  }
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    const line = (e as { lines?: number }).lines;
    throw invalid(`${o.name}${line !== undefined ? `: line ${line}` : ''}: malformed CSV (${e.message})`);
  }
  throw error;
}

/** Reads every data row once. Throws DriftwatchError for unreadable or malformed input. */
export async function readRows(o: ReadOptions, sink: RowSink): Promise<ReadResult> {
  const hash: Hash | null = o.hash ? createHash('sha256') : null;
  let bytes = 0;
  let rows = 0;
  let skipped = 0;
  let sawPredictions = false;
  const input = open(o, (chunk) => {
    bytes += chunk.length;
    hash?.update(chunk);
    sink.progress?.(bytes, rows);
  });
  const bad = (line: number, what: string, fix: string) => {
    if (o.skipBadRows) {
      skipped++;
      return;
    }
    throw invalid(
      `${o.name}: line ${line}: ${what}; ${fix} or pass --skip-bad-rows to skip such rows (they are counted)`,
    );
  };
  try {
    if (o.format === 'csv') {
      const parser = input.pipe(
        parseCsv({
          delimiter: o.delimiter,
          bom: true,
          relax_column_count: true,
          info: true,
          skip_empty_lines: true,
        }),
      );
      input.on('error', (e) => parser.destroy(e));
      let header: string[] | null = null;
      for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        const line = rec.info.lines;
        if (header === null) {
          header = rec.record.map((h) => h.trim());
          const seen = new Set<string>();
          for (const h of header) {
            if (seen.has(h))
              throw invalid(`${o.name}: line ${line}: the header names column "${h}" twice; rename one`);
            seen.add(h);
          }
          sink.header?.(header);
          continue;
        }
        if (rec.record.length !== header.length) {
          bad(line, `${rec.record.length} fields, the header has ${header.length}`, 'fix the row');
          continue;
        }
        const values = new Map<string, ClassifiedValue>();
        for (let i = 0; i < header.length; i++) values.set(header[i]!, classifyCsv(rec.record[i]!));
        rows++;
        sink.row(values, line);
      }
    } else {
      const decoder = new StringDecoder('utf8');
      let rest = '';
      let line = 0;
      const handle = (text: string) => {
        line++;
        if (text.trim() === '') return;
        let value: unknown;
        try {
          value = parseJson(text);
        } catch {
          bad(line, 'not valid JSON', 'fix the line');
          return;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          bad(line, 'not a JSON object', 'write one flat object per line');
          return;
        }
        const o2 = value as Record<string, unknown>;
        const values = new Map<string, ClassifiedValue>();
        const features = o2.features;
        if (typeof features === 'object' && features !== null && !Array.isArray(features)) {
          for (const [k, v] of Object.entries(features)) values.set(k, classifyJson(v));
          if ('prediction' in o2) {
            sawPredictions = true;
            const p = o2.prediction;
            const pv =
              typeof p === 'object' && p !== null && !Array.isArray(p)
                ? typeof (p as Record<string, unknown>).score === 'number'
                  ? (p as Record<string, unknown>).score
                  : (p as Record<string, unknown>).label
                : p;
            values.set(PREDICTION_FEATURE, classifyJson(pv));
          }
        } else {
          for (const [k, v] of Object.entries(o2)) values.set(k, classifyJson(v));
        }
        rows++;
        sink.row(values, line);
      };
      for await (const chunk of input as AsyncIterable<Buffer>) {
        rest += decoder.write(chunk);
        let nl = rest.indexOf('\n');
        while (nl >= 0) {
          handle(rest.slice(0, nl).replace(/\r$/, ''));
          rest = rest.slice(nl + 1);
          nl = rest.indexOf('\n');
        }
      }
      rest += decoder.end();
      if (rest !== '') handle(rest.replace(/\r$/, ''));
    }
  } catch (error) {
    wrapStreamError(o, error);
  }
  sink.progress?.(bytes, rows);
  return {
    rows,
    skippedRows: skipped,
    bytes,
    sha256: hash === null ? null : hash.digest('hex'),
    sawPredictions,
  };
}
