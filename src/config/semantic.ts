/**
 * The checks that span several keys (unique model names, a feature source that needs a
 * topic, a DLQ that must not be a source topic, ...; those of `alerts` are in
 * alertsSemantic.ts) and the reading of `*_file` secrets.
 * Both work on the interpolated YAML value, not on the schema's output, so that their
 * problems are reported together with the schema's even when the schema fails
 * elsewhere; every check therefore looks only at values of the type it expects and
 * leaves the others to the schema. Called by load.ts only.
 */

import type { ConfigProblem } from '../errors.js';
import { alertsProblems, readAlertSecrets, type AlertSecrets } from './alertsSemantic.js';
import * as D from './defaults.js';
import { readSecretFile, type SecretKind } from './secretFile.js';
import { at, formatDuration, isMapping, parseDuration } from './values.js';

/** The contents of the `*_file` secrets, trailing newline removed. */
export interface Secrets {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly password?: string;
  /** `influx.token_file`. */
  readonly influxToken?: string;
  /** The `*_file` secrets of `alerts`. */
  readonly alerts: AlertSecrets;
}

/**
 * Reads the secret files named in `kafka.tls`, `kafka.sasl`, `influx` and `alerts`,
 * relative to the working directory. Problems (a missing file, an empty one, a PEM file
 * without PEM data) are appended to `problems`, named by the `*_file` key.
 */
export function readSecrets(raw: unknown, problems: ConfigProblem[]): Secrets {
  const secrets: {
    ca?: string;
    cert?: string;
    key?: string;
    password?: string;
    influxToken?: string;
    alerts: AlertSecrets;
  } = { alerts: readAlertSecrets(at(raw, 'alerts'), problems) };
  const read = (keys: string[], kind: SecretKind): string | undefined =>
    readSecretFile(at(raw, ...keys), keys.join('.'), kind, problems);
  const ca = read(['kafka', 'tls', 'ca_file'], 'pem');
  const cert = read(['kafka', 'tls', 'cert_file'], 'pem');
  const key = read(['kafka', 'tls', 'key_file'], 'pem');
  const password = read(['kafka', 'sasl', 'password_file'], 'password');
  if (ca !== undefined) secrets.ca = ca;
  if (cert !== undefined) secrets.cert = cert;
  if (key !== undefined) secrets.key = key;
  if (password !== undefined) secrets.password = password;
  const influxToken = read(['influx', 'token_file'], 'token');
  if (influxToken !== undefined) secrets.influxToken = influxToken;
  return secrets;
}

/** The topic at `kafka.topics.<name>` with its default applied; undefined when not a string or null. */
function effectiveTopic(kafka: unknown, name: 'predictions' | 'features'): string | null | undefined {
  const topics = at(kafka, 'topics');
  const value = topics === undefined || topics === null ? undefined : at(topics, name);
  if (value === undefined)
    return name === 'predictions' ? D.DEFAULT_PREDICTIONS_TOPIC : D.DEFAULT_FEATURES_TOPIC;
  return typeof value === 'string' || value === null ? value : undefined;
}

function kafkaProblems(kafka: unknown, interpolated: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isMapping(kafka)) return problems;
  const predictions = effectiveTopic(kafka, 'predictions');
  const features = effectiveTopic(kafka, 'features');

  if (typeof predictions === 'string' && features === predictions) {
    problems.push({
      path: 'kafka.topics.features',
      message: `"${features}" is also the predictions topic; use a topic of its own (e.g. ml.features), or null when no model reads feature events`,
    });
  }
  const dlq = kafka['dlq_topic'];
  if (typeof dlq === 'string') {
    const clash = dlq === predictions ? 'predictions' : dlq === features ? 'features' : undefined;
    if (clash !== undefined) {
      problems.push({
        path: 'kafka.dlq_topic',
        message: `"${dlq}" is also the ${clash} topic, so rejected records would be consumed again; use a topic of its own, e.g. ${dlq}.dlq`,
      });
    }
  }

  const tls = kafka['tls'];
  if (isMapping(tls)) {
    const cert = tls['cert_file'];
    const key = tls['key_file'];
    if (typeof cert === 'string' && key === undefined) {
      problems.push({
        path: 'kafka.tls.key_file',
        message:
          'is required when cert_file is set (client certificate authentication); add it, e.g. key_file: /etc/driftwatch/tls/client.key',
      });
    }
    if (typeof key === 'string' && cert === undefined) {
      problems.push({
        path: 'kafka.tls.cert_file',
        message:
          'is required when key_file is set (client certificate authentication); add it, e.g. cert_file: /etc/driftwatch/tls/client.pem',
      });
    }
  }

  const sasl = kafka['sasl'];
  if (isMapping(sasl)) {
    const password = sasl['password'];
    const passwordFile = sasl['password_file'];
    if (password !== undefined && passwordFile !== undefined) {
      problems.push({
        path: 'kafka.sasl.password_file',
        message: 'is set together with password; keep only one of them (password_file for a mounted secret)',
      });
    } else if (password === undefined && passwordFile === undefined) {
      problems.push({
        path: 'kafka.sasl',
        message:
          'has no password; add password_file: /run/secrets/kafka-password, or password: ${KAFKA_PASSWORD} to take it from the environment',
      });
    } else if (typeof password === 'string' && !interpolated.has('kafka.sasl.password')) {
      problems.push({
        path: 'kafka.sasl.password',
        message:
          'is written in the file, and secrets do not belong in the config; use password: ${KAFKA_PASSWORD} (from the environment) or password_file',
      });
    }
  }
  return problems;
}

