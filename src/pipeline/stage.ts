/**
 * The one contract between pipeline stages: a stage takes a batch and resolves when it has
 * taken it (processed it or handed it on). A source commits its position only after the
 * promise resolves, so a stage must not resolve before the batch is safe downstream.
 * A stage is handed its `next` by the composition root and never imports its neighbour.
 */
export interface BatchConsumer<T> {
  consume(batch: readonly T[]): Promise<void>;
}

/**
 * The lifecycle of every effectful component. `stop()` is idempotent, safe before
 * `start()`, and flushes what the component holds. The composition root starts downstream
 * components first and stops upstream ones first, so each can drain into the next.
 */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}
