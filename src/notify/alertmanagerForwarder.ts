/**
 * Alertmanager receivers, sent as Prometheus sends to Alertmanager: every alert routed to the
 * receiver is POSTed to `<url>/api/v2/alerts`, firing ones with an `endsAt` a few resend periods
 * ahead (so Alertmanager resolves them by itself if driftwatch goes away), resolved ones with the
 * time they resolved; the whole set again every `resendMs`, and at once when it changes. Grouping,
 * timers, silences and inhibition are then Alertmanager's own. A failed POST is retried with the
 * queue's backoff; nothing is persisted, since the next POST carries the whole state again.
 */
import { compareCodePoints } from '../stats/bins.js';
import { backoffDelay, type RetryPolicy } from './deliveryQueue.js';
import type { AlertSnapshot } from './dispatcher.js';

/** One alert of Alertmanager's `POST /api/v2/alerts` body (`postableAlert`). */
export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

/**
 * The body for `alerts` at `now`: firing alerts end `validForMs` from now unless sent again,
 * resolved ones at their `endsAt`. Pure.
 */
export function postableAlerts(
  alerts: readonly AlertSnapshot[],
  now: number,
  validForMs: number,
  generatorURL: (alert: AlertSnapshot) => string,
): PostableAlert[] {
  return alerts.map((alert) => ({
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    startsAt: new Date(alert.startsAt).toISOString(),
    endsAt: new Date(alert.endsAt ?? now + validForMs).toISOString(),
    generatorURL: generatorURL(alert),
  }));
}

interface ReceiverState {
  alerts: readonly AlertSnapshot[];
  /** The alerts' `fingerprint@state` of the last delivered POST. */
  sentKey: string;
  lastSentAt: number;
  attempts: number;
  nextAttemptAt: number;
  inProgress: boolean;
}

/** What one due POST is about. */
export interface AlertmanagerPost {
  readonly receiver: string;
  readonly alerts: readonly AlertSnapshot[];
}

function setKey(alerts: readonly AlertSnapshot[]): string {
  return alerts
    .map((a) => `${a.fingerprint}@${a.startsAt}:${a.state}`)
    .sort(compareCodePoints)
    .join('\n');
}

/**
 * The per-receiver send state. The notifier calls `update` after every round with the alerts of
 * each Alertmanager receiver, `due(now)` on its timer, and `succeeded` / `failed` for each POST.
 * Pure (clock and randomness injected).
 */
export class AlertmanagerForwarder {
  private readonly receivers = new Map<string, ReceiverState>();

  constructor(
    private readonly resendMs: number,
    private readonly policy: RetryPolicy,
  ) {}

  /** The alerts each receiver should hold now; receivers not in the map have none. */
  update(byReceiver: ReadonlyMap<string, readonly AlertSnapshot[]>): void {
    for (const [name, state] of this.receivers) {
      if (!byReceiver.has(name)) state.alerts = [];
    }
    for (const [name, alerts] of byReceiver) {
      const state = this.receivers.get(name);
      if (state === undefined) {
        this.receivers.set(name, {
          alerts,
          sentKey: '',
          lastSentAt: Number.NEGATIVE_INFINITY,
          attempts: 0,
          nextAttemptAt: 0,
          inProgress: false,
        });
      } else {
        state.alerts = alerts;
      }
    }
  }

  /**
   * The POSTs due at `now`: a receiver whose alerts changed since its last delivered POST, or
   * that has alerts and was last sent `resendMs` ago, once its retry time has come. Each is in
   * progress until reported.
   */
  due(now: number): AlertmanagerPost[] {
    const out: AlertmanagerPost[] = [];
    for (const [name, state] of this.receivers) {
      if (state.inProgress || state.nextAttemptAt > now) continue;
      const changed = setKey(state.alerts) !== state.sentKey;
      const resend = state.alerts.length > 0 && now - state.lastSentAt >= this.resendMs;
      if (!changed && !resend) continue;
      state.inProgress = true;
      out.push({ receiver: name, alerts: state.alerts });
    }
    return out;
  }

  succeeded(post: AlertmanagerPost, now: number): void {
    const state = this.receivers.get(post.receiver);
    if (state === undefined) return;
    state.inProgress = false;
    state.sentKey = setKey(post.alerts);
    state.lastSentAt = now;
    state.attempts = 0;
    state.nextAttemptAt = 0;
  }

  /** The POST failed: the receiver is due again after the backoff. Returns when. */
  failed(post: AlertmanagerPost, now: number, random: () => number): number {
    const state = this.receivers.get(post.receiver);
    if (state === undefined) return now;
    state.inProgress = false;
    state.attempts += 1;
    state.nextAttemptAt = now + backoffDelay(state.attempts, this.policy, random);
    return state.nextAttemptAt;
  }

  /** Forgets receivers that are not configured any more. */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.receivers.keys()) if (!names.has(name)) this.receivers.delete(name);
  }
}