function modelProblems(models: unknown, kafka: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!Array.isArray(models)) return problems;
  const firstIndex = new Map<string, number>();
  const features = isMapping(kafka) ? effectiveTopic(kafka, 'features') : undefined;
  models.forEach((model: unknown, index) => {
    const name = at(model, 'name');
    if (typeof name === 'string' && name !== '') {
      const first = firstIndex.get(name);
      if (first === undefined) firstIndex.set(name, index);
      else {
        problems.push({
          path: `models[${index}].name`,
          message: `"${name}" is already the name of models[${first}]; give each model a name of its own`,
        });
      }
    }
    problems.push(...windowProblems(model, index));
    const source = at(model, 'feature_source');
    if ((source === 'features' || source === 'both') && features === null) {
      problems.push({
        path: `models[${index}].feature_source`,
        message: `"${source}" reads feature events, but kafka.topics.features is null; set kafka.topics.features (e.g. ml.features), or use feature_source: predictions`,
      });
    }
  });
  return problems;
}

/** `influx`: one token source at most, never written in the file, and a batch that fits the buffer. */
function influxProblems(influx: unknown, interpolated: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isMapping(influx)) return problems;
  const token = influx['token'];
  if (token !== undefined && influx['token_file'] !== undefined) {
    problems.push({
      path: 'influx.token_file',
      message: 'is set together with token; keep only one of them (token_file for a mounted secret)',
    });
  } else if (typeof token === 'string' && !interpolated.has('influx.token')) {
    problems.push({
      path: 'influx.token',
      message:
        'is written in the file, and secrets do not belong in the config; use token: ${INFLUX_TOKEN} (from the environment) or token_file',
    });
  }
  const batch = influx['batch_size'] ?? D.DEFAULT_INFLUX_BATCH_SIZE;
  const buffer = influx['max_buffered_points'] ?? D.DEFAULT_INFLUX_MAX_BUFFERED_POINTS;
  if (typeof batch === 'number' && typeof buffer === 'number' && batch > buffer) {
    problems.push({
      path: 'influx.batch_size',
      message: `${batch} is more than influx.max_buffered_points (${buffer}), so a batch could never fill; use at most ${buffer}, or raise max_buffered_points`,
    });
  }
  return problems;
}

/** A duration key's value in ms when it is a valid duration string; undefined otherwise (the schema reports it). */
function durationAt(model: unknown, key: string): number | undefined {
  const value = at(model, key);
  return typeof value === 'string' ? parseDuration(value.trim()) : undefined;
}

/** `window` must be a whole number of `step`s, not too many of them, and lateness at most the window. */
function windowProblems(model: unknown, index: number): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const window =
    durationAt(model, 'window') ?? (at(model, 'window') === undefined ? D.DEFAULT_WINDOW : undefined);
  const step = durationAt(model, 'step') ?? (at(model, 'step') === undefined ? D.DEFAULT_STEP : undefined);
  if (window !== undefined && step !== undefined && step > 0) {
    if (window < step || window % step !== 0) {
      problems.push({
        path: `models[${index}].window`,
        message: `${formatDuration(window)} is not a whole number of steps of ${formatDuration(step)}; make the window a multiple of models[${index}].step, e.g. window: 1h with step: 1m`,
      });
    } else if (window / step > D.MAX_WINDOW_STEPS) {
      problems.push({
        path: `models[${index}].step`,
        message: `${formatDuration(window)} / ${formatDuration(step)} is ${window / step} steps, more than ${D.MAX_WINDOW_STEPS}; use a longer step (memory and checkpoints grow with the steps)`,
      });
    }
  }
  const lateness = durationAt(model, 'allowed_lateness');
  if (window !== undefined && lateness !== undefined && lateness > window) {
    problems.push({
      path: `models[${index}].allowed_lateness`,
      message: `${formatDuration(lateness)} is longer than the window (${formatDuration(window)}); an event that late is outside the window anyway, use at most the window`,
    });
  }
  return problems;
}

/**
 * The problems that involve more than one key. `interpolated` holds the paths whose
 * value came from the environment: a SASL password, an InfluxDB token and the secrets of
 * `alerts` must be among them or come from their `*_file`, never be written in the file.
 */
export function semanticProblems(raw: unknown, interpolated: ReadonlySet<string>): ConfigProblem[] {
  const kafka = at(raw, 'kafka');
  return [
    ...kafkaProblems(kafka, interpolated),
    ...modelProblems(at(raw, 'models'), kafka),
    ...influxProblems(at(raw, 'influx'), interpolated),
    ...alertsProblems(at(raw, 'alerts'), at(raw, 'models'), interpolated),
  ];
}
