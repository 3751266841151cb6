import { describe, expect, it } from 'vitest';

import type { ConfigProblem } from '../../../src/errors.js';
import { parseConfig } from '../../../src/config/load.js';
import { problemsOf } from './helpers.js';

const K = 'kafka:\n  brokers: [a:9092]\n';
const M = 'models:\n  - name: fraud-scorer\n';

type Case = readonly [name: string, yaml: string, path: string, message: string];

/** Each case: a file with exactly one problem, its path and its whole message. */
function expectOne(cases: readonly Case[]): void {
  it.each(cases)('%s', (_name, yaml, path, message) => {
    expect(problemsOf(yaml)).toEqual<ConfigProblem[]>([{ path, message }]);
  });
}

describe('unknown keys', () => {
  expectOne([
    ['a typo at the top level', `${M}kafak: {}\n`, 'kafak', 'unknown key "kafak"; did you mean "kafka"?'],
    [
      'a transposition',
      `${M}logging: {levle: info}\n`,
      'logging.levle',
      'unknown key "levle"; did you mean "level"?',
    ],
    [
      'camelCase for snake_case',
      `${K}  groupId: x\n${M}`,
      'kafka.groupId',
      'unknown key "groupId"; did you mean "group_id"?',
    ],
    [
      'dashes for underscores',
      `${K}  client-id: x\n${M}`,
      'kafka.client-id',
      'unknown key "client-id"; did you mean "client_id"?',
    ],
    [
      'a typo inside a list item',
      'models:\n  - name: a\n    feature_sorce: both\n',
      'models[0].feature_sorce',
      'unknown key "feature_sorce"; did you mean "feature_source"?',
    ],
    [
      'nothing close',
      `${M}server: {colour: blue}\n`,
      'server.colour',
      'unknown key "colour"; remove it (the keys here are host, port)',
    ],
    [
      'a section of a later version',
      `${M}history: {retention: 30d}\n`,
      'history',
      'unknown key "history"; remove it (the keys here are kafka, models, server, limits, state, logging, influx, alerts)',
    ],
  ]);

  it('reports a typo in a nested section, and what it leaves missing', () => {
    expect(problemsOf(`${K}  sasl: {mechanism: plain, username: u, password_fiel: /x}\n${M}`)).toEqual([
      {
        path: 'kafka.sasl',
        message:
          'has no password; add password_file: /run/secrets/kafka-password, or password: ${KAFKA_PASSWORD} to take it from the environment',
      },
      {
        path: 'kafka.sasl.password_fiel',
        message: 'unknown key "password_fiel"; did you mean "password_file"?',
      },
    ]);
  });

  it('reports each unknown key of one mapping separately', () => {
    expect(problemsOf(`${M}server: {prot: 1, hots: x}\n`)).toEqual([
      { path: 'server.prot', message: 'unknown key "prot"; did you mean "port"?' },
      { path: 'server.hots', message: 'unknown key "hots"; did you mean "host"?' },
    ]);
  });
});

