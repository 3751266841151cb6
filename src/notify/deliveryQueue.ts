/**
 * The notification queue: every delivery the notifier has to make (one notification to one
 * receiver, for one owner; or one digest email), with its attempts and the time of its next try,
 * and the dispatcher groups each one settles. Deliveries that fail are retried with exponential
 * backoff and jitter until they are delivered, fail for good (a permanent error), or are older
 * than `giveUpAfterMs`. Pure: no I/O, no clock (`now` is epoch ms), randomness injected, plain-data
 * state through `toJSON` / `fromJSON`, so the queue survives a restart with the dispatcher state.
 */
import { isRecord, StateDataError } from '../state/stateData.js';
import { compareCodePoints } from '../stats/bins.js';
import type { AlertSnapshot, Notification } from './dispatcher.js';

/** The version of {@link DeliveryQueueJSON}. */
export const DELIVERY_QUEUE_VERSION = 1;

/** A rendered email (digests are rendered when they are made: their period is over). */
export interface EmailMessage {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** One thing to deliver to one receiver. */
export interface Delivery {
  readonly id: string;
  /** The configured receiver that sends it, or `digest` (the SMTP transport, to an owner). */
  readonly receiver: string;
  /** The owner it goes to (on duty when it was made); null for a receiver with fixed addresses. */
  readonly owner: string | null;
  /** The notification (possibly the part of it for `owner`); null for a digest. */
  readonly notification: Notification | null;
  /** A digest's email; null for a notification. */
  readonly email: EmailMessage | null;
  /** The dispatcher group (`groupKey` and route receiver) this delivery settles; null for a digest. */
  readonly group: { readonly key: string; readonly receiver: string } | null;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
}

/** What is known of one flushed dispatcher group while its deliveries are made. */
export interface GroupProgress {
  readonly key: string;
  readonly receiver: string;
  /** The notification's alerts, as the dispatcher handed them out: what `markSent` takes. */
  readonly alerts: readonly AlertSnapshot[];
  readonly outstanding: number;
  readonly delivered: number;
}

export interface DeliveryQueueJSON {
  readonly version: typeof DELIVERY_QUEUE_VERSION;
  readonly deliveries: readonly Delivery[];
  readonly groups: readonly GroupProgress[];
}

export interface RetryPolicy {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly giveUpAfterMs: number;
}

/** What became of a delivery that ended, and of its group when it was the last one of it. */
export interface Settled {
  readonly delivery: Delivery;
  /** Set when the delivery was the group's last: the caller calls `markSent` or `markFailed`. */
  readonly group: {
    readonly key: string;
    readonly receiver: string;
    readonly alerts: readonly AlertSnapshot[];
    readonly delivered: boolean;
  } | null;
}

/**
 * The delay before attempt `attempts + 1`, after `attempts` failed ones (1 or more): the
 * exponential backoff `initial * 2^(attempts-1)` capped at `max`, with "equal jitter" (a uniform
 * draw in its upper half), so that many deliveries failing at once do not retry in lockstep.
 */
export function backoffDelay(attempts: number, policy: RetryPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const capped = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** exponent);
  return Math.round(capped / 2 + (random() * capped) / 2);
}

function groupId(key: string, receiver: string): string {
  return `${key}\u0000${receiver}`;
}

/**
 * Owned by the notifier, which adds the deliveries of each flushed notification (`add`), takes the
 * due ones (`due`), and reports each attempt (`succeeded`, `failed`). Synchronous; a delivery being
 * attempted is not due again until it is reported.
 */
