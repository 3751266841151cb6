import type { TestProject } from 'vitest/node';
import { DEFAULT_KAFKA_VERSION, startBroker } from '../../scripts/kafka.js';

/**
 * Starts one Kafka broker for the whole integration run (a JVM start costs
 * seconds, too much per file) and hands its address to tests as
 * inject('kafkaBootstrap'). Set KAFKA_BOOTSTRAP to reuse a running broker,
 * e.g. one from `npm run kafka:start`, which makes reruns faster.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.KAFKA_BOOTSTRAP;
  if (external) {
    project.provide('kafkaBootstrap', external);
    project.provide('kafkaVersion', process.env.KAFKA_VERSION || 'unknown');
    return async () => {};
  }

  const version = process.env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
  const broker = await startBroker({ version });
  console.log(`[globalSetup] Kafka ${version} at ${broker.bootstrap}, up in ${broker.startupMs} ms`);
  project.provide('kafkaBootstrap', broker.bootstrap);
  project.provide('kafkaVersion', version);
  return () => broker.stop();
}