describe('missing keys and wrong types', () => {
  expectOne([
    [
      'model without a name',
      'models:\n  - owner: x\n',
      'models[0].name',
      'is required; set it, e.g. fraud-scorer',
    ],
    [
      'kafka without brokers',
      `kafka: {client_id: x}\n${M}`,
      'kafka.brokers',
      'is required; set it, e.g. [kafka-1:9092, kafka-2:9092]',
    ],
    [
      'sasl without mechanism',
      `${K}  sasl: {username: u, password: "\${P:-x}"}\n${M}`,
      'kafka.sasl.mechanism',
      'is required; use one of plain, scram-sha-256, scram-sha-512',
    ],
    [
      'a number for a string',
      `${K}  client_id: 42\n${M}`,
      'kafka.client_id',
      '42 is not a string; quote it: "42"',
    ],
    [
      'a list for a string',
      `${K}  group_id: [a]\n${M}`,
      'kafka.group_id',
      'a list is not a string; use e.g. driftwatch',
    ],
    ['an empty string', `${K}  group_id: ""\n${M}`, 'kafka.group_id', 'is empty; set it, e.g. driftwatch'],
    [
      'a quoted number',
      `${M}server: {port: "80"}\n`,
      'server.port',
      '"80" is a string, not a number; remove the quotes: 80',
    ],
    [
      'a word for a number',
      `${M}server: {port: http}\n`,
      'server.port',
      '"http" is not a number; use a whole number from 0 to 65535, e.g. 9874',
    ],
    [
      'a fraction for a count',
      `${M}limits: {max_features_per_event: 1.5}\n`,
      'limits.max_features_per_event',
      '1.5 is not a whole number; use e.g. 1000',
    ],
    [
      'a negative port',
      `${M}server: {port: -1}\n`,
      'server.port',
      '-1 is out of range; use a whole number from 0 to 65535, e.g. 9874',
    ],
    [
      'port 70000',
      `${M}server: {port: 70000}\n`,
      'server.port',
      '70000 is out of range; use a whole number from 0 to 65535, e.g. 9874',
    ],
    [
      'a zero limit',
      `${M}limits: {max_versions_per_model: 0}\n`,
      'limits.max_versions_per_model',
      '0 is out of range; use a whole number of at least 1, e.g. 20',
    ],
    [
      'a quoted boolean',
      `${K}  from_beginning: "yes"\n${M}`,
      'kafka.from_beginning',
      '"yes" is not a boolean; use true or false (without quotes)',
    ],
    [
      'an upper-case choice',
      `${M}logging: {level: DEBUG}\n`,
      'logging.level',
      '"DEBUG" is not one of fatal, error, warn, info, debug, trace, silent; use debug (lower case)',
    ],
    [
      'a misspelt choice',
      `${M}logging: {level: warm}\n`,
      'logging.level',
      '"warm" is not one of fatal, error, warn, info, debug, trace, silent; did you mean warn?',
    ],
    [
      'an unknown choice',
      `${M}logging: {level: verbose}\n`,
      'logging.level',
      '"verbose" is not one of fatal, error, warn, info, debug, trace, silent; use e.g. info',
    ],
    [
      'an unknown feature source',
      'models:\n  - name: a\n    feature_source: events\n',
      'models[0].feature_source',
      '"events" is not one of predictions, features, both; use e.g. predictions',
    ],
    [
      'a number for an owner',
      'models:\n  - name: a\n    owner: 7\n',
      'models[0].owner',
      '7 is not a string; quote it: "7"',
    ],
  ]);
});

describe('durations', () => {
  expectOne([
    [
      'words',
      `${K}  lag_interval: 10 minutes\n${M}`,
      'kafka.lag_interval',
      '"10 minutes" is not a duration; use e.g. 15s',
    ],
    [
      'no unit',
      `${K}  lag_interval: 10\n${M}`,
      'kafka.lag_interval',
      '10 has no unit; use e.g. 10s (units: ms, s, m, h, d)',
    ],
    [
      'zero',
      `${K}  lag_interval: 0s\n${M}`,
      'kafka.lag_interval',
      '"0s" must be longer than 0; use e.g. 15s',
    ],
    [
      'beyond a Node.js timer',
      `${K}  lag_interval: 30d\n${M}`,
      'kafka.lag_interval',
      '"30d" is longer than 24d, the longest timer Node.js can run; use e.g. 15s',
    ],
    [
      'below a millisecond',
      `${K}  connection_timeout: 0.5ms\n${M}`,
      'kafka.connection_timeout',
      '"0.5ms" is not a whole number of milliseconds; use e.g. 10s',
    ],
    [
      'a list',
      `${K}  lag_interval: [1s]\n${M}`,
      'kafka.lag_interval',
      'a list is not a duration; use e.g. 15s (units: ms, s, m, h, d)',
    ],
    [
      'a session timeout brokers refuse',
      `${K}  session_timeout: 5s\n${M}`,
      'kafka.session_timeout',
      '"5s" is too short: brokers refuse sessions under group.min.session.timeout.ms (6s by default); use e.g. 30s',
    ],
  ]);
});