export class DeliveryQueue {
  private readonly deliveries = new Map<string, Delivery>();
  private readonly groups = new Map<string, GroupProgress>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly policy: RetryPolicy) {}

  /**
   * Adds the deliveries of one flushed notification (`group` set, the notification's alerts) or a
   * digest (`group` null). A notification with no delivery is not added: the caller settles it.
   */
  add(
    deliveries: readonly Delivery[],
    group: {
      readonly key: string;
      readonly receiver: string;
      readonly alerts: readonly AlertSnapshot[];
    } | null,
  ): void {
    if (deliveries.length === 0) return;
    for (const delivery of deliveries) this.deliveries.set(delivery.id, delivery);
    if (group !== null) {
      this.groups.set(groupId(group.key, group.receiver), {
        key: group.key,
        receiver: group.receiver,
        alerts: group.alerts,
        outstanding: deliveries.length,
        delivered: 0,
      });
    }
  }

  /** Whether a flushed notification of the group is still being delivered (for `Dispatcher.fromJSON`). */
  hasGroup(key: string, receiver: string): boolean {
    return this.groups.has(groupId(key, receiver));
  }

  /** The deliveries whose time has come and that are not being attempted, oldest first; marks them in progress. */
  due(now: number): Delivery[] {
    const out: Delivery[] = [];
    for (const delivery of this.deliveries.values()) {
      if (delivery.nextAttemptAt <= now && !this.inProgress.has(delivery.id)) out.push(delivery);
    }
    out.sort((a, b) => a.createdAt - b.createdAt || compareCodePoints(a.id, b.id));
    for (const delivery of out) this.inProgress.add(delivery.id);
    return out;
  }

  /** The earliest next attempt of a delivery not in progress; null when none waits. */
  nextAttemptAt(): number | null {
    let next: number | null = null;
    for (const delivery of this.deliveries.values()) {
      if (this.inProgress.has(delivery.id)) continue;
      if (next === null || delivery.nextAttemptAt < next) next = delivery.nextAttemptAt;
    }
    return next;
  }

  /** The delivery was made: it leaves the queue. */
  succeeded(id: string): Settled | null {
    return this.finish(id, true);
  }

  /**
   * The attempt failed. A retryable failure is tried again after {@link backoffDelay}, unless the
   * delivery is older than `giveUpAfterMs` by then; a permanent one ends it. Returns the settled
   * delivery when it ended, null when it will be retried (`retryAt` tells when).
   */
  failed(
    id: string,
    now: number,
    error: string,
    retryable: boolean,
    random: () => number,
  ): { readonly settled: Settled | null; readonly retryAt: number | null } {
    const delivery = this.deliveries.get(id);
    if (delivery === undefined) return { settled: null, retryAt: null };
    const attempts = delivery.attempts + 1;
    const retryAt = now + backoffDelay(attempts, this.policy, random);
    if (!retryable || retryAt - delivery.createdAt > this.policy.giveUpAfterMs) {
      this.deliveries.set(id, { ...delivery, attempts, lastError: error });
      return { settled: this.finish(id, false), retryAt: null };
    }
    this.inProgress.delete(id);
    this.deliveries.set(id, { ...delivery, attempts, nextAttemptAt: retryAt, lastError: error });
    return { settled: null, retryAt };
  }

  /** The deliveries waiting (in progress or not), per receiver. */
  depth(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const delivery of this.deliveries.values()) {
      counts.set(delivery.receiver, (counts.get(delivery.receiver) ?? 0) + 1);
    }
    return counts;
  }

  /** When the oldest waiting delivery was made; null when the queue is empty. */
  oldestCreatedAt(): number | null {
    let oldest: number | null = null;
    for (const delivery of this.deliveries.values()) {
      if (oldest === null || delivery.createdAt < oldest) oldest = delivery.createdAt;
    }
    return oldest;
  }

  get size(): number {
    return this.deliveries.size;
  }

  /** The queue as plain JSON data. Deliveries in progress are saved as waiting: a restart tries them again. */
  toJSON(): DeliveryQueueJSON {
    return {
      version: DELIVERY_QUEUE_VERSION,
      deliveries: [...this.deliveries.values()].sort((a, b) => compareCodePoints(a.id, b.id)),
      groups: [...this.groups.values()].sort((a, b) =>
        compareCodePoints(groupId(a.key, a.receiver), groupId(b.key, b.receiver)),
      ),
    };
  }

  /**
   * A queue with the persisted deliveries, every one due at once (it may have been in progress
   * when the daemon stopped: delivered at least once, never lost).
   * @throws StateDataError naming the key when the data is not a `DeliveryQueueJSON`.
   */
  static fromJSON(policy: RetryPolicy, data: unknown): DeliveryQueue {
    const queue = new DeliveryQueue(policy);
    if (!isRecord(data) || data['version'] !== DELIVERY_QUEUE_VERSION) {
      throw new StateDataError(
        `queue.version: expected ${DELIVERY_QUEUE_VERSION}; the file is from another version or not a notification queue`,
      );
    }
    const deliveries = data['deliveries'];
    const groups = data['groups'];
    if (!Array.isArray(deliveries)) throw new StateDataError('queue.deliveries: expected an array');
    if (!Array.isArray(groups)) throw new StateDataError('queue.groups: expected an array');
    deliveries.forEach((raw: unknown, i) => {
      const delivery = readDelivery(raw, `queue.deliveries[${i}]`);
      queue.deliveries.set(delivery.id, delivery);
    });
    groups.forEach((raw: unknown, i) => {
      const at = `queue.groups[${i}]`;
      if (
        !isRecord(raw) ||
        typeof raw['key'] !== 'string' ||
        typeof raw['receiver'] !== 'string' ||
        !Array.isArray(raw['alerts']) ||
        typeof raw['outstanding'] !== 'number' ||
        typeof raw['delivered'] !== 'number'
      ) {
        throw new StateDataError(`${at}: expected { key, receiver, alerts, outstanding, delivered }`);
      }
      const group = raw as unknown as GroupProgress;
      // What is still outstanding is what the file holds: a group whose deliveries are all gone
      // (a hand-edited or damaged file) is dropped, so the dispatcher flushes it again.
      const outstanding = [...queue.deliveries.values()].filter(
        (d) => d.group !== null && d.group.key === group.key && d.group.receiver === group.receiver,
      ).length;
      if (outstanding > 0) queue.groups.set(groupId(group.key, group.receiver), { ...group, outstanding });
    });
    return queue;
  }

  private finish(id: string, delivered: boolean): Settled | null {
    const delivery = this.deliveries.get(id);
    if (delivery === undefined) return null;
    this.deliveries.delete(id);
    this.inProgress.delete(id);
    if (delivery.group === null) return { delivery, group: null };
    const gid = groupId(delivery.group.key, delivery.group.receiver);
    const progress = this.groups.get(gid);
    if (progress === undefined) return { delivery, group: null };
    const next = {
      ...progress,
      outstanding: progress.outstanding - 1,
      delivered: progress.delivered + (delivered ? 1 : 0),
    };
    if (next.outstanding > 0) {
      this.groups.set(gid, next);
      return { delivery, group: null };
    }
    this.groups.delete(gid);
    return {
      delivery,
      group: { key: next.key, receiver: next.receiver, alerts: next.alerts, delivered: next.delivered > 0 },
    };
  }
}

