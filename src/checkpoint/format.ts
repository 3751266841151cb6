/**
 * The checkpoint: every window of the daemon (one per model, source and Kafka partition) with the
 * Kafka positions its counts cover, so that a restart resumes the windows it had and reads every
 * event after them exactly once (PRODUCT.md §4, docs/checkpoints.md). This file holds the runtime
 * types and the bytes they are stored as; checkpoint/store.ts says where they are kept.
 *
 * The bytes: the ASCII line `driftwatch-checkpoint <version>\n`, so that any other file is told
 * apart before anything is decompressed (and a later version is named), then gzip of JSON lines: a
 * header line (`created_at`, `positions`, the number of windows), then one line per window. Lines
 * rather than one JSON text because a checkpoint of many busy windows can outgrow the longest
 * string the JavaScript engine can build. A bucket's counts are sparse (windows/windowState.ts):
 * `slots` holds the differences between successive slot indices (the first is the index itself)
 * and `counts` the counts, each as base64 of unsigned LEB128 varints (checkpoint/varintBase64.ts).
 *
 * Pure: no I/O, no clock (`createdAt` is passed in).
 */

import { promisify } from 'node:util';
import { gunzipSync, gzip, gzipSync } from 'node:zlib';

import { DriftwatchError } from '../errors.js';
import type { ServingState, ServingStateBucket } from '../windows/servingWindow.js';
import type { WindowState, WindowStateBucket } from '../windows/windowState.js';
import { uint32ToVarintBase64, varintBase64ToUint32 } from './varintBase64.js';
import { checkCheckpoint } from './validate.js';

/**
 * zlib's fastest level: on 100 windows of 60 steps it encodes 2.5 to 7 times faster than the default
 * level 6 for a checkpoint 10 to 25 % larger (docs/checkpoints.md, "Size"); a save runs every step.
 */
const GZIP_LEVEL = 1;

/** The version this code writes and the only one it reads; bumped on any incompatible change. */
export const CHECKPOINT_VERSION = 1;

/** The first bytes of every checkpoint, followed by the version in decimal and a newline. */
export const CHECKPOINT_MAGIC = 'driftwatch-checkpoint ';

/** Where the daemon is in one Kafka partition: the offsets before it are counted in the windows. */
export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read, Kafka's decimal string (an int64: not always a safe JavaScript number). */
  readonly offset: string;
}

/** One window of the daemon: which model, source and partition it counts, and its state. */
export interface WindowCheckpoint {
  readonly model: string;
  readonly source: 'predictions' | 'features';
  readonly topic: string;
  readonly partition: number;
  readonly state: WindowState;
}

/** One serving window of the daemon (a model's prediction events in one partition) and its state. */
export interface ServingCheckpoint {
  readonly model: string;
  readonly topic: string;
  readonly partition: number;
  /** Checked when restored (`ServingWindow.fromState`); the format only checks its types. */
  readonly state: ServingState;
}

/**
 * Everything the daemon saves at every step and on shutdown, and restores on start
 * (checkpoint/restore.ts). Built by the daemon; immutable by contract.
 */
export interface Checkpoint {
  readonly version: typeof CHECKPOINT_VERSION;
  /** When it was made, epoch ms (the daemon's clock, passed in). */
  readonly createdAt: number;
  readonly positions: readonly PartitionPosition[];
  readonly windows: readonly WindowCheckpoint[];
  /** The serving windows (error rate, latency, cost over the window); absent in older files. */
  readonly serving?: readonly ServingCheckpoint[];
}

/**
 * Bytes that are not a checkpoint this driftwatch can use: another file, another format version, a
 * truncated or corrupt one. The message says what is wrong and where (`windows[3].state.buckets[0]
 * .counts: ...`); the store adds the file. Thrown by `decodeCheckpoint` (and by `encodeCheckpoint`
 * for a checkpoint that could not be read back, which is a bug of its caller).
 */
export class CheckpointError extends DriftwatchError {
  constructor(message: string) {
    super('DW_INPUT_INVALID', message);
    this.name = 'CheckpointError';
  }
}

