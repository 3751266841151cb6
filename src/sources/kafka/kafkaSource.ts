/**
 * The Kafka source: a consumer group reading the event topics in batches.
 *
 * - A batch is handed downstream whole; its offsets are committed only after downstream has
 *   taken it, so a crash re-reads rather than loses (at-least-once).
 * - When downstream fails (e.g. the dead-letter topic is unavailable) the partition is
 *   paused and the same batch is retried with backoff, heartbeating so the group does not
 *   evict us; fetching resumes once it is taken. Nothing is skipped.
 * - `stop()` stops fetching, lets the batch in hand finish and commit, then leaves the group.
 * - Consumer lag (high watermark minus committed offset) is measured on a timer.
 * - `startPositions` (from a checkpoint of the windows) override the committed offsets: each such
 *   partition is sought to its position when assigned, and records before it are dropped, so
 *   that what a restored window already holds is neither counted again nor missed.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';

import type { KafkaConfig } from '../../config/types.js';
import type { RawRecord } from '../../decode/record.js';
import type { BatchConsumer, Lifecycle } from '../../pipeline/stage.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { connecting } from './client.js';

const RETRY_INITIAL_MS = 250;
const RETRY_MAX_MS = 10_000;
const HEARTBEAT_EVERY_MS = 1_000;

export interface KafkaSourceOptions {
  readonly kafka: Kafka;
  readonly config: KafkaConfig;
  readonly topics: readonly string[];
  readonly next: BatchConsumer<RawRecord>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /**
   * Next offset to read per `topic\u0000partition` (see `positionKey`), from a checkpoint; read at
   * start. Absent partitions resume from the group's commits.
   */
  readonly startPositions?: () => ReadonlyMap<string, string>;
}

