/**
 * The validated, frozen runtime configuration. `loadConfig()` (config/load.ts) is the only
 * producer; every other module receives the part it needs from the composition root.
 * YAML keys are snake_case; these runtime types are camelCase.
 */

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
}
