/**
 * The metrics of notification delivery (docs/metrics.md, "Notifications"):
 * `driftwatch_notifications_total{receiver,outcome}` counts each attempt's end,
 * `driftwatch_notification_queue_depth{receiver}` and `driftwatch_notification_queue_oldest_seconds`
 * are read from the queue at each scrape.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * What became of a delivery attempt: `delivered`; `retried` (failed, will be tried again);
 * `failed` (given up: a permanent error, or retried for longer than `give_up_after`); `unrouted`
 * (nobody to send to: no owner on duty, or an owner without addresses).
 */
export const NOTIFICATION_OUTCOMES = ['delivered', 'retried', 'failed', 'unrouted'] as const;
export type NotificationOutcome = (typeof NOTIFICATION_OUTCOMES)[number];

/** What the gauges read at each scrape. */
export interface QueueView {
  depth(): ReadonlyMap<string, number>;
  oldestCreatedAt(): number | null;
}

/** The delivery metrics on the daemon's registry; built once by the notifier. */
export class NotifyMetrics {
  private readonly total: Counter<'receiver' | 'outcome'>;

  constructor(registry: Registry, queue: () => QueueView, clock: () => number) {
    this.total = new Counter({
      name: 'driftwatch_notifications_total',
      help: 'Notification delivery attempts by receiver and outcome (delivered, retried, failed, unrouted).',
      labelNames: ['receiver', 'outcome'] as const,
      registers: [registry],
    });
    let receivers: readonly string[] = [];
    new Gauge({
      name: 'driftwatch_notification_queue_depth',
      help: 'Notifications waiting to be delivered (first attempt or retry), by receiver.',
      labelNames: ['receiver'] as const,
      registers: [registry],
      collect() {
        const depth = queue().depth();
        this.reset();
        for (const receiver of receivers) this.set({ receiver }, depth.get(receiver) ?? 0);
        for (const [receiver, n] of depth) this.set({ receiver }, n);
      },
    });
    new Gauge({
      name: 'driftwatch_notification_queue_oldest_seconds',
      help: 'Age of the oldest notification waiting to be delivered; 0 when none waits.',
      registers: [registry],
      collect() {
        const oldest = queue().oldestCreatedAt();
        this.set(oldest === null ? 0 : Math.max(0, (clock() - oldest) / 1000));
      },
    });
    this.setReceivers = (names) => {
      receivers = names;
      for (const receiver of names) {
        for (const outcome of NOTIFICATION_OUTCOMES) this.total.inc({ receiver, outcome }, 0);
      }
    };
  }

  /** The configured receivers: their series exist from the start, at 0. */
  readonly setReceivers: (names: readonly string[]) => void;

  count(receiver: string, outcome: NotificationOutcome): void {
    this.total.inc({ receiver, outcome });
  }
}
