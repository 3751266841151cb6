/**
 * Drift in the running daemon, end to end against the real broker: a baseline built by
 * `driftwatch baseline build`, a stream whose `amount` (numeric) and `color` (categorical) shift
 * at a known moment while `age`, `flag` and the score do not, the verdicts and gauges after the
 * shift, and the gauges against what `driftwatch replay` computes on the same events.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import type { FeatureEvaluation, ModelEvaluation } from '../../src/evaluate/types.js';
import type { ReplayReport } from '../../src/report/types.js';
import { execCli } from '../support/cli.js';
import { startDaemon, waitUntil, type DaemonProcess } from '../support/daemon.js';
import { buildBaselineWithCli, eventLines, rows, writeDriftConfig } from '../support/driftData.js';
import { createTopics, kafkaClient, produceRoundRobin, uniqueName } from '../support/kafkaTopics.js';
import { freePort } from '../support/ports.js';
import type { Sample } from '../support/promText.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-drift-'));
const path = (name: string): string => join(dir, name);
let kafka: Kafka;
let daemon: DaemonProcess | null = null;

const MODEL = 'fraud';
const STEP_SECONDS = 2;

let baselinePath = '';

beforeAll(async () => {
  kafka = kafkaClient(inject('kafkaBootstrap'));
  baselinePath = await buildBaselineWithCli(dir, MODEL, rows(1, 3000));
});

afterAll(() => {
  daemon?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A daemon config with one model watching `topic`, a 10-minute window in 2 s steps. */
function writeConfig(topic: string, port: number, stateDir: string): string {
  return writeDriftConfig(path(`driftwatch-${port}.yaml`), {
    bootstrap: inject('kafkaBootstrap'),
    topic,
    groupId: uniqueName('it.drift'),
    port,
    model: MODEL,
    baseline: baselinePath,
    stepSeconds: STEP_SECONDS,
    stateDir,
  });
}

/** `driftwatch replay` of `lines` with the daemon's config (so it evaluates as the daemon does). */
async function replay(config: string, name: string, lines: readonly string[]): Promise<ModelEvaluation> {
  writeFileSync(path(`${name}.jsonl`), lines.join('\n'));
  const run = await execCli([
    'replay',
    '--config',
    config,
    '--baseline',
    baselinePath,
    '--input',
    path(`${name}.jsonl`),
    '--json',
    path(`${name}.json`),
    '--quiet',
  ]);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(readFileSync(path(`${name}.json`), 'utf8')) as ReplayReport).models[0]!;
}

interface ModelsBody {
  evaluated_at: string | null;
  models: ModelEvaluation[];
}

async function models(d: DaemonProcess): Promise<ModelsBody> {
  return (await (await fetch(`${d.url}/api/v1/models`)).json()) as ModelsBody;
}

function featureOf(evaluation: ModelEvaluation | undefined, name: string): FeatureEvaluation {
  const f = evaluation?.features.find((x) => x.feature === name);
  if (f === undefined) throw new Error(`no evaluation of ${name}`);
  return f;
}

/** Waits for an evaluation whose window holds `n` events, and returns it. */
async function evaluationWith(d: DaemonProcess, n: number): Promise<ModelEvaluation> {
  let found: ModelEvaluation | undefined;
  await waitUntil(`an evaluation of ${n} events`, async () => {
    found = (await models(d)).models.find((m) => m.model === MODEL && m.events === n);
    return found !== undefined;
  });
  return found!;
}

function gauge(samples: readonly Sample[], name: string, feature: string): number | undefined {
  return samples.find(
    (s) =>
      s.name === name &&
      s.labels.model === MODEL &&
      s.labels.feature === feature &&
      s.labels.source === 'predictions',
  )?.value;
}