/** The key of a topic-partition in `startPositions`. */
export const positionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class KafkaSource implements Lifecycle {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private lagTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  private joined = false;
  /** Checkpoint positions not yet reached: sought on assignment, checked on every batch until met. */
  private readonly pendingSeeks = new Map<string, bigint>();

  constructor(private readonly options: KafkaSourceOptions) {
    const { kafka, config } = options;
    this.consumer = kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000, restartOnFailure: async () => true },
    });
    this.admin = kafka.admin();
  }

  /** True once the consumer has joined its group and until it crashes or stops. */
  get ready(): boolean {
    return this.joined;
  }

  async start(): Promise<void> {
    const { config, topics, metrics, logger } = this.options;
    for (const [key, offset] of this.options.startPositions?.() ?? [])
      this.pendingSeeks.set(key, BigInt(offset));
    const { events } = this.consumer;
    this.consumer.on(events.GROUP_JOIN, (e) => {
      this.setJoined(true);
      this.seekAssigned(e.payload.memberAssignment);
      logger.info(
        { memberId: e.payload.memberId, assignment: e.payload.memberAssignment },
        'joined consumer group',
      );
    });
    this.consumer.on(events.CRASH, (e) => {
      this.setJoined(false);
      logger.error({ err: e.payload.error, restart: e.payload.restart }, 'Kafka consumer crashed');
    });
    this.consumer.on(events.DISCONNECT, () => this.setJoined(false));
    metrics.sourceUp.set({ source: 'kafka' }, 0);

    await connecting(config.brokers, 'consumer', async () => {
      await this.admin.connect();
      await this.consumer.connect();
    });
    for (const topic of topics) await this.consumer.subscribe({ topic, fromBeginning: config.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.lagTimer = setInterval(() => void this.measureLag(), config.lagIntervalMs);
    this.lagTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.lagTimer !== null) clearInterval(this.lagTimer);
    // disconnect() waits for the batch in hand; handleBatch commits it before returning.
    await this.consumer.disconnect();
    await this.admin.disconnect();
    this.setJoined(false);
  }

  private setJoined(joined: boolean): void {
    this.joined = joined;
    this.options.metrics.sourceUp.set({ source: 'kafka' }, joined ? 1 : 0);
  }

  /** Seeks the newly assigned partitions that have a checkpoint position. */
  private seekAssigned(assignment: Record<string, number[]>): void {
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const offset = this.pendingSeeks.get(positionKey(topic, partition));
        if (offset === undefined) continue;
        this.consumer.seek({ topic, partition, offset: offset.toString() });
        this.options.logger.info(
          { topic, partition, offset: offset.toString() },
          'resuming from the checkpoint',
        );
      }
    }
  }

  /**
   * The records of a batch that are not already in the restored windows. Null when the batch starts
   * after the checkpoint position (the seek has not taken effect yet): it is sought again and the
   * batch is left uncommitted, so nothing between the position and the batch is skipped.
   */
  private sinceCheckpoint(topic: string, partition: number, messages: KafkaMessage[]): KafkaMessage[] | null {
    const key = positionKey(topic, partition);
    const position = this.pendingSeeks.get(key);
    if (position === undefined || messages.length === 0) return messages;
    if (BigInt(messages[0]!.offset) > position) {
      this.consumer.seek({ topic, partition, offset: position.toString() });
      return null;
    }
    this.pendingSeeks.delete(key);
    return messages.filter((m) => BigInt(m.offset) >= position);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, commitOffsetsIfNecessary, heartbeat, isRunning, isStale, pause, resolveOffset } = payload;
    if (batch.messages.length === 0) return;
    const messages = this.sinceCheckpoint(batch.topic, batch.partition, batch.messages);
    if (messages === null) return;
    const records = messages.map((m) => toRawRecord(batch.topic, batch.partition, m));
    const last = batch.lastOffset();

    // A slow downstream must not cost the group membership: heartbeat while it works.
    // (kafkajs throttles heartbeats to its heartbeatInterval; errors surface via isStale().)
    const beating = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    try {
      if (
        records.length > 0 &&
        !(await this.deliver(records, batch.topic, batch.partition, pause, isRunning, isStale))
      )
        return;
    } finally {
      clearInterval(beating);
    }
    resolveOffset(last);
    // The payload's commit, not consumer.commitOffsets(): the latter silently does nothing
    // once stop() has begun, which would lose the commit of the batch finished on SIGTERM.
    await commitOffsetsIfNecessary({
      topics: [
        {
          topic: batch.topic,
          partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
        },
      ],
    });
    this.options.metrics.consumerLag.set(
      { topic: batch.topic, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
  }

  /**
   * Hands the batch downstream until it is taken (true), pausing the partition and backing
   * off between tries; false when stopping or rebalanced first, leaving the batch
   * uncommitted for whoever owns the partition next.
   */
  private async deliver(
    records: RawRecord[],
    topic: string,
    partition: number,
    pause: () => () => void,
    isRunning: () => boolean,
    isStale: () => boolean,
  ): Promise<boolean> {
    let resume: (() => void) | null = null;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.options.next.consume(records);
          return true;
        } catch (error) {
          resume ??= pause();
          const delay = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
          this.options.logger.warn(
            { err: error, topic, partition, attempt, delayMs: Math.round(delay) },
            'downstream did not take the batch; retrying',
          );
          await sleep(delay);
          if (!isRunning() || isStale()) return false;
        }
      }
    } finally {
      resume?.();
    }
  }

  /** Lag from the broker's view: what the group has committed vs each partition's end. */
  private async measureLag(): Promise<void> {
    const { config, topics, metrics, logger } = this.options;
    try {
      for (const topic of topics) {
        const [ends, committed] = await Promise.all([
          this.admin.fetchTopicOffsets(topic),
          this.admin.fetchOffsets({ groupId: config.groupId, topics: [topic] }),
        ]);
        const byPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]) ?? []);
        for (const end of ends) {
          const done = byPartition.get(end.partition);
          const from = done === undefined || done === '-1' ? BigInt(end.low) : BigInt(done);
          metrics.consumerLag.set(
            { topic, partition: String(end.partition) },
            Number(BigInt(end.high) - from),
          );
        }
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not measure consumer lag');
    }
  }
}

function toRawRecord(topic: string, partition: number, m: KafkaMessage): RawRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: (m.headers ?? {}) as RawRecord['headers'],
    timestamp: Number(m.timestamp),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