describe('sizes', () => {
  expectOne([
    [
      'a lower-case unit',
      `${M}limits: {max_event_bytes: 1mb}\n`,
      'limits.max_event_bytes',
      '"1mb" is not a size; use e.g. 1MiB (units: B, KiB, MiB, GiB, KB, MB, GB)',
    ],
    [
      'quoted digits',
      `${M}limits: {max_event_bytes: "1024"}\n`,
      'limits.max_event_bytes',
      '"1024" has no unit; use 1024 (bytes) or e.g. 1MiB',
    ],
    [
      'zero',
      `${M}limits: {max_event_bytes: 0}\n`,
      'limits.max_event_bytes',
      '0 is out of range; use at least 1 byte, e.g. 1MiB',
    ],
    [
      'a fraction of a byte',
      `${M}limits: {max_event_bytes: 0.1KiB}\n`,
      'limits.max_event_bytes',
      '"0.1KiB" is not a whole number of bytes; use e.g. 1MiB',
    ],
    [
      'a boolean',
      `${M}limits: {max_event_bytes: true}\n`,
      'limits.max_event_bytes',
      'true is not a size; use a number of bytes or e.g. 1MiB',
    ],
  ]);
});

describe('brokers', () => {
  const brokers = (list: string): string => `kafka:\n  brokers: ${list}\n${M}`;
  expectOne([
    [
      'no port',
      brokers('[localhost]'),
      'kafka.brokers[0]',
      '"localhost" has no port; use host:port, e.g. localhost:9092',
    ],
    [
      'no port, in the second entry of a comma-separated string',
      brokers('"a:1,b"'),
      'kafka.brokers[1]',
      '"b" has no port; use host:port, e.g. b:9092',
    ],
    [
      'a scheme',
      brokers('["kafka://k:9092"]'),
      'kafka.brokers[0]',
      '"kafka://k:9092" has a scheme; drop "kafka://": k:9092',
    ],
    [
      'a named port',
      brokers('["k:http"]'),
      'kafka.brokers[0]',
      '"k:http" has an invalid port "http"; use host:port, e.g. k:9092',
    ],
    [
      'a port out of range',
      brokers('["k:99999"]'),
      'kafka.brokers[0]',
      '"k:99999": port 99999 is out of range; use a port from 1 to 65535, e.g. k:9092',
    ],
    [
      'IPv6 without brackets',
      brokers('["::1:9092"]'),
      'kafka.brokers[0]',
      '"::1:9092" looks like an IPv6 address without brackets; use e.g. [::1]:9092',
    ],
    [
      'IPv6 without a port',
      brokers('["[::1]"]'),
      'kafka.brokers[0]',
      '"[::1]" has no port; use host:port, e.g. [::1]:9092',
    ],
    [
      'no host',
      brokers('[":9092"]'),
      'kafka.brokers[0]',
      '":9092" has no host; use host:port, e.g. localhost:9092',
    ],
    [
      'a space in the host',
      brokers('["my host:9092"]'),
      'kafka.brokers[0]',
      '"my host:9092" has an invalid host "my host"; use host:port, e.g. kafka-1:9092',
    ],
    [
      'a number',
      brokers('[9092]'),
      'kafka.brokers[0]',
      '9092 is not a broker address; use host:port, e.g. localhost:9092',
    ],
    [
      'a mapping',
      brokers('{a: 1}'),
      'kafka.brokers',
      'a mapping is not a list of brokers; use e.g. [kafka-1:9092, kafka-2:9092]',
    ],
    [
      'an empty list',
      brokers('[]'),
      'kafka.brokers',
      'is empty; list at least one broker, e.g. [kafka-1:9092, kafka-2:9092]',
    ],
  ]);

  it('reports every bad broker of the list', () => {
    expect(problemsOf(brokers('[ok:1, bad, "also:bad"]')).map((problem) => problem.path)).toEqual([
      'kafka.brokers[1]',
      'kafka.brokers[2]',
    ]);
  });
});