describe('drift in the daemon', () => {
  it('turns the shifted features to drift as soon as the shift is in the window, and the gauges equal replay', async () => {
    const topic = uniqueName('it.drift');
    await createTopics(kafka, [topic]);
    const port = await freePort();
    const config = writeConfig(topic, port, path(`state-${port}`));
    daemon = await startDaemon(config, port);

    const stable = eventLines(MODEL, rows(2, 1500), Date.now());
    await produceRoundRobin(
      kafka,
      topic,
      stable.map((l) => Buffer.from(l)),
    );
    const before = await evaluationWith(daemon, 1500);
    expect(before.features.map((f) => [f.feature, f.verdict])).toEqual([
      ['amount', 'ok'],
      ['age', 'ok'],
      ['color', 'ok'],
      ['flag', 'ok'],
      ['__prediction__', 'ok'],
    ]);

    const shifted = eventLines(MODEL, rows(3, 1500, 15, 0.9), Date.now());
    await produceRoundRobin(
      kafka,
      topic,
      shifted.map((l) => Buffer.from(l)),
      3,
      1500,
    );
    // The first evaluation whose window holds the shifted events already says drift: within a
    // step of them being consumed.
    const after = await evaluationWith(daemon, 3000);
    expect(after.features.map((f) => [f.feature, f.verdict])).toEqual([
      ['amount', 'drift'],
      ['age', 'ok'],
      ['color', 'drift'],
      ['flag', 'ok'],
      ['__prediction__', 'ok'],
    ]);
    expect(featureOf(after, 'amount').psi).toBeGreaterThan(0.2);
    expect(featureOf(after, 'color').psi).toBeGreaterThan(0.2);
    expect(after.drift_share).toBe(0.4);

    // The same events replayed as one window: the same numbers, in the gauges.
    const replayed = await replay(config, 'events', [...stable, ...shifted]);
    const samples = await daemon.metrics();
    for (const f of replayed.features) {
      expect(gauge(samples, 'driftwatch_feature_window_samples', f.feature), f.feature).toBe(f.n_current);
      expect(gauge(samples, 'driftwatch_feature_psi', f.feature), f.feature).toBe(f.psi);
      expect(gauge(samples, 'driftwatch_feature_js_distance', f.feature), f.feature).toBe(f.js_distance);
      expect(gauge(samples, 'driftwatch_feature_ks_statistic', f.feature), f.feature).toBe(
        f.ks_statistic ?? undefined,
      );
      expect(gauge(samples, 'driftwatch_feature_ks_pvalue', f.feature), f.feature).toBe(
        f.ks_pvalue ?? undefined,
      );
      expect(gauge(samples, 'driftwatch_feature_chi2_pvalue', f.feature), f.feature).toBe(
        f.chi2_pvalue ?? undefined,
      );
      expect(gauge(samples, 'driftwatch_feature_drift', f.feature), f.feature).toBe(
        f.verdict === 'drift' ? 1 : 0,
      );
    }
    expect(
      samples.find((s) => s.name === 'driftwatch_model_drift_share' && s.labels.model === MODEL)?.value,
    ).toBe(0.4);
    expect(
      samples.find((s) => s.name === 'driftwatch_baseline_info' && s.labels.model === MODEL)?.labels
        .baseline_id,
    ).toBe(replayed.baseline_id);
    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    daemon = null;
  });

  it('resumes its windows after kill -9 with every event counted once', async () => {
    const topic = uniqueName('it.drift.kill');
    await createTopics(kafka, [topic]);
    const port = await freePort();
    const config = writeConfig(topic, port, path(`state-${port}`));
    daemon = await startDaemon(config, port);

    const part1 = eventLines(MODEL, rows(4, 1500), Date.now());
    await produceRoundRobin(
      kafka,
      topic,
      part1.map((l) => Buffer.from(l)),
    );
    await evaluationWith(daemon, 1500);
    await new Promise((r) => setTimeout(r, 2 * STEP_SECONDS * 1000)); // a checkpoint after it

    // The second part arrives over about 3 s; the daemon is killed while it consumes it.
    const part2 = eventLines(MODEL, rows(5, 3000), Date.now());
    const producing = (async () => {
      for (let i = 0; i < part2.length; i += 150) {
        await produceRoundRobin(
          kafka,
          topic,
          part2.slice(i, i + 150).map((l) => Buffer.from(l)),
          3,
          1500 + i,
        );
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    let seenAtKill = 0;
    await waitUntil('part of the second part consumed', async () => {
      seenAtKill = (await models(daemon!)).models[0]?.events ?? 0;
      return seenAtKill > 1500;
    });
    daemon.kill('SIGKILL');
    await daemon.exited;
    await producing;
    expect(seenAtKill).toBeLessThan(4500); // killed mid-stream

    daemon = await startDaemon(config, port);
    const resumed = await evaluationWith(daemon, 4500);
    await new Promise((r) => setTimeout(r, 2 * STEP_SECONDS * 1000));
    const later = (await models(daemon)).models[0]!;
    expect(later.events).toBe(4500); // nothing counted twice after the resume either
    expect(daemon.output()).toContain('restored the windows from the checkpoint');

    // The window sample counts of an uninterrupted run over the same events.
    const uninterrupted = await replay(config, 'kill', [...part1, ...part2]);
    expect(resumed.features.map((f) => [f.feature, f.n_current, f.psi])).toEqual(
      uninterrupted.features.map((f) => [f.feature, f.n_current, f.psi]),
    );
    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    daemon = null;
  });

  it('reloads its models on SIGHUP, and keeps running the old ones when the new file is bad', async () => {
    const topic = uniqueName('it.drift.hup');
    await createTopics(kafka, [topic]);
    const port = await freePort();
    const config = writeConfig(topic, port, path(`state-${port}`));
    daemon = await startDaemon(config, port);
    await produceRoundRobin(
      kafka,
      topic,
      eventLines(MODEL, rows(6, 300), Date.now()).map((l) => Buffer.from(l)),
    );
    await evaluationWith(daemon, 300);
    // Every feature present and of its type: the only issues are values beyond the baseline's range.
    const issues = (await daemon.metrics()).filter(
      (s) => s.name === 'driftwatch_feature_issues_total' && s.labels.model === MODEL,
    );
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((s) => s.labels.issue === 'out_of_range')).toBe(true);

    // A file whose baseline is missing: refused, the running model goes on.
    const good = readFileSync(config, 'utf8');
    writeFileSync(config, good.replace(baselinePath, path('nope.json')));
    daemon.kill('SIGHUP');
    await waitUntil('the refused reload logged', async () => daemon!.output().includes('reload refused'));
    expect((await models(daemon)).models.map((m) => m.model)).toEqual([MODEL]);

    // A valid file without the model's baseline: its drift series and evaluations go away.
    writeFileSync(config, good.replace(`    baseline: ${baselinePath}\n`, ''));
    daemon.kill('SIGHUP');
    await waitUntil('the model without a baseline gone from the status API', async () => {
      return (await models(daemon!)).models.length === 0;
    });
    const samples = await daemon.metrics();
    const gauges = ['psi', 'window_samples', 'verdict', 'drift', 'ks_pvalue'].map(
      (g) => `driftwatch_feature_${g}`,
    );
    expect(samples.filter((s) => gauges.includes(s.name) && s.labels.model === MODEL)).toEqual([]);
    expect(samples.filter((s) => s.name === 'driftwatch_baseline_info')).toEqual([]);

    // And back: the model is evaluated again, from empty windows (the old ones were dropped).
    writeFileSync(config, good);
    daemon.kill('SIGHUP');
    const back = await evaluationWith(daemon, 0);
    expect(back.model).toBe(MODEL);
    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    daemon = null;
  });

  it('reloads when the configuration file changes, with --watch-config', async () => {
    const topic = uniqueName('it.drift.watch');
    await createTopics(kafka, [topic]);
    const port = await freePort();
    const config = writeConfig(topic, port, path(`state-${port}`));
    daemon = await startDaemon(config, port, ['--watch-config']);
    await evaluationWith(daemon, 0);
    const good = readFileSync(config, 'utf8');
    writeFileSync(config, good.replace(`    baseline: ${baselinePath}\n`, ''));
    await waitUntil('the model without a baseline gone, with no signal sent', async () => {
      return (await models(daemon!)).models.length === 0;
    });
    expect(daemon.output()).toContain('the file changed');
    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    daemon = null;
  });
});
