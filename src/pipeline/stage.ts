/**
 * The one contract between pipeline stages: a stage takes a batch and resolves when it has
 * taken it (processed it or handed it on). A source commits its position only after the
 * promise resolves, so a stage must not resolve before the batch is safe downstream.
 * A stage is handed its `next` by the composition root and never imports its neighbour.
 */
export interface BatchConsumer<T> {
  consume(batch: readonly T[], origin?: BatchOrigin): Promise<void>;
}

/**
 * Where a batch comes from, when its source has positions (Kafka): every item of the batch
 * comes from this topic-partition, and once the batch is taken the source's next offset there
 * is `nextOffset`. Stages that keep state across restarts (the windows) record it with their
 * state, so that a restart resumes exactly after what the state holds.
 */
export interface BatchOrigin {
  readonly topic: string;
  readonly partition: number;
  /** Kafka's decimal string offset. */
  readonly nextOffset: string;
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