/**
 * The bytes of `checkpoint` (see the file's comment). Called by the store at every save; the
 * checkpoint is only read. O(buckets + slots kept): the sparse counts make it proportional to what
 * the windows hold, not to their size.
 * @throws CheckpointError when the checkpoint is invalid (what `decodeCheckpoint` would refuse).
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Buffer {
  checkCheckpoint(checkpoint, (message) => new CheckpointError(`cannot encode the checkpoint: ${message}`));
  const lines = [
    headerLine(checkpoint),
    ...checkpoint.windows.map(windowLine),
    ...(checkpoint.serving ?? []).map(servingLine),
  ];
  return Buffer.concat([magicLine(), gzipSync(Buffer.concat(lines), { level: GZIP_LEVEL })]);
}

const gzipAsync = promisify(gzip);

/**
 * The same bytes as {@link encodeCheckpoint}, without holding the event loop: the windows are
 * encoded a few at a time between turns of the event loop, and compressed on libuv's thread pool.
 * What the daemon's store uses, so that saving a checkpoint of many windows does not stall
 * consumption. `checkpoint` must not change while this runs (the daemon passes exported copies).
 */
export async function encodeCheckpointAsync(checkpoint: Checkpoint, windowsPerTurn = 8): Promise<Buffer> {
  checkCheckpoint(checkpoint, (message) => new CheckpointError(`cannot encode the checkpoint: ${message}`));
  const lines = [headerLine(checkpoint)];
  for (let i = 0; i < checkpoint.windows.length; i++) {
    lines.push(windowLine(checkpoint.windows[i]!));
    if ((i + 1) % windowsPerTurn === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  for (const serving of checkpoint.serving ?? []) lines.push(servingLine(serving));
  return Buffer.concat([magicLine(), await gzipAsync(Buffer.concat(lines), { level: GZIP_LEVEL })]);
}

function magicLine(): Buffer {
  return Buffer.from(`${CHECKPOINT_MAGIC}${CHECKPOINT_VERSION}\n`, 'latin1');
}

function headerLine(checkpoint: Checkpoint): Buffer {
  return jsonLine({
    created_at: checkpoint.createdAt,
    positions: checkpoint.positions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      offset: p.offset,
    })),
    windows: checkpoint.windows.length,
    serving: checkpoint.serving?.length ?? 0,
  });
}

function servingLine(w: ServingCheckpoint): Buffer {
  const s = w.state;
  return jsonLine({
    model: w.model,
    topic: w.topic,
    partition: w.partition,
    serving: {
      step_ms: s.stepMs,
      steps: s.steps,
      latency_buckets: s.latencyBuckets,
      newest: s.newest,
      buckets: s.buckets.map((b) => ({
        step: b.step,
        events: b.events,
        errors: b.errors,
        successes: b.successes,
        costed: b.costed,
        cost_sum: b.costSum,
        latency_slots: uint32ToVarintBase64(b.latencySlots),
        latency_counts: uint32ToVarintBase64(b.latencyCounts),
      })),
    },
  });
}

function windowLine(w: WindowCheckpoint): Buffer {
  const s = w.state;
  return jsonLine({
    model: w.model,
    source: w.source,
    topic: w.topic,
    partition: w.partition,
    state: {
      baseline_id: s.baselineId,
      layout_hash: s.layoutHash,
      layout_size: s.layoutSize,
      step_ms: s.stepMs,
      steps: s.steps,
      newest: s.newest,
      events: s.events,
      buckets: s.buckets.map((b) => ({
        step: b.step,
        slots: uint32ToVarintBase64(slotGaps(b.slots)),
        counts: uint32ToVarintBase64(b.counts),
      })),
    },
  });
}

