/**
 * `driftwatch demo`: the whole pipeline on the built-in synthetic stream, serving /metrics
 * and printing a short summary every few seconds. With `--kafka` the same stream is
 * produced into a real broker and consumed back through the Kafka source.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Kafka, Partitioners, logLevel } from 'kafkajs';

import { Daemon, type SourceFactory } from '../app.js';
import { buildBaseline } from '../baseline/build.js';
import { DEFAULT_PSI_BINS } from '../stats/bins.js';
import { DEFAULT_KS_QUANTILES } from '../stats/ksSummary.js';
import type { ModelEvaluation } from '../evaluate/types.js';
import { parseConfig } from '../config/load.js';
import type { DriftwatchConfig } from '../config/types.js';
import { DEMO_MODELS, SyntheticStream } from '../sources/synthetic/stream.js';
import { SyntheticSource } from '../sources/synthetic/syntheticSource.js';
import { histogramQuantile } from '../telemetry/histogramQuantile.js';
import { connecting } from '../sources/kafka/client.js';

export interface DemoOptions {
  readonly port: number;
  readonly rate: number;
  readonly driftAfterSeconds: number;
  readonly durationSeconds: number | null;
  readonly summaryEverySeconds: number;
  readonly kafka: string | null;
  readonly produce: boolean;
  readonly topic: string;
  readonly seed: number;
}

export const DEMO_TOPIC = 'driftwatch.demo.predictions';

/** Training events per demo model: what its baseline is built from. */
const DEMO_TRAINING_EVENTS = 20_000;

/**
 * Builds each demo model's baseline from the synthetic stream before drift (another seed), as
 * `driftwatch baseline build` would from a file of logged events. Returns model -> baseline file.
 */
export async function buildDemoBaselines(
  seed: number,
  dir: string,
  version: string,
): Promise<Record<string, string>> {
  const stream = new SyntheticStream({ seed: seed + 1, driftAt: Number.POSITIVE_INFINITY, invalidShare: 0 });
  const lines = new Map<string, string[]>(DEMO_MODELS.map((m) => [m, []]));
  const now = Date.now();
  while ([...lines.values()].some((l) => l.length < DEMO_TRAINING_EVENTS)) {
    const line = stream.next(now).toString();
    const model = (JSON.parse(line) as { model: string }).model;
    const list = lines.get(model);
    if (list !== undefined && list.length < DEMO_TRAINING_EVENTS) list.push(line);
  }
  const baselines: Record<string, string> = {};
  for (const [model, list] of lines) {
    const input = join(dir, `${model}.train.jsonl`);
    const out = join(dir, `${model}.baseline.json`);
    writeFileSync(input, `${list.join('\n')}\n`);
    await buildBaseline(
      {
        model,
        input,
        out,
        format: 'jsonl',
        modelVersions: [],
        predictionColumn: null,
        overrides: new Map(),
        exclude: new Set(),
        bins: DEFAULT_PSI_BINS,
        ksQuantiles: DEFAULT_KS_QUANTILES,
        maxCategories: 1000,
        delimiter: ',',
        skipBadRows: false,
        memoryLimitBytes: 64 * 1024 * 1024,
        quiet: true,
      },
      { stderr: process.stderr, now: () => new Date(), version },
    );
    baselines[model] = out;
  }
  return baselines;
}

/**
 * The demo's configuration, written as the YAML file a user would write (JSON is YAML) and
 * put through the same loader, so its defaults and validation are the daemon's own.
 */
export function demoConfig(
  options: DemoOptions,
  baselines: Readonly<Record<string, string>> = {},
  stateDirectory = './state',
): DriftwatchConfig {
  const file = {
    ...(options.kafka === null
      ? {}
      : {
          kafka: {
            brokers: options.kafka.split(','),
            client_id: 'driftwatch-demo',
            group_id: 'driftwatch-demo',
            topics: { predictions: options.topic, features: null },
            dlq_topic: `${options.topic}.dlq`,
            lag_interval: '5s',
          },
        }),
    // A short window in short steps, so that the injected drift shows within seconds.
    models: DEMO_MODELS.map((name) => ({
      name,
      ...(baselines[name] === undefined ? {} : { baseline: baselines[name], window: '1m', step: '5s' }),
    })),
    server: { host: '127.0.0.1', port: options.port },
    state: { directory: stateDirectory },
    logging: { level: 'warn' },
  };
  return parseConfig(JSON.stringify(file), 'demo configuration', {});
}

