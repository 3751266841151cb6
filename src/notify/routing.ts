/**
 * Who hears of which alert, decided from the configuration alone: the route the dispatcher uses
 * (the configured one, or the default route to the owner on duty), the alerts as notifications
 * carry them (annotations rendered, dashboard link), the owner on duty of a model, the deliveries
 * one due notification makes (per owner for `receiver: owner` and `to: owner` email receivers),
 * and the alerts each Alertmanager receiver holds. Pure: `now` is passed in; called by the notifier.
 */
import type { AlertInstance } from '../alerts/stateMachine.js';
import { matchRoutes } from '../alerts/routeTree.js';
import { resolveOwner } from '../alerts/schedule.js';
import { formatValue, renderAnnotations, renderTemplate } from '../alerts/templates.js';
import type { AlertRule, Labels, Owner, Route, Schedule } from '../alerts/types.js';
import * as D from '../config/defaults.js';
import type { AlertsConfig, ModelConfig, ReceiverConfig } from '../config/types.js';
import type { AlertSnapshot, Notification } from './dispatcher.js';

/** What routing reads: the `alerts` section and the models (their `owner`). */
export interface RoutingConfig {
  readonly alerts: AlertsConfig;
  readonly models: readonly ModelConfig[];
}

/**
 * The routing tree in use: `alerts.route`, or without it the default route to the owner on duty,
 * grouped by alert and model, with Alertmanager's default timers.
 */
export function effectiveRoute(alerts: AlertsConfig): Route {
  return (
    alerts.route ?? {
      receiver: D.OWNER_RECEIVER,
      matchers: [],
      continue: false,
      groupBy: ['alertname', 'model'],
      groupWaitMs: D.DEFAULT_GROUP_WAIT,
      groupIntervalMs: D.DEFAULT_GROUP_INTERVAL,
      repeatIntervalMs: D.DEFAULT_REPEAT_INTERVAL,
      routes: [],
    }
  );
}

/**
 * Whether alerts are routed at all: with `alerts.route`, or without it when an owner has
 * receivers. A file with neither notifies nobody (and logs nothing per alert about it).
 */
export function routesAlerts(alerts: AlertsConfig): boolean {
  return alerts.route !== null || alerts.owners.some((o) => o.receivers.length > 0);
}

/**
 * The firing and recently resolved alerts as notifications carry them: `summary`, `description`
 * (when not empty), `runbook_url` and `dashboard_url` (when set), `signal`, `comparison`,
 * `threshold` (as written) and `value` (formatted). Pending alerts are left out.
 */
export function alertSnapshots(alerts: readonly AlertInstance[], config: AlertsConfig): AlertSnapshot[] {
  const rules = new Map<string, AlertRule>(config.rules.map((r) => [r.name, r]));
  const out: AlertSnapshot[] = [];
  for (const alert of alerts) {
    if ((alert.state !== 'firing' && alert.state !== 'resolved') || alert.firedAt === null) continue;
    const rule = rules.get(alert.labels.alertname ?? '');
    const annotations: Record<string, string> = {};
    if (rule !== undefined) {
      const text = renderAnnotations(rule, alert);
      annotations.summary = text.summary;
      if (text.description !== '') annotations.description = text.description;
      if (rule.runbookUrl !== null) annotations.runbook_url = rule.runbookUrl;
      annotations.signal = rule.signal;
      annotations.comparison = rule.comparison;
      annotations.threshold = String(rule.threshold);
      if (config.dashboardUrl !== null) {
        annotations.dashboard_url = dashboardLink(config.dashboardUrl, rule, alert.labels, alert.value);
      }
    }
    annotations.value = formatValue(alert.value);
    out.push({
      fingerprint: alert.fingerprint,
      labels: alert.labels,
      annotations,
      state: alert.state,
      startsAt: alert.firedAt,
      endsAt: alert.state === 'resolved' ? alert.resolvedAt : null,
      value: alert.value,
    });
  }
  return out;
}

/** `alerts.dashboard_url` filled for one alert, every label value URL-encoded. */
export function dashboardLink(template: string, rule: AlertRule, labels: Labels, value: number): string {
  const encoded: Record<string, string> = {};
  for (const [name, v] of Object.entries(labels)) encoded[name] = encodeURIComponent(v);
  return renderTemplate(template, { labels: encoded, value, threshold: rule.threshold, signal: rule.signal });
}

/**
 * The owner on duty at `now` of `model` (its `owner` names an owner or a schedule); undefined for
 * an unknown model or one without an owner.
 * @throws RangeError for a schedule with an unknown time zone (the config loader refuses those).
 */
export function ownerOnDutyOf(
  model: string | undefined,
  config: RoutingConfig,
  now: number,
): Owner | undefined {
  const { modelOwners, owners, schedules } = lookups(config);
  const name = model === undefined ? undefined : modelOwners.get(model);
  if (name == null) return undefined;
  return resolveOwner(name, owners, schedules, now);
}

interface Lookups {
  readonly modelOwners: ReadonlyMap<string, string | null>;
  readonly owners: ReadonlyMap<string, Owner>;
  readonly schedules: ReadonlyMap<string, Schedule>;
}