describe('names', () => {
  expectOne([
    [
      'a topic with a space',
      `${K}  topics: {predictions: "ml predictions"}\n${M}`,
      'kafka.topics.predictions',
      '"ml predictions" is not a valid Kafka topic name; use letters, digits, ".", "_" and "-" (at most 249), e.g. ml.predictions',
    ],
    [
      'the topic ".."',
      `${K}  dlq_topic: ".."\n${M}`,
      'kafka.dlq_topic',
      '".." is not a valid Kafka topic name; use letters, digits, ".", "_" and "-" (at most 249), e.g. ml.predictions.dlq',
    ],
    [
      'a model name starting with "-"',
      'models:\n  - name: -fraud\n',
      'models[0].name',
      '"-fraud" is not a valid model name; start with a letter or digit (any script), then letters, digits, ".", "_", ":" or "-" (at most 128), e.g. fraud-scorer',
    ],
  ]);

  it('accepts model names in any script', () => {
    const config = parseConfig(
      'models:\n  - name: modèle-é\n  - name: 予測モデル\n  - name: модель.v2\n',
      't.yaml',
      {},
    );
    expect(config.models.map((m) => m.name)).toEqual(['modèle-é', '予測モデル', 'модель.v2']);
  });

  it('accepts a model name of 128 characters and refuses 129', () => {
    expect(
      problemsOf(`models:\n  - name: ${'a'.repeat(128)}\n  - name: ${'b'.repeat(129)}\n`).map((p) => p.path),
    ).toEqual(['models[1].name']);
  });
});

describe('structure', () => {
  expectOne([
    [
      'a list for a section',
      `${M}server: [9874]\n`,
      'server',
      'a list is not a mapping; write it as key: value pairs, e.g. {port: 9874}',
    ],
    [
      'a scalar for tls',
      `${K}  tls: "yes"\n${M}`,
      'kafka.tls',
      '"yes" is not a mapping; write it as key: value pairs, e.g. {ca_file: /etc/driftwatch/tls/ca.pem}',
    ],
    [
      'a model written as a name',
      'models:\n  - fraud-scorer\n',
      'models[0]',
      '"fraud-scorer" is not a mapping; write it as key: value pairs, e.g. {name: fraud-scorer}',
    ],
    [
      'models as a mapping',
      'models: {name: a}\n',
      'models',
      'a mapping is not a list of models; use e.g. [{name: fraud-scorer}]',
    ],
    [
      'no models',
      'models: []\n',
      'models',
      'no model is configured; add at least one, e.g. models: [{name: fraud-scorer}]',
    ],
    [
      'an empty file',
      '',
      'models',
      'no model is configured; add at least one, e.g. models: [{name: fraud-scorer}]',
    ],
    [
      'a list for the whole file',
      '- a\n- b\n',
      '',
      'the file holds a list, not a mapping; write sections as key: value pairs, e.g. models: [{name: fraud-scorer}]',
    ],
  ]);
});

describe('checks across keys', () => {
  expectOne([
    [
      'a duplicate model name',
      'models:\n  - name: a\n  - name: b\n  - name: a\n',
      'models[2].name',
      '"a" is already the name of models[0]; give each model a name of its own',
    ],
    [
      'a DLQ that is the predictions topic',
      `${K}  dlq_topic: ml.predictions\n${M}`,
      'kafka.dlq_topic',
      '"ml.predictions" is also the predictions topic, so rejected records would be consumed again; use a topic of its own, e.g. ml.predictions.dlq',
    ],
    [
      'a DLQ that is the (default) features topic',
      `${K}  dlq_topic: ml.features\n${M}`,
      'kafka.dlq_topic',
      '"ml.features" is also the features topic, so rejected records would be consumed again; use a topic of its own, e.g. ml.features.dlq',
    ],
    [
      'the same topic for predictions and features',
      `${K}  topics: {predictions: events, features: events}\n${M}`,
      'kafka.topics.features',
      '"events" is also the predictions topic; use a topic of its own (e.g. ml.features), or null when no model reads feature events',
    ],
  ]);

  it('wants a features topic for feature_source features and both', () => {
    const yaml =
      'kafka:\n  brokers: [a:1]\n  topics: {features: null}\nmodels:\n' +
      '  - name: a\n    feature_source: features\n  - name: b\n    feature_source: both\n' +
      '  - name: c\n    feature_source: predictions\n';
    const fix = 'set kafka.topics.features (e.g. ml.features), or use feature_source: predictions';
    expect(problemsOf(yaml)).toEqual([
      {
        path: 'models[0].feature_source',
        message: `"features" reads feature events, but kafka.topics.features is null; ${fix}`,
      },
      {
        path: 'models[1].feature_source',
        message: `"both" reads feature events, but kafka.topics.features is null; ${fix}`,
      },
    ]);
  });

  it('does not check feature sources when there is no kafka section', () => {
    expect(() => problemsOf('models:\n  - name: a\n    feature_source: both\n')).toThrow(
      'expected the config to be rejected',
    );
  });
});

