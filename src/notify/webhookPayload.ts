import { createHmac } from 'node:crypto';

import type { Labels } from '../alerts/types.js';
import { compareCodePoints } from '../stats/bins.js';
import type { AlertSnapshot, Notification } from './dispatcher.js';

/**
 * The generic webhook's body: Alertmanager's webhook JSON (version 4,
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config), so a receiver written
 * for Alertmanager reads driftwatch's too, and its HMAC signature. Pure: no I/O, no clock.
 */

/** The name of the header that carries {@link signPayload}'s signature. */
export const SIGNATURE_HEADER = 'X-Driftwatch-Signature';

/** Alertmanager's `endsAt` of an alert that has not ended: Go's zero time. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert of the webhook body. */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Labels;
  readonly annotations: Labels;
  /** RFC 3339, UTC, milliseconds. */
  readonly startsAt: string;
  /** RFC 3339; {@link ZERO_TIME} while firing. */
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/** The webhook body, field for field Alertmanager's. */
export interface WebhookPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: 0;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupLabels: Labels;
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  readonly externalURL: string;
  readonly alerts: readonly WebhookAlert[];
}

/** Where the links in the body point. */
export interface WebhookPayloadOptions {
  /** The daemon's own URL (Alertmanager's `externalURL`), e.g. http://driftwatch.ml.svc:9874. */
  readonly externalURL: string;
  /** A link per alert (a dashboard, the status API); '' when not given. */
  readonly generatorURL?: (alert: AlertSnapshot) => string;
}

/**
 * The webhook body of a notification. `commonLabels` / `commonAnnotations` are the pairs every
 * alert has with the same value, as in Alertmanager; keys of label objects in code-point order so
 * the body (and its signature) is the same for the same notification. Called by the webhook
 * receiver per notification; pure.
 */
export function webhookPayload(notification: Notification, options: WebhookPayloadOptions): WebhookPayload {
  const generatorURL = options.generatorURL ?? (() => '');
  return {
    version: '4',
    groupKey: notification.groupKey,
    truncatedAlerts: 0,
    status: notification.status,
    receiver: notification.receiver,
    groupLabels: sorted(notification.groupLabels),
    commonLabels: common(notification.alerts.map((a) => a.labels)),
    commonAnnotations: common(notification.alerts.map((a) => a.annotations)),
    externalURL: options.externalURL,
    alerts: notification.alerts.map((alert) => ({
      status: alert.state,
      labels: sorted(alert.labels),
      annotations: sorted(alert.annotations),
      startsAt: new Date(alert.startsAt).toISOString(),
      endsAt: alert.endsAt === null ? ZERO_TIME : new Date(alert.endsAt).toISOString(),
      generatorURL: generatorURL(alert),
      fingerprint: alert.fingerprint,
    })),
  };
}

/**
 * The signature of a webhook body for the {@link SIGNATURE_HEADER} header: `sha256=` and the hex
 * HMAC-SHA256 of the exact bytes sent (UTF-8) under the receiver's secret, GitHub's scheme. The
 * receiver recomputes it over the raw body and compares in constant time. Pure.
 */
export function signPayload(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

function sorted(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels).sort(compareCodePoints)) out[name] = labels[name]!;
  return out;
}

function common(sets: readonly Labels[]): Record<string, string> {
  const [first, ...rest] = sets;
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(sorted(first))) {
    if (rest.every((labels) => labels[name] === value)) out[name] = value;
  }
  return out;
}
