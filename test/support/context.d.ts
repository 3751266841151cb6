// Values handed from test/support/globalSetup.ts to tests via inject().
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the broker shared by the integration run. */
    kafkaBootstrap: string;
    /** Kafka version of that broker, or 'unknown' for an external KAFKA_BOOTSTRAP without KAFKA_VERSION. */
    kafkaVersion: string;
  }
}