describe('YAML syntax', () => {
  expectOne([
    [
      'bad indentation',
      'models:\n  - name: a\n   owner: b\n',
      '',
      'YAML syntax error at line 3, column 1: Sequence item without - indicator; check the indentation, quotes and brackets there',
    ],
    [
      'an unclosed flow sequence',
      'models: [{name: a}\nserver: {}\n',
      '',
      'YAML syntax error at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]; check the indentation, quotes and brackets there',
    ],
    [
      'a duplicate key',
      `${M}server: {}\nserver: {}\n`,
      '',
      'YAML syntax error at line 4, column 1: a key appears twice in one mapping; remove or rename one of them',
    ],
    [
      'two documents',
      `${M}---\n${M}`,
      '',
      'YAML syntax error at line 3, column 1: the file holds more than one YAML document; keep one (remove this "---" and merge what follows)',
    ],
    [
      'an alias without an anchor',
      `${M}server: *nope\n`,
      '',
      'Unresolved alias (the anchor must be set before the alias): nope; define each &anchor before its *alias',
    ],
  ]);
});

describe('several problems', () => {
  it('are all reported together, in the order of the file', () => {
    const yaml = [
      'kafka:',
      '  brokers: [localhost, "b:1"]',
      '  grop_id: x',
      '  dlq_topic: ml.predictions',
      '  lag_interval: 10 minutes',
      '  sasl: {mechanism: PLAIN, username: u, password: hunter2}',
      'models:',
      '  - name: a',
      '    feature_source: both',
      '  - name: a',
      '  - name: bad name',
      'server: {port: "9874"}',
      'logging: {level: loud}',
      'alerts: {default_rules: "no"}',
      'limits:',
      '  max_event_bytes: ${MAX_BYTES}',
    ].join('\n');
    expect(problemsOf(yaml)).toEqual([
      { path: 'kafka.brokers[0]', message: '"localhost" has no port; use host:port, e.g. localhost:9092' },
      { path: 'kafka.grop_id', message: 'unknown key "grop_id"; did you mean "group_id"?' },
      {
        path: 'kafka.dlq_topic',
        message:
          '"ml.predictions" is also the predictions topic, so rejected records would be consumed again; use a topic of its own, e.g. ml.predictions.dlq',
      },
      { path: 'kafka.lag_interval', message: '"10 minutes" is not a duration; use e.g. 15s' },
      {
        path: 'kafka.sasl.mechanism',
        message: '"PLAIN" is not one of plain, scram-sha-256, scram-sha-512; use plain (lower case)',
      },
      {
        path: 'kafka.sasl.password',
        message:
          'is written in the file, and secrets do not belong in the config; use password: ${KAFKA_PASSWORD} (from the environment) or password_file',
      },
      {
        path: 'models[1].name',
        message: '"a" is already the name of models[0]; give each model a name of its own',
      },
      {
        path: 'models[2].name',
        message:
          '"bad name" is not a valid model name; start with a letter or digit (any script), then letters, digits, ".", "_", ":" or "-" (at most 128), e.g. fraud-scorer',
      },
      { path: 'server.port', message: '"9874" is a string, not a number; remove the quotes: 9874' },
      {
        path: 'logging.level',
        message: '"loud" is not one of fatal, error, warn, info, debug, trace, silent; use e.g. info',
      },
      {
        path: 'alerts.default_rules',
        message: '"no" is not a boolean; use true or false (without quotes)',
      },
      {
        path: 'limits.max_event_bytes',
        message:
          'environment variable MAX_BYTES is not set; set it, or give a default: ${MAX_BYTES:-default}',
      },
    ]);
  });
});

