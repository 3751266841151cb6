/**
 * The InfluxDB history: every new evaluation of a round becomes points (influxPoints.ts),
 * appended to a bounded buffer and written in batches by one writer, so that an InfluxDB
 * outage never reaches consumption or the evaluation loop.
 *
 * - `publish` is synchronous and cheap: it builds the lines and appends them. Beyond
 *   `max_buffered_points` the oldest points are dropped (counted `dropped`).
 * - One write in flight at a time, every `flush_interval` (all that is buffered, in batches of
 *   `batch_size`) and as soon as a whole batch is buffered. The client's own buffer, timer and
 *   retries are off: this sink owns them, so an outage cannot pile up requests or promises.
 * - A failed batch (counted `failed`) goes back to the head of the buffer and is retried at the
 *   next attempt, which backs off exponentially from `flush_interval` up to 30 s (or
 *   `flush_interval` when longer). A batch the server refuses as invalid (HTTP 400, 413, 422)
 *   would fail forever: it is dropped instead.
 * - One warning when writes start failing, one info line when they work again.
 * - `stop` writes what it can within a deadline and drops the rest.
 *
 * docs/influxdb.md describes the schema, docs/metrics.md the outcomes.
 */
import { HttpError, InfluxDB } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import type { InfluxConfig } from '../config/types.js';
import type { EvaluationRound, EvaluationSink } from '../drift/evaluationLoop.js';
import type { Lifecycle } from '../pipeline/stage.js';
import { createInfluxMetrics, type InfluxMetrics } from '../telemetry/influxMetrics.js';
import { evaluationLines, NewEvaluations } from './influxPoints.js';

/** Sends one batch of line-protocol lines; resolves once the server acknowledged it, rejects otherwise. */
export type BatchWriter = (lines: readonly string[]) => Promise<void>;

/** How long `stop` keeps writing before it drops what is left. */
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;
/** The longest pause between two attempts while writes fail (unless flush_interval is longer). */
const MAX_BACKOFF_MS = 30_000;
/** HTTP statuses that say the data itself is refused: sending it again cannot succeed. */
const PERMANENT_STATUSES = new Set([400, 413, 422]);

/**
 * The points waiting to be written: a queue with at most one batch taken out of it and in
 * flight. Both count towards `capacity`; when an append goes beyond it, the oldest queued
 * points are dropped (the batch in flight is being written and is not touched). Used by
 * InfluxSink only; exported for its tests. Every method is synchronous.
 */
export class PointBuffer {
  private queue: string[] = [];
  private head = 0;
  private flight: readonly string[] = [];

  /** `capacity` must be at least the largest batch taken (config: batch_size <= max_buffered_points). */
  constructor(readonly capacity: number) {}

  /** Points queued, not counting the batch in flight. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Every point held: queued and in flight. */
  get size(): number {
    return this.queued + this.flight.length;
  }

  /** Appends `lines` after the newest; returns how many of the oldest queued points were dropped. */
  append(lines: readonly string[]): number {
    for (const line of lines) this.queue.push(line);
    const excess = this.size - this.capacity;
    if (excess <= 0) return 0;
    const dropped = Math.min(excess, this.queued);
    this.head += dropped;
    this.compact();
    return dropped;
  }

  /** Takes up to `n` of the oldest queued points as the batch in flight. */
  take(n: number): readonly string[] {
    if (this.flight.length > 0) throw new Error('a batch is already in flight');
    this.flight = this.queue.slice(this.head, this.head + n);
    this.head += this.flight.length;
    this.compact();
    return this.flight;
  }

  /** The batch in flight was written; returns its size. */
  acknowledge(): number {
    const n = this.flight.length;
    this.flight = [];
    return n;
  }

  /** The batch in flight failed: it goes back to the head, the oldest points again. */
  restore(): void {
    if (this.flight.length === 0) return;
    this.queue = [...this.flight, ...this.queue.slice(this.head)];
    this.head = 0;
    this.flight = [];
  }

