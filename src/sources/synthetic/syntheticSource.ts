/**
 * Feeds the synthetic stream into the pipeline in-process, as records of the predictions
 * topic, at a fixed rate: the source of `driftwatch demo` when no broker is given.
 */
import type { Logger } from 'pino';

import type { RawRecord } from '../../decode/record.js';
import type { BatchConsumer } from '../../pipeline/stage.js';
import type { Source } from '../../app.js';
import type { SyntheticStream } from './stream.js';

const TICK_MS = 100;

export class SyntheticSource implements Source {
  private timer: NodeJS.Timeout | null = null;
  private offset = 0;
  private busy = false;

  constructor(
    private readonly stream: SyntheticStream,
    private readonly topic: string,
    private readonly eventsPerSecond: number,
    private readonly next: BatchConsumer<RawRecord>,
    private readonly logger: Logger,
  ) {}

  get ready(): boolean {
    return this.timer !== null;
  }

  async start(): Promise<void> {
    const perTick = Math.max(1, Math.round((this.eventsPerSecond * TICK_MS) / 1000));
    this.timer = setInterval(() => void this.tick(perTick), TICK_MS);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(count: number): Promise<void> {
    if (this.busy) return; // a slow tick is skipped, not stacked
    this.busy = true;
    try {
      const now = Date.now();
      const records: RawRecord[] = [];
      for (let i = 0; i < count; i++) {
        records.push({
          topic: this.topic,
          partition: 0,
          offset: String(this.offset++),
          key: null,
          value: Buffer.from(this.stream.next(now)),
          headers: {},
          timestamp: now,
        });
      }
      await this.next.consume(records);
    } catch (error) {
      this.logger.error({ err: error }, 'synthetic batch failed');
    } finally {
      this.busy = false;
    }
  }
}
