/**
 * What makes a checkpoint usable, beyond its JSON types: Kafka positions that Kafka could have
 * given, one window per model, source and partition, and window states that are consistent
 * (windows/windowState.ts). The encoder checks it before it writes (a checkpoint that could not be
 * read back is a bug best found at save time), the decoder after it reads.
 *
 * Pure.
 */

import { checkStateConsistency, WindowStateError } from '../windows/windowState.js';
import type { Checkpoint } from './format.js';

/** Kafka partitions are int32. */
const MAX_PARTITION = 0x7fff_ffff;
/** Kafka offsets are int64. */
const MAX_OFFSET = 2n ** 63n - 1n;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * Throws `fail(message)` for the first problem of `checkpoint`, the message naming where
 * (`positions[2].offset: ...`). Called by `encodeCheckpoint` and `decodeCheckpoint`. Pure;
 * O(positions + windows + slots kept).
 */
export function checkCheckpoint(checkpoint: Checkpoint, fail: (message: string) => Error): void {
  if (!(Number.isSafeInteger(checkpoint.createdAt) && checkpoint.createdAt >= 0)) {
    throw fail(`createdAt must be epoch milliseconds, got ${checkpoint.createdAt}`);
  }
  const seenPositions = new Set<string>();
  checkpoint.positions.forEach((p, i) => {
    const where = `positions[${i}]`;
    checkPartition(p.topic, p.partition, where, fail);
    if (!DECIMAL.test(p.offset) || BigInt(p.offset) > MAX_OFFSET) {
      throw fail(
        `${where}.offset must be a non-negative integer in decimal, got ${JSON.stringify(p.offset)}`,
      );
    }
    const key = `${p.topic}\0${p.partition}`;
    if (seenPositions.has(key)) throw fail(`${where}: ${p.topic}/${p.partition} has a position already`);
    seenPositions.add(key);
  });
  const seenWindows = new Set<string>();
  checkpoint.windows.forEach((w, i) => {
    const where = `windows[${i}]`;
    if (w.model === '') throw fail(`${where}.model must not be empty`);
    if (w.source !== 'predictions' && w.source !== 'features') {
      throw fail(`${where}.source must be "predictions" or "features", got ${JSON.stringify(w.source)}`);
    }
    checkPartition(w.topic, w.partition, where, fail);
    const key = [w.model, w.source, w.topic, w.partition].join('\0');
    if (seenWindows.has(key)) {
      throw fail(`${where}: a second window of ${w.model} (${w.source}) for ${w.topic}/${w.partition}`);
    }
    seenWindows.add(key);
    try {
      checkStateConsistency(w.state);
    } catch (error) {
      if (error instanceof WindowStateError) throw fail(`${where}.state: ${error.message}`);
      throw error;
    }
  });
}

function checkPartition(topic: string, partition: number, where: string, fail: (m: string) => Error): void {
  if (topic === '') throw fail(`${where}.topic must not be empty`);
  if (!(Number.isSafeInteger(partition) && partition >= 0 && partition <= MAX_PARTITION)) {
    throw fail(`${where}.partition must be an integer from 0 to ${MAX_PARTITION}, got ${partition}`);
  }
}