/** Runs the demo until `durationSeconds` pass or SIGINT/SIGTERM; resolves when stopped. */
export async function runDemo(
  options: DemoOptions,
  logger: Logger,
  version: string,
  out: NodeJS.WritableStream,
): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'driftwatch-demo-'));
  const baselines = await buildDemoBaselines(options.seed, work, version);
  const config = demoConfig(options, baselines, join(work, 'state'));
  const stream = new SyntheticStream({
    seed: options.seed,
    driftAt: Date.now() + options.driftAfterSeconds * 1000,
    invalidShare: 0.005,
  });

  if (options.kafka !== null)
    await ensureDemoTopics(options.kafka.split(','), [options.topic, `${options.topic}.dlq`]);
  let producer: SyntheticProducer | null = null;
  let source: SourceFactory | undefined;
  if (options.kafka === null) {
    source = (next) => new SyntheticSource(stream, options.topic, options.rate, next, logger);
  } else if (options.produce) {
    producer = new SyntheticProducer(stream, options.kafka.split(','), options.topic, options.rate, logger);
  }
  const daemon = new Daemon({ config, logger, version, ...(source !== undefined ? { source } : {}) });
  await daemon.start();
  await producer?.start();

  out.write(
    `driftwatch demo: ${options.kafka === null ? 'in-process synthetic stream' : `Kafka ${options.kafka}, topic ${options.topic}`}, ` +
      `${options.rate} events/s, drift injected after ${options.driftAfterSeconds}s\n` +
      `metrics: http://127.0.0.1:${daemon.server.port}/metrics   (Ctrl-C to stop)\n`,
  );
  const summary = new Summary(daemon.registry, out, () => daemon.evaluations.modelsBody().models);
  const timer = setInterval(() => void summary.print(), options.summaryEverySeconds * 1000);

  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (options.durationSeconds !== null) setTimeout(done, options.durationSeconds * 1000).unref();
  });
  clearInterval(timer);
  await producer?.stop();
  await summary.print();
  await daemon.stop();
  rmSync(work, { recursive: true, force: true });
}

/** The demo's own topics, created when missing (a real deployment provisions its topics). */
async function ensureDemoTopics(brokers: string[], topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'driftwatch-demo-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await connecting(brokers, 'demo', () => admin.connect());
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: 3 })),
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Produces the synthetic stream into a topic at a fixed rate (demo --kafka). */
class SyntheticProducer {
  private readonly producer;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly stream: SyntheticStream,
    brokers: string[],
    private readonly topic: string,
    private readonly rate: number,
    private readonly logger: Logger,
  ) {
    this.producer = new Kafka({
      clientId: 'driftwatch-demo-producer',
      brokers,
      logLevel: logLevel.NOTHING,
    }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    const perTick = Math.max(1, Math.round(this.rate / 10));
    this.timer = setInterval(() => void this.tick(perTick), 100);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.producer.disconnect();
  }

  private async tick(n: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = Date.now();
      const messages = Array.from({ length: n }, () => ({ value: this.stream.next(now) }));
      await this.producer.send({ topic: this.topic, messages });
    } catch (error) {
      this.logger.warn({ err: error }, 'demo producer could not send');
    } finally {
      this.busy = false;
    }
  }
}

interface Snapshot {
  readonly at: number;
  readonly values: Map<string, number>;
}

/** Prints per-model figures computed from the daemon's own metrics over the last interval. */
class Summary {
  private previous: Snapshot | null = null;
  private readonly started = Date.now();

  constructor(
    private readonly registry: Registry,
    private readonly out: NodeJS.WritableStream,
    private readonly evaluations: () => readonly ModelEvaluation[],
  ) {}

