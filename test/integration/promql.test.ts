/**
 * A real Prometheus scrapes a real daemon fed through the real broker, and every example
 * query of docs/metrics.md returns the value the known event mix implies.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { histogramQuantile } from '../../src/telemetry/histogramQuantile.js';
import { LATENCY_BUCKETS_SECONDS } from '../../src/telemetry/metrics.js';
import { startDaemon, waitUntil, type DaemonProcess } from '../support/daemon.js';
import { buildMix, expectedFor, MODELS, type ValidEvent } from '../support/eventMix.js';
import { createTopics, kafkaClient, produceRoundRobin, uniqueName } from '../support/kafkaTopics.js';
import { freePort } from '../support/ports.js';
import { startPrometheus } from '../support/prometheus.js';
import { sumOf } from '../support/promText.js';
import { writeTestConfig } from '../support/testConfig.js';
import { execCli } from '../support/cli.js';

type Prometheus = Awaited<ReturnType<typeof startPrometheus>>;

/** The ```promql blocks of docs/metrics.md: first line a `# title` comment, then the query. */
function documentedQueries(): Map<string, string> {
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const queries = new Map<string, string>();
  for (const m of doc.matchAll(/```promql\n# (.+)\n([\s\S]+?)\n```/g))
    queries.set(m[1] as string, (m[2] as string).trim());
  return queries;
}

let kafka: Kafka;
let daemon: DaemonProcess | null = null;
let prometheus: Prometheus | null = null;

beforeAll(() => {
  kafka = kafkaClient(inject('kafkaBootstrap'));
});

