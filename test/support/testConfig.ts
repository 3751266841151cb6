/** Writes a daemon config for an integration test into a fresh temporary directory. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MODELS, TEST_MAX_EVENT_BYTES, TEST_MAX_FEATURES } from './eventMix.js';

export interface TestConfig {
  readonly bootstrap: string;
  readonly predictionsTopic: string;
  readonly dlqTopic: string;
  readonly groupId: string;
  readonly port: number;
  /** Baseline files by model name; models without one have no drift statistics. */
  readonly baselines?: Readonly<Record<string, string>>;
  /** The models' window step (default 1s, so evaluations come quickly). */
  readonly step?: string;
  /** YAML appended at the end (e.g. an `alerts` section). */
  readonly extra?: string;
}

export function writeTestConfig(c: TestConfig): string {
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-it-'));
  const file = join(dir, 'driftwatch.yaml');
  writeFileSync(
    file,
    `kafka:
  brokers: ["${c.bootstrap}"]
  client_id: driftwatch-it
  group_id: ${c.groupId}
  topics:
    predictions: ${c.predictionsTopic}
    features: null
  from_beginning: true
  dlq_topic: ${c.dlqTopic}
  lag_interval: 1s
models:
${MODELS.map((m) => {
  const baseline = c.baselines?.[m];
  return `  - name: ${m}\n    window: 10m\n    step: ${c.step ?? '1s'}${baseline === undefined ? '' : `\n    baseline: ${baseline}`}`;
}).join('\n')}
server:
  host: 127.0.0.1
  port: ${c.port}
limits:
  max_event_bytes: ${TEST_MAX_EVENT_BYTES}
  max_features_per_event: ${TEST_MAX_FEATURES}
state:
  directory: ${join(dir, 'state')}
logging:
  level: info
${c.extra ?? ''}`,
  );
  return file;
}
