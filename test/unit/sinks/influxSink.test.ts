import { HttpError } from '@influxdata/influxdb-client';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';

import type { InfluxConfig } from '../../../src/config/types.js';
import type { ModelEvaluation } from '../../../src/evaluate/types.js';
import { InfluxSink, PointBuffer, type BatchWriter } from '../../../src/sinks/influx.js';
import { AMOUNT, evaluation } from './sample.js';

describe('PointBuffer', () => {
  it('drops the oldest queued points beyond its capacity, never the batch in flight', () => {
    const buffer = new PointBuffer(5);
    expect(buffer.append(['a', 'b', 'c'])).toBe(0);
    expect(buffer.take(2)).toEqual(['a', 'b']);
    expect([buffer.size, buffer.queued]).toEqual([3, 1]);
    // 2 in flight + c + d..g = 7 points: the two oldest queued (c, d) go.
    expect(buffer.append(['d', 'e', 'f', 'g'])).toBe(2);
    expect([buffer.size, buffer.queued]).toEqual([5, 3]);
    // The failed batch goes back to the head, so it is what the next append drops first.
    buffer.restore();
    expect(buffer.append(['h'])).toBe(1);
    expect(buffer.take(10)).toEqual(['b', 'e', 'f', 'g', 'h']);
    expect(buffer.acknowledge()).toBe(5);
    expect(buffer.size).toBe(0);
  });

  it('drops part of an append larger than the room left, keeping its newest points', () => {
    const buffer = new PointBuffer(3);
    expect(buffer.append(['a', 'b', 'c', 'd', 'e'])).toBe(2);
    expect(buffer.take(3)).toEqual(['c', 'd', 'e']);
    expect(buffer.discardAll()).toBe(3);
  });

  it('stays correct across many drops and takes', () => {
    const buffer = new PointBuffer(1000);
    let dropped = 0;
    for (let i = 0; i < 5000; i++) dropped += buffer.append([String(i)]);
    expect(dropped).toBe(4000);
    const first = buffer.take(3);
    expect(first).toEqual(['4000', '4001', '4002']);
    buffer.acknowledge();
    expect(buffer.take(2000)).toHaveLength(997);
  });
});

interface Harness {
  readonly sink: InfluxSink;
  readonly logs: { level: number; msg: string }[];
  count(outcome: 'written' | 'failed' | 'dropped'): Promise<number>;
  buffered(): Promise<number>;
}

function harness(write: BatchWriter, config: Partial<InfluxConfig> = {}, stopTimeoutMs = 1000): Harness {
  const registry = new Registry();
  const logs: { level: number; msg: string }[] = [];
  const logger: Logger = pino(
    { level: 'info' },
    { write: (line: string) => void logs.push(JSON.parse(line)) },
  );
  const sink = new InfluxSink({
    config: {
      url: 'http://127.0.0.1:1',
      token: null,
      org: '',
      bucket: 'driftwatch/autogen',
      batchSize: 2,
      flushIntervalMs: 10,
      maxBufferedPoints: 5,
      timeoutMs: 1000,
      ...config,
    },
    registry,
    logger,
    write,
    stopTimeoutMs,
  });
  const value = async (name: string, outcome?: string): Promise<number> => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    return metric?.values.find((v) => outcome === undefined || v.labels.outcome === outcome)?.value ?? NaN;
  };
  return {
    sink,
    logs,
    count: (outcome) => value('driftwatch_influx_points_total', outcome),
    buffered: () => value('driftwatch_influx_buffered_points'),
  };
}

/** A round with one new evaluation of one feature: two points (model, feature), told apart by `events`. */
function round(at: number, events: number, evaluations: ModelEvaluation[] = []) {
  return { evaluatedAt: at, evaluations: [evaluation({ events, features: [AMOUNT] }), ...evaluations] };
}

const modelEvents = (line: string): number => Number(/events=(\d+)i/.exec(line)?.[1] ?? NaN);