  async print(): Promise<void> {
    const now: Snapshot = { at: Date.now(), values: await this.read() };
    const prev = this.previous ?? { at: this.started, values: new Map<string, number>() };
    this.previous = now;
    const delta = (key: string): number => (now.values.get(key) ?? 0) - (prev.values.get(key) ?? 0);
    const seconds = Math.max(0.001, (now.at - prev.at) / 1000);
    const consumed = sumPrefix(now.values, 'consumed|') - sumPrefix(prev.values, 'consumed|');
    const rejected = sumPrefix(now.values, 'rejected|') - sumPrefix(prev.values, 'rejected|');
    const lines = [
      `[${formatElapsed(now.at - this.started)}] ${Math.round(consumed / seconds)} events/s, ${rejected} rejected in the last ${seconds.toFixed(0)}s`,
    ];
    for (const model of DEMO_MODELS) {
      const ok = delta(`pred|${model}|ok`);
      const err = delta(`pred|${model}|error`);
      const total = ok + err;
      if (total === 0) continue;
      const buckets = [...now.values.entries()]
        .filter(([k]) => k.startsWith(`lat|${model}|`))
        .map(([k, v]) => ({ le: Number(k.split('|')[2]), count: v - (prev.values.get(k) ?? 0) }))
        .sort((a, b) => a.le - b.le);
      const p99 = histogramQuantile(0.99, buckets) * 1000;
      const cost = delta(`cost|${model}`);
      const success = delta(`success|${model}`);
      lines.push(
        `  ${model.padEnd(16)} ${String(total).padStart(6)} predictions  errors ${((100 * err) / total).toFixed(1).padStart(5)}%  ` +
          `p99 ${Number.isNaN(p99) ? '  n/a' : p99.toFixed(0).padStart(4)}ms  cost/inference ${(cost / total).toFixed(5)}  ` +
          `cost/success ${success === 0 ? 'n/a' : (cost / success).toFixed(5)}`,
      );
    }
    for (const e of this.evaluations()) {
      const drifted = e.features.filter((f) => f.verdict === 'drift');
      const waiting = e.features.filter((f) => f.verdict === 'insufficient_data').length;
      lines.push(
        `  ${e.model.padEnd(16)} drift: ${
          waiting === e.features.length
            ? `waiting for ${e.features[0]?.n_current ?? 0}/200 values`
            : drifted.length === 0
              ? 'none'
              : drifted.map((f) => `${f.feature} (psi ${f.psi?.toFixed(2) ?? '-'})`).join(', ')
        }`,
      );
    }
    this.out.write(`${lines.join('\n')}\n`);
  }

  private async read(): Promise<Map<string, number>> {
    const values = new Map<string, number>();
    const add = (key: string, v: number): void => void values.set(key, (values.get(key) ?? 0) + v);
    for (const metric of await this.registry.getMetricsAsJSON()) {
      for (const v of metric.values) {
        const l = v.labels as Record<string, string | number>;
        switch (metric.name) {
          case 'driftwatch_events_consumed_total':
            add(`consumed|${l.topic}`, v.value);
            break;
          case 'driftwatch_events_rejected_total':
            add(`rejected|${l.topic}|${l.reason}`, v.value);
            break;
          case 'driftwatch_predictions_total':
            add(`pred|${l.model}|${l.status}`, v.value);
            break;
          case 'driftwatch_inference_cost_total':
            add(`cost|${l.model}`, v.value);
            break;
          case 'driftwatch_task_success_total':
            add(`success|${l.model}`, v.value);
            break;
          case 'driftwatch_prediction_latency_seconds':
            if (
              (v as { metricName?: string }).metricName === 'driftwatch_prediction_latency_seconds_bucket'
            ) {
              add(`lat|${l.model}|${l.le === '+Inf' ? 'Infinity' : l.le}`, v.value);
            }
            break;
        }
      }
    }
    return values;
  }
}

function sumPrefix(values: Map<string, number>, prefix: string): number {
  let sum = 0;
  for (const [k, v] of values) if (k.startsWith(prefix)) sum += v;
  return sum;
}

function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