// By name, built once per configuration (its objects are replaced whole on reload, never
// changed): routing asks for the owner of every alert of every round.
const lookupCache = new WeakMap<AlertsConfig, WeakMap<readonly ModelConfig[], Lookups>>();

function lookups(config: RoutingConfig): Lookups {
  let byModels = lookupCache.get(config.alerts);
  if (byModels === undefined) lookupCache.set(config.alerts, (byModels = new WeakMap()));
  let found = byModels.get(config.models);
  if (found === undefined) {
    found = {
      modelOwners: new Map(config.models.map((m) => [m.name, m.owner])),
      owners: new Map(config.alerts.owners.map((o) => [o.name, o])),
      schedules: new Map(config.alerts.schedules.map((s) => [s.name, s])),
    };
    byModels.set(config.models, found);
  }
  return found;
}

/** One delivery to make: a receiver, the owner it is for (null: fixed addresses), its alerts. */
export interface DeliveryPlan {
  readonly receiver: string;
  readonly owner: string | null;
  readonly notification: Notification;
}

function part(notification: Notification, receiver: string, alerts: readonly AlertSnapshot[]): Notification {
  return {
    ...notification,
    receiver,
    alerts,
    status: alerts.every((a) => a.state === 'resolved') ? 'resolved' : 'firing',
  };
}

/**
 * The deliveries of one due notification at `now`:
 * - `receiver: owner`: for each owner on duty of the alerts' models, one per receiver the owner
 *   lists, with that owner's alerts (Alertmanager receivers left out: the forwarder sends those);
 * - an email receiver with `to: owner`: one per owner on duty, with that owner's alerts;
 * - any other email or webhook receiver: one, with every alert; an Alertmanager receiver: none.
 * `unrouted` holds the alerts nobody can be told about: no owner on duty, an owner without
 * receivers (or without addresses for `to: owner`), a receiver not configured any more.
 */
export function planDeliveries(
  notification: Notification,
  config: RoutingConfig,
  now: number,
): { readonly plans: DeliveryPlan[]; readonly unrouted: AlertSnapshot[] } {
  const receivers = new Map<string, ReceiverConfig>(config.alerts.receivers.map((r) => [r.name, r]));
  const plans: DeliveryPlan[] = [];
  const unrouted: AlertSnapshot[] = [];
  const byOwner = (): Map<Owner, AlertSnapshot[]> => {
    const out = new Map<Owner, AlertSnapshot[]>();
    for (const alert of notification.alerts) {
      const owner = ownerOnDutyOf(alert.labels.model, config, now);
      if (owner === undefined) {
        unrouted.push(alert);
        continue;
      }
      const list = out.get(owner);
      if (list === undefined) out.set(owner, [alert]);
      else list.push(alert);
    }
    return out;
  };
  if (notification.receiver === D.OWNER_RECEIVER) {
    for (const [owner, alerts] of byOwner()) {
      if (owner.receivers.length === 0) unrouted.push(...alerts);
      for (const name of owner.receivers) {
        const receiver = receivers.get(name);
        if (receiver === undefined || receiver.type === 'alertmanager') continue;
        plans.push({ receiver: name, owner: owner.name, notification: part(notification, name, alerts) });
      }
    }
    return { plans, unrouted };
  }
  const receiver = receivers.get(notification.receiver);
  if (receiver === undefined) return { plans, unrouted: [...notification.alerts] };
  if (receiver.type === 'email' && receiver.to === 'owner') {
    for (const [owner, alerts] of byOwner()) {
      if (owner.email.length === 0) unrouted.push(...alerts);
      else
        plans.push({
          receiver: receiver.name,
          owner: owner.name,
          notification: part(notification, receiver.name, alerts),
        });
    }
  } else if (receiver.type !== 'alertmanager') {
    plans.push({
      receiver: receiver.name,
      owner: null,
      notification: part(notification, receiver.name, notification.alerts),
    });
  }
  return { plans, unrouted };
}

/**
 * The alerts each Alertmanager receiver holds at `now`: every alert whose routes reach it, by
 * name or through `receiver: owner` (the receivers the model's owner on duty lists).
 */
export function alertmanagerTargets(
  snapshots: readonly AlertSnapshot[],
  config: RoutingConfig,
  now: number,
): Map<string, AlertSnapshot[]> {
  const receivers = new Map<string, ReceiverConfig>(config.alerts.receivers.map((r) => [r.name, r]));
  const route = effectiveRoute(config.alerts);
  const out = new Map<string, AlertSnapshot[]>();
  for (const alert of snapshots) {
    const names = new Set<string>();
    for (const match of matchRoutes(route, alert.labels)) {
      if (match.receiver === D.OWNER_RECEIVER) {
        for (const r of ownerOnDutyOf(alert.labels.model, config, now)?.receivers ?? []) names.add(r);
      } else names.add(match.receiver);
    }
    for (const name of names) {
      if (receivers.get(name)?.type !== 'alertmanager') continue;
      const list = out.get(name);
      if (list === undefined) out.set(name, [alert]);
      else list.push(alert);
    }
  }
  return out;
}
