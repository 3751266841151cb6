/**
 * The dead-letter sink: every rejected record is produced, unchanged (key, value, headers),
 * to the dead-letter topic, with headers saying why it was rejected and where it came from.
 * `consume` resolves only when the broker has acknowledged the whole batch (acks=all), so the
 * source never commits past a rejection that is not yet kept (at-least-once).
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';

import { DriftwatchError } from '../errors.js';
import type { Rejection } from '../pipeline/decodeStage.js';
import type { BatchConsumer, Lifecycle } from '../pipeline/stage.js';
import { connecting } from '../sources/kafka/client.js';
import type { Metrics } from '../telemetry/metrics.js';

/** Header names added to each dead letter; documented in docs/errors.md. */
export const DEAD_LETTER_HEADERS = {
  reason: 'driftwatch-reject-reason',
  detail: 'driftwatch-reject-detail',
  topic: 'driftwatch-source-topic',
  partition: 'driftwatch-source-partition',
  offset: 'driftwatch-source-offset',
  timestamp: 'driftwatch-source-timestamp',
} as const;

/** Headers are for people reading the DLQ; a detail longer than this is cut. */
const MAX_DETAIL_LENGTH = 512;

export class DeadLetterSink implements BatchConsumer<Rejection>, Lifecycle {
  private readonly producer: Producer;
  private started = false;

  constructor(
    kafka: Kafka,
    private readonly brokers: readonly string[],
    private readonly topic: string,
    private readonly metrics: Metrics,
  ) {
    this.producer = kafka.producer({
      // Not idempotent: kafkajs' idempotent producer retries forever inside send(), which
      // would hide an unwritable DLQ from the failure counter and the logs. A write that fails
      // ambiguously may therefore be repeated when the source retries the batch: the DLQ is
      // at-least-once. One request in flight keeps dead letters in order.
      maxInFlightRequests: 1,
      // Named explicitly: kafkajs warns at every start when the partitioner is left implicit.
      createPartitioner: Partitioners.DefaultPartitioner,
      // The dead-letter topic is provisioned on purpose (partitions, retention, ACLs); a typo
      // in its name must surface as failed writes, not as a stray auto-created topic.
      allowAutoTopicCreation: false,
      // Few, short retries: the source retries the whole batch with its own backoff.
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
  }

  async start(): Promise<void> {
    await connecting(this.brokers, 'dead-letter producer', () => this.producer.connect());
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.producer.disconnect();
  }

  async consume(rejections: readonly Rejection[]): Promise<void> {
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: rejections.map(({ record, reason, detail }) => ({
          key: record.key,
          value: record.value,
          timestamp: String(record.timestamp),
          headers: {
            ...record.headers,
            [DEAD_LETTER_HEADERS.reason]: reason,
            [DEAD_LETTER_HEADERS.detail]: detail.slice(0, MAX_DETAIL_LENGTH),
            [DEAD_LETTER_HEADERS.topic]: record.topic,
            [DEAD_LETTER_HEADERS.partition]: String(record.partition),
            [DEAD_LETTER_HEADERS.offset]: record.offset,
            [DEAD_LETTER_HEADERS.timestamp]: String(record.timestamp),
          },
        })),
      });
    } catch (error) {
      this.metrics.deadLetters.inc({ outcome: 'failed' }, rejections.length);
      throw new DriftwatchError(
        'DW_DLQ_PRODUCE',
        `cannot write ${rejections.length} rejected record(s) to dead-letter topic ${this.topic}: ` +
          `${error instanceof Error ? error.message : String(error)}; check that kafka.dlq_topic exists and may be written`,
        { retryable: true, cause: error },
      );
    }
    this.metrics.deadLetters.inc({ outcome: 'written' }, rejections.length);
  }
}
