/**
 * The evaluation history in InfluxDB, end to end: a daemon fed through the real broker writes
 * every evaluation to a real InfluxDB, where a Flux query finds the daemon's own numbers; an
 * InfluxDB outage leaves consumption untouched, is counted (failed, then dropped beyond the
 * bound), and writing resumes when the server is back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import type { ModelEvaluation } from '../../src/evaluate/types.js';
import { startDaemon, waitUntil, type DaemonProcess } from '../support/daemon.js';
import { buildBaselineWithCli, eventLines, rows, writeDriftConfig } from '../support/driftData.js';
import { startInflux, type FluxRow, type InfluxHandle } from '../support/influx.js';
import { createTopics, kafkaClient, produceRoundRobin, uniqueName } from '../support/kafkaTopics.js';
import { freePort } from '../support/ports.js';
import type { Sample } from '../support/promText.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-influx-history-'));
const path = (name: string): string => join(dir, name);
let kafka: Kafka;
let influx: InfluxHandle;
let daemon: DaemonProcess | null = null;

const MODEL = 'fraud';
/** Six points a round (the model and five features): the bound holds five rounds. */
const MAX_BUFFERED = 30;

let baselinePath = '';

beforeAll(async () => {
  kafka = kafkaClient(inject('kafkaBootstrap'));
  influx = await startInflux();
  baselinePath = await buildBaselineWithCli(dir, MODEL, rows(1, 3000));
  writeFileSync(path('influx-token'), `${influx.token}\n`);
});

afterAll(async () => {
  daemon?.kill('SIGKILL');
  await influx?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(topic: string, port: number): string {
  return writeDriftConfig(path(`driftwatch-${port}.yaml`), {
    bootstrap: inject('kafkaBootstrap'),
    topic,
    groupId: uniqueName('it.influx'),
    port,
    model: MODEL,
    baseline: baselinePath,
    stepSeconds: 1,
    stateDir: path(`state-${port}`),
    extra: `influx:
  url: ${influx.url}
  token_file: ${path('influx-token')}
  org: ${influx.org}
  bucket: ${influx.bucket}
  batch_size: 12
  flush_interval: 1s
  max_buffered_points: ${MAX_BUFFERED}
  timeout: 2s
`,
  });
}

interface ModelsBody {
  evaluated_at: string | null;
  models: ModelEvaluation[];
}

async function models(d: DaemonProcess): Promise<ModelsBody> {
  return (await (await fetch(`${d.url}/api/v1/models`)).json()) as ModelsBody;
}

function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.reduce((sum, s) => sum + s.value, 0);
}

const points = (d: DaemonProcess, outcome: string): Promise<number> =>
  d.metrics().then((s) => value(s, 'driftwatch_influx_points_total', { outcome }));

/** Every field of every point of `measurement` in [start, stop), one row per field. */
function rowsBetween(measurement: string, start: Date, stop: Date): Promise<FluxRow[]> {
  return influx.query(`
    from(bucket: "${influx.bucket}")
      |> range(start: ${start.toISOString()}, stop: ${stop.toISOString()})
      |> filter(fn: (r) => r._measurement == "${measurement}" and r.model == "${MODEL}")`);
}

/** The points' fields by feature (or "" for the model point): field name to value, with the tags. */
function byPoint(rs: readonly FluxRow[], key: 'feature' | 'model'): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of rs) {
    const k = String(r[key]);
    const fields = out.get(k) ?? { verdict: r.verdict, type: r.type, source: r.source };
    fields[String(r._field)] = r._value;
    out.set(k, fields);
  }
  return out;
}

/** The serving summary's fields as the model point holds them: known values only, `events` renamed. */
function servingFields(evaluation: ModelEvaluation): Record<string, number> {
  const serving = (evaluation as unknown as { serving?: Record<string, unknown> }).serving ?? {};
  const fields: Record<string, number> = {};
  for (const key of [
    'events',
    'error_rate',
    'throughput_per_second',
    'latency_p50_seconds',
    'latency_p95_seconds',
    'latency_p99_seconds',
    'cost_per_inference',
    'cost_per_success',
  ]) {
    const value = serving[key];
    if (typeof value === 'number') fields[key === 'events' ? 'serving_events' : key] = value;
  }
  return fields;
}

