import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { checkConfig, loadConfig, parseConfig } from '../../../src/config/load.js';
import type { DriftwatchConfig } from '../../../src/config/types.js';
import { ConfigError, DriftwatchError } from '../../../src/errors.js';
import { DEFAULT_RULES, NO_ALERTS } from './alertDefaults.js';
import { MINIMAL } from './helpers.js';

const EXAMPLE = 'config/driftwatch.example.yaml';
/** The window defaults: 1h in 1m steps, processing time, 5m allowed lateness. */
const DEFAULT_WINDOW = {
  windowMs: 3_600_000,
  stepMs: 60_000,
  time: 'processing',
  allowedLatenessMs: 300_000,
  windowKsQuantiles: 50,
} as const;
/** The verdict defaults, pinned here literally so that changing one is a visible decision. */
const DEFAULT_DRIFT = {
  psi: 0.2,
  pValue: 0.05,
  correction: 'benjamini-hochberg',
  minKsStatistic: 0.1,
  minJsDistance: 0.1,
  minSamples: 200,
} as const;
const dir = mkdtempSync(join(tmpdir(), 'driftwatch-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('config/driftwatch.example.yaml', () => {
  it('loads, with a fixed environment, to exactly this object', () => {
    const env = {
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093',
      KAFKA_GROUP_ID: 'driftwatch-prod',
      DRIFTWATCH_PORT: '9900',
      LOG_LEVEL: 'debug',
      WEBHOOK_HMAC_SECRET: 'hook-secret',
      DRIFTWATCH_ADMIN_TOKEN: 'admin-secret',
    };
    const expected: DriftwatchConfig = {
      kafka: {
        brokers: ['kafka-1:9092', 'kafka-2:9093'],
        clientId: 'driftwatch',
        groupId: 'driftwatch-prod',
        topics: { predictions: 'ml.predictions', features: 'ml.features' },
        fromBeginning: false,
        dlqTopic: null,
        tls: null,
        sasl: null,
        connectionTimeoutMs: 10_000,
        sessionTimeoutMs: 30_000,
        lagIntervalMs: 15_000,
      },
      models: [
        {
          name: 'fraud-scorer',
          featureSource: 'predictions',
          owner: 'fraud-hours',
          baseline: 'baselines/fraud-scorer.json',
          ...DEFAULT_WINDOW,
          drift: DEFAULT_DRIFT,
        },
        {
          name: 'churn-predictor',
          featureSource: 'both',
          owner: null,
          baseline: null,
          ...DEFAULT_WINDOW,
          drift: DEFAULT_DRIFT,
        },
      ],
      server: { host: '0.0.0.0', port: 9900 },
      limits: {
        maxEventBytes: 1_048_576,
        maxErrorClassesPerModel: 20,
        maxVersionsPerModel: 20,
        maxFeaturesPerEvent: 1000,
      },
      state: { directory: './state' },
      logging: { level: 'debug' },
      influx: null,
      alerts: {
        rules: [
          ...DEFAULT_RULES,
          {
            name: 'FraudAmountShift',
            signal: 'feature_psi',
            comparison: '>',
            threshold: 0.3,
            models: ['fraud-*'],
            features: ['amount', 'merchant_*'],
            forMs: 600_000,
            resolveHysteresis: 0.02,
            severity: 'critical',
            labels: { team: 'fraud' },
            summary: 'Amounts seen by {{model}} have shifted: PSI of {{feature}} is {{value}}',
            description:
              'The distribution of {{feature}} differs from the training data; check the upstream payment feed.',
            runbookUrl: 'https://runbooks.example.com/driftwatch/fraud-amount-shift',
          },
        ],
        owners: [
          {
            name: 'team-fraud',
            email: ['fraud-team@example.com'],
            receivers: ['owner-email'],
            digest: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' },
          },
          {
            name: 'fraud-oncall',
            email: ['fraud-oncall@example.com'],
            receivers: ['owner-email', 'oncall-webhook'],
            digest: null,
          },
        ],
        schedules: [
          {
            name: 'fraud-hours',
            timezone: 'Europe/Berlin',
            days: ['mon', 'tue', 'wed', 'thu', 'fri'],
            startMinute: 540,
            endMinute: 1080,
            businessHours: 'team-fraud',
            afterHours: 'fraud-oncall',
          },
        ],
        route: {
          receiver: 'owner',
          matchers: [],
          continue: false,
          groupBy: ['alertname', 'model'],
          groupWaitMs: 30_000,
          groupIntervalMs: 300_000,
          repeatIntervalMs: 14_400_000,
          routes: [
            {
              receiver: 'oncall-webhook',
              matchers: [{ name: 'severity', operator: '=', value: 'critical' }],
              continue: true,
              groupBy: ['alertname', 'model'],
              groupWaitMs: 30_000,
              groupIntervalMs: 300_000,
              repeatIntervalMs: 3_600_000,
              routes: [],
            },
            {
              receiver: 'alertmanager',
              matchers: [{ name: 'model', operator: '=~', value: 'fraud-.*' }],
              continue: false,
              groupBy: ['alertname', 'model'],
              groupWaitMs: 30_000,
              groupIntervalMs: 300_000,
              repeatIntervalMs: 14_400_000,
              routes: [],
            },
          ],
        },
        inhibitRules: [
          {
            sourceMatchers: [{ name: 'severity', operator: '=', value: 'critical' }],
            targetMatchers: [{ name: 'severity', operator: '=', value: 'warning' }],
            equal: ['model', 'feature'],
          },
        ],
        receivers: [
          {
            name: 'owner-email',
            type: 'email',
            to: 'owner',
            from: 'driftwatch <driftwatch@example.com>',
            subject: null,
          },
          {
            name: 'oncall-webhook',
            type: 'webhook',
            url: 'https://hooks.example.com/driftwatch',
            hmacSecret: 'hook-secret',
            timeoutMs: 10_000,
          },
          { name: 'alertmanager', type: 'alertmanager', url: 'http://alertmanager:9093', timeoutMs: 10_000 },
        ],
        smtp: {
          host: 'smtp.example.com',
          port: 587,
          secure: false,
          starttls: true,
          username: null,
          password: null,
          poolSize: 5,
          rejectUnauthorized: true,
          from: 'driftwatch <driftwatch@example.com>',
        },
        adminToken: 'admin-secret',
        resolvedNotifications: true,
        defaultRules: true,
        externalUrl: null,
        dashboardUrl: 'https://grafana.example.com/d/driftwatch-model?var-model={{model}}',
        knownGoodAfterMs: 3_600_000,
        delivery: {
          initialBackoffMs: 1000,
          maxBackoffMs: 300_000,
          giveUpAfterMs: 86_400_000,
          alertmanagerResendMs: 60_000,
        },
      },
    };
    expect(loadConfig(EXAMPLE, env)).toEqual(expected);
  });

  it('uses the defaults of its ${VAR:-default} references in an empty environment', () => {
    const config = loadConfig(EXAMPLE, {});
    expect(config.kafka?.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka?.groupId).toBe('driftwatch');
    expect(config.server.port).toBe(9874);
    expect(config.logging.level).toBe('info');
    // Secrets from unset variables with an empty default are absent: no signature, no admin API token.
    expect(config.alerts.receivers[1]).toMatchObject({ name: 'oncall-webhook', hmacSecret: null });
    expect(config.alerts.adminToken).toBeNull();
  });

  it('stays valid with its commented-out tls and sasl sections enabled', () => {
    const pem = (label: string): string => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----`;
    const files = {
      '/etc/driftwatch/tls/ca.pem': pem('CERTIFICATE'),
      '/etc/driftwatch/tls/client.pem': pem('CERTIFICATE'),
      '/etc/driftwatch/tls/client.key': pem('PRIVATE KEY'),
      '/run/secrets/kafka-password': 's3cret',
    };
    let text = readFileSync(EXAMPLE, 'utf8')
      .replace(/^ {2}# tls:\n((?: {2}# {3}.*\n)+)/m, (block) => block.replace(/^ {2}# /gm, '  '))
      .replace(/^ {2}# sasl:\n((?: {2}# {3}.*\n)+)/m, (block) => block.replace(/^ {2}# /gm, '  '));
    for (const [path, contents] of Object.entries(files)) {
      const local = join(dir, path.replace(/\//g, '_'));
      writeFileSync(local, `${contents}\n`);
      text = text.replace(path, local);
    }
    const kafka = parseConfig(text, EXAMPLE, {}).kafka;
    expect(kafka?.tls).toEqual({
      ca: pem('CERTIFICATE'),
      cert: pem('CERTIFICATE'),
      key: pem('PRIVATE KEY'),
      rejectUnauthorized: true,
    });
    expect(kafka?.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'driftwatch', password: 's3cret' });
  });

  it('stays valid with its commented-out influx section enabled, at the documented defaults', () => {
    const token = join(dir, 'influx-token');
    writeFileSync(token, 'user:secret\n');
    const text = readFileSync(EXAMPLE, 'utf8')
      .replace(/^# influx:\n((?:# {3}.*\n?)+)/m, (block) => block.replace(/^# /gm, ''))
      .replace('/run/secrets/influx-token', token);
    expect(parseConfig(text, EXAMPLE, {}).influx).toEqual({
      url: 'http://influxdb:8086',
      token: 'user:secret',
      org: '',
      bucket: 'driftwatch',
      batchSize: 5000,
      flushIntervalMs: 5000,
      maxBufferedPoints: 100_000,
      timeoutMs: 10_000,
    });
  });
});

describe('defaults', () => {
  it('fills every key a minimal file leaves out', () => {
    expect(parseConfig(`kafka:\n  brokers: [localhost:9092]\n${MINIMAL}`, 'min.yaml', {})).toEqual({
      kafka: {
        brokers: ['localhost:9092'],
        clientId: 'driftwatch',
        groupId: 'driftwatch',
        topics: { predictions: 'ml.predictions', features: 'ml.features' },
        fromBeginning: false,
        dlqTopic: null,
        tls: null,
        sasl: null,
        connectionTimeoutMs: 10_000,
        sessionTimeoutMs: 30_000,
        lagIntervalMs: 15_000,
      },
      models: [
        {
          name: 'fraud-scorer',
          featureSource: 'predictions',
          owner: null,
          baseline: null,
          ...DEFAULT_WINDOW,
          drift: DEFAULT_DRIFT,
        },
      ],
      server: { host: '0.0.0.0', port: 9874 },
      limits: {
        maxEventBytes: 1_048_576,
        maxErrorClassesPerModel: 20,
        maxVersionsPerModel: 20,
        maxFeaturesPerEvent: 1000,
      },
      state: { directory: './state' },
      logging: { level: 'info' },
      influx: null,
      alerts: NO_ALERTS,
    });
  });

  it('has no kafka section when the file has none, or an empty one', () => {
    expect(parseConfig(MINIMAL, 'a.yaml', {}).kafka).toBeNull();
    expect(parseConfig(`kafka:\n${MINIMAL}`, 'a.yaml', {}).kafka).toBeNull();
  });

  it('treats a section whose keys are all commented out as empty', () => {
    const config = parseConfig(`${MINIMAL}server:\n  # port: 1234\nlimits:\n`, 'a.yaml', {});
    expect(config.server).toEqual({ host: '0.0.0.0', port: 9874 });
    expect(config.limits.maxEventBytes).toBe(1_048_576);
  });
});

