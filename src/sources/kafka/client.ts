/**
 * Builds the kafkajs client from the validated config, with kafkajs' own logging routed to
 * the daemon's structured logger (kafkajs logs to the console by default).
 */
import { Kafka, logLevel, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';

import type { KafkaConfig } from '../../config/types.js';
import { DriftwatchError } from '../../errors.js';

export function createKafka(config: KafkaConfig, logger: Logger): Kafka {
  const options: KafkaJsConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: config.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      const child = logger.child({ component: 'kafkajs', namespace: entry.namespace });
      const fields = { ...extra, timestamp: undefined, logger: undefined };
      if (entry.level <= logLevel.ERROR) child.error(fields, message);
      else if (entry.level === logLevel.WARN) child.warn(fields, message);
      else child.debug(fields, message);
    },
    // A broker restart or a rolling upgrade must not kill the daemon: keep retrying.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8 },
  };
  if (config.tls !== null) {
    options.ssl = {
      rejectUnauthorized: config.tls.rejectUnauthorized,
      ...(config.tls.ca !== undefined ? { ca: [config.tls.ca] } : {}),
      ...(config.tls.cert !== undefined ? { cert: config.tls.cert } : {}),
      ...(config.tls.key !== undefined ? { key: config.tls.key } : {}),
    };
  }
  if (config.sasl !== null) {
    options.sasl = {
      mechanism: config.sasl.mechanism,
      username: config.sasl.username,
      password: config.sasl.password,
    } as SASLOptions;
  }
  return new Kafka(options);
}

/**
 * Runs a connect step, turning kafkajs' failure (after its own retries) into an error that
 * names the brokers and what to check, instead of a library stack trace.
 */
export async function connecting(
  brokers: readonly string[],
  what: string,
  connect: () => Promise<void>,
): Promise<void> {
  try {
    await connect();
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new DriftwatchError(
      'DW_KAFKA_CONNECT',
      `${what}: cannot connect to Kafka at ${brokers.join(', ')}: ${reason}; check kafka.brokers, kafka.tls and kafka.sasl`,
      { retryable: true, cause: error },
    );
  }
}
