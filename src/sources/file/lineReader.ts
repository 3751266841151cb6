/**
 * Reads a file of newline-delimited records (JSONL events, possibly gzip-compressed) as raw
 * lines, in bounded memory: a line longer than `maxLineBytes` is not kept but reported as too
 * long with its size, so that one runaway line cannot exhaust memory. Used by `replay`; the
 * same bytes then go through the daemon's decoder.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { DriftwatchError } from '../../errors.js';

/** One line of the file, without its line terminator (`\n` or `\r\n`). */
export interface Line {
  /** 1-based. */
  readonly lineNumber: number;
  /** The line's bytes; empty when `tooLong`. */
  readonly value: Buffer;
  /** The line had more than `maxLineBytes` bytes and was skipped. */
  readonly tooLong: boolean;
  /** The line's length in bytes. */
  readonly bytes: number;
}

export interface LineReaderOptions {
  readonly maxLineBytes: number;
}

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const NEWLINE = 0x0a;
const CR = 0x0d;

/** True when the file starts with gzip's magic bytes (whatever its name). */
async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/**
 * Opens `path` (`-` for standard input, read as plain text) and decompresses it when it is gzip.
 * @throws DriftwatchError DW_INPUT_READ when the file cannot be opened.
 */
export async function openInput(path: string): Promise<Readable> {
  if (path === '-') return process.stdin;
  let gzip: boolean;
  try {
    gzip = await isGzip(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new DriftwatchError('DW_INPUT_READ', `${path}: cannot be read (${reason}); check the path`, {
      cause: error,
    });
  }
  const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
  if (!gzip) return file;
  const gunzip = createGunzip();
  file.on('error', (error) => gunzip.destroy(error));
  return file.pipe(gunzip);
}

/**
 * The lines of `input`, in order; a last line without a terminator is a line too. Memory is
 * bounded by `maxLineBytes` plus one chunk.
 * @throws DriftwatchError DW_INPUT_READ when reading or decompressing fails (e.g. a corrupt or
 *   truncated gzip file), naming the line reached.
 */
export async function* readLines(
  input: Readable,
  name: string,
  options: LineReaderOptions,
): AsyncGenerator<Line> {
  const max = options.maxLineBytes;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let skipping = false; // the current line is already too long: count its bytes, keep none
  let lineNumber = 0;

  const finish = (tail: Buffer): Line => {
    lineNumber += 1;
    const bytes = partBytes + tail.length;
    let line: Line;
    if (skipping || bytes > max) {
      line = { lineNumber, value: Buffer.alloc(0), tooLong: true, bytes };
    } else {
      let value = parts.length === 0 ? tail : Buffer.concat([...parts, tail], bytes);
      if (value.length > 0 && value[value.length - 1] === CR) value = value.subarray(0, value.length - 1);
      line = { lineNumber, value, tooLong: false, bytes: value.length };
    }
    parts = [];
    partBytes = 0;
    skipping = false;
    return line;
  };

  try {
    for await (const chunk of input) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      let start = 0;
      for (;;) {
        const end = buffer.indexOf(NEWLINE, start);
        if (end === -1) break;
        yield finish(buffer.subarray(start, end));
        start = end + 1;
      }
      if (start < buffer.length) {
        const rest = buffer.subarray(start);
        partBytes += rest.length;
        if (skipping || partBytes > max) skipping = true;
        // A chunk is reused by nothing after this loop, but copy so a kept line owns its bytes.
        else parts.push(Buffer.from(rest));
      }
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DriftwatchError(
      'DW_INPUT_READ',
      `${name}: reading failed after line ${lineNumber} (${reason}); ` +
        'check that the file is complete (a truncated or corrupt .gz cannot be read to its end)',
      { cause: error },
    );
  }
  if (partBytes > 0 || skipping) yield finish(Buffer.alloc(0));
}
