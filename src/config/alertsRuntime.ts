/**
 * The `alerts` section as runtime types (config/types.ts AlertsConfig, alerts/types.ts):
 * route inheritance resolved, the default rules added, default summaries filled, secrets
 * taken from the environment or their `*_file`. Runs after every check has passed, so it
 * only converts. Called by load.ts only; pure.
 */

import { isFeatureSignal } from '../alerts/signals.js';
import type { AlertRule, Route } from '../alerts/types.js';
import type { ParsedReceiver, ParsedRoute } from './alertsSchema.js';
import * as D from './defaults.js';
import type { AlertSecrets } from './alertsSemantic.js';
import type { ParsedConfig } from './schema.js';
import type { AlertsConfig, ReceiverConfig, SmtpConfig } from './types.js';

type ParsedAlerts = ParsedConfig['alerts'];
type ParsedRule = ParsedAlerts['rules'][number];

/** What a route inherits from its parent (and the root from Alertmanager's defaults). */
type Inherited = Pick<Route, 'receiver' | 'groupBy' | 'groupWaitMs' | 'groupIntervalMs' | 'repeatIntervalMs'>;

const ROOT_DEFAULTS: Inherited = {
  // The root's receiver is required (alertsSemantic.ts), so this is never used.
  receiver: '',
  groupBy: D.DEFAULT_GROUP_BY,
  groupWaitMs: D.DEFAULT_GROUP_WAIT,
  groupIntervalMs: D.DEFAULT_GROUP_INTERVAL,
  repeatIntervalMs: D.DEFAULT_REPEAT_INTERVAL,
};

/**
 * Alertmanager's inheritance (config.Route): a child takes its parent's receiver,
 * group_by and intervals where it sets none; matchers and continue are its own.
 */
function resolveRoute(route: ParsedRoute, parent: Inherited): Route {
  const inherited: Inherited = {
    receiver: route.receiver ?? parent.receiver,
    groupBy: route.group_by ?? [...parent.groupBy],
    groupWaitMs: route.group_wait ?? parent.groupWaitMs,
    groupIntervalMs: route.group_interval ?? parent.groupIntervalMs,
    repeatIntervalMs: route.repeat_interval ?? parent.repeatIntervalMs,
  };
  return {
    receiver: inherited.receiver,
    matchers: route.matchers,
    continue: route.continue,
    groupBy: inherited.groupBy,
    groupWaitMs: inherited.groupWaitMs,
    groupIntervalMs: inherited.groupIntervalMs,
    repeatIntervalMs: inherited.repeatIntervalMs,
    routes: route.routes.map((child) => resolveRoute(child, inherited)),
  };
}

function toRule(rule: ParsedRule): AlertRule {
  const featureSignal = isFeatureSignal(rule.signal);
  return {
    name: rule.name,
    signal: rule.signal,
    comparison: rule.comparison,
    threshold: rule.threshold,
    models: rule.models,
    features: rule.features,
    forMs: rule.for,
    resolveHysteresis: rule.resolve_hysteresis,
    severity: rule.severity,
    labels: rule.labels,
    summary: rule.summary ?? (featureSignal ? D.DEFAULT_FEATURE_RULE_SUMMARY : D.DEFAULT_MODEL_RULE_SUMMARY),
    description: rule.description,
    runbookUrl: rule.runbook_url,
  };
}

function toReceiver(receiver: ParsedReceiver, index: number, smtp: SmtpConfig | null, secrets: AlertSecrets) {
  switch (receiver.type) {
    case 'email':
      return {
        name: receiver.name,
        type: 'email',
        to: receiver.to,
        // alertsSemantic.ts has made sure that smtp is set when an email receiver is.
        from: receiver.from ?? smtp?.from ?? '',
        subject: receiver.subject ?? null,
      } satisfies ReceiverConfig;
    case 'webhook':
      return {
        name: receiver.name,
        type: 'webhook',
        url: receiver.url,
        hmacSecret: receiver.hmac_secret ?? secrets.hmacSecrets.get(index) ?? null,
        timeoutMs: receiver.timeout,
      } satisfies ReceiverConfig;
    case 'alertmanager':
      return {
        name: receiver.name,
        type: 'alertmanager',
        url: receiver.url,
        timeoutMs: receiver.timeout,
      } satisfies ReceiverConfig;
  }
}

/** The runtime `alerts` of a parsed file whose every check has passed. */
export function toAlertsRuntime(alerts: ParsedAlerts, secrets: AlertSecrets): AlertsConfig {
  const smtp: SmtpConfig | null =
    alerts.smtp === null
      ? null
      : {
          host: alerts.smtp.host,
          port: alerts.smtp.port,
          secure: alerts.smtp.secure,
          starttls: alerts.smtp.starttls,
          username: alerts.smtp.username,
          // alertsSemantic.ts has made sure a password comes with a username, from one source.
          password: alerts.smtp.password ?? secrets.smtpPassword ?? null,
          poolSize: alerts.smtp.pool_size,
          rejectUnauthorized: alerts.smtp.reject_unauthorized,
          from: alerts.smtp.from,
        };
  const configured = alerts.rules.map(toRule);
  const names = new Set(configured.map((rule) => rule.name));
  // A configured rule of a default rule's name replaces it.
  const defaults = alerts.default_rules ? D.DEFAULT_ALERT_RULES.filter((rule) => !names.has(rule.name)) : [];
  return {
    rules: [...defaults, ...configured],
    owners: alerts.owners.map((owner) => ({
      name: owner.name,
      email: owner.email,
      receivers: owner.receivers,
      digest: owner.digest === null ? null : { cron: owner.digest.cron, timezone: owner.digest.timezone },
    })),
    schedules: alerts.schedules.map((schedule) => ({
      name: schedule.name,
      timezone: schedule.timezone,
      days: schedule.days,
      startMinute: schedule.start,
      endMinute: schedule.end,
      businessHours: schedule.business_hours,
      afterHours: schedule.after_hours,
    })),
    route: alerts.route === null ? null : resolveRoute(alerts.route, ROOT_DEFAULTS),
    inhibitRules: alerts.inhibit_rules.map((rule) => ({
      sourceMatchers: rule.source_matchers,
      targetMatchers: rule.target_matchers,
      equal: rule.equal,
    })),
    receivers: alerts.receivers.map((receiver, index) => toReceiver(receiver, index, smtp, secrets)),
    smtp,
    adminToken: alerts.admin_token ?? secrets.adminToken ?? null,
    resolvedNotifications: alerts.resolved_notifications,
    defaultRules: alerts.default_rules,
    externalUrl: alerts.external_url,
    dashboardUrl: alerts.dashboard_url,
    knownGoodAfterMs: alerts.known_good_after,
    delivery: {
      initialBackoffMs: alerts.delivery.initial_backoff,
      maxBackoffMs: Math.max(alerts.delivery.initial_backoff, alerts.delivery.max_backoff),
      giveUpAfterMs: alerts.delivery.give_up_after,
      alertmanagerResendMs: alerts.delivery.alertmanager_resend,
    },
  };
}
