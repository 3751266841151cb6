/**
 * The drift daemon's evaluation at scale: 100 models x 50 features (40 numeric, 10 categorical),
 * a 1 h window in 1 min steps by processing time, 3 Kafka partitions per model. Measures the feed
 * (events/s into `DriftState.observe`), the evaluation round as the daemon runs it
 * (`EvaluationLoop.runRound`: advance, merge the partitions, evaluate, publish to `DriftMetrics`),
 * the event-loop stalls a round causes, resident memory with the windows full at 1x and 10x the
 * event rate, and one checkpoint encode. Time is the `now` argument: nothing waits for real.
 *
 *   npx tsx --expose-gc bench/evaluation.ts
 *   BENCH_MODELS=20 BENCH_RATE=5 npx tsx --expose-gc bench/evaluation.ts
 *
 * Each scale runs in a child process of its own, so that one's memory cannot be counted in the
 * other's RSS. Environment: BENCH_MODELS (100), BENCH_RATE (events/s per model at 1x: 2),
 * BENCH_SCALES (1,10), BENCH_ROUNDS (10), BENCH_REFERENCE_ROWS (5000), BENCH_CHECKPOINT (1; 0
 * skips the checkpoint encode), BENCH_CHECKPOINT_MODELS (10: the checkpoint is encoded for that
 * many models' windows, so that its copy does not double the memory of a full-scale run). Prints
 * figures and whether each target is met; never asserts.
 */
import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { pino } from 'pino';
import { Registry } from 'prom-client';

import type { DriftEvent } from '../src/decode/event.js';
import { DriftState } from '../src/drift/driftState.js';
import { EvaluationLoop } from '../src/drift/evaluationLoop.js';
import type { DriftModel } from '../src/drift/models.js';
import { evaluateModel } from '../src/evaluate/evaluateModel.js';
import type { ModelEvaluation } from '../src/evaluate/types.js';
import { DriftMetrics } from '../src/telemetry/driftMetrics.js';
import type { ModelWindow } from '../src/windows/modelWindow.js';
import { mergeSnapshots, type WindowSnapshot } from '../src/windows/snapshot.js';
import {
  benchModel,
  CATEGORICAL_FEATURES,
  featurePool,
  NUMERIC_FEATURES,
  predictionEvent,
  STEP_MS,
  STEPS,
} from './evaluationData.js';
import { checkpointFigures, type CheckpointFigures } from './evaluationCheckpoint.js';

const MODELS = Number(process.env.BENCH_MODELS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 2);
const SCALES = (process.env.BENCH_SCALES ?? '1,10').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const REFERENCE_ROWS = Number(process.env.BENCH_REFERENCE_ROWS ?? 5000);
const CHECKPOINT = process.env.BENCH_CHECKPOINT !== '0';
const CHECKPOINT_MODELS = Math.min(MODELS, Number(process.env.BENCH_CHECKPOINT_MODELS ?? 10));
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 3);
const BATCH = 500;
const TOPIC = 'predictions';
/** A step boundary: processing time starts here (2026-11-22T00:00:00Z). */
const T0 = Date.UTC(2026, 10, 22);

const TARGET_ROUND_MS = 200;
const TARGET_STALL_MS = 50;
const TARGET_RSS_MB = 300;
const MB = 1024 * 1024;

/** What one scale's child process reports (the last line of its stdout, as JSON). */
interface ScaleFigures {
  readonly scale: number;
  readonly eventsPerStepPerModel: number;
  readonly layoutSlots: number;
  readonly feedEvents: number;
  readonly feedSeconds: number;
  readonly roundsMs: number[];
  readonly stallMaxMs: number;
  readonly stallP99Ms: number;
  readonly probeMaxGapMs: number;
  readonly probeP99GapMs: number;
  readonly breakdown: Breakdown;
  readonly ksMethods: Record<string, number>;
  readonly rssBaselinesMb: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly arrayBuffersMb: number;
  readonly windowBytes: number;
  readonly windows: number;
  readonly checkpoint: CheckpointFigures | string;
  readonly checkpointModels: number;
}

/** One evaluation pass over every model, piece by piece, outside the loop (ms). */
interface Breakdown {
  readonly snapshotMergeMs: number;
  readonly evaluateMs: number;
  readonly slowestModelMs: number;
  readonly publishMs: number;
  readonly scrapeMs: number;
  readonly scrapeBytes: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with --expose-gc: npx tsx --expose-gc bench/evaluation.ts');
  collect();
  collect();
}

