/**
 * The daemon rides out a broker restart: it reconnects and goes on consuming, and the
 * records produced after the restart are counted exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { startBroker, type BrokerHandle } from '../../scripts/kafka.js';
import { startDaemon, waitUntil, type DaemonProcess } from '../support/daemon.js';
import { buildMix } from '../support/eventMix.js';
import { createTopics, kafkaClient, produceRoundRobin, uniqueName } from '../support/kafkaTopics.js';
import { freePort } from '../support/ports.js';
import { sumOf } from '../support/promText.js';
import { writeTestConfig } from '../support/testConfig.js';

let broker: BrokerHandle | null = null;
let daemon: DaemonProcess | null = null;

afterAll(async () => {
  daemon?.kill('SIGKILL');
  await broker?.stop();
});

describe('broker restart', () => {
  it('reconnects and consumes what is produced after the restart, exactly once', async () => {
    // A broker of its own: restarting the shared one would disturb the other test files.
    broker = await startBroker({ version: process.env.KAFKA_VERSION || undefined });
    const kafka = kafkaClient(broker.bootstrap);
    const topic = uniqueName('it.restart');
    const dlqTopic = uniqueName('it.restart.dlq');
    await createTopics(kafka, [topic, dlqTopic]);
    const port = await freePort();
    const config = writeTestConfig({
      bootstrap: broker.bootstrap,
      predictionsTopic: topic,
      dlqTopic,
      groupId: uniqueName('it.restart'),
      port,
    });
    const d = await startDaemon(config, port);
    daemon = d;
    const consumed = async () => sumOf(await d.metrics(), 'driftwatch_events_consumed_total', { topic });

    const before = buildMix(1000, 20, 0);
    await produceRoundRobin(
      kafka,
      topic,
      before.map((r) => r.value),
    );
    await waitUntil('records before the restart consumed', async () => (await consumed()) === before.length);

    await broker.restart(5000); // long enough for every connection to fail and retry
    const after = buildMix(1000, 20, 1000);
    await produceRoundRobin(
      kafka,
      topic,
      after.map((r) => r.value),
      3,
      before.length,
    );
    await waitUntil(
      'records after the restart consumed',
      async () => (await consumed()) >= before.length + after.length,
      90_000,
    );
    await waitUntil('ready again', async () => (await fetch(`${d.url}/readyz`)).status === 200);

    await new Promise((r) => setTimeout(r, 1000));
    const samples = await d.metrics();
    expect(sumOf(samples, 'driftwatch_events_consumed_total', { topic })).toBe(before.length + after.length);
    expect(sumOf(samples, 'driftwatch_predictions_total')).toBe(2000);
    expect(sumOf(samples, 'driftwatch_dead_letters_total', { outcome: 'written' })).toBe(40);
    d.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
