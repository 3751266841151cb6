import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

import { decodeCheckpoint, encodeCheckpoint } from '../../../src/checkpoint/format.js';
import { FileCheckpointStore } from '../../../src/checkpoint/fileStore.js';
import type { PredictionEvent } from '../../../src/decode/event.js';
import { Checkpointer } from '../../../src/drift/checkpointer.js';
import { DriftState } from '../../../src/drift/driftState.js';
import type { DriftModel } from '../../../src/drift/models.js';
import { DEFAULT_DRIFT_THRESHOLDS } from '../../../src/evaluate/thresholds.js';
import { normalSample, seededRandom } from '../stats/vectors.js';
import { baselineOf, numericFeature } from '../windows/baselineOf.js';

const MINUTE = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'driftwatch-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const random = seededRandom(11);
const model: DriftModel = {
  name: 'fraud',
  baseline: baselineOf([numericFeature('amount', normalSample(random, 1000, 50, 10))], 'fraud'),
  spec: { stepMs: MINUTE, steps: 10 },
  windowMs: 10 * MINUTE,
  stepMs: MINUTE,
  time: 'processing',
  allowedLatenessMs: 0,
  thresholds: { ...DEFAULT_DRIFT_THRESHOLDS, minSamples: 1 },
  sources: ['predictions'],
};

function event(amount: number, latencyMs: number, status: 'ok' | 'error'): PredictionEvent {
  return {
    kind: 'prediction',
    model: 'fraud',
    modelVersion: '1',
    id: null,
    ts: 0,
    features: { amount },
    prediction: null,
    latencyMs,
    status,
    error: status === 'error' ? 'timeout' : null,
    cost: 0.25,
    success: status === 'ok',
  };
}

const counts: string[] = [];
const checkpointer = (name: string) =>
  new Checkpointer({
    store: new FileCheckpointStore(dir, name),
    logger: pino({ level: 'silent' }),
    count: (outcome) => counts.push(outcome),
  });

describe('Checkpointer', () => {
  it('restores the drift and serving windows and the positions they cover', async () => {
    const before = new DriftState([model]);
    for (let step = 0; step < 4; step++) {
      const events = Array.from({ length: 50 }, (_, i) =>
        event(40 + ((i * 7) % 25), 5 + i, i % 10 === 0 ? 'error' : 'ok'),
      );
      before.observe(
        events.slice(0, 30),
        { topic: 't', partition: 0, nextOffset: String(30 * (step + 1)) },
        step * MINUTE,
      );
      before.observe(
        events.slice(30),
        { topic: 't', partition: 1, nextOffset: String(20 * (step + 1)) },
        step * MINUTE,
      );
    }
    await checkpointer('a.ckpt').save(before, 4 * MINUTE);
    expect(counts).toEqual(['ok']);

    const after = new DriftState([model]);
    const positions = await checkpointer('a.ckpt').restore(after);
    expect(positions).toEqual([
      { topic: 't', partition: 0, offset: '120' },
      { topic: 't', partition: 1, offset: '80' },
    ]);
    const expected = before.evaluate('fraud', 5 * MINUTE);
    expect(after.evaluate('fraud', 5 * MINUTE)).toEqual(expected);
    expect(expected[0]?.serving).toMatchObject({ events: 200, errors: 20 });
  });

  it('writes serving windows that the format reads back exactly', async () => {
    const state = new DriftState([model]);
    state.observe(
      [event(50, 12.5, 'ok'), event(51, 900, 'error')],
      { topic: 't', partition: 3, nextOffset: '2' },
      0,
    );
    const serving = state.servingWindows().map(({ model: m, topic, partition, window }) => ({
      model: m,
      topic,
      partition,
      state: window.exportState(),
    }));
    const checkpoint = { version: 1 as const, createdAt: 1, positions: [], windows: [], serving };
    expect(decodeCheckpoint(encodeCheckpoint(checkpoint))).toEqual(checkpoint);
  });

  it('starts empty, and says so, when there is no checkpoint', async () => {
    const state = new DriftState([model]);
    expect(await checkpointer('none.ckpt').restore(state)).toEqual([]);
    expect(state.windows()).toEqual([]);
  });
});