function readDelivery(raw: unknown, at: string): Delivery {
  const fail = (key: string, expected: string) => new StateDataError(`${at}.${key}: expected ${expected}`);
  if (!isRecord(raw)) throw new StateDataError(`${at}: expected an object`);
  for (const key of ['id', 'receiver'] as const) {
    if (typeof raw[key] !== 'string') throw fail(key, 'a string');
  }
  for (const key of ['createdAt', 'attempts', 'nextAttemptAt'] as const) {
    if (typeof raw[key] !== 'number' || !Number.isFinite(raw[key])) throw fail(key, 'a finite number');
  }
  if (raw['owner'] !== null && typeof raw['owner'] !== 'string') throw fail('owner', 'a string or null');
  if (raw['lastError'] !== null && typeof raw['lastError'] !== 'string')
    throw fail('lastError', 'a string or null');
  const notification = raw['notification'];
  const email = raw['email'];
  if (notification === null && email === null) throw fail('notification', 'a notification or an email');
  if (notification !== null && (!isRecord(notification) || !Array.isArray(notification['alerts']))) {
    throw fail('notification', 'null or { receiver, groupKey, groupLabels, alerts, status }');
  }
  if (
    email !== null &&
    (!isRecord(email) || !Array.isArray(email['to']) || typeof email['subject'] !== 'string')
  ) {
    throw fail('email', 'null or { to, subject, text, html }');
  }
  const group = raw['group'];
  if (
    group !== null &&
    (!isRecord(group) || typeof group['key'] !== 'string' || typeof group['receiver'] !== 'string')
  ) {
    throw fail('group', 'null or { key, receiver }');
  }
  // Due at once: it may have been in progress when the state was written.
  const delivery = raw as unknown as Delivery;
  return { ...delivery, nextAttemptAt: Math.min(delivery.nextAttemptAt, delivery.createdAt) };
}