describe('InfluxDB history', () => {
  it('writes every evaluation, rides out an outage without slowing consumption, and resumes', async () => {
    const topic = uniqueName('it.influx');
    await createTopics(kafka, [topic]);
    const port = await freePort();
    daemon = await startDaemon(writeConfig(topic, port), port);
    const d = daemon;

    await produceRoundRobin(
      kafka,
      topic,
      eventLines(MODEL, rows(2, 1500), Date.now()).map((l) => Buffer.from(l)),
    );
    let body: ModelsBody | undefined;
    await waitUntil('an evaluation of 1500 events', async () => {
      body = await models(d);
      return body.models.some((m) => m.model === MODEL && m.events === 1500);
    });
    const at = new Date(body!.evaluated_at!);
    const evaluation = body!.models.find((m) => m.model === MODEL)!;

    // The points of that round, with the daemon's own numbers.
    const next = new Date(at.getTime() + 1);
    let featureRows: FluxRow[] = [];
    await waitUntil('the round in InfluxDB', async () => {
      featureRows = await rowsBetween('driftwatch_feature', at, next);
      return featureRows.length > 0;
    });
    const features = byPoint(featureRows, 'feature');
    expect([...features.keys()].sort()).toEqual(evaluation.features.map((f) => f.feature).sort());
    for (const f of evaluation.features) {
      const expected: Record<string, unknown> = {
        verdict: f.verdict,
        type: f.type,
        source: 'predictions',
        n_current: f.n_current,
      };
      for (const field of [
        'psi',
        'ks_statistic',
        'ks_statistic_error_bound',
        'ks_pvalue',
        'ks_pvalue_adjusted',
        'chi2_pvalue',
        'chi2_pvalue_adjusted',
        'js_distance',
        'null_ratio',
        'out_of_range_ratio',
        'unseen_ratio',
      ] as const) {
        if (f[field] !== null) expected[field] = f[field];
      }
      if (f.verdict !== 'insufficient_data') expected.drift = f.verdict === 'drift';
      expect(features.get(f.feature), f.feature).toEqual(expected);
    }
    const model = byPoint(await rowsBetween('driftwatch_model', at, next), 'model').get(MODEL);
    expect(model).toEqual({
      verdict: undefined,
      type: undefined,
      source: 'predictions',
      events: 1500,
      drifted_features: evaluation.drifted_features,
      evaluated_features: evaluation.evaluated_features,
      unknown_features: 0,
      ...(evaluation.drift_share === null ? {} : { drift_share: evaluation.drift_share }),
      ...servingFields(evaluation),
    });
    // One point per round, never the same evaluation twice: consecutive model points are a step apart.
    const times = (await rowsBetween('driftwatch_model', new Date(at.getTime() - 5000), next))
      .filter((r) => r._field === 'events')
      .map((r) => Date.parse(String(r._time)));
    expect(new Set(times).size).toBe(times.length);
    expect(await points(d, 'written')).toBeGreaterThanOrEqual(6);

    // The outage: InfluxDB stops while more events arrive.
    await influx.stopServer();
    const before = await d.metrics();
    const failedBefore = value(before, 'driftwatch_influx_points_total', { outcome: 'failed' });
    const droppedBefore = value(before, 'driftwatch_influx_points_total', { outcome: 'dropped' });
    await produceRoundRobin(
      kafka,
      topic,
      eventLines(MODEL, rows(3, 1500), Date.now()).map((l) => Buffer.from(l)),
      3,
      1500,
    );
    await waitUntil('the window to reach 3000 events during the outage', async () =>
      (await models(d)).models.some((m) => m.model === MODEL && m.events === 3000),
    );
    const consumed = value(await d.metrics(), 'driftwatch_events_consumed_total', { topic });
    expect(consumed).toBe(3000);
    await waitUntil('failed and dropped points, and a full buffer', async () => {
      const s = await d.metrics();
      return (
        value(s, 'driftwatch_influx_points_total', { outcome: 'failed' }) > failedBefore &&
        value(s, 'driftwatch_influx_points_total', { outcome: 'dropped' }) > droppedBefore &&
        value(s, 'driftwatch_influx_buffered_points') === MAX_BUFFERED
      );
    });
    // It stays at the bound while the outage lasts.
    await new Promise((r) => setTimeout(r, 2000));
    expect(value(await d.metrics(), 'driftwatch_influx_buffered_points')).toBe(MAX_BUFFERED);

    // Back again: new points are written.
    const restarted = new Date();
    await influx.startServer();
    const writtenAtRestart = await points(d, 'written');
    await waitUntil(
      'points written after the restart',
      async () => (await points(d, 'written')) > writtenAtRestart,
      45_000,
    );
    await waitUntil('a point of the 3000-event window after the restart', async () => {
      const after = await rowsBetween('driftwatch_model', restarted, new Date(Date.now() + 60_000));
      return after.some((r) => r._field === 'events' && r._value === 3000);
    });
    const output = d.output();
    expect(output.split('cannot write to InfluxDB').length - 1).toBe(1);
    expect(output.split('writing to InfluxDB again').length - 1).toBe(1);

    d.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    daemon = null;
  });
});
