/**
 * Every configuration default, as a named constant with its unit. The schema (schema.ts)
 * applies them; docs/config.md and config/driftwatch.example.yaml list the same values
 * (keep the three in step), and test/unit/config/load.test.ts pins them.
 * Durations are in milliseconds, sizes in bytes.
 */

import type { AlertRule, Severity, Weekday } from '../alerts/types.js';
import type { Correction } from '../evaluate/types.js';
import type { FeatureSource, LogLevel, TimeMode } from './types.js';

// Units. Durations are milliseconds, sizes are bytes.
export const MILLISECOND = 1;
export const SECOND = 1000 * MILLISECOND;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const BYTE = 1;
export const KiB = 1024 * BYTE;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/**
 * The longest duration a config may hold: Node.js timers take a signed 32-bit delay and
 * fire at once (with a TimeoutOverflowWarning) beyond it, about 24.8 days.
 */
export const MAX_DURATION = 2 ** 31 - 1;

// kafka
export const DEFAULT_CLIENT_ID = 'driftwatch';
export const DEFAULT_GROUP_ID = 'driftwatch';
export const DEFAULT_PREDICTIONS_TOPIC = 'ml.predictions';
export const DEFAULT_FEATURES_TOPIC = 'ml.features';
export const DEFAULT_FROM_BEGINNING = false;
export const DEFAULT_DLQ_TOPIC = null;
export const DEFAULT_TLS_REJECT_UNAUTHORIZED = true;
export const DEFAULT_CONNECTION_TIMEOUT = 10 * SECOND;
export const DEFAULT_SESSION_TIMEOUT = 30 * SECOND;
export const DEFAULT_LAG_INTERVAL = 15 * SECOND;

// models[]
export const DEFAULT_FEATURE_SOURCE: FeatureSource = 'predictions';
export const DEFAULT_OWNER = null;
export const DEFAULT_BASELINE = null;

// models[] windows (PRODUCT.md §4, docs/windows.md)
export const DEFAULT_WINDOW = 1 * HOUR;
export const DEFAULT_STEP = 1 * MINUTE;
/** Steps per window at most: each step is a bucket of counts per feature, in memory and in checkpoints. */
export const MAX_WINDOW_STEPS = 1440;
/** Processing time: the step of an event is the step it is consumed in. */
export const DEFAULT_TIME: TimeMode = 'processing';
/** KS resolution of the windows (docs/windows.md "Memory"): counts per step per numeric feature. */
export const DEFAULT_WINDOW_KS_QUANTILES = 50;
/** Event time: how far behind the newest event an event may be and still be counted. */
export const DEFAULT_ALLOWED_LATENESS = 5 * MINUTE;

// models[].drift (statistics.md, PRODUCT.md §4)
/** PSI above this is drift ("> 0.25 significant"; 0.2 is the usual alerting line). */
export const DEFAULT_PSI_THRESHOLD = 0.2;
/** Adjusted KS / chi-square p-value below this (with the effect-size floor) is drift. */
export const DEFAULT_P_VALUE = 0.05;
export const DEFAULT_CORRECTION: Correction = 'benjamini-hochberg';
/** KS D a significant p-value must also reach: on huge windows tiny shifts are significant. */
export const DEFAULT_MIN_KS_STATISTIC = 0.1;
/** Jensen–Shannon distance a significant chi-square must also reach. */
export const DEFAULT_MIN_JS_DISTANCE = 0.1;
/** Fewer valid values than this in a window (or the baseline): insufficient_data. */
export const DEFAULT_MIN_SAMPLES = 200;

// server
export const DEFAULT_SERVER_HOST = '0.0.0.0';
export const DEFAULT_PORT = 9874;

// limits
export const DEFAULT_MAX_EVENT_BYTES = 1 * MiB;
export const DEFAULT_MAX_ERROR_CLASSES_PER_MODEL = 20;
export const DEFAULT_MAX_VERSIONS_PER_MODEL = 20;
export const DEFAULT_MAX_FEATURES_PER_EVENT = 1000;

// state
export const DEFAULT_STATE_DIRECTORY = './state';

// logging
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

