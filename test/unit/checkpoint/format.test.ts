/* eslint-disable @typescript-eslint/no-explicit-any -- the tests set the JSON's fields to every wrong type */
import { gunzipSync, gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  encodeCheckpointAsync,
  type Checkpoint,
} from '../../../src/checkpoint/format.js';
import { DriftwatchError } from '../../../src/errors.js';
import { ModelWindow } from '../../../src/windows/modelWindow.js';
import { filledWindow, fraud, plain, sampleCheckpoint, STEPS } from './sample.js';

const HEADER = 'driftwatch-checkpoint 1\n';

/** The JSON lines as the tests read and edit them. */
type JsonLine = any;

/** The JSON lines inside encoded bytes. */
function linesOf(bytes: Buffer): JsonLine[] {
  const text = gunzipSync(bytes.subarray(HEADER.length)).toString('utf8');
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as JsonLine);
}

/** Bytes of the given JSON lines, as the encoder frames them. */
function craft(lines: readonly unknown[], header = HEADER): Buffer {
  const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  return Buffer.concat([Buffer.from(header), gzipSync(Buffer.from(text))]);
}

function decodeError(bytes: Buffer): string {
  try {
    decodeCheckpoint(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toBeInstanceOf(DriftwatchError);
    expect((error as CheckpointError).code).toBe('DW_INPUT_INVALID');
    return (error as Error).message;
  }
  throw new Error('decodeCheckpoint accepted the bytes');
}

/** Base64 of unsigned LEB128 varints, written here independently of the encoder. */
function b64(values: number[]): string {
  const bytes: number[] = [];
  for (let v of values) {
    while (v >= 128) {
      bytes.push(128 + (v % 128));
      v = Math.floor(v / 128);
    }
    bytes.push(v);
  }
  return Buffer.from(bytes).toString('base64');
}

/** How many varints a base64 text holds: the bytes that end one (high bit clear). */
function varintCount(text: string): number {
  return [...Buffer.from(text, 'base64')].filter((byte) => byte < 128).length;
}

describe('encodeCheckpoint / decodeCheckpoint: round trips', () => {
  it('encodes the same bytes between turns of the event loop as at once', async () => {
    const checkpoint = sampleCheckpoint();
    for (const perTurn of [1, 2, 100]) {
      expect(await encodeCheckpointAsync(checkpoint, perTurn)).toEqual(encodeCheckpoint(checkpoint));
    }
  });

  it('gives back exactly what was encoded', () => {
    const checkpoint = sampleCheckpoint();
    const decoded = decodeCheckpoint(encodeCheckpoint(checkpoint));
    expect(decoded).toEqual(checkpoint);
    expect(decoded.windows[0]!.state.buckets[0]!.slots).toBeInstanceOf(Uint32Array);
    expect(decoded.windows[0]!.state.buckets.length).toBe(5);
    expect(decoded.windows[2]!.state.buckets).toEqual([]);
  });

  it('restores windows with the snapshots they had', () => {
    const original = filledWindow(fraud, 7, 500);
    const checkpoint: Checkpoint = {
      ...sampleCheckpoint(),
      windows: [
        {
          model: 'fraud-scorer',
          source: 'predictions',
          topic: 't',
          partition: 3,
          state: original.exportState(),
        },
      ],
    };
    const state = decodeCheckpoint(encodeCheckpoint(checkpoint)).windows[0]!.state;
    const restored = ModelWindow.fromState(fraud, STEPS, state);
    expect(plain(restored.snapshot())).toEqual(plain(original.snapshot()));
    expect(restored.events).toBe(500);
  });

  it('starts with the marker and version line, then gzip of JSON lines with base64 varint counts', () => {
    const checkpoint = sampleCheckpoint();
    const bytes = encodeCheckpoint(checkpoint);
    expect(bytes.subarray(0, HEADER.length).toString('latin1')).toBe(HEADER);
    expect([bytes[HEADER.length], bytes[HEADER.length + 1]]).toEqual([0x1f, 0x8b]);
    const lines = linesOf(bytes);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual({
      created_at: 1_790_000_000_000,
      positions: [
        { topic: 'predictions', partition: 0, offset: '0' },
        { topic: 'predictions', partition: 1, offset: '9223372036854775807' },
      ],
      windows: 3,
      serving: 0,
    });
    const state = (lines[1] as { state: { buckets: { slots: string; counts: string }[] } }).state;
    const first = checkpoint.windows[0]!.state.buckets[0]!;
    const gaps = Array.from(first.slots, (s, i) => s - (i === 0 ? 0 : first.slots[i - 1]!));
    expect(state.buckets[0]!.slots).toBe(b64(gaps));
    expect(state.buckets[0]!.counts).toBe(b64(Array.from(first.counts)));
    // The first slot (events) is 0; an event touches 6 more slots, so at least 7 are kept.
    expect(gaps[0]).toBe(0);
    expect(gaps.length).toBeGreaterThanOrEqual(7);
    expect(lines[3]).toEqual({
      model: 'churn',
      source: 'predictions',
      topic: 'predictions',
      partition: 1,
      state: {
        baseline_id: 'churn@0123456789ab',
        layout_hash: checkpoint.windows[2]!.state.layoutHash,
        layout_size: checkpoint.windows[2]!.state.layoutSize,
        step_ms: 60_000,
        steps: 5,
        newest: null,
        events: 0,
        buckets: [],
      },
    });
  });

  it('encodes a checkpoint without windows or positions', () => {
    const empty: Checkpoint = { version: 1, createdAt: 0, positions: [], windows: [] };
    expect(decodeCheckpoint(encodeCheckpoint(empty))).toEqual(empty);
  });

  it('refuses to encode what it could not read back', () => {
    const good = sampleCheckpoint();
    const bad: Checkpoint = { ...good, positions: [{ topic: 't', partition: 0, offset: '-1' }] };
    expect(() => encodeCheckpoint(bad)).toThrow(CheckpointError);
    expect(() => encodeCheckpoint(bad)).toThrow(
      'cannot encode the checkpoint: positions[0].offset must be a non-negative integer in decimal, got "-1"',
    );
  });
});

describe('decodeCheckpoint: what it refuses', () => {
  const good = encodeCheckpoint(sampleCheckpoint());
  const lines = linesOf(good);
  /** The good lines with `edit` applied to a deep copy. */
  const edited = (edit: (lines: any[]) => void): Buffer => {
    const copy = structuredClone(lines);
    edit(copy);
    return craft(copy);
  };

  it('accepts the crafted copy of a good checkpoint (the cases below start from it)', () => {
    expect(decodeCheckpoint(craft(lines))).toEqual(sampleCheckpoint());
  });

  it('refuses another file, another version, a broken version line', () => {
    expect(decodeError(Buffer.from('{"model": "fraud"}\n'))).toBe(
      'not a driftwatch checkpoint: it does not start with "driftwatch-checkpoint"',
    );
    expect(decodeError(Buffer.alloc(0))).toBe(
      'not a driftwatch checkpoint: it does not start with "driftwatch-checkpoint"',
    );
    expect(decodeError(craft(lines, 'driftwatch-checkpoint 2\n'))).toBe(
      'checkpoint format version 2; this driftwatch reads version 1',
    );
    expect(decodeError(craft(lines, 'driftwatch-checkpoint v1\n'))).toBe(
      'the checkpoint\'s version line is malformed: "v1"',
    );
    expect(decodeError(Buffer.from('driftwatch-checkpoint 1'))).toBe(
      'the checkpoint\'s version line is malformed: "1"',
    );
  });

  it('refuses data that is not gzip, and truncated or corrupt gzip', () => {
    expect(decodeError(Buffer.from(`${HEADER}{"created_at": 1}\n`))).toBe(
      'the data after the version line is not gzip',
    );
    expect(decodeError(good.subarray(0, good.length - 10))).toBe(
      'the gzip data is truncated or corrupt (unexpected end of file)',
    );
    const flipped = Buffer.from(good);
    flipped[flipped.length - 6] = flipped[flipped.length - 6]! ^ 0xff; // in the CRC-32
    expect(decodeError(flipped)).toMatch(/^the gzip data is truncated or corrupt \(.+\)$/);
  });

  it('refuses payloads that are not whole JSON lines', () => {
    const noNewline = Buffer.concat([Buffer.from(HEADER), gzipSync(Buffer.from('{"created_at": 1}'))]);
    expect(decodeError(noNewline)).toBe('the checkpoint data does not end with a complete line');
    const notJson = Buffer.concat([Buffer.from(HEADER), gzipSync(Buffer.from('{"created_at": 1,\n'))]);
    expect(decodeError(notJson)).toMatch(/^the header line \(line 1\) is not JSON: /);
    expect(decodeError(edited((l) => l.splice(2, 1)))).toBe(
      'the header announces 3 windows and 0 serving windows but 2 lines follow',
    );
    expect(decodeError(edited((l) => l.push({})))).toBe(
      'the header announces 3 windows and 0 serving windows but 4 lines follow',
    );
  });

  it('refuses wrong types, naming where', () => {
    const cases: [(l: any[]) => void, string][] = [
      [(l) => (l[0] = [1]), 'the header line: expected an object, got an array'],
      [(l) => delete l[0].created_at, 'the header line: created_at is missing'],
      [
        (l) => (l[0].created_at = '2026-01-01'),
        'the header line: created_at must be a number, got the string "2026-01-01"',
      ],
      [(l) => (l[0].created_at = -5), 'the header line: created_at must be an integer >= 0, got -5'],
      [(l) => (l[0].positions = {}), 'the header line: positions must be an array, got an object'],
      [
        (l) => (l[0].positions[1].partition = '1'),
        'positions[1]: partition must be a number, got the string "1"',
      ],
      [(l) => (l[0].positions[1].partition = -1), 'positions[1]: partition must be an integer >= 0, got -1'],
      [(l) => (l[0].positions[0].offset = 12), 'positions[0]: offset must be a string, got number 12'],
      [(l) => (l[0].positions[0].topic = null), 'positions[0]: topic must be a string, got null'],
      [(l) => (l[1] = 'window'), 'windows[0]: expected an object, got the string "window"'],
      [(l) => (l[2].source = 'logs'), 'windows[1]: source must be "predictions" or "features", got "logs"'],
      [(l) => (l[2].partition = 1.5), 'windows[1]: partition must be an integer >= 0, got 1.5'],
      [(l) => (l[1].state.step_ms = '1m'), 'windows[0].state: step_ms must be a number, got the string "1m"'],
      [(l) => (l[1].state.steps = 0), 'windows[0].state: steps must be an integer >= 1, got 0'],
      [(l) => (l[1].state.newest = true), 'windows[0].state: newest must be a number, got boolean true'],
      [(l) => delete l[1].state.layout_hash, 'windows[0].state: layout_hash is missing'],
      [
        (l) => (l[1].state.buckets[0].step = 'now'),
        'windows[0].state.buckets[0]: step must be a number, got the string "now"',
      ],
      [
        (l) => (l[1].state.buckets[2].counts = 7),
        'windows[0].state.buckets[2]: counts must be a string, got number 7',
      ],
    ];
    for (const [edit, message] of cases) expect(decodeError(edited(edit))).toBe(message);
  });

  it('refuses slots and counts that are not whole uint32 varints, or not as many counts as slots', () => {
    const at = 'windows[0].state.buckets[1]';
    const state = (lines[1] as JsonLine).state;
    const slots = varintCount(state.buckets[1].slots);
    const size = state.layout_size as number;
    const cases: [(l: any[]) => void, string][] = [
      [(l) => (l[1].state.buckets[1].counts = 'not base64!'), `${at}.counts: not base64 text`],
      [(l) => (l[1].state.buckets[1].counts = 'AQ'), `${at}.counts: not base64 text`],
      [
        (l) => (l[1].state.buckets[1].counts = Buffer.from([1, 0x81]).toString('base64')),
        `${at}.counts: the last value is cut off (2 bytes)`,
      ],
      [
        (l) =>
          (l[1].state.buckets[1].slots = Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 0x10]).toString('base64')),
        `${at}.slots: value 1 is above 2^32 - 1`,
      ],
      [
        (l) =>
          (l[1].state.buckets[1].slots = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0]).toString('base64')),
        `${at}.slots: value 0 is above 2^32 - 1`,
      ],
      [(l) => (l[1].state.buckets[1].counts = b64([1, 1])), `${at}.counts: 2 counts for ${slots} slots`],
    ];
    for (const [edit, message] of cases) expect(decodeError(edited(edit))).toBe(message);
    // A slot past the layout (gaps adding up beyond it), and one that would wrap around 2^32.
    expect(
      decodeError(
        edited((l) => {
          l[1].state.buckets = [{ step: 104, slots: b64([0, size]), counts: b64([1, 1]) }];
          l[1].state.events = 1;
        }),
      ),
    ).toBe(`${at.replace('[1]', '[0]')}.slots: slot ${size} is beyond the window's ${size} counts`);
    expect(
      decodeError(
        edited((l) => {
          l[1].state.buckets = [{ step: 104, slots: b64([0, 0xffff_ffff, 2]), counts: b64([1, 1, 1]) }];
        }),
      ),
    ).toBe(`windows[0].state.buckets[0].slots: slot 4294967295 is beyond the window's ${size} counts`);
  });

  it('refuses inconsistent window states', () => {
    expect(decodeError(edited((l) => (l[1].state.events += 1)))).toMatch(
      /^windows\[0\]\.state: malformed window state: events is \d+ but the buckets hold \d+$/,
    );
    expect(decodeError(edited((l) => (l[1].state.newest += 10)))).toBe(
      'windows[0].state: malformed window state: buckets[0]: step 100 is not in the window (110..114)',
    );
    expect(
      decodeError(
        edited(
          (l) =>
            (l[1].state.buckets[1].counts = b64(Array(varintCount(l[1].state.buckets[1].slots)).fill(0))),
        ),
      ),
    ).toBe('windows[0].state: malformed window state: buckets[1]: slot 0 is kept with a count of 0');
  });

  it('refuses offsets that are not non-negative decimal integers, and partitions twice', () => {
    const offset = (value: string) => decodeError(edited((l) => (l[0].positions[1].offset = value)));
    const message = (value: string) =>
      `positions[1].offset must be a non-negative integer in decimal, got ${JSON.stringify(value)}`;
    for (const value of ['-1', '1.5', '1e3', '', ' 7', '0x10', '007', '9223372036854775808']) {
      expect(offset(value)).toBe(message(value));
    }
    expect(decodeError(edited((l) => (l[0].positions[1].partition = 0)))).toBe(
      'positions[1]: predictions/0 has a position already',
    );
    expect(decodeError(edited((l) => (l[0].positions[1].partition = 2 ** 31)))).toBe(
      'positions[1].partition must be an integer from 0 to 2147483647, got 2147483648',
    );
    expect(decodeError(edited((l) => (l[0].positions[1].topic = '')))).toBe(
      'positions[1].topic must not be empty',
    );
  });

  it('refuses a window twice, and empty model names', () => {
    expect(
      decodeError(
        edited((l) => {
          l[2].source = 'predictions';
          l[2].partition = 0;
        }),
      ),
    ).toBe('windows[1]: a second window of fraud-scorer (predictions) for predictions/0');
    expect(decodeError(edited((l) => (l[3].model = '')))).toBe('windows[2].model must not be empty');
  });
});
