/** Topic helpers for integration tests: fresh topics, produce to fixed partitions, read back. */
import { randomUUID } from 'node:crypto';

import { Kafka, logLevel, type IHeaders } from 'kafkajs';

export function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'driftwatch-tests', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

export async function createTopics(kafka: Kafka, topics: string[], partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces `values` in order, record r to partition r % partitions, so that in a fresh topic
 * record r lands at offset floor(r / partitions) of its partition.
 */
export async function produceRoundRobin(
  kafka: Kafka,
  topic: string,
  values: ReadonlyArray<Buffer | null>,
  partitions = 3,
  firstIndex = 0,
): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const chunk = 1000;
    for (let start = 0; start < values.length; start += chunk) {
      await producer.send({
        topic,
        acks: -1,
        messages: values.slice(start, start + chunk).map((value, k) => ({
          value,
          partition: (firstIndex + start + k) % partitions,
          headers: { 'test-index': String(firstIndex + start + k) },
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  partition: number;
  offset: string;
  value: Buffer | null;
  headers: IHeaders;
}

/** Reads every record of `topic` from the beginning until `count` have arrived. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const out: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${out.length} of ${count} records from ${topic}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          out.push({
            partition,
            offset: message.offset,
            value: message.value,
            headers: message.headers ?? {},
          });
          if (out.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    // Let anything beyond `count` (which would be a bug) arrive before we stop.
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** The consumer group's committed offset per partition (-1 where nothing is committed). */
export async function committedOffsets(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}
