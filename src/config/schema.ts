/**
 * The strict schema of the YAML file (snake_case keys), with the defaults of defaults.ts,
 * built from the leaf schemas of leaves.ts (each with its own error messages) and, for
 * the `alerts` section, alertsSchema.ts. load.ts runs it after interpolation and turns its
 * output into the runtime types. Pure: no I/O.
 */

import { z } from 'zod';

import type { ConfigProblem } from '../errors.js';
import { ALERTS_KNOWN_KEYS, alertsSchema } from './alertsSchema.js';
import * as D from './defaults.js';
import {
  boolean,
  brokers,
  choice,
  duration,
  httpUrl,
  integer,
  NAME,
  NAME_RULE,
  optionalSection,
  optionalText,
  pattern,
  real,
  section,
  size,
  text,
  unknownKeyMessage,
  type RawIssue,
} from './leaves.js';
import { formatPath, show } from './values.js';

// Kafka's own rule (kafka.common.internals.Topic): legal characters, at most 249, not . or ..
const TOPIC_NAME = /^(?!\.\.?$)[A-Za-z0-9._-]{1,249}$/;

function topic(example: string) {
  return pattern(
    example,
    TOPIC_NAME,
    'Kafka topic name',
    'use letters, digits, ".", "_" and "-" (at most 249)',
  );
}

// ---------------------------------------------------------------------------------------
// The sections

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export const FEATURE_SOURCES = ['predictions', 'features', 'both'] as const;
export const CORRECTIONS = ['benjamini-hochberg', 'bonferroni', 'none'] as const;
export const TIME_MODES = ['processing', 'event'] as const;

const topicsShape = {
  predictions: topic('ml.predictions').default(D.DEFAULT_PREDICTIONS_TOPIC),
  features: topic('ml.features').nullable().default(D.DEFAULT_FEATURES_TOPIC),
};

const tlsShape = {
  ca_file: text('/etc/driftwatch/tls/ca.pem').optional(),
  cert_file: text('/etc/driftwatch/tls/client.pem').optional(),
  key_file: text('/etc/driftwatch/tls/client.key').optional(),
  reject_unauthorized: boolean().default(D.DEFAULT_TLS_REJECT_UNAUTHORIZED),
};

const saslShape = {
  mechanism: choice(SASL_MECHANISMS, 'scram-sha-512'),
  username: text('driftwatch'),
  password: text('${KAFKA_PASSWORD}').optional(),
  password_file: text('/run/secrets/kafka-password').optional(),
};

const kafkaShape = {
  brokers: brokers(),
  client_id: text('driftwatch').default(D.DEFAULT_CLIENT_ID),
  group_id: text('driftwatch').default(D.DEFAULT_GROUP_ID),
  topics: optionalSection(topicsShape, '{predictions: ml.predictions, features: ml.features}'),
  from_beginning: boolean().default(D.DEFAULT_FROM_BEGINNING),
  dlq_topic: topic('ml.predictions.dlq').nullable().default(D.DEFAULT_DLQ_TOPIC),
  // `tls: true` is TLS with the system CAs; `false` or null is plaintext.
  tls: z
    .preprocess(
      (value) => (value === true ? {} : value === false ? null : value),
      section(tlsShape, '{ca_file: /etc/driftwatch/tls/ca.pem}').nullable(),
    )
    .default(null),
  sasl: section(
    saslShape,
    '{mechanism: scram-sha-512, username: driftwatch, password_file: /run/secrets/kafka-password}',
  )
    .nullable()
    .default(null),
  connection_timeout: duration('10s').default(D.DEFAULT_CONNECTION_TIMEOUT),
  session_timeout: duration('30s', {
    ms: 6 * D.SECOND,
    why: 'brokers refuse sessions under group.min.session.timeout.ms (6s by default)',
  }).default(D.DEFAULT_SESSION_TIMEOUT),
  lag_interval: duration('15s').default(D.DEFAULT_LAG_INTERVAL),
};

const driftShape = {
  psi_threshold: real(0.2, 0, 100, true).default(D.DEFAULT_PSI_THRESHOLD),
  p_value: real(0.05, 0, 1, true).default(D.DEFAULT_P_VALUE),
  correction: choice(CORRECTIONS, 'benjamini-hochberg').default(D.DEFAULT_CORRECTION),
  min_ks_statistic: real(0.1, 0, 1).default(D.DEFAULT_MIN_KS_STATISTIC),
  min_js_distance: real(0.1, 0, 1).default(D.DEFAULT_MIN_JS_DISTANCE),
  min_samples: integer(200, 1).default(D.DEFAULT_MIN_SAMPLES),
};

const modelShape = {
  name: pattern('fraud-scorer', NAME, 'model name', NAME_RULE),
  feature_source: choice(FEATURE_SOURCES, 'predictions').default(D.DEFAULT_FEATURE_SOURCE),
  owner: text('team-fraud, or null').nullable().default(D.DEFAULT_OWNER),
  baseline: text('baselines/fraud-scorer.json, or null').nullable().default(D.DEFAULT_BASELINE),
  window: duration('1h').default(D.DEFAULT_WINDOW),
  step: duration('1m').default(D.DEFAULT_STEP),
  time: choice(TIME_MODES, 'processing').default(D.DEFAULT_TIME),
  allowed_lateness: duration('5m').default(D.DEFAULT_ALLOWED_LATENESS),
  window_ks_quantiles: integer(50, 1, 100_000).default(D.DEFAULT_WINDOW_KS_QUANTILES),
  drift: optionalSection(driftShape, '{psi_threshold: 0.2, p_value: 0.05}'),
};