/**
 * Feeds one step of events, `perModel` per model, spread over the partitions in batches of mixed
 * models as a Kafka consumer would hand them over. Returns the seconds spent in `observe`.
 */
function feedStep(
  state: DriftState,
  models: readonly DriftModel[],
  step: number,
  perModel: number,
  pool: readonly Record<string, unknown>[],
  offsets: number[],
  counter: { events: number; next: number },
): number {
  const now = T0 + step * STEP_MS + 1_000;
  let seconds = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const count = Math.floor(perModel / PARTITIONS) + (p < perModel % PARTITIONS ? 1 : 0);
    const total = count * models.length;
    for (let start = 0; start < total; start += BATCH) {
      const batch: DriftEvent[] = [];
      for (let i = start; i < Math.min(total, start + BATCH); i++) {
        const features = pool[counter.next++ % pool.length]!;
        batch.push(predictionEvent(models[i % models.length]!.name, now, features, (i % 97) / 97));
      }
      offsets[p] = offsets[p]! + batch.length;
      const t = performance.now();
      state.observe(batch, { topic: TOPIC, partition: p, nextOffset: String(offsets[p]) }, now);
      seconds += (performance.now() - t) / 1000;
      counter.events += batch.length;
    }
  }
  return seconds;
}

/**
 * The gaps between successive turns of the event loop while it runs (a setImmediate chain, ms):
 * each gap is the longest anything else on the loop could have waited then.
 */
