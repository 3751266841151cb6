/**
 * Alert rules in the running daemon, end to end against the real broker: a PSI rule on the drift
 * data's `amount`, which fires once the shifted events are in the window, shows in
 * `driftwatch_alerts` and `/api/v1/alerts`, and survives a restart as the same episode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import type { AlertsBody } from '../../src/alerts/engine.js';
import { startDaemon, waitUntil, type DaemonProcess } from '../support/daemon.js';
import { buildBaselineWithCli, eventLines, rows, writeDriftConfig } from '../support/driftData.js';
import { createTopics, kafkaClient, produceRoundRobin, uniqueName } from '../support/kafkaTopics.js';
import { freePort } from '../support/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-alerts-'));
const MODEL = 'fraud';
const RULE = 'AmountPsi';
let kafka: Kafka;
let daemon: DaemonProcess | null = null;
let baselinePath = '';

beforeAll(async () => {
  kafka = kafkaClient(inject('kafkaBootstrap'));
  baselinePath = await buildBaselineWithCli(dir, MODEL, rows(1, 3000));
});

afterAll(() => {
  daemon?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function alerts(d: DaemonProcess): Promise<AlertsBody> {
  return (await (await fetch(`${d.url}/api/v1/alerts`)).json()) as AlertsBody;
}

async function firingGauge(d: DaemonProcess): Promise<number | undefined> {
  return (await d.metrics()).find(
    (s) =>
      s.name === 'driftwatch_alerts' &&
      s.labels.alertname === RULE &&
      s.labels.model === MODEL &&
      s.labels.state === 'firing',
  )?.value;
}

describe('alert rules in the daemon', () => {
  it('fires a PSI rule after a shift, shows it in the gauge and the API, and keeps it across a restart', async () => {
    const topic = uniqueName('it.alerts');
    await createTopics(kafka, [topic]);
    const port = await freePort();
    const config = writeDriftConfig(join(dir, 'driftwatch.yaml'), {
      bootstrap: inject('kafkaBootstrap'),
      topic,
      groupId: uniqueName('it.alerts'),
      port,
      model: MODEL,
      baseline: baselinePath,
      stepSeconds: 1,
      stateDir: join(dir, 'state'),
      extra: `alerts:
  default_rules: false
  rules:
    - name: ${RULE}
      signal: feature_psi
      comparison: ">"
      threshold: 0.2
      features: [amount]
      for: 0s
      severity: critical
      summary: "PSI of {{model}} feature {{feature}} is {{value}}"
      runbook_url: https://runbooks.example/psi
`,
    });
    daemon = await startDaemon(config, port);

    const stable = eventLines(MODEL, rows(2, 1500), Date.now());
    await produceRoundRobin(
      kafka,
      topic,
      stable.map((l) => Buffer.from(l)),
    );
    // The rule's series exist at 0 while nothing fires (a round over part of the stable events
    // may have fired on a small sample; the whole of them does not drift).
    await waitUntil('a round over the stable events', async () => {
      const body = (await (await fetch(`${daemon!.url}/api/v1/models`)).json()) as {
        models: { events: number }[];
      };
      return body.models[0]?.events === 1500;
    });
    await waitUntil('the rule quiet', async () => (await firingGauge(daemon!)) === 0);
    expect((await alerts(daemon)).alerts.filter((a) => a.state !== 'resolved')).toEqual([]);

    const shifted = eventLines(MODEL, rows(3, 1500, 15, 0.9), Date.now());
    await produceRoundRobin(
      kafka,
      topic,
      shifted.map((l) => Buffer.from(l)),
      3,
      1500,
    );
    await waitUntil('the alert firing in the gauge', async () => (await firingGauge(daemon!)) === 1);
    const body = await alerts(daemon);
    expect(body.alerts).toHaveLength(1);
    const alert = body.alerts[0]!;
    expect(alert.labels).toEqual({
      alertname: RULE,
      model: MODEL,
      source: 'predictions',
      feature: 'amount',
      severity: 'critical',
    });
    expect(alert.state).toBe('firing');
    expect(alert.value).toBeGreaterThan(0.2);
    expect(alert.annotations.summary).toMatch(/^PSI of fraud feature amount is \d+(\.\d+)?$/);
    expect(alert.annotations.runbook_url).toBe('https://runbooks.example/psi');
    expect(alert.fired_at).toBe(alert.active_at);
    expect(alert.resolved_at).toBeNull();
    expect(daemon.output()).toContain('alert firing');

    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    daemon = await startDaemon(config, port);
    expect(daemon.output()).toContain('restored the alert states');
    // A round after the restart (on the restored windows) keeps the same episode: not a new one.
    const stoppedAt = Date.parse(body.evaluated_at!);
    await waitUntil('a round after the restart', async () => {
      const at = (await alerts(daemon!)).evaluated_at;
      return at !== null && Date.parse(at) > stoppedAt;
    });
    const after = await alerts(daemon);
    expect(after.alerts.map((a) => [a.state, a.active_at, a.fired_at])).toEqual([
      ['firing', alert.active_at, alert.fired_at],
    ]);
    expect(await firingGauge(daemon)).toBe(1);
    expect(daemon.output()).not.toContain('alert firing');
    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    daemon = null;
  });
});