/**
 * The checkpoint `bytes` hold, validated whole: the marker and version, the gzip data, every line's
 * JSON and types, positions (non-negative integer partitions, offsets as non-negative decimal
 * integer strings, no partition twice), windows (no model, source and partition twice) and every
 * window state's consistency (`checkStateConsistency`: slots and counts decode to whole uint32
 * values, as many counts as slots, slots within the layout, buckets within the window, events that add up).
 * Whether a state fits the current baselines is `restoreWindows`' question. Called by the store's
 * `load`. O(bytes).
 * @throws CheckpointError saying what is wrong.
 */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payload = gunzipPayload(data.subarray(readHeader(data)));
  const lines = splitLines(payload);
  const header = parseLine(lines, 0, 'the header line');
  const at = (path: string) => (message: string) => new CheckpointError(`${path}: ${message}`);
  const top = record(header, at('the header line'));
  const count = top.integer('windows', 0);
  const servingCount =
    header !== null && typeof header === 'object' && 'serving' in header ? top.integer('serving', 0) : 0;
  if (lines.length !== count + servingCount + 1) {
    throw new CheckpointError(
      `the header announces ${count} windows and ${servingCount} serving windows but ${lines.length - 1} lines follow`,
    );
  }
  const positions = top.array('positions').map((p, i) => {
    const r = record(p, at(`positions[${i}]`));
    return { topic: r.string('topic'), partition: r.integer('partition', 0), offset: r.string('offset') };
  });
  const windows: WindowCheckpoint[] = [];
  for (let i = 0; i < count; i++) {
    const path = `windows[${i}]`;
    const r = record(parseLine(lines, i + 1, path), at(path));
    const source = r.string('source');
    if (source !== 'predictions' && source !== 'features') {
      throw at(path)(`source must be "predictions" or "features", got ${JSON.stringify(source)}`);
    }
    windows.push({
      model: r.string('model'),
      source,
      topic: r.string('topic'),
      partition: r.integer('partition', 0),
      state: readState(r.value('state'), `${path}.state`),
    });
  }
  const serving: ServingCheckpoint[] = [];
  for (let i = 0; i < servingCount; i++) {
    const path = `serving[${i}]`;
    const r = record(parseLine(lines, count + i + 1, path), at(path));
    serving.push({
      model: r.string('model'),
      topic: r.string('topic'),
      partition: r.integer('partition', 0),
      state: readServingState(r.value('serving'), `${path}.serving`),
    });
  }
  const checkpoint: Checkpoint = {
    version: CHECKPOINT_VERSION,
    createdAt: top.integer('created_at', 0),
    positions,
    windows,
    ...(servingCount > 0 ? { serving } : {}),
  };
  checkCheckpoint(checkpoint, (message) => new CheckpointError(message));
  return checkpoint;
}

/** Checks the marker and version line; returns where the gzip data starts. */
function readHeader(data: Buffer): number {
  const magic = Buffer.from(CHECKPOINT_MAGIC, 'latin1');
  if (data.length < magic.length || !data.subarray(0, magic.length).equals(magic)) {
    throw new CheckpointError(
      `not a driftwatch checkpoint: it does not start with "${CHECKPOINT_MAGIC.trim()}"`,
    );
  }
  const end = data.indexOf(0x0a, magic.length);
  const version = data.toString(
    'latin1',
    magic.length,
    end < 0 ? Math.min(data.length, magic.length + 20) : end,
  );
  if (end < 0 || !/^[0-9]{1,9}$/.test(version)) {
    throw new CheckpointError(`the checkpoint's version line is malformed: ${JSON.stringify(version)}`);
  }
  if (Number(version) !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `checkpoint format version ${Number(version)}; this driftwatch reads version ${CHECKPOINT_VERSION}`,
    );
  }
  return end + 1;
}

function gunzipPayload(gz: Buffer): Buffer {
  if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) {
    throw new CheckpointError('the data after the version line is not gzip');
  }
  try {
    return gunzipSync(gz);
  } catch (error) {
    throw new CheckpointError(`the gzip data is truncated or corrupt (${(error as Error).message})`);
  }
}

/** The payload's lines, each a view of it; the payload must end with a newline. */
function splitLines(payload: Buffer): Buffer[] {
  if (payload.length === 0 || payload[payload.length - 1] !== 0x0a) {
    throw new CheckpointError('the checkpoint data does not end with a complete line');
  }
  const lines: Buffer[] = [];
  for (let start = 0; start < payload.length;) {
    const end = payload.indexOf(0x0a, start);
    lines.push(payload.subarray(start, end));
    start = end + 1;
  }
  return lines;
}

function parseLine(lines: readonly Buffer[], index: number, what: string): unknown {
  try {
    return JSON.parse(lines[index]!.toString('utf8'));
  } catch (error) {
    throw new CheckpointError(`${what} (line ${index + 1}) is not JSON: ${(error as Error).message}`);
  }
}

