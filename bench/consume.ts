/**
 * Throughput of the daemon's consume path against a bare kafkajs consumer that only parses
 * JSON, on the same topic and broker, in the same run. Events carry 20 numeric and 5
 * categorical features. Runs alternate (bare, daemon, bare, daemon, ...) so that machine
 * noise hits both; the medians and their ratio are printed. Then a CPU breakdown of the
 * per-event work outside Kafka (JSON.parse, validation, metrics).
 *
 *   npm run bench                          # starts its own broker
 *   KAFKA_BOOTSTRAP=127.0.0.1:9092 npm run bench
 *   BENCH_EVENTS=200000 BENCH_RUNS=5 npm run bench
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';

import { startBroker } from '../scripts/kafka.js';
import { Daemon } from '../src/app.js';
import { parseConfig } from '../src/config/load.js';
import type { DriftwatchConfig } from '../src/config/types.js';
import { decodeRecord } from '../src/decode/decodeEvent.js';
import type { DriftEvent } from '../src/decode/event.js';
import type { RawRecord } from '../src/decode/record.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { ServingMetrics } from '../src/telemetry/servingMetrics.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PARTITIONS = 3;
const CATEGORIES = ['DE', 'FR', 'GB', 'US', 'ES', 'IT', 'NL', 'PL'];

function makeEvent(i: number, rand: () => number): string {
  const features: Record<string, unknown> = {};
  for (let f = 0; f < 20; f++) features[`num_${f}`] = Math.round(rand() * 1e6) / 1e3;
  for (let f = 0; f < 5; f++) features[`cat_${f}`] = CATEGORIES[Math.floor(rand() * CATEGORIES.length)];
  return JSON.stringify({
    model: i % 4 === 0 ? 'churn-model' : 'fraud-scorer',
    model_version: i % 10 < 8 ? '7' : '8',
    id: `e-${i}`,
    ts: new Date(1_763_719_200_000 + i).toISOString(),
    features,
    prediction: Math.round(rand() * 1e4) / 1e4,
    latency_ms: Math.round(rand() * 5000) / 100,
    status: i % 50 === 0 ? 'error' : 'ok',
    error: i % 50 === 0 ? 'timeout' : null,
    cost: 0.0004,
  });
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

async function produce(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < values.length; i += 2000) {
    await producer.send({ topic, messages: values.slice(i, i + 2000).map((value) => ({ value })) });
  }
  await producer.disconnect();
}

/** The peer: a kafkajs consumer group that parses each value and does nothing else. */
async function bareRun(kafka: Kafka, topic: string, group: string): Promise<number> {
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let n = 0;
  let sink = 0;
  let started = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        if (started === 0) started = performance.now();
        for (const m of batch.messages) {
          const o = JSON.parse((m.value as Buffer).toString('utf8')) as { model: string };
          sink += o.model.length;
        }
        n += batch.messages.length;
        resolveOffset(batch.lastOffset());
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
        ]);
        if (n >= EVENTS) resolve(performance.now());
      },
    });
  });
  const end = await done;
  await consumer.disconnect();
  if (sink === 0) throw new Error('nothing parsed');
  return EVENTS / ((end - started) / 1000);
}

function config(bootstrap: string, topic: string, group: string, stateDir: string): DriftwatchConfig {
  const file = {
    kafka: {
      brokers: [bootstrap],
      client_id: 'bench',
      group_id: group,
      topics: { predictions: topic, features: null },
      from_beginning: true,
    },
    models: [{ name: 'fraud-scorer' }, { name: 'churn-model' }],
    server: { host: '127.0.0.1', port: 0 },
    // A state directory per run: a checkpoint left by the previous run would resume its
    // positions, and this run would find nothing to consume.
    state: { directory: stateDir },
    logging: { level: 'warn' },
  };
  return parseConfig(JSON.stringify(file), 'bench configuration', {});
}