afterAll(async () => {
  await prometheus?.stop();
  daemon?.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('docs/metrics.md queries against a real Prometheus', () => {
  it('returns the values the event mix implies', async () => {
    const topic = uniqueName('it.promql');
    const dlqTopic = uniqueName('it.promql.dlq');
    await createTopics(kafka, [topic, dlqTopic]);
    const port = await freePort();
    // A baseline for fraud-scorer from the mix's own events: its drift gauges exist and stay ok.
    const training = mkdtempSync(join(tmpdir(), 'driftwatch-promql-'));
    writeFileSync(
      join(training, 'train.jsonl'),
      buildMix(4000, 0, 50_000)
        .filter((r) => r.event?.model === 'fraud-scorer')
        .map((r) => r.value?.toString() ?? '')
        .join('\n'),
    );
    const build = await execCli([
      'baseline',
      'build',
      '--model',
      'fraud-scorer',
      '--input',
      join(training, 'train.jsonl'),
      '--out',
      join(training, 'fraud-scorer.json'),
      '--quiet',
    ]);
    expect(build.code, build.stderr).toBe(0);
    const config = writeTestConfig({
      baselines: { 'fraud-scorer': join(training, 'fraud-scorer.json') },
      bootstrap: inject('kafkaBootstrap'),
      predictionsTopic: topic,
      dlqTopic,
      groupId: uniqueName('it.promql'),
      port,
      // A receiver, so that the notification series exist (nothing fires on this mix).
      extra: `alerts:\n  route: {receiver: hook}\n  receivers:\n    - {name: hook, type: webhook, url: "http://127.0.0.1:9/hook"}\n`,
    });
    daemon = await startDaemon(config, port);

    // Phase 1 is in every counter before Prometheus' first scrape, so rate() over the range
    // measures phase 2 only; both phases are whole periods of the mix, with equal proportions.
    const phase1 = buildMix(1000, 50, 0);
    const phase2 = buildMix(9000, 450, 1000);
    await produceRoundRobin(
      kafka,
      topic,
      phase1.map((r) => r.value),
    );
    const consumed = async (n: number) =>
      sumOf(await (daemon as DaemonProcess).metrics(), 'driftwatch_events_consumed_total', { topic }) >= n;
    await waitUntil('phase 1 consumed', () => consumed(phase1.length));

    prometheus = await startPrometheus({ targets: [`127.0.0.1:${port}`], scrapeIntervalSeconds: 1 });
    const p = prometheus;
    const scraped = async (n: number) =>
      (await p.query(`sum(driftwatch_events_consumed_total{topic="${topic}"})`))[0]?.value === n;
    await waitUntil('Prometheus scraped phase 1', () => scraped(phase1.length));
    await sleep(3000);

    await produceRoundRobin(
      kafka,
      topic,
      phase2.map((r) => r.value),
      3,
      phase1.length,
    );
    const total = phase1.length + phase2.length;
    await waitUntil('phase 2 consumed', () => consumed(total));
    await waitUntil('Prometheus scraped phase 2', () => scraped(total));
    await sleep(3000);

    const queries = documentedQueries();
    expect([...queries.keys()]).toEqual(
      expect.arrayContaining([
        'error rate per model (share of predictions with status "error")',
        'p99 latency per model, in seconds',
        'cost per inference per model',
        'cost per successful task per model',
      ]),
    );
    const at = Date.now() / 1000;
    const run = async (title: string) => {
      const results = await p.query(queries.get(title) as string, at);
      expect(results.length, `${title} returned no data`).toBeGreaterThan(0);
      return results;
    };
    const byModel = (rows: Awaited<ReturnType<Prometheus['query']>>) =>
      new Map(rows.map((r) => [r.metric.model ?? r.metric.topic ?? '', r.value]));

    const events = phase2.flatMap((r) => (r.event === null ? [] : [r.event]));
    const of = (model: string): ValidEvent[] => events.filter((e) => e.model === model);

    const errorRate = byModel(await run('error rate per model (share of predictions with status "error")'));
    const p99 = byModel(await run('p99 latency per model, in seconds'));
    const costPerInference = byModel(await run('cost per inference per model'));
    const costPerSuccess = byModel(await run('cost per successful task per model'));
    for (const model of MODELS) {
      const e = of(model);
      const cost = e.reduce((s, x) => s + x.cost, 0);
      expect(errorRate.get(model), model).toBeCloseTo(
        e.filter((x) => x.status === 'error').length / e.length,
        9,
      );
      expect(costPerInference.get(model), model).toBeCloseTo(cost / e.length, 12);
      expect(costPerSuccess.get(model), model).toBeCloseTo(cost / e.filter((x) => x.success).length, 12);
      const x = expectedFor(
        phase2.filter((r) => r.event?.model === model),
        LATENCY_BUCKETS_SECONDS,
      );
      const buckets = [...LATENCY_BUCKETS_SECONDS, Number.POSITIVE_INFINITY].map((le) => ({
        le,
        count:
          le === Number.POSITIVE_INFINITY
            ? e.length
            : [...x.latencyBucket].filter(([k]) => k.endsWith(`|${le}`)).reduce((s, [, n]) => s + n, 0),
      }));
      expect(p99.get(model), model).toBeCloseTo(histogramQuantile(0.99, buckets), 9);
    }

    const rejectedShare = byModel(await run('rejected share of consumed records per topic'));
    expect(rejectedShare.get(topic)).toBeCloseTo(450 / phase2.length, 9);
    const throughput = byModel(await run('throughput: predictions per second per model'));
    for (const model of MODELS) expect(throughput.get(model), model).toBeGreaterThan(0);
    const silence = byModel(
      await run('seconds since the last event per model (a silent model is a broken pipeline)'),
    );
    const newestTs = 1_763_719_200_000 + 9999; // the mix stamps event i at a fixed epoch + i ms
    for (const model of MODELS)
      expect(Math.abs((silence.get(model) as number) - (at - newestTs / 1000))).toBeLessThan(60);
    const lag = byModel(await run('total consumer lag per topic'));
    expect(lag.get(topic)).toBe(0);

    // Drift: the gauges Prometheus holds are the daemon's last evaluation.
    const status = (await (await fetch(`${(daemon as DaemonProcess).url}/api/v1/models`)).json()) as {
      models: { model: string; features: { feature: string; psi: number | null }[] }[];
    };
    const fraud = status.models.find((m) => m.model === 'fraud-scorer');
    expect(fraud?.features.map((f) => f.feature)).toEqual([
      'amount',
      'country',
      'new_customer',
      '__prediction__',
    ]);
    const drifting = byModel(await run('features drifting now per model'));
    expect(drifting.get('fraud-scorer')).toBe(0);
    expect(
      byModel(
        await run('features with insufficient data per model (no verdict until min_samples values)'),
      ).get('fraud-scorer'),
    ).toBe(0);
    expect(byModel(await run('share of drifting features per model')).get('fraud-scorer')).toBe(0);
    const psi = await run("PSI of a model's features");
    expect(new Map(psi.map((r) => [r.metric.feature, r.value]))).toEqual(
      new Map(fraud?.features.map((f) => [f.feature, f.psi])),
    );
    expect((await run('upper bound of the KS statistic per feature')).length).toBe(2); // amount and __prediction__
    expect((await run('p99 evaluation duration, in seconds'))[0]?.value).toBeGreaterThan(0);
    // Alerts: every rule has a series per model in scope; no default rule fires on this mix.
    const firing = byModel(await run('firing alerts per model'));
    for (const model of MODELS) expect(firing.get(model), model).toBe(0);
    // Notifications: nothing was sent, nothing waits.
    const failed = await run('failed notifications per receiver over the last hour');
    expect(failed.map((r) => [r.metric.receiver, r.value])).toEqual([['hook', 0]]);
    expect((await run('age of the oldest notification waiting to be delivered, in seconds'))[0]?.value).toBe(
      0,
    );
  });
});