function readState(x: unknown, path: string): WindowState {
  const fail = (where: string) => (message: string) => new CheckpointError(`${where}: ${message}`);
  const r = record(x, fail(path));
  const layoutSize = r.integer('layout_size', 1);
  const buckets = r.array('buckets').map((b, i): WindowStateBucket => {
    const where = `${path}.buckets[${i}]`;
    const br = record(b, fail(where));
    const gaps = uint32Field(br.string('slots'), `${where}.slots`);
    const counts = uint32Field(br.string('counts'), `${where}.counts`);
    if (gaps.length !== counts.length) {
      throw new CheckpointError(`${where}.counts: ${counts.length} counts for ${gaps.length} slots`);
    }
    return { step: br.integer('step'), slots: slotsFromGaps(gaps, layoutSize, `${where}.slots`), counts };
  });
  const stepMs = r.value('step_ms');
  const newest = r.value('newest');
  return {
    baselineId: r.string('baseline_id'),
    layoutHash: r.string('layout_hash'),
    layoutSize,
    stepMs: stepMs === null ? null : r.number('step_ms'),
    steps: r.integer('steps', 1),
    newest: newest === null ? null : r.integer('newest'),
    buckets,
    events: r.integer('events', 0),
  };
}

function readServingState(x: unknown, path: string): ServingState {
  const fail = (where: string) => (message: string) => new CheckpointError(`${where}: ${message}`);
  const r = record(x, fail(path));
  const buckets = r.array('buckets').map((b, i): ServingStateBucket => {
    const where = `${path}.buckets[${i}]`;
    const br = record(b, fail(where));
    return {
      step: br.integer('step'),
      events: br.integer('events', 0),
      errors: br.integer('errors', 0),
      successes: br.integer('successes', 0),
      costed: br.integer('costed', 0),
      costSum: br.number('cost_sum'),
      latencySlots: uint32Field(br.string('latency_slots'), `${where}.latency_slots`),
      latencyCounts: uint32Field(br.string('latency_counts'), `${where}.latency_counts`),
    };
  });
  const stepMs = r.value('step_ms');
  const newest = r.value('newest');
  return {
    stepMs: stepMs === null ? null : r.number('step_ms'),
    steps: r.integer('steps', 1),
    latencyBuckets: r.integer('latency_buckets', 1),
    newest: newest === null ? null : r.integer('newest'),
    buckets,
  };
}

function uint32Field(text: string, path: string): Uint32Array {
  const values = varintBase64ToUint32(text);
  if (typeof values === 'string') throw new CheckpointError(`${path}: ${values}`);
  return values;
}

/** Slot indices from their gaps, each checked against the layout before it can wrap around 2^32. */
function slotsFromGaps(gaps: Uint32Array, layoutSize: number, path: string): Uint32Array {
  const slots = new Uint32Array(gaps.length);
  let slot = 0;
  for (let i = 0; i < gaps.length; i++) {
    slot += gaps[i]!;
    if (slot >= layoutSize) {
      throw new CheckpointError(`${path}: slot ${slot} is beyond the window's ${layoutSize} counts`);
    }
    slots[i] = slot;
  }
  return slots;
}

/** Ascending slot indices as gaps: small numbers, which gzip packs well. */
function slotGaps(slots: Uint32Array): Uint32Array {
  const gaps = new Uint32Array(slots.length);
  let previous = 0;
  for (let i = 0; i < slots.length; i++) {
    gaps[i] = slots[i]! - previous;
    previous = slots[i]!;
  }
  return gaps;
}

function jsonLine(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
}

/** Typed reads of one JSON object's fields; `fail` makes the error, naming where. */
function record(x: unknown, fail: (message: string) => CheckpointError) {
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    throw fail(`expected an object, got ${kind(x)}`);
  const o = x as Record<string, unknown>;
  const value = (key: string): unknown => {
    if (!Object.hasOwn(o, key)) throw fail(`${key} is missing`);
    return o[key];
  };
  const number = (key: string): number => {
    const v = value(key);
    if (typeof v !== 'number') throw fail(`${key} must be a number, got ${kind(v)}`);
    return v;
  };
  return {
    value,
    number,
    integer(key: string, min = Number.MIN_SAFE_INTEGER): number {
      const v = number(key);
      if (!Number.isSafeInteger(v) || v < min) {
        throw fail(`${key} must be an integer${min === 0 ? ' >= 0' : min === 1 ? ' >= 1' : ''}, got ${v}`);
      }
      return v;
    },
    string(key: string): string {
      const v = value(key);
      if (typeof v !== 'string') throw fail(`${key} must be a string, got ${kind(v)}`);
      return v;
    },
    array(key: string): unknown[] {
      const v = value(key);
      if (!Array.isArray(v)) throw fail(`${key} must be an array, got ${kind(v)}`);
      return v;
    },
  };
}

function kind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string')
    return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x)}`;
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${String(x)}`;
}
