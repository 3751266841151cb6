/**
 * The validated, frozen runtime configuration. `loadConfig()` (config/load.ts) is the only
 * producer; every other module receives the part it needs from the composition root.
 * YAML keys are snake_case; these runtime types are camelCase.
 */

import type { AlertRule, InhibitRule, Owner, Route, Schedule } from '../alerts/types.js';
import type { DriftThresholds } from '../evaluate/types.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaTlsConfig {
  /** PEM contents (read from `ca_file` etc. at load time), or undefined for the system CAs. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized: boolean;
}

export interface KafkaSaslConfig {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  /** From `password` (usually `${ENV}`) or `password_file`. */
  readonly password: string;
}

export interface KafkaTopicsConfig {
  /** Prediction events. Default `ml.predictions`. */
  readonly predictions: string;
  /** Feature events, or null when no model reads them. Default `ml.features`. */
  readonly features: string | null;
}

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly topics: KafkaTopicsConfig;
  /** Where a new consumer group starts: true = earliest, false = latest. Default false. */
  readonly fromBeginning: boolean;
  /** Rejected records are produced here unchanged, with reason headers; null = no DLQ. */
  readonly dlqTopic: string | null;
  readonly tls: KafkaTlsConfig | null;
  readonly sasl: KafkaSaslConfig | null;
  readonly connectionTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  /** How often consumer lag is measured and exported. */
  readonly lagIntervalMs: number;
}

export type FeatureSource = 'predictions' | 'features' | 'both';

/** Which clock places an event in a window step: the event's `ts`, or when it is consumed. */
export type TimeMode = 'event' | 'processing';

export interface ModelConfig {
  readonly name: string;
  /** Which events feed the model's feature distributions. Default 'predictions'. */
  readonly featureSource: FeatureSource;
  /** Owner or schedule name (alerting); null = none yet. */
  readonly owner: string | null;
  /** Path of the model's baseline file; null until one is built. */
  readonly baseline: string | null;
  /** The sliding window's length and step, ms; window is a whole number of steps. Default 1h / 1m. */
  readonly windowMs: number;
  readonly stepMs: number;
  readonly time: TimeMode;
  /** Event time only: events further behind the newest one are late (counted, dropped). Default 5m. */
  readonly allowedLatenessMs: number;
  /** The KS resolution the windows count at (`window_ks_quantiles`). Default 50. */
  readonly windowKsQuantiles: number;
  /** Verdict rules of the model's features (`models[].drift`). */
  readonly drift: DriftThresholds;
}

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
}

export interface LimitsConfig {
  /** Records larger than this are rejected with reason `too_large`. Default 1 MiB. */
  readonly maxEventBytes: number;
  /** Distinct `error` classes per model before the rest are counted as `other`. Default 20. */
  readonly maxErrorClassesPerModel: number;
  /** Distinct `model_version` values per model before the rest are counted as `other`. Default 20. */
  readonly maxVersionsPerModel: number;
  /** Features per event beyond which the event is rejected (`too_many_features`). Default 1000. */
  readonly maxFeaturesPerEvent: number;
}

export interface StateConfig {
  readonly directory: string;
}

export interface LoggingConfig {
  readonly level: LogLevel;
}

/** Where every evaluation is written as history (`influx`, docs/influxdb.md). */
export interface InfluxConfig {
  /** Base URL of the server, e.g. http://influxdb:8086. */
  readonly url: string;
  /** From `token` (usually `${ENV}`) or `token_file`; null = no Authorization header (1.x without auth). */
  readonly token: string | null;
  /** The organization (InfluxDB 2.x); "" by default, which 1.x ignores. */
  readonly org: string;
  /** The bucket; for InfluxDB 1.8 "database/retention-policy". */
  readonly bucket: string;
  /** Points per write request; at most maxBufferedPoints. */
  readonly batchSize: number;
  /** How often buffered points are written. */
  readonly flushIntervalMs: number;
  /** Points kept while writes fail; beyond, the oldest are dropped. */
  readonly maxBufferedPoints: number;
  /** HTTP timeout of one write request. */
  readonly timeoutMs: number;
}

/**
 * An email receiver (`alerts.receivers[]` with `type: email`): one email per notification,
 * through the SMTP server of `alerts.smtp` (which the loader makes sure is configured).
 */
