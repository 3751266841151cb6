/**
 * The daemon end to end against the real broker: a known mix of valid and invalid records
 * in, exact counts and sums out on /metrics, exactly the invalid records in the DLQ, and a
 * SIGTERM mid-stream followed by a restart that loses and repeats nothing.
 */
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { LATENCY_BUCKETS_SECONDS } from '../../src/telemetry/metrics.js';
import { DEAD_LETTER_HEADERS } from '../../src/sinks/deadLetter.js';
import { startDaemon, waitUntil, type DaemonProcess } from '../support/daemon.js';
import { buildMix, expectedFor, type Expected, type MixRecord } from '../support/eventMix.js';
import {
  committedOffsets,
  createTopics,
  kafkaClient,
  produceRoundRobin,
  readTopic,
  uniqueName,
} from '../support/kafkaTopics.js';
import { freePort } from '../support/ports.js';
import { sumOf, type Sample } from '../support/promText.js';
import { writeTestConfig } from '../support/testConfig.js';

const PARTITIONS = 3;
let kafka: Kafka;
const running: DaemonProcess[] = [];

beforeAll(() => {
  kafka = kafkaClient(inject('kafkaBootstrap'));
});

afterAll(async () => {
  for (const d of running) d.kill('SIGKILL');
});

async function setup() {
  const predictionsTopic = uniqueName('it.predictions');
  const dlqTopic = uniqueName('it.dlq');
  await createTopics(kafka, [predictionsTopic, dlqTopic], PARTITIONS);
  const groupId = uniqueName('it.group');
  const port = await freePort();
  const config = writeTestConfig({
    bootstrap: inject('kafkaBootstrap'),
    predictionsTopic,
    dlqTopic,
    groupId,
    port,
  });
  const start = async (): Promise<DaemonProcess> => {
    const d = await startDaemon(config, port);
    running.push(d);
    return d;
  };
  return { predictionsTopic, dlqTopic, groupId, start };
}

function assertMetrics(samples: Sample[], x: Expected, topic: string): void {
  expect(sumOf(samples, 'driftwatch_events_consumed_total', { topic })).toBe(x.valid + x.invalid);
  expect(sumOf(samples, 'driftwatch_events_rejected_total', { topic })).toBe(x.invalid);
  for (const [reason, n] of x.rejected) {
    expect(sumOf(samples, 'driftwatch_events_rejected_total', { topic, reason }), reason).toBe(n);
  }
  expect(sumOf(samples, 'driftwatch_predictions_total')).toBe(x.valid);
  for (const [key, n] of x.predictions) {
    const [model, model_version, status] = key.split('|') as [string, string, string];
    expect(sumOf(samples, 'driftwatch_predictions_total', { model, model_version, status }), key).toBe(n);
  }
  for (const [key, n] of x.errors) {
    const [model, model_version, error] = key.split('|') as [string, string, string];
    expect(sumOf(samples, 'driftwatch_prediction_errors_total', { model, model_version, error }), key).toBe(
      n,
    );
  }
  for (const [key, sum] of x.cost) {
    const [model, model_version] = key.split('|') as [string, string];
    const l = { model, model_version };
    expect(sumOf(samples, 'driftwatch_inference_cost_total', l), key).toBe(sum);
    expect(sumOf(samples, 'driftwatch_task_success_total', l), key).toBe(x.success.get(key) ?? 0);
    expect(sumOf(samples, 'driftwatch_prediction_latency_seconds_count', l), key).toBe(
      x.latencyCount.get(key),
    );
    expect(sumOf(samples, 'driftwatch_prediction_latency_seconds_sum', l)).toBeCloseTo(
      x.latencySum.get(key) as number,
      9,
    );
    for (const le of LATENCY_BUCKETS_SECONDS) {
      expect(
        sumOf(samples, 'driftwatch_prediction_latency_seconds_bucket', { ...l, le: String(le) }),
        `${key} le=${le}`,
      ).toBe(x.latencyBucket.get(`${key}|${le}`) ?? 0);
    }
  }
}