const serverShape = {
  host: text('0.0.0.0').default(D.DEFAULT_SERVER_HOST),
  // 0 asks the system for any free port (the bound port is logged at start).
  port: integer(9874, 0, 65535).default(D.DEFAULT_PORT),
};

const limitsShape = {
  max_event_bytes: size('1MiB').default(D.DEFAULT_MAX_EVENT_BYTES),
  max_error_classes_per_model: integer(20, 1).default(D.DEFAULT_MAX_ERROR_CLASSES_PER_MODEL),
  max_versions_per_model: integer(20, 1).default(D.DEFAULT_MAX_VERSIONS_PER_MODEL),
  max_features_per_event: integer(1000, 1).default(D.DEFAULT_MAX_FEATURES_PER_EVENT),
};

const stateShape = {
  directory: text('./state').default(D.DEFAULT_STATE_DIRECTORY),
};

const loggingShape = {
  level: choice(LOG_LEVELS, 'info').default(D.DEFAULT_LOG_LEVEL),
};

const influxShape = {
  url: httpUrl('http://influxdb:8086'),
  token: text('${INFLUX_TOKEN}').optional(),
  token_file: text('/run/secrets/influx-token').optional(),
  org: optionalText('my-org').default(D.DEFAULT_INFLUX_ORG),
  bucket: text('driftwatch (InfluxDB 2.x) or driftwatch/autogen (1.8)'),
  batch_size: integer(5000, 1).default(D.DEFAULT_INFLUX_BATCH_SIZE),
  flush_interval: duration('5s').default(D.DEFAULT_INFLUX_FLUSH_INTERVAL),
  max_buffered_points: integer(100000, 1).default(D.DEFAULT_INFLUX_MAX_BUFFERED_POINTS),
  timeout: duration('10s').default(D.DEFAULT_INFLUX_TIMEOUT),
};

const modelsExample = '[{name: fraud-scorer}]';

const rootShape = {
  // Absent or empty: no Kafka source (demo, replay); `driftwatch run` requires it.
  kafka: section(kafkaShape, '{brokers: [localhost:9092]}').nullable().default(null),
  models: z.preprocess(
    (value) => value ?? [],
    z
      .array(section(modelShape, '{name: fraud-scorer}'), {
        error: (issue: RawIssue) => `${show(issue.input)} is not a list of models; use e.g. ${modelsExample}`,
      })
      .min(1, { error: `no model is configured; add at least one, e.g. models: ${modelsExample}` }),
  ),
  server: optionalSection(serverShape, '{port: 9874}'),
  limits: optionalSection(limitsShape, '{max_event_bytes: 1MiB}'),
  state: optionalSection(stateShape, '{directory: ./state}'),
  logging: optionalSection(loggingShape, '{level: info}'),
  // Absent or empty: no history is written.
  influx: section(influxShape, '{url: http://influxdb:8086, bucket: driftwatch}').nullable().default(null),
  // Absent or empty: the default rules (unless default_rules: false), and nobody to notify.
  alerts: alertsSchema,
};

/** The whole file. An empty file is an empty mapping (and then lacks `models`). */
export const configSchema = z.preprocess(
  (value) => value ?? {},
  z.strictObject(rootShape, {
    error: (issue: RawIssue) =>
      `the file holds ${show(issue.input)}, not a mapping; ` +
      `write sections as key: value pairs, e.g. models: ${modelsExample}`,
  }),
);

/** What the schema returns: the YAML's shape with defaults applied, durations in ms, sizes in bytes. */
export type ParsedConfig = z.output<typeof configSchema>;

// ---------------------------------------------------------------------------------------
// Unknown keys and the mapping of zod issues to problems

/** The keys each mapping accepts, by path pattern (`models[]` stands for every model). */
const KNOWN_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ['', Object.keys(rootShape)],
  ['kafka', Object.keys(kafkaShape)],
  ['kafka.topics', Object.keys(topicsShape)],
  ['kafka.tls', Object.keys(tlsShape)],
  ['kafka.sasl', Object.keys(saslShape)],
  ['models[]', Object.keys(modelShape)],
  ['models[].drift', Object.keys(driftShape)],
  ['server', Object.keys(serverShape)],
  ['limits', Object.keys(limitsShape)],
  ['state', Object.keys(stateShape)],
  ['logging', Object.keys(loggingShape)],
  ['influx', Object.keys(influxShape)],
  ...ALERTS_KNOWN_KEYS,
]);

/** Turns one zod issue into problems; an issue about several unknown keys gives one each. */
export function issueToProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    // Routes nest to any depth; every level takes the keys of alerts.route.routes[].
    const pattern = formatPath(issue.path)
      .replace(/\[\d+\]/g, '[]')
      .replace(/(?:\.routes\[\])+/g, '.routes[]');
    const known = KNOWN_KEYS.get(pattern) ?? [];
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: unknownKeyMessage(key, known),
    }));
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}