export interface EmailReceiverConfig {
  readonly name: string;
  readonly type: 'email';
  /** Addresses, or 'owner': the `email` addresses of the owner the alert is routed to. */
  readonly to: readonly string[] | 'owner';
  /** The sender, `addr` or `Name <addr>`; the receiver's `from`, else `alerts.smtp.from`. */
  readonly from: string;
  /** Subject template (the rules' template variables); null = the notifier's default subject. */
  readonly subject: string | null;
}

/** A generic webhook (`type: webhook`): the notification as JSON in a POST. */
export interface WebhookReceiverConfig {
  readonly name: string;
  readonly type: 'webhook';
  readonly url: string;
  /** From `hmac_secret` (`${ENV}`) or `hmac_secret_file`: the body is signed with it; null = unsigned. */
  readonly hmacSecret: string | null;
  /** HTTP timeout of one request. */
  readonly timeoutMs: number;
}

/**
 * An Alertmanager (`type: alertmanager`): the alerts are POSTed to `<url>/api/v2/alerts`
 * and re-sent while firing, as Prometheus does.
 */
export interface AlertmanagerReceiverConfig {
  readonly name: string;
  readonly type: 'alertmanager';
  /** Base URL, e.g. http://alertmanager:9093 (without /api/v2/alerts). */
  readonly url: string;
  readonly timeoutMs: number;
}

/** Where notifications go (`alerts.receivers[]`); routes and owners name receivers. */
export type ReceiverConfig = EmailReceiverConfig | WebhookReceiverConfig | AlertmanagerReceiverConfig;

/** The SMTP server every email receiver sends through (`alerts.smtp`), pooled. */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465, nodemailer `secure`). */
  readonly secure: boolean;
  /** When not `secure`: refuse to send unless the server upgrades with STARTTLS (nodemailer `requireTLS`). */
  readonly starttls: boolean;
  /** Null = no authentication; then `password` is null too. */
  readonly username: string | null;
  /** From `password` (`${ENV}`) or `password_file`; set exactly when `username` is. */
  readonly password: string | null;
  /** Pooled connections at most. */
  readonly poolSize: number;
  /** Verify the server's certificate. */
  readonly rejectUnauthorized: boolean;
  /** The default sender of email receivers. */
  readonly from: string;
}

/**
 * Alerting (`alerts`, PRODUCT.md §6): always present; a file without the section has the
 * default rules (unless `default_rules: false`) and nobody to notify. Route inheritance is
 * resolved: every Route has every field filled.
 */
export interface AlertsConfig {
  /** The default rules (when `defaultRules`) not replaced by a configured rule of the same name, then the configured rules. */
  readonly rules: readonly AlertRule[];
  readonly owners: readonly Owner[];
  readonly schedules: readonly Schedule[];
  /** The routing tree; null when none is configured. */
  readonly route: Route | null;
  readonly inhibitRules: readonly InhibitRule[];
  readonly receivers: readonly ReceiverConfig[];
  /** Set whenever an email receiver is configured. */
  readonly smtp: SmtpConfig | null;
  /** Bearer token of the admin API (silences); from `${ENV}` or `admin_token_file`; null when neither is set. */
  readonly adminToken: string | null;
  /** Whether resolved alerts are notified too. Default true. */
  readonly resolvedNotifications: boolean;
  /** Whether the default rules were added (`default_rules`). Default true. */
  readonly defaultRules: boolean;
  /** The daemon's URL as owners reach it (links in notifications); null = from `server`. */
  readonly externalUrl: string | null;
  /** A link template per alert (`{{model}}`, ... URL-encoded); null = none. */
  readonly dashboardUrl: string | null;
  /** How long a model version must run with no firing critical alert to be known good. */
  readonly knownGoodAfterMs: number;
  readonly delivery: DeliveryConfig;
}

/** Retries of notifications (`alerts.delivery`). */
export interface DeliveryConfig {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly giveUpAfterMs: number;
  /** How often firing alerts are sent again to Alertmanager receivers. */
  readonly alertmanagerResendMs: number;
}

export interface DriftwatchConfig {
  /** Null when the file has no `kafka` section (demo, replay). `driftwatch run` requires it. */
  readonly kafka: KafkaConfig | null;
  readonly models: readonly ModelConfig[];
  readonly server: ServerConfig;
  readonly limits: LimitsConfig;
  readonly state: StateConfig;
  readonly logging: LoggingConfig;
  /** Null when the file has no `influx` section: no history is written. */
  readonly influx: InfluxConfig | null;
  readonly alerts: AlertsConfig;
}