  /** Forgets the batch in flight; returns its size. */
  discardInFlight(): number {
    return this.acknowledge();
  }

  /** Forgets everything, in flight or queued; returns how many points that was. */
  discardAll(): number {
    const n = this.size;
    this.queue = [];
    this.head = 0;
    this.flight = [];
    return n;
  }

  // Dropping and taking advance `head`; the array is cut only now and then, so that each is O(1).
  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * A writer through `@influxdata/influxdb-client`'s WriteApi, reduced to one request per call:
 * no timer, no batching of its own, no retries, and failures returned instead of logged
 * (`writeFailed` answering with the rejection makes the client neither retry nor log).
 */
function clientWriter(config: InfluxConfig): { write: BatchWriter; close: () => void } {
  const api = new InfluxDB({
    url: config.url,
    ...(config.token === null ? {} : { token: config.token }),
    timeout: config.timeoutMs,
  }).getWriteApi(config.org, config.bucket, 'ms', {
    // One more than a batch and no byte limit: the client never sends on its own, only on flush().
    batchSize: config.batchSize + 1,
    maxBatchBytes: Number.MAX_SAFE_INTEGER,
    flushInterval: 0,
    maxRetries: 0,
    writeFailed: (error: Error) => Promise.reject(error),
  });
  return {
    write: async (lines) => {
      // The client only reads the lines; its signature just does not say so.
      api.writeRecords(lines as string[]);
      await api.flush();
    },
    close: () => void api.dispose(),
  };
}

export interface InfluxSinkOptions {
  readonly config: InfluxConfig;
  /** The daemon's registry: the sink creates its metrics there (telemetry/influxMetrics.ts). */
  readonly registry: Registry;
  readonly logger: Logger;
  /** Tests only: replaces the InfluxDB client. */
  readonly write?: BatchWriter;
  readonly stopTimeoutMs?: number;
}

/**
 * Writes the evaluation history to InfluxDB. Built by the composition root when `influx` is
 * configured, handed to the evaluation loop as a sink, started before the loop and stopped
 * after it (so the last round is flushed). `publish` never throws and never waits.
 */
export class InfluxSink implements EvaluationSink, Lifecycle {
  readonly metrics: InfluxMetrics;
  private readonly config: InfluxConfig;
  private readonly logger: Logger;
  private readonly write: BatchWriter;
  private readonly closeClient: () => void;
  private readonly stopTimeoutMs: number;
  private readonly buffer: PointBuffer;
  private readonly fresh = new NewEvaluations();
  private timer: NodeJS.Timeout | null = null;
  /** The write loop while it runs: at most one, hence at most one request in flight. */
  private writing: Promise<void> | null = null;
  private state: 'idle' | 'running' | 'stopping' | 'closed' = 'idle';
  /** Failed attempts in a row; 0 while writes work. */
  private failures = 0;
  private droppedWhileFailing = 0;
  private stopping: Promise<void> | null = null;

  constructor(options: InfluxSinkOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.metrics = createInfluxMetrics(options.registry);
    this.buffer = new PointBuffer(options.config.maxBufferedPoints);
    this.stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    if (options.write !== undefined) {
      this.write = options.write;
      this.closeClient = () => undefined;
    } else {
      const client = clientWriter(options.config);
      this.write = client.write;
      this.closeClient = client.close;
    }
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.schedule(this.config.flushIntervalMs);
  }

