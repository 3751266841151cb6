/**
 * Every configuration default, as a named constant with its unit. The schema (schema.ts)
 * applies them; docs/config.md and config/driftwatch.example.yaml list the same values
 * (keep the three in step), and test/unit/config/load.test.ts pins them.
 * Durations are in milliseconds, sizes in bytes.
 */

import type { FeatureSource, LogLevel } from './types.js';

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
