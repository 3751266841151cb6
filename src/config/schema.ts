/**
 * The strict schema of the YAML file (snake_case keys), with the defaults of defaults.ts.
 * Every leaf carries its own error messages, written for the person editing the file:
 * what is wrong and how to fix it (`"10 minutes" is not a duration; use e.g. 10m`).
 * load.ts runs it after interpolation and turns its output into the runtime types.
 * Pure: no I/O.
 */

import { z } from 'zod';

import type { ConfigProblem } from '../errors.js';
import * as D from './defaults.js';
import { brokerProblem, formatPath, parseDuration, parseSize, show, suggestKey } from './values.js';

// ---------------------------------------------------------------------------------------
// Leaf schemas, each with messages that say what is wrong and the fix

/** The part of a raw zod issue the message builders read. */
interface RawIssue {
  readonly input?: unknown;
}

function required(example: string): string {
  return `is required; set it, e.g. ${example}`;
}

/** A non-empty string; `example` is shown in the fix. */
function text(example: string) {
  const error = (issue: RawIssue): string => {
    const value = issue.input;
    if (value === undefined) return required(example);
    if (value === '') return `is empty; set it, e.g. ${example}`;
    if (typeof value === 'number' || typeof value === 'boolean') {
      return `${show(value)} is not a string; quote it: "${String(value)}"`;
    }
    return `${show(value)} is not a string; use e.g. ${example}`;
  };
  return z.string({ error }).min(1, { error });
}

/** A string matching `pattern`; `rule` says what is allowed. */
function pattern(example: string, regex: RegExp, what: string, rule: string) {
  return text(example).regex(regex, {
    error: (issue: RawIssue) => `${show(issue.input)} is not a valid ${what}; ${rule}, e.g. ${example}`,
  });
}

// Letters and digits of any script: model names are labels, and Prometheus label values are UTF-8.
const MODEL_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._:-]{0,127}$/u;
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