describe('InfluxSink', () => {
  it('keeps the newest points within the bound, counts the oldest as dropped, and writes the rest in batches', async () => {
    const batches: (readonly string[])[] = [];
    const h = harness(async (lines) => void batches.push(lines));
    // Not started yet: the points wait in the buffer.
    h.sink.publish(round(1000, 1));
    h.sink.publish(round(2000, 2));
    h.sink.publish(round(3000, 3));
    expect(await h.count('dropped')).toBe(1);
    expect(await h.buffered()).toBe(5);
    await h.sink.start();
    await vi.waitFor(async () => expect(await h.count('written')).toBe(5));
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    const lines = batches.flat();
    // The model point of the first round was the oldest: gone; its feature point follows.
    expect(lines[0]).toMatch(/^driftwatch_feature,.* 1000$/);
    expect(lines.filter((l) => l.startsWith('driftwatch_model')).map(modelEvents)).toEqual([2, 3]);
    expect(await h.buffered()).toBe(0);
    expect(await h.count('failed')).toBe(0);
    await h.sink.stop();
  });

  it('writes a repeated evaluation once', async () => {
    const batches: (readonly string[])[] = [];
    const h = harness(async (lines) => void batches.push(lines), { maxBufferedPoints: 100, batchSize: 100 });
    const first = round(1000, 7);
    h.sink.publish(first);
    h.sink.publish({ evaluatedAt: 2000, evaluations: first.evaluations });
    h.sink.publish({ evaluatedAt: 3000, evaluations: first.evaluations });
    await h.sink.stop();
    expect(batches.flat()).toHaveLength(2);
    expect(batches.flat().every((l) => l.endsWith(' 1000'))).toBe(true);
    expect(await h.count('written')).toBe(2);
  });

  it('retries a failed batch first, counts each failed attempt, and logs once when failing and once when recovered', async () => {
    const attempts: (readonly string[])[] = [];
    let failuresLeft = 3;
    const h = harness(
      async (lines) => {
        attempts.push(lines);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('connect ECONNREFUSED 127.0.0.1:8086');
        }
      },
      { maxBufferedPoints: 100, batchSize: 2 },
    );
    await h.sink.start();
    h.sink.publish(round(1000, 1));
    await vi.waitFor(async () => expect(await h.count('written')).toBe(2), { timeout: 2000 });
    expect(attempts).toHaveLength(4);
    // The same batch each time.
    expect(new Set(attempts.map((a) => a.join('\n'))).size).toBe(1);
    expect(await h.count('failed')).toBe(6);
    expect(await h.count('dropped')).toBe(0);
    expect(h.logs.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      'cannot write to InfluxDB; keeping up to 100 points and retrying',
    ]);
    expect(h.logs.filter((l) => l.level === 30).map((l) => l.msg)).toEqual(['writing to InfluxDB again']);
    await h.sink.stop();
  });

  it('drops a batch the server refuses as invalid instead of retrying it', async () => {
    const attempts: (readonly string[])[] = [];
    const h = harness(
      async (lines) => {
        attempts.push(lines);
        if (attempts.length === 1)
          throw new HttpError(400, 'Bad Request', 'partial write: field type conflict');
      },
      { maxBufferedPoints: 100, batchSize: 2 },
    );
    await h.sink.start();
    h.sink.publish(round(1000, 1));
    await vi.waitFor(async () => expect(await h.count('dropped')).toBe(2));
    h.sink.publish(round(2000, 2));
    await vi.waitFor(async () => expect(await h.count('written')).toBe(2));
    expect(attempts.map((a) => a.map((l) => l.slice(-4)))).toEqual([
      ['1000', '1000'],
      ['2000', '2000'],
    ]);
    expect(await h.count('failed')).toBe(2);
    await h.sink.stop();
  });

  it('stop writes what is buffered', async () => {
    const batches: (readonly string[])[] = [];
    const h = harness(async (lines) => void batches.push(lines), {
      flushIntervalMs: 60_000,
      batchSize: 50,
      maxBufferedPoints: 100,
    });
    await h.sink.start();
    h.sink.publish(round(1000, 1));
    h.sink.publish(round(2000, 2));
    expect(batches).toEqual([]);
    await h.sink.stop();
    expect(batches.flat()).toHaveLength(4);
    expect(await h.count('written')).toBe(4);
    // Stopped: later rounds are ignored, and stop is idempotent.
    h.sink.publish(round(3000, 3));
    await h.sink.stop();
    expect(await h.buffered()).toBe(0);
  });

  it('stop gives up at its deadline and counts what is left, in flight included, as dropped', async () => {
    const h = harness(() => new Promise<void>(() => undefined), { maxBufferedPoints: 100 }, 50);
    await h.sink.start();
    h.sink.publish(round(1000, 1));
    h.sink.publish(round(2000, 2));
    h.sink.publish(round(3000, 3));
    const started = Date.now();
    await h.sink.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await h.count('dropped')).toBe(6);
    expect(await h.count('written')).toBe(0);
    expect(await h.buffered()).toBe(0);
    expect(h.logs.at(-1)?.msg).toBe('stopped with InfluxDB points not written; they are dropped');
  });
});