  /** Writes what is buffered, for at most the stop timeout; what is left then is dropped. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  publish(round: EvaluationRound): void {
    if (this.state === 'stopping' || this.state === 'closed') return;
    try {
      const lines = this.fresh
        .select(round.evaluations)
        .flatMap((evaluation) => evaluationLines(evaluation, round.evaluatedAt));
      if (lines.length === 0) return;
      this.countDropped(this.buffer.append(lines));
      this.updateGauge();
      if (this.state === 'running' && this.failures === 0 && this.buffer.queued >= this.config.batchSize) {
        this.run(false);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'could not turn an evaluation into InfluxDB points');
    }
  }

  /** Starts the write loop unless it runs: every batch with `all`, else only whole ones. */
  private run(all: boolean): void {
    if (this.writing !== null) return;
    this.writing = this.loop(all)
      .catch((error: unknown) => this.logger.error({ err: error }, 'the InfluxDB writer failed'))
      .finally(() => {
        this.writing = null;
      });
  }

  private async loop(all: boolean): Promise<void> {
    this.clearTimer();
    let next = this.config.flushIntervalMs;
    while (this.state === 'running' && this.buffer.queued >= (all ? 1 : this.config.batchSize)) {
      if (!(await this.writeBatch())) {
        next = Math.min(
          this.config.flushIntervalMs * 2 ** Math.min(this.failures - 1, 20),
          Math.max(this.config.flushIntervalMs, MAX_BACKOFF_MS),
        );
        break;
      }
    }
    if (this.state === 'running') this.schedule(next);
  }

  /** Writes the oldest batch; true when the server acknowledged it. */
  private async writeBatch(): Promise<boolean> {
    const batch = this.buffer.take(this.config.batchSize);
    let failure: unknown = null;
    try {
      await this.write(batch);
    } catch (error) {
      failure = error;
    }
    // Stopped at its deadline meanwhile: these points were already counted as dropped.
    if (this.state === 'closed') return false;
    if (failure === null) {
      this.metrics.points.inc({ outcome: 'written' }, this.buffer.acknowledge());
      this.updateGauge();
      if (this.failures > 0) {
        this.logger.info(
          { failedAttempts: this.failures, droppedPoints: this.droppedWhileFailing },
          'writing to InfluxDB again',
        );
        this.failures = 0;
        this.droppedWhileFailing = 0;
      }
      return true;
    }
    this.metrics.points.inc({ outcome: 'failed' }, batch.length);
    const refused = failure instanceof HttpError && PERMANENT_STATUSES.has(failure.statusCode);
    if (refused) this.countDropped(this.buffer.discardInFlight());
    else this.buffer.restore();
    this.updateGauge();
    this.failures += 1;
    if (this.failures === 1) {
      this.logger.warn(
        { err: failure, url: this.config.url, bucket: this.config.bucket, bufferedPoints: this.buffer.size },
        refused
          ? 'InfluxDB refused a batch of points, which are dropped; check the bucket and its field types'
          : `cannot write to InfluxDB; keeping up to ${this.config.maxBufferedPoints} points and retrying`,
      );
    }
    return false;
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopping';
    this.clearTimer();
    if (this.buffer.size > 0 || this.writing !== null) {
      let deadline: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        deadline = setTimeout(resolve, this.stopTimeoutMs);
      });
      const flushed = (async () => {
        // The loop sees 'stopping' and ends after its batch; then one pass, no backoff: a
        // failure now means the rest cannot be written in time.
        await this.writing;
        while (this.buffer.queued > 0 && (await this.writeBatch()));
      })();
      await Promise.race([flushed, expired]);
      clearTimeout(deadline);
    }
    this.state = 'closed';
    const left = this.buffer.discardAll();
    if (left > 0) {
      this.countDropped(left);
      this.logger.warn({ points: left }, 'stopped with InfluxDB points not written; they are dropped');
    }
    this.updateGauge();
    this.closeClient();
  }

  private countDropped(n: number): void {
    if (n === 0) return;
    this.metrics.points.inc({ outcome: 'dropped' }, n);
    if (this.failures > 0) this.droppedWhileFailing += n;
  }

  private updateGauge(): void {
    this.metrics.buffered.set(this.buffer.size);
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run(true);
    }, delayMs);
    // The history never keeps the process alive on its own.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