describe('value conversions', () => {
  it('turns durations into milliseconds and sizes into bytes', () => {
    const config = parseConfig(
      [
        'kafka:',
        '  brokers: "a:1,[::1]:9092"',
        '  connection_timeout: 500ms',
        '  session_timeout: 1m30s',
        '  lag_interval: 1h',
        '  tls: true',
        'limits:',
        '  max_event_bytes: 512KiB',
        MINIMAL,
      ].join('\n'),
      'a.yaml',
      {},
    );
    expect(config.kafka?.brokers).toEqual(['a:1', '[::1]:9092']);
    expect(config.kafka?.connectionTimeoutMs).toBe(500);
    expect(config.kafka?.sessionTimeoutMs).toBe(90_000);
    expect(config.kafka?.lagIntervalMs).toBe(3_600_000);
    expect(config.kafka?.tls).toEqual({ rejectUnauthorized: true });
    expect(config.limits.maxEventBytes).toBe(524_288);
  });

  it('accepts a size as a plain number of bytes', () => {
    expect(
      parseConfig(`limits: {max_event_bytes: 2048}\n${MINIMAL}`, 'a.yaml', {}).limits.maxEventBytes,
    ).toBe(2048);
  });
});

describe('the result is frozen', () => {
  it('throws on any mutation, however deep', () => {
    const config = loadConfig(EXAMPLE, {});
    const mutable = config as unknown as {
      logging: { level: string };
      models: { name: string }[];
      kafka: { brokers: string[]; topics: { predictions: string } };
    };
    // Test files are ES modules, so strict mode: writing a frozen property throws.
    expect(() => {
      mutable.logging.level = 'trace';
    }).toThrow(TypeError);
    expect(() => {
      mutable.models.push({ name: 'x' });
    }).toThrow(TypeError);
    expect(() => {
      (mutable.models[0] as { name: string }).name = 'x';
    }).toThrow(TypeError);
    expect(() => {
      mutable.kafka.brokers[0] = 'x:1';
    }).toThrow(TypeError);
    expect(() => {
      mutable.kafka.topics.predictions = 'x';
    }).toThrow(TypeError);
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.logging.level).toBe('info');
  });
});

