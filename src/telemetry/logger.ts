/**
 * Structured JSON logs on stdout (one object per line), for log shippers. Nothing logs per
 * event: per-event facts are metrics.
 */
import { pino, type Logger } from 'pino';

import type { LogLevel } from '../config/types.js';

export function createLogger(level: LogLevel, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino(
    {
      level,
      base: { service: 'driftwatch' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