/** The daemon as `driftwatch run` builds it (HTTP server included), consuming the same topic. */
async function daemonRun(bootstrap: string, topic: string, group: string): Promise<number> {
  const stateDir = mkdtempSync(join(tmpdir(), 'driftwatch-bench-state-'));
  const daemon = new Daemon({
    config: config(bootstrap, topic, group, stateDir),
    logger: pino({ level: 'warn' }),
    version: 'bench',
  });
  const consumed = daemon.metrics.eventsConsumed;
  await daemon.start();
  let started = 0;
  const value = async () => (await consumed.get()).values.find((v) => v.labels.topic === topic)?.value ?? 0;
  // Poll finely: the first and the last batch bound the measured interval.
  for (;;) {
    const v = await value();
    if (started === 0 && v > 0) started = performance.now();
    if (v >= EVENTS) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const end = performance.now();
  await daemon.stop();
  rmSync(stateDir, { recursive: true, force: true });
  return EVENTS / ((end - started) / 1000);
}

/** Where the daemon's per-event CPU goes, outside Kafka: microseconds per event. */
async function breakdown(values: string[]): Promise<Record<string, number>> {
  const records: RawRecord[] = values.map((v, i) => ({
    topic: 't',
    partition: 0,
    offset: String(i),
    key: null,
    value: Buffer.from(v),
    headers: {},
    timestamp: 0,
  }));
  const options = {
    models: new Set(['fraud-scorer', 'churn-model']),
    maxEventBytes: 1 << 20,
    maxFeaturesPerEvent: 1000,
  };
  // Best of five passes, after a warm-up pass, so that JIT compilation is not measured.
  const time = (f: () => void): number => {
    f();
    let best = Number.POSITIVE_INFINITY;
    for (let pass = 0; pass < 5; pass++) {
      const t = performance.now();
      f();
      best = Math.min(best, ((performance.now() - t) * 1000) / records.length);
    }
    return best;
  };
  const parse = time(() => {
    for (const r of records) JSON.parse((r.value as Buffer).toString('utf8'));
  });
  let accepted = 0;
  const decode = time(() => {
    for (const r of records) if (decodeRecord(r, 'prediction', options).ok) accepted++;
  });
  if (accepted === 0) throw new Error('nothing decoded');
  const events: DriftEvent[] = [];
  for (const r of records) {
    const res = decodeRecord(r, 'prediction', options);
    if (res.ok) events.push(res.event);
  }
  const stage = new ServingMetrics(createMetrics(new Registry(), { version: 'b', defaultMetrics: false }), {
    maxVersionsPerModel: 20,
    maxErrorClassesPerModel: 20,
  });
  const batches = Array.from({ length: Math.ceil(events.length / 500) }, (_, i) =>
    events.slice(i * 500, i * 500 + 500),
  );
  let metrics = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 6; pass++) {
    const t = performance.now();
    for (const batch of batches) await stage.consume(batch);
    if (pass > 0) metrics = Math.min(metrics, ((performance.now() - t) * 1000) / records.length);
  }
  return {
    'JSON.parse only': parse,
    'decode (utf-8 check + parse + validate)': decode,
    'serving metrics': metrics,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function main(): Promise<void> {
  let bootstrap = process.env.KAFKA_BOOTSTRAP || undefined;
  const broker = bootstrap ? null : await startBroker({});
  bootstrap ??= (broker as { bootstrap: string }).bootstrap;
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });

  const rand = rng(1);
  const values = Array.from({ length: EVENTS }, (_, i) => makeEvent(i, rand));
  const topic = `bench.consume.${Date.now()}`;
  const bytes = values.reduce((s, v) => s + v.length, 0);
  console.log(
    `events: ${EVENTS} (${(bytes / EVENTS).toFixed(0)} bytes each, 20 numeric + 5 categorical features), ${PARTITIONS} partitions, broker ${bootstrap}`,
  );
  await produce(kafka, topic, values);

  const bare: number[] = [];
  const daemon: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    bare.push(await bareRun(kafka, topic, `bench.bare.${run}.${Date.now()}`));
    daemon.push(await daemonRun(bootstrap, topic, `bench.daemon.${run}.${Date.now()}`));
    console.log(
      `run ${run + 1}: bare kafkajs + JSON.parse ${bare.at(-1)?.toFixed(0)} ev/s, driftwatch ${daemon.at(-1)?.toFixed(0)} ev/s`,
    );
  }
  const mb = median(bare);
  const md = median(daemon);
  console.log(
    `\nmedian of ${RUNS}: bare ${mb.toFixed(0)} ev/s, driftwatch ${md.toFixed(0)} ev/s, ratio ${(md / mb).toFixed(3)} (target >= 0.8)`,
  );

  console.log('\nper-event CPU outside Kafka (µs/event, one pass over the same events):');
  for (const [k, v] of Object.entries(await breakdown(values)))
    console.log(`  ${k.padEnd(42)} ${v.toFixed(2)}`);
  await broker?.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