// influx (docs/influxdb.md)
/** InfluxDB 1.x ignores the organization; 2.x needs its name. */
export const DEFAULT_INFLUX_ORG = '';
/** Points per write request: a few rounds of a few hundred features. */
export const DEFAULT_INFLUX_BATCH_SIZE = 5000;
export const DEFAULT_INFLUX_FLUSH_INTERVAL = 5 * SECOND;
/** Points kept while InfluxDB is unreachable (a few hundred bytes each); beyond, the oldest are dropped. */
export const DEFAULT_INFLUX_MAX_BUFFERED_POINTS = 100_000;
export const DEFAULT_INFLUX_TIMEOUT = 10 * SECOND;

// alerts (PRODUCT.md §6, docs/config.md "alerts")
export const DEFAULT_RESOLVED_NOTIFICATIONS = true;
/** Whether the rules of DEFAULT_ALERT_RULES are added to the configured ones. */
export const DEFAULT_DEFAULT_RULES = true;

// alerts.rules[]
/** Globs of a rule's scope: every model, every feature. */
export const DEFAULT_RULE_GLOBS: readonly string[] = ['*'];
/** Prometheus' default `for`: fire as soon as the condition holds. */
export const DEFAULT_RULE_FOR = 0;
export const DEFAULT_RESOLVE_HYSTERESIS = 0;
export const DEFAULT_SEVERITY: Severity = 'warning';
export const DEFAULT_RULE_DESCRIPTION = '';
export const DEFAULT_RUNBOOK_URL = null;
/** The summary of a rule that has none, on a feature signal. */
export const DEFAULT_FEATURE_RULE_SUMMARY =
  '{{signal}} of {{model}} feature {{feature}} is {{value}} (threshold {{threshold}})';
/** The summary of a rule that has none, on a model signal. */
export const DEFAULT_MODEL_RULE_SUMMARY = '{{signal}} of {{model}} is {{value}} (threshold {{threshold}})';

// alerts.schedules[]
export const DEFAULT_SCHEDULE_DAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

// alerts.route: Alertmanager's defaults at the root; child routes inherit their parent's.
export const DEFAULT_GROUP_BY: readonly string[] = ['alertname'];
export const DEFAULT_GROUP_WAIT = 30 * SECOND;
export const DEFAULT_GROUP_INTERVAL = 5 * MINUTE;
export const DEFAULT_REPEAT_INTERVAL = 4 * HOUR;
export const DEFAULT_ROUTE_CONTINUE = false;

// alerts.receivers[] and alerts.smtp
/** How long one webhook or Alertmanager request may take. */
export const DEFAULT_RECEIVER_TIMEOUT = 10 * SECOND;
/** The submission port, with STARTTLS (RFC 8314 prefers 465 with implicit TLS, `secure: true`). */
export const DEFAULT_SMTP_PORT = 587;
export const DEFAULT_SMTP_SECURE = false;
export const DEFAULT_SMTP_STARTTLS = true;
/** Pooled SMTP connections at most (nodemailer's `maxConnections` default). */
export const DEFAULT_SMTP_POOL_SIZE = 5;
export const DEFAULT_SMTP_REJECT_UNAUTHORIZED = true;

// alerts.delivery: retries of a notification that could not be delivered
/** The first retry's delay; each next one doubles it, up to max_backoff, with jitter. */
export const DEFAULT_DELIVERY_INITIAL_BACKOFF = SECOND;
export const DEFAULT_DELIVERY_MAX_BACKOFF = 5 * MINUTE;
/** A notification not delivered this long after it was due is given up (logged, counted). */
export const DEFAULT_DELIVERY_GIVE_UP_AFTER = 24 * HOUR;
/** How often the firing alerts are sent again to an Alertmanager receiver (Prometheus' `resend_delay`). */
export const DEFAULT_ALERTMANAGER_RESEND = MINUTE;

/** How long a model version must run with no firing critical alert to be the last known good one. */
export const DEFAULT_KNOWN_GOOD_AFTER = HOUR;
/** The time zone of an owner's digest schedule. */
export const DEFAULT_DIGEST_TIMEZONE = 'UTC';
/** The receiver name that sends to the receivers of the model's owner on duty. */
export const OWNER_RECEIVER = 'owner';

/**
 * The rules `default_rules: true` adds (docs/config.md lists them, and the example file
 * shows them as YAML). A configured rule of the same name replaces one of these.
 */