/** A whole number in [min, max]. */
function integer(example: number, min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const range =
    max === Number.MAX_SAFE_INTEGER
      ? `a whole number of at least ${min}`
      : `a whole number from ${min} to ${max}`;
  const error = (issue: RawIssue): string => {
    const value = issue.input;
    if (value === undefined) return required(String(example));
    if (typeof value === 'string' && /^\s*[-+]?\d+(?:\.\d+)?\s*$/.test(value)) {
      return `${show(value)} is a string, not a number; remove the quotes: ${value.trim()}`;
    }
    if (typeof value !== 'number') return `${show(value)} is not a number; use ${range}, e.g. ${example}`;
    if (!Number.isInteger(value)) return `${show(value)} is not a whole number; use e.g. ${example}`;
    return `${show(value)} is out of range; use ${range}, e.g. ${example}`;
  };
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A real number in [min, max] (or (min, max] with `exclusiveMin`). */
function real(example: number, min: number, max: number, exclusiveMin = false) {
  const range = `a number ${exclusiveMin ? 'above' : 'from'} ${min} ${exclusiveMin ? 'and at most' : 'to'} ${max}`;
  const error = (issue: RawIssue): string => {
    const value = issue.input;
    if (value === undefined) return required(String(example));
    if (typeof value === 'string' && /^\s*[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?\s*$/.test(value)) {
      return `${show(value)} is a string, not a number; remove the quotes: ${value.trim()}`;
    }
    if (typeof value !== 'number') return `${show(value)} is not a number; use ${range}, e.g. ${example}`;
    return `${show(value)} is out of range; use ${range}, e.g. ${example}`;
  };
  const base = z.number({ error });
  return (exclusiveMin ? base.gt(min, { error }) : base.min(min, { error })).max(max, { error });
}

function boolean() {
  return z.boolean({
    error: (issue: RawIssue) =>
      issue.input === undefined
        ? required('true')
        : `${show(issue.input)} is not a boolean; use true or false (without quotes)`,
  });
}

/** One of a fixed set of strings; `example` is shown when the input is not close to one. */
function choice<const T extends readonly [string, ...string[]]>(values: T, example: T[number]) {
  return z.enum(values, {
    error: (issue: RawIssue) => {
      const value = issue.input;
      const list = values.join(', ');
      if (value === undefined) return `is required; use one of ${list}`;
      if (typeof value === 'string' && (values as readonly string[]).includes(value.toLowerCase())) {
        return `${show(value)} is not one of ${list}; use ${value.toLowerCase()} (lower case)`;
      }
      const close = typeof value === 'string' ? suggestKey(value, values) : undefined;
      if (close !== undefined) return `${show(value)} is not one of ${list}; did you mean ${close}?`;
      return `${show(value)} is not one of ${list}; use e.g. ${example}`;
    },
  });
}

/** A duration string (`15s`) in milliseconds, positive and at most MAX_DURATION. */
function duration(example: string, minimum?: { ms: number; why: string }) {
  return z.unknown().transform((value, ctx): number => {
    const fail = (message: string): never => {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    if (typeof value === 'number') {
      return fail(`${show(value)} has no unit; use e.g. ${value > 0 ? value : 15}s (units: ms, s, m, h, d)`);
    }
    if (typeof value !== 'string') {
      return fail(`${show(value)} is not a duration; use e.g. ${example} (units: ms, s, m, h, d)`);
    }
    const ms = parseDuration(value);
    if (ms === undefined) return fail(`${show(value)} is not a duration; use e.g. ${example}`);
    if (!Number.isInteger(ms)) {
      return fail(`${show(value)} is not a whole number of milliseconds; use e.g. ${example}`);
    }
    if (ms <= 0) return fail(`${show(value)} must be longer than 0; use e.g. ${example}`);
    if (ms > D.MAX_DURATION) {
      return fail(
        `${show(value)} is longer than 24d, the longest timer Node.js can run; use e.g. ${example}`,
      );
    }
    if (minimum !== undefined && ms < minimum.ms) {
      return fail(`${show(value)} is too short: ${minimum.why}; use e.g. ${example}`);
    }
    return ms;
  });
}

/** A size in bytes: a whole number, or a string with a unit (`512KiB`, `1MiB`). */
function size(example: string) {
  return z.unknown().transform((value, ctx): number => {
    const fail = (message: string): never => {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    let bytes: number | undefined;
    if (typeof value === 'number') bytes = value;
    else if (typeof value === 'string') {
      if (/^\d+$/.test(value))
        return fail(`${show(value)} has no unit; use ${value} (bytes) or e.g. ${example}`);
      bytes = parseSize(value);
      if (bytes === undefined) {
        return fail(
          `${show(value)} is not a size; use e.g. ${example} (units: B, KiB, MiB, GiB, KB, MB, GB)`,
        );
      }
    } else {
      return fail(`${show(value)} is not a size; use a number of bytes or e.g. ${example}`);
    }
    if (!Number.isInteger(bytes)) {
      return fail(`${show(value)} is not a whole number of bytes; use e.g. ${example}`);
    }
    if (bytes < 1 || bytes > Number.MAX_SAFE_INTEGER) {
      return fail(`${show(value)} is out of range; use at least 1 byte, e.g. ${example}`);
    }
    return bytes;
  });
}

/** `[host:port, ...]`, or one comma-separated string (handy with `${KAFKA_BROKERS}`). */
function brokers() {
  const example = '[kafka-1:9092, kafka-2:9092]';
  return z.unknown().transform((value, ctx): string[] => {
    let list: unknown[];
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: required(example), input: value });
      return z.NEVER;
    }
    if (typeof value === 'string') list = value.split(',').map((item) => item.trim());
    else if (Array.isArray(value)) list = value;
    else {
      ctx.addIssue({
        code: 'custom',
        message: `${show(value)} is not a list of brokers; use e.g. ${example}`,
        input: value,
      });
      return z.NEVER;
    }
    if (list.length === 0 || (list.length === 1 && list[0] === '')) {
      ctx.addIssue({
        code: 'custom',
        message: `is empty; list at least one broker, e.g. ${example}`,
        input: value,
      });
      return z.NEVER;
    }
    list.forEach((item, index) => {
      const message =
        typeof item === 'string'
          ? brokerProblem(item)
          : `${show(item)} is not a broker address; use host:port, e.g. localhost:9092`;
      if (message !== undefined) ctx.addIssue({ code: 'custom', message, path: [index], input: item });
    });
    return list as string[];
  });
}

/** An http(s) URL with a host, such as a server's base URL. */
function httpUrl(example: string) {
  return text(example).refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: (issue: RawIssue) => `${show(issue.input)} is not an http(s) URL; use e.g. ${example}` },
  );
}

/** A string that may be empty (the empty string means "none"). */
function optionalText(example: string) {
  return z.string({
    error: (issue: RawIssue) =>
      typeof issue.input === 'number' || typeof issue.input === 'boolean'
        ? `${show(issue.input)} is not a string; quote it: "${String(issue.input)}"`
        : `${show(issue.input)} is not a string; use e.g. ${example}`,
  });
}

/** A mapping; `example` shows its YAML shape. */
function section<T extends z.core.$ZodLooseShape>(shape: T, example: string) {
  return z.strictObject(shape, {
    error: (issue: RawIssue) =>
      issue.input === undefined
        ? required(example)
        : `${show(issue.input)} is not a mapping; write it as key: value pairs, e.g. ${example}`,
  });
}

/** A section that may be absent or empty (`server:` with every key commented out). */
function optionalSection<T extends z.core.$ZodLooseShape>(shape: T, example: string) {
  return z.preprocess((value) => value ?? {}, section(shape, example));
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
  name: pattern(
    'fraud-scorer',
    MODEL_NAME,
    'model name',
    'start with a letter or digit (any script), then letters, digits, ".", "_", ":" or "-" (at most 128)',
  ),
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
]);

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = suggestKey(key, known);
  if (suggestion !== undefined) return `unknown key "${key}"; did you mean "${suggestion}"?`;
  if (known.length === 0) return `unknown key "${key}"; remove it`;
  return `unknown key "${key}"; remove it (the keys here are ${known.join(', ')})`;
}

/** Turns one zod issue into problems; an issue about several unknown keys gives one each. */
export function issueToProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_KEYS.get(formatPath(issue.path).replace(/\[\d+\]/g, '[]')) ?? [];
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: unknownKeyMessage(key, known),
    }));
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}