describe('daemon against a real Kafka broker', () => {
  it('reports exact counts and sums for a known mix, and keeps exactly the invalid records in the DLQ', async () => {
    const { predictionsTopic, dlqTopic, start } = await setup();
    const mix = buildMix(10_000, 500);
    await produceRoundRobin(
      kafka,
      predictionsTopic,
      mix.map((r) => r.value),
      PARTITIONS,
    );
    const expected = expectedFor(mix, LATENCY_BUCKETS_SECONDS);
    expect([expected.valid, expected.invalid]).toEqual([10_000, 500]);

    const daemon = await start();
    let samples: Sample[] = [];
    await waitUntil('all records consumed', async () => {
      samples = await daemon.metrics();
      return sumOf(samples, 'driftwatch_events_consumed_total', { topic: predictionsTopic }) >= mix.length;
    });
    assertMetrics(samples, expected, predictionsTopic);
    expect(sumOf(samples, 'driftwatch_dead_letters_total', { outcome: 'written' })).toBe(500);
    expect(sumOf(samples, 'driftwatch_build_info')).toBe(1);
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(sumOf(samples, 'driftwatch_source_up', { source: 'kafka' })).toBe(1);
    expect(await (await fetch(`${daemon.url}/healthz`)).text()).toBe('ok\n');
    const status = (await (await fetch(`${daemon.url}/api/v1/status`)).json()) as {
      ready: boolean;
      models: Array<{ name: string }>;
    };
    expect(status.ready).toBe(true);
    expect(status.models.map((m) => m.name)).toEqual(['fraud-scorer', 'churn-model']);
    expect((await fetch(`${daemon.url}/nope`)).status).toBe(404);
    await waitUntil('consumer lag reaches 0', async () => {
      const s = await daemon.metrics();
      const lag = s.filter(
        (x) => x.name === 'driftwatch_kafka_consumer_lag' && x.labels.topic === predictionsTopic,
      );
      return lag.length === PARTITIONS && lag.every((x) => x.value === 0);
    });

    // The DLQ holds each invalid record once, unchanged, with headers naming why and where from.
    const letters = await readTopic(kafka, dlqTopic, 500);
    expect(letters).toHaveLength(500);
    const invalidByIndex = new Map<number, MixRecord>();
    mix.forEach((r, index) => r.reason !== null && invalidByIndex.set(index, r));
    const seen = new Set<number>();
    for (const letter of letters) {
      const index = Number(letter.headers['test-index']?.toString());
      const original = invalidByIndex.get(index);
      expect(original, `DLQ record ${index} was not an invalid record`).toBeDefined();
      expect(seen.has(index)).toBe(false);
      seen.add(index);
      expect(letter.value === null ? null : Buffer.from(letter.value)).toEqual(original?.value ?? null);
      expect(letter.headers[DEAD_LETTER_HEADERS.reason]?.toString()).toBe(original?.reason);
      expect(letter.headers[DEAD_LETTER_HEADERS.topic]?.toString()).toBe(predictionsTopic);
      expect(letter.headers[DEAD_LETTER_HEADERS.partition]?.toString()).toBe(String(index % PARTITIONS));
      expect(letter.headers[DEAD_LETTER_HEADERS.offset]?.toString()).toBe(
        String(Math.floor(index / PARTITIONS)),
      );
      expect(letter.headers[DEAD_LETTER_HEADERS.detail]?.toString().length).toBeGreaterThan(0);
    }

    const t0 = Date.now();
    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('loses and repeats nothing across a SIGTERM mid-stream and a restart', async () => {
    const { predictionsTopic, dlqTopic, groupId, start } = await setup();
    const mix = buildMix(10_000, 500);
    const values = mix.map((r) => r.value);
    const first = await start();

    // Produce in slices while the daemon consumes, and stop it while records keep coming.
    let produced = 0;
    const slice = 700;
    while (produced < values.length / 2) {
      await produceRoundRobin(
        kafka,
        predictionsTopic,
        values.slice(produced, produced + slice),
        PARTITIONS,
        produced,
      );
      produced += slice;
    }
    const stopAt = Date.now();
    first.kill('SIGTERM');
    const tail = produceRoundRobin(kafka, predictionsTopic, values.slice(produced), PARTITIONS, produced);
    expect(await first.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
    await tail;

    // What the first run committed is exactly what it processed; the second run must see the rest.
    const committed = await committedOffsets(kafka, groupId, predictionsTopic);
    const rest = mix.filter(
      (_, index) => Math.floor(index / PARTITIONS) >= (committed.get(index % PARTITIONS) ?? 0),
    );
    const firstRunCount = mix.length - rest.length;
    expect(firstRunCount).toBeGreaterThan(0);

    const second = await start();
    let samples: Sample[] = [];
    await waitUntil('the rest consumed', async () => {
      samples = await second.metrics();
      return sumOf(samples, 'driftwatch_events_consumed_total', { topic: predictionsTopic }) >= rest.length;
    });
    await new Promise((r) => setTimeout(r, 1000)); // anything re-read would arrive by now
    samples = await second.metrics();
    assertMetrics(samples, expectedFor(rest, LATENCY_BUCKETS_SECONDS), predictionsTopic);

    // Across both runs, each invalid record reached the DLQ exactly once.
    const letters = await readTopic(kafka, dlqTopic, 500);
    const indices = letters.map((l) => Number(l.headers['test-index']?.toString()));
    expect(new Set(indices).size).toBe(500);
    expect(indices.length).toBe(500);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

describe('daemon when the dead-letter topic cannot be written', () => {
  it('pauses and retries the batch, then delivers everything once the topic exists', async () => {
    const predictionsTopic = uniqueName('it.bp.predictions');
    const dlqTopic = uniqueName('it.bp.dlq');
    await createTopics(kafka, [predictionsTopic], PARTITIONS); // the DLQ topic does not exist yet
    const port = await freePort();
    const config = writeTestConfig({
      bootstrap: inject('kafkaBootstrap'),
      predictionsTopic,
      dlqTopic,
      groupId: uniqueName('it.bp.group'),
      port,
    });
    const mix = buildMix(1000, 50);
    await produceRoundRobin(
      kafka,
      predictionsTopic,
      mix.map((r) => r.value),
      PARTITIONS,
    );
    const daemon = await startDaemon(config, port);
    running.push(daemon);

    await waitUntil('dead-letter writes failing', async () => {
      const s = await daemon.metrics();
      return sumOf(s, 'driftwatch_dead_letters_total', { outcome: 'failed' }) > 0;
    });
    await new Promise((r) => setTimeout(r, 2000));
    let samples = await daemon.metrics();
    // Stuck batches are neither counted nor committed; the daemon stays up and ready.
    expect(sumOf(samples, 'driftwatch_events_consumed_total', { topic: predictionsTopic })).toBeLessThan(
      mix.length,
    );
    expect(sumOf(samples, 'driftwatch_dead_letters_total', { outcome: 'written' })).toBe(0);
    expect((await fetch(`${daemon.url}/readyz`)).status).toBe(200);
    // The log says what failed and what to check, once per retry, not once per record.
    expect(daemon.output()).toContain('DW_DLQ_PRODUCE');
    expect(daemon.output()).toContain(dlqTopic);

    await createTopics(kafka, [dlqTopic], 1);
    await waitUntil('everything consumed once the DLQ exists', async () => {
      samples = await daemon.metrics();
      return sumOf(samples, 'driftwatch_events_consumed_total', { topic: predictionsTopic }) >= mix.length;
    });
    assertMetrics(samples, expectedFor(mix, LATENCY_BUCKETS_SECONDS), predictionsTopic);
    const letters = await readTopic(kafka, dlqTopic, 50);
    expect(new Set(letters.map((l) => l.headers['test-index']?.toString())).size).toBe(50);
    expect(letters).toHaveLength(50);
    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  });
});