export const RULE_FEATURE_DRIFT: AlertRule = {
  name: 'FeatureDrift',
  signal: 'feature_drift',
  comparison: '==',
  threshold: 1,
  models: DEFAULT_RULE_GLOBS,
  features: DEFAULT_RULE_GLOBS,
  forMs: 10 * MINUTE,
  resolveHysteresis: 0,
  severity: 'warning',
  labels: {},
  summary: 'Feature {{feature}} of {{model}} has drifted',
  description:
    'The distribution of feature {{feature}} ({{source}} events) of model {{model}} in the window differs from its training baseline (docs/windows.md).',
  runbookUrl: null,
};

export const RULE_FEATURE_PSI_CRITICAL: AlertRule = {
  name: 'FeaturePsiCritical',
  signal: 'feature_psi',
  comparison: '>',
  threshold: 0.5,
  models: DEFAULT_RULE_GLOBS,
  features: DEFAULT_RULE_GLOBS,
  forMs: 10 * MINUTE,
  resolveHysteresis: 0.05,
  severity: 'critical',
  labels: {},
  summary: 'PSI of {{model}} feature {{feature}} is {{value}}',
  description:
    'The population stability index of feature {{feature}} ({{source}} events) of model {{model}} is {{value}}, above {{threshold}}: a major shift from the training baseline.',
  runbookUrl: null,
};

export const RULE_HIGH_ERROR_RATE: AlertRule = {
  name: 'HighErrorRate',
  signal: 'error_rate',
  comparison: '>',
  threshold: 0.05,
  models: DEFAULT_RULE_GLOBS,
  features: DEFAULT_RULE_GLOBS,
  forMs: 5 * MINUTE,
  resolveHysteresis: 0.01,
  severity: 'critical',
  labels: {},
  summary: 'Error rate of {{model}} is {{value}}',
  description:
    'A share of {{value}} of the predictions of model {{model}} in the window failed, above {{threshold}}.',
  runbookUrl: null,
};

export const RULE_SLOW_PREDICTIONS: AlertRule = {
  name: 'SlowPredictions',
  signal: 'latency_p99_seconds',
  comparison: '>',
  threshold: 1,
  models: DEFAULT_RULE_GLOBS,
  features: DEFAULT_RULE_GLOBS,
  forMs: 10 * MINUTE,
  resolveHysteresis: 0.1,
  severity: 'warning',
  labels: {},
  summary: 'p99 latency of {{model}} is {{value}}s',
  description:
    'The 99th percentile latency of model {{model}} in the window is {{value}}s, above {{threshold}}s.',
  runbookUrl: null,
};

export const RULE_NO_EVENTS: AlertRule = {
  name: 'NoEvents',
  signal: 'seconds_since_last_event',
  comparison: '>',
  threshold: 900,
  models: DEFAULT_RULE_GLOBS,
  features: DEFAULT_RULE_GLOBS,
  forMs: 0,
  resolveHysteresis: 0,
  severity: 'warning',
  labels: {},
  summary: 'No events from {{model}} for {{value}}s',
  description:
    'No event of model {{model}} has arrived for {{value}} seconds (threshold {{threshold}}): the model or its event producer may be down.',
  runbookUrl: null,
};

export const RULE_HIGH_NULL_RATIO: AlertRule = {
  name: 'HighNullRatio',
  signal: 'feature_null_ratio',
  comparison: '>',
  threshold: 0.2,
  models: DEFAULT_RULE_GLOBS,
  features: DEFAULT_RULE_GLOBS,
  forMs: 15 * MINUTE,
  resolveHysteresis: 0.02,
  severity: 'warning',
  labels: {},
  summary: 'Null ratio of {{model}} feature {{feature}} is {{value}}',
  description:
    'A share of {{value}} of the values of feature {{feature}} ({{source}} events) of model {{model}} in the window is null or missing, above {{threshold}}.',
  runbookUrl: null,
};

export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  RULE_FEATURE_DRIFT,
  RULE_FEATURE_PSI_CRITICAL,
  RULE_HIGH_ERROR_RATE,
  RULE_SLOW_PREDICTIONS,
  RULE_NO_EVENTS,
  RULE_HIGH_NULL_RATIO,
];