function startProbe(gaps: number[]): () => void {
  let last = performance.now();
  let on = true;
  const tick = (): void => {
    const t = performance.now();
    gaps.push(t - last);
    last = t;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return () => {
    on = false;
  };
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

/**
 * One pass over every model, timed by piece as `DriftState.evaluate` does it: the snapshots of a
 * model's partition windows merged, then `evaluateModel`; then one publish of every evaluation.
 */
function breakdown(state: DriftState, models: readonly DriftModel[]) {
  const byModel = new Map<string, ModelWindow[]>();
  for (const { key, window } of state.windows()) {
    byModel.set(key.model, [...(byModel.get(key.model) ?? []), window]);
  }
  let snapshotMergeMs = 0;
  let evaluateMs = 0;
  let slowestModelMs = 0;
  const evaluations: ModelEvaluation[] = [];
  for (const model of models) {
    let t = performance.now();
    const merged = (byModel.get(model.name) ?? [])
      .map((w) => w.snapshot())
      .reduce((a: WindowSnapshot, b) => mergeSnapshots(a, b));
    const mergeMs = performance.now() - t;
    t = performance.now();
    evaluations.push(
      evaluateModel(model.baseline, merged, model.thresholds, {
        source: 'predictions',
        windowStart: null,
        windowEnd: null,
      }),
    );
    const evalMs = performance.now() - t;
    snapshotMergeMs += mergeMs;
    evaluateMs += evalMs;
    // The unit the loop cannot split: one model's merge and evaluation between two yields.
    slowestModelMs = Math.max(slowestModelMs, mergeMs + evalMs);
  }
  const metrics = new DriftMetrics(new Registry());
  const t = performance.now();
  metrics.publish(evaluations);
  const publishMs = performance.now() - t;
  return { snapshotMergeMs, evaluateMs, slowestModelMs, publishMs };
}

async function runScale(scale: number): Promise<ScaleFigures> {
  const perModel = Math.round(RATE * scale * (STEP_MS / 1000));
  const log = (message: string): void => void process.stderr.write(`[${scale}x] ${message}\n`);
  let t = performance.now();
  const models = Array.from({ length: MODELS }, (_, i) => benchModel(i, REFERENCE_ROWS));
  const pool = featurePool(4096, 7);
  gc();
  const rssBaselines = process.memoryUsage().rss;
  log(`${MODELS} baselines built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const state = new DriftState(models);
  const offsets = Array.from({ length: PARTITIONS }, () => 0);
  const counter = { events: 0, next: 0 };
  let feedSeconds = 0;
  t = performance.now();
  for (let step = 0; step < STEPS; step++) {
    feedSeconds += feedStep(state, models, step, perModel, pool, offsets, counter);
  }
  const feedEvents = counter.events;
  log(`${feedEvents} events fed in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  gc();
  const memory = process.memoryUsage();
  const windowList = state.windows();
  const windowBytes = windowList.reduce((sum, w) => sum + w.window.memoryBytes(), 0);
  const layoutSlots = windowList[0]!.window.snapshot().counts.length;

  let clock = T0 + STEPS * STEP_MS + 50;
  const registry = new Registry();
  const driftMetrics = new DriftMetrics(registry);
  const loop = new EvaluationLoop({
    state: () => state,
    sinks: [{ publish: (round) => driftMetrics.publish(round.evaluations) }],
    observeDuration: (seconds) => driftMetrics.observeEvaluation(seconds),
    countOverrun: () => driftMetrics.countOverrun(),
    logger: pino({ level: 'silent' }),
    clock: () => clock,
  });
  const roundsMs: number[] = [];
  const gaps: number[] = [];
  let stallMaxMs = 0;
  let stallP99Ms = 0;
  let last: ModelEvaluation[] = [];
  // Round 0 warms the JIT up and is not counted; each round is followed by the next step's events.
  for (let r = 0; r <= ROUNDS; r++) {
    const step = STEPS + r;
    clock = T0 + step * STEP_MS + 50;
    // A histogram per round: one re-enabled would count the feed before it in its first delay.
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const roundGaps: number[] = [];
    const stopProbe = startProbe(roundGaps);
    t = performance.now();
    const round = await loop.runRound(true);
    const ms = performance.now() - t;
    stopProbe();
    delay.disable();
    if (r > 0) {
      roundsMs.push(ms);
      gaps.push(...roundGaps);
      stallMaxMs = Math.max(stallMaxMs, delay.max / 1e6);
      stallP99Ms = Math.max(stallP99Ms, delay.percentile(99) / 1e6);
    }
    last = [...round.evaluations];
    feedStep(state, models, step, perModel, pool, offsets, counter);
  }
  log(`rounds: ${roundsMs.map((ms) => ms.toFixed(0)).join(' ')} ms`);

  const ksMethods: Record<string, number> = {};
  for (const e of last)
    for (const f of e.features)
      if (f.ks_method !== null) ksMethods[f.ks_method] = (ksMethods[f.ks_method] ?? 0) + 1;

  const pieces = breakdown(state, models);
  t = performance.now();
  const scrape = await registry.metrics();
  const scrapeMs = performance.now() - t;

  let checkpoint: CheckpointFigures | string = 'skipped (BENCH_CHECKPOINT=0)';
  if (CHECKPOINT) {
    // A part of the models at most, so that the encoded copy does not double a full-scale run's memory.
    const part = new Set(models.slice(0, CHECKPOINT_MODELS).map((m) => m.name));
    const windows = state.windows().filter((w) => part.has(w.key.model));
    checkpoint = await checkpointFigures(windows, state.coveredPositions(), clock);
  }

  return {
    scale,
    eventsPerStepPerModel: perModel,
    layoutSlots,
    feedEvents,
    feedSeconds,
    roundsMs,
    stallMaxMs,
    stallP99Ms,
    probeMaxGapMs: Math.max(...gaps),
    probeP99GapMs: percentile(gaps, 99),
    breakdown: {
      snapshotMergeMs: pieces.snapshotMergeMs,
      evaluateMs: pieces.evaluateMs,
      slowestModelMs: pieces.slowestModelMs,
      publishMs: pieces.publishMs,
      scrapeMs,
      scrapeBytes: scrape.length,
    },
    ksMethods,
    rssBaselinesMb: rssBaselines / MB,
    rssMb: memory.rss / MB,
    heapUsedMb: memory.heapUsed / MB,
    arrayBuffersMb: memory.arrayBuffers / MB,
    windowBytes,
    windows: windowList.length,
    checkpoint,
    checkpointModels: CHECKPOINT_MODELS,
  };
}

const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');

function report(results: readonly ScaleFigures[]): void {
  const first = results[0]!;
  console.log(
    `${MODELS} models x ${NUMERIC_FEATURES + CATEGORICAL_FEATURES} features (${NUMERIC_FEATURES} numeric, ` +
      `${CATEGORICAL_FEATURES} categorical), window ${STEPS} x ${STEP_MS / 1000} s (processing time), ` +
      `${PARTITIONS} partitions per model, baselines of ${REFERENCE_ROWS} rows; ${first.windows} windows of ` +
      `${first.layoutSlots} slots per step`,
  );
  for (const r of results) {
    const b = r.breakdown;
    const methods = Object.entries(r.ksMethods)
      .map(([m, n]) => `${m} ${n}`)
      .join(', ');
    console.log(
      `\n${r.scale}x: ${(RATE * r.scale).toFixed(1)} events/s per model (${r.eventsPerStepPerModel} per step, ` +
        `${r.eventsPerStepPerModel * STEPS} per model window)`,
    );
    console.log(
      `  feed           ${r.feedEvents} events, ${(r.feedEvents / r.feedSeconds / 1000).toFixed(0)} k events/s into DriftState.observe`,
    );
    console.log(
      `  round          median ${median(r.roundsMs).toFixed(1)} ms, max ${Math.max(...r.roundsMs).toFixed(1)} ms ` +
        `over ${r.roundsMs.length} rounds (target <= ${TARGET_ROUND_MS} ms)`,
    );
    console.log(
      `  stall          max ${r.stallMaxMs.toFixed(1)} ms, p99 ${r.stallP99Ms.toFixed(1)} ms (monitorEventLoopDelay, ` +
        `1 ms, worst round); loop turns max ${r.probeMaxGapMs.toFixed(1)} ms, p99 ${r.probeP99GapMs.toFixed(1)} ms ` +
        `(target <= ${TARGET_STALL_MS} ms)`,
    );
    console.log(
      `  one pass       snapshot + merge ${b.snapshotMergeMs.toFixed(1)} ms, evaluateModel ${b.evaluateMs.toFixed(1)} ms, ` +
        `publish ${b.publishMs.toFixed(1)} ms; slowest model ${b.slowestModelMs.toFixed(1)} ms; KS p-values: ${methods}`,
    );
    console.log(
      `  scrape         registry.metrics() ${b.scrapeMs.toFixed(1)} ms, ${(b.scrapeBytes / MB).toFixed(1)} MB of text`,
    );
    console.log(
      `  memory         RSS ${r.rssMb.toFixed(0)} MB after GC (${r.rssBaselinesMb.toFixed(0)} MB before the windows), ` +
        `heap ${r.heapUsedMb.toFixed(0)} MB, array buffers ${r.arrayBuffersMb.toFixed(0)} MB; windows ` +
        `${(r.windowBytes / MB).toFixed(0)} MB (sum of memoryBytes) (target <= ${TARGET_RSS_MB} MB)`,
    );
    const c = r.checkpoint;
    console.log(
      typeof c === 'string'
        ? `  checkpoint     ${c}`
        : `  checkpoint     ${r.checkpointModels} of ${MODELS} models: export ${c.exportMs.toFixed(0)} ms + encode ` +
            `${c.encodeMs.toFixed(0)} ms (synchronous), ${(c.bytes / MB).toFixed(1)} MB, ${c.counts} counts kept ` +
            `of ${c.denseCounts} slots; x ${(MODELS / r.checkpointModels).toFixed(1)} for every model`,
    );
  }
  console.log('\ntargets:');
  for (const r of results) {
    console.log(
      `  ${r.scale}x: round max ${Math.max(...r.roundsMs).toFixed(0)} ms <= ${TARGET_ROUND_MS}: ` +
        `${met(Math.max(...r.roundsMs) <= TARGET_ROUND_MS)}; stall max ${r.stallMaxMs.toFixed(0)} ms <= ` +
        `${TARGET_STALL_MS}: ${met(r.stallMaxMs <= TARGET_STALL_MS)}; RSS ${r.rssMb.toFixed(0)} MB <= ` +
        `${TARGET_RSS_MB}: ${met(r.rssMb <= TARGET_RSS_MB)}`,
    );
  }
  const low = results.find((r) => r.scale === Math.min(...SCALES));
  const high = results.find((r) => r.scale === Math.max(...SCALES));
  if (low !== undefined && high !== undefined && low !== high) {
    const growth = high.rssMb / low.rssMb;
    console.log(
      `  RSS ${high.scale}x / ${low.scale}x = ${growth.toFixed(2)}, window bytes ${high.windowBytes === low.windowBytes ? 'equal' : 'differ'} ` +
        `(target: no growth with the rate, <= 1.10): ${met(growth <= 1.1 && high.windowBytes === low.windowBytes)}`,
    );
  }
}

const scaleArg = process.argv.indexOf('--scale');
if (scaleArg !== -1) {
  const figures = await runScale(Number(process.argv[scaleArg + 1]));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  const results: ScaleFigures[] = [];
  for (const scale of SCALES) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--scale', String(scale)],
      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 16 * MB },
    );
    if (child.status !== 0) {
      console.error(`the ${scale}x run failed (exit ${child.status ?? child.signal})`);
      process.exit(1);
    }
    const lines = child.stdout.trim().split('\n');
    results.push(JSON.parse(lines[lines.length - 1]!) as ScaleFigures);
  }
  report(results);
}
