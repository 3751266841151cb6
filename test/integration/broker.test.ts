import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';

// Smoke test for the test infrastructure itself: if this fails, the broker
// from globalSetup is unusable and every other Kafka test would fail obscurely.
describe('kafka broker', () => {
  const kafka = new Kafka({
    clientId: 'driftwatch-smoke',
    brokers: [inject('kafkaBootstrap')],
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });

  afterAll(async () => {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  });

  it(`round-trips 100 messages through a 3-partition topic (Kafka ${inject('kafkaVersion')})`, async () => {
    const topic = `smoke-${randomUUID()}`;
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]?.partitions).toHaveLength(3);

    const expected = Array.from({ length: 100 }, (_, i) => `value-${i}`);
    await producer.connect();
    await producer.send({
      topic,
      messages: expected.map((value, i) => ({ key: `key-${i}`, value })),
    });

    const received: string[] = [];
    const partitions = new Set<number>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            partitions.add(partition);
            received.push(message.value?.toString() ?? '<null>');
            if (received.length === expected.length) resolve();
          },
        })
        .catch(reject);
    });

    expect([...received].sort()).toEqual([...expected].sort());
    // Keyed messages must have been spread out, or the multi-partition path went untested.
    expect(partitions.size).toBeGreaterThan(1);
  });
});