describe('loadConfig and checkConfig on files', () => {
  it('loadConfig throws DW_CONFIG_READ naming a file it cannot read', () => {
    const missing = join(dir, 'missing.yaml');
    let caught: unknown;
    try {
      loadConfig(missing, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DriftwatchError);
    expect(caught).not.toBeInstanceOf(ConfigError);
    expect((caught as DriftwatchError).code).toBe('DW_CONFIG_READ');
    expect((caught as DriftwatchError).retryable).toBe(false);
    expect((caught as Error).message).toBe(
      `cannot read config file "${missing}" (ENOENT); check the path, or pass another one with --config FILE`,
    );
  });

  it('loadConfig throws a ConfigError naming the file and listing every problem', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server: {port: -1}\nmodels: []\n');
    let caught: unknown;
    try {
      loadConfig(file, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('DW_CONFIG_INVALID');
    expect((caught as ConfigError).message).toBe(
      `${file}: 2 problem(s)\n` +
        '  server.port: -1 is out of range; use a whole number from 0 to 65535, e.g. 9874\n' +
        '  models: no model is configured; add at least one, e.g. models: [{name: fraud-scorer}]',
    );
  });

  it('checkConfig reports ok with the config for a valid file', () => {
    const result = checkConfig(EXAMPLE, {});
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.config?.models.map((model) => model.name)).toEqual(['fraud-scorer', 'churn-predictor']);
  });

  it('checkConfig returns the problems of an invalid file instead of throwing', () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, `${MINIMAL}logging: {levle: debug}\n`);
    expect(checkConfig(file, {})).toEqual({
      ok: false,
      problems: [{ path: 'logging.levle', message: 'unknown key "levle"; did you mean "level"?' }],
      config: null,
    });
  });

  it('checkConfig turns an unreadable file into one top-level problem', () => {
    const missing = join(dir, 'nope.yaml');
    expect(checkConfig(missing, {})).toEqual({
      ok: false,
      problems: [
        {
          path: '',
          message: `cannot read config file "${missing}" (ENOENT); check the path, or pass another one with --config FILE`,
        },
      ],
      config: null,
    });
  });
});
