/**
 * Hands each batch to several consumers in turn (serving metrics, then the windows): the batch
 * is taken when all have taken it.
 */
import type { BatchConsumer, BatchOrigin } from './stage.js';

export class FanOut<T> implements BatchConsumer<T> {
  constructor(private readonly consumers: readonly BatchConsumer<T>[]) {}

  async consume(batch: readonly T[], origin?: BatchOrigin): Promise<void> {
    for (const consumer of this.consumers) await consumer.consume(batch, origin);
  }
}