describe('models[].drift', () => {
  const D = `${M}    drift:\n`;
  expectOne([
    [
      'a p-value of 0',
      `${D}      p_value: 0\n`,
      'models[0].drift.p_value',
      '0 is out of range; use a number above 0 and at most 1, e.g. 0.05',
    ],
    [
      'a quoted threshold',
      `${D}      psi_threshold: "0.25"\n`,
      'models[0].drift.psi_threshold',
      '"0.25" is a string, not a number; remove the quotes: 0.25',
    ],
    [
      'a correction with a typo',
      `${D}      correction: bonferoni\n`,
      'models[0].drift.correction',
      '"bonferoni" is not one of benjamini-hochberg, bonferroni, none; did you mean bonferroni?',
    ],
    [
      'a fractional min_samples',
      `${D}      min_samples: 20.5\n`,
      'models[0].drift.min_samples',
      '20.5 is not a whole number; use e.g. 200',
    ],
    [
      'an unknown key',
      `${D}      psi: 0.3\n`,
      'models[0].drift.psi',
      'unknown key "psi"; remove it (the keys here are psi_threshold, p_value, correction, min_ks_statistic, min_js_distance, min_samples)',
    ],
  ]);

  it('takes every key', () => {
    const yaml =
      `${D}      psi_threshold: 0.25\n      p_value: 0.01\n      correction: none\n` +
      `      min_ks_statistic: 0.05\n      min_js_distance: 0\n      min_samples: 1000\n`;
    expect(parseConfig(yaml, 'a.yaml', {}).models[0]?.drift).toEqual({
      psi: 0.25,
      pValue: 0.01,
      correction: 'none',
      minKsStatistic: 0.05,
      minJsDistance: 0,
      minSamples: 1000,
    });
  });
});

describe('models[] windows', () => {
  expectOne([
    [
      'a window that is not a whole number of steps',
      `${M}    window: 90s\n    step: 1m\n`,
      'models[0].window',
      '1m30s is not a whole number of steps of 1m; make the window a multiple of models[0].step, e.g. window: 1h with step: 1m',
    ],
    [
      'a window shorter than its step (the default step of 1m)',
      `${M}    window: 30s\n`,
      'models[0].window',
      '30s is not a whole number of steps of 1m; make the window a multiple of models[0].step, e.g. window: 1h with step: 1m',
    ],
    [
      'too many steps',
      `${M}    window: 2d\n    step: 1m\n`,
      'models[0].step',
      '2d / 1m is 2880 steps, more than 1440; use a longer step (memory and checkpoints grow with the steps)',
    ],
    [
      'lateness longer than the window',
      `${M}    window: 10m\n    allowed_lateness: 1h\n`,
      'models[0].allowed_lateness',
      '1h is longer than the window (10m); an event that late is outside the window anyway, use at most the window',
    ],
    [
      'an unknown time mode',
      `${M}    time: events\n`,
      'models[0].time',
      '"events" is not one of processing, event; did you mean event?',
    ],
  ]);

  it('takes window, step, time and lateness', () => {
    const yaml = `${M}    window: 2h\n    step: 5m\n    time: event\n    allowed_lateness: 30s\n`;
    expect(parseConfig(yaml, 'a.yaml', {}).models[0]).toMatchObject({
      windowMs: 7_200_000,
      stepMs: 300_000,
      time: 'event',
      allowedLatenessMs: 30_000,
    });
  });
});
