/**
 * Deterministic training rows and prediction events for the drift tests: `amount` (numeric),
 * `age` (numeric, integers), `color` (categorical), `flag` (boolean) and a score. A shift moves
 * `amount` and makes `color` mostly red; `age`, `flag` and the score never change.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { normalSample, seededRandom } from '../unit/stats/vectors.js';
import { execCli } from './cli.js';

const COLORS = ['blue', 'green', 'red'] as const;

export interface Rows {
  readonly amount: number[];
  readonly age: number[];
  readonly color: string[];
  readonly flag: boolean[];
  readonly score: number[];
}

/** `n` rows; `shift` moves `amount` by that much (sd 10), `colorBias` makes red that much more likely. */
export function rows(seed: number, n: number, shift = 0, colorBias = 0): Rows {
  const random = seededRandom(seed);
  const amount = normalSample(random, n, 50 + shift, 10);
  const age = Array.from({ length: n }, () => 18 + Math.floor(random() * 60));
  const color = Array.from({ length: n }, () => {
    const u = random();
    return u < colorBias ? 'red' : COLORS[Math.floor(random() * 3)]!;
  });
  const flag = Array.from({ length: n }, () => random() < 0.3);
  const score = Array.from({ length: n }, () => random());
  return { amount, age, color, flag, score };
}

/** A training CSV of `r` with a header. */
export function writeTrainingCsv(file: string, r: Rows): void {
  const lines = ['amount,age,color,flag,score'];
  for (let i = 0; i < r.amount.length; i++) {
    lines.push(`${r.amount[i]},${r.age[i]},${r.color[i]},${r.flag[i]},${r.score[i]}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Prediction events of `r` in the wire format, event i at `t0 + i * stepMs`. */
export function eventLines(model: string, r: Rows, t0: number, stepMs = 1000): string[] {
  return r.amount.map((amount, i) =>
    JSON.stringify({
      model,
      model_version: '2',
      ts: new Date(t0 + i * stepMs).toISOString(),
      features: { amount, age: r.age[i], color: r.color[i], flag: r.flag[i] },
      prediction: r.score[i],
      latency_ms: 10,
    }),
  );
}

/**
 * Writes a training CSV of `r` into `dir` and builds model `model`'s baseline from it with
 * `driftwatch baseline build` (the built CLI), as a user would. Returns the baseline's path.
 */
export async function buildBaselineWithCli(dir: string, model: string, r: Rows): Promise<string> {
  const csv = join(dir, `${model}.train.csv`);
  const out = join(dir, `${model}.baseline.json`);
  writeTrainingCsv(csv, r);
  const build = await execCli([
    'baseline',
    'build',
    '--model',
    model,
    '--input',
    csv,
    '--prediction-column',
    'score',
    '--out',
    out,
    '--quiet',
  ]);
  if (build.code !== 0) throw new Error(`baseline build exited ${build.code}: ${build.stderr}`);
  return out;
}

export interface DriftConfigOptions {
  readonly bootstrap: string;
  readonly topic: string;
  readonly groupId: string;
  readonly port: number;
  readonly model: string;
  readonly baseline: string;
  readonly stepSeconds: number;
  readonly stateDir: string;
  /** Extra top-level YAML appended as it is (e.g. an `influx:` section). */
  readonly extra?: string;
}

/** A daemon config with one model watching `topic` over a 10-minute window, written to `file`. */
export function writeDriftConfig(file: string, o: DriftConfigOptions): string {
  writeFileSync(
    file,
    `kafka:
  brokers: ["${o.bootstrap}"]
  group_id: ${o.groupId}
  topics: {predictions: ${o.topic}, features: null}
  from_beginning: true
  lag_interval: 1s
models:
  - name: ${o.model}
    baseline: ${o.baseline}
    window: 10m
    step: ${o.stepSeconds}s
server: {host: 127.0.0.1, port: ${o.port}}
state: {directory: ${o.stateDir}}
logging: {level: info}
${o.extra ?? ''}`,
  );
  return file;
}
