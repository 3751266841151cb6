import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import type { DriftEvent } from '../../../src/decode/event.js';
import type { RawRecord } from '../../../src/decode/record.js';
import { DecodeStage, type Rejection } from '../../../src/pipeline/decodeStage.js';
import type { BatchConsumer } from '../../../src/pipeline/stage.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';

function rec(topic: string, offset: number, value: string): RawRecord {
  return {
    topic,
    partition: 0,
    offset: String(offset),
    key: null,
    value: Buffer.from(value),
    headers: {},
    timestamp: 1,
  };
}

class Collect<T> implements BatchConsumer<T> {
  readonly items: T[] = [];
  failuresLeft = 0;
  async consume(batch: readonly T[]): Promise<void> {
    if (this.failuresLeft-- > 0) throw new Error('downstream unavailable');
    this.items.push(...batch);
  }
}

async function counter(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
  )?.value;
}

function setup() {
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: 't', defaultMetrics: false });
  const events = new Collect<DriftEvent>();
  const dlq = new Collect<Rejection>();
  const stage = new DecodeStage(
    { models: new Set(['m']), maxEventBytes: 1000, maxFeaturesPerEvent: 10 },
    new Map([
      ['preds', 'prediction'],
      ['feats', 'feature'],
    ]),
    events,
    dlq,
    metrics,
  );
  return { registry, events, dlq, stage };
}

describe('DecodeStage', () => {
  it('routes events by topic kind, rejections to the DLQ, and counts both per topic', async () => {
    const { registry, events, dlq, stage } = setup();
    await stage.consume([
      rec('preds', 0, '{"model":"m","prediction":0.5}'),
      rec('preds', 1, 'garbage'),
      rec('feats', 0, '{"model":"m","features":{"a":1}}'),
      rec('feats', 1, '{"model":"x"}'),
      rec('feats', 2, '{}'),
    ]);
    expect(events.items.map((e) => e.kind)).toEqual(['prediction', 'feature']);
    expect(dlq.items.map((r) => [r.record.topic, r.record.offset, r.reason])).toEqual([
      ['preds', '1', 'invalid_json'],
      ['feats', '1', 'unknown_model'],
      ['feats', '2', 'missing_model'],
    ]);
    expect(await counter(registry, 'driftwatch_events_consumed_total', { topic: 'preds' })).toBe(2);
    expect(await counter(registry, 'driftwatch_events_consumed_total', { topic: 'feats' })).toBe(3);
    expect(
      await counter(registry, 'driftwatch_events_rejected_total', {
        topic: 'feats',
        reason: 'unknown_model',
      }),
    ).toBe(1);
  });

  it('counts nothing and hands nothing on when the DLQ fails, so a retry neither loses nor double-counts', async () => {
    const { registry, events, dlq, stage } = setup();
    dlq.failuresLeft = 1;
    const batch = [rec('preds', 0, '{"model":"m"}'), rec('preds', 1, 'garbage')];
    await expect(stage.consume(batch)).rejects.toThrow('downstream unavailable');
    expect(events.items).toHaveLength(0);
    expect(await counter(registry, 'driftwatch_events_consumed_total', { topic: 'preds' })).toBeUndefined();

    await stage.consume(batch);
    expect(events.items).toHaveLength(1);
    expect(dlq.items).toHaveLength(1);
    expect(await counter(registry, 'driftwatch_events_consumed_total', { topic: 'preds' })).toBe(2);
    expect(
      await counter(registry, 'driftwatch_events_rejected_total', { topic: 'preds', reason: 'invalid_json' }),
    ).toBe(1);
  });
});
