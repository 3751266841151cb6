import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { AlertEngine } from '../../../src/alerts/engine.js';
import type { Transition } from '../../../src/alerts/stateMachine.js';
import type { AlertRule } from '../../../src/alerts/types.js';
import type { PredictionEvent } from '../../../src/decode/event.js';
import { DriftState } from '../../../src/drift/driftState.js';
import type { EvaluationRound } from '../../../src/drift/evaluationLoop.js';
import { WindowStage } from '../../../src/drift/windowStage.js';
import type { FeatureEvaluation, ModelEvaluation } from '../../../src/evaluate/types.js';
import type { AlertSeries } from '../../../src/telemetry/alertMetrics.js';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

const PSI: AlertRule = {
  name: 'PsiHigh',
  signal: 'feature_psi',
  comparison: '>',
  threshold: 0.2,
  models: ['fraud*'],
  features: ['*'],
  forMs: MINUTE,
  resolveHysteresis: 0,
  severity: 'critical',
  labels: { team: 'risk' },
  summary: 'PSI of {{model}} feature {{feature}} is {{value}}',
  description: 'above {{threshold}} ({{source}})',
  runbookUrl: 'https://runbooks.example/psi',
};

const SILENT: AlertRule = {
  ...PSI,
  name: 'NoEvents',
  signal: 'seconds_since_last_event',
  comparison: '>',
  threshold: 900,
  models: ['*'],
  forMs: 0,
  severity: 'warning',
  labels: {},
  summary: 'No events from {{model}} for {{value}}s',
  description: '',
  runbookUrl: null,
};

function feature(name: string, psi: number): FeatureEvaluation {
  return {
    feature: name,
    type: 'numeric',
    n_reference: 1000,
    n_current: 500,
    psi,
    ks_statistic: null,
    ks_statistic_error_bound: null,
    ks_pvalue: null,
    ks_pvalue_adjusted: null,
    ks_method: null,
    chi2_statistic: null,
    chi2_pvalue: null,
    chi2_pvalue_adjusted: null,
    js_distance: null,
    null_ratio: 0,
    out_of_range_ratio: 0,
    unseen_ratio: null,
    verdict: 'ok',
    drift_reasons: [],
    quality: { events: 500, missing: 0, null: 0, nan: 0, wrong_type: 0, out_of_range: 0, unseen: 0 },
    bins: [],
    reference_proportions: [],
    current_proportions: [],
  };
}

function evaluation(model: string, psi: Record<string, number>): ModelEvaluation {
  const features = Object.entries(psi).map(([name, value]) => feature(name, value));
  return {
    model,
    baseline_id: `${model}-b`,
    source: 'predictions',
    window_start: 0,
    window_end: 1,
    events: 500,
    features,
    drifted_features: 0,
    evaluated_features: features.length,
    drift_share: 0,
    drift: false,
    unknown_features: 0,
  };
}

function round(at: number, ...evaluations: ModelEvaluation[]): EvaluationRound {
  return { evaluatedAt: at, evaluations };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Harness {
  engine: AlertEngine;
  series: () => readonly AlertSeries[];
  logs: Record<string, unknown>[];
  lastEventAt: Map<string, number>;
  dir: string;
}

function harness(
  options: { dir?: string; rules?: readonly AlertRule[]; models?: string[]; now?: number } = {},
): Harness {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'driftwatch-alerts-'));
  if (options.dir === undefined) dirs.push(dir);
  let series: readonly AlertSeries[] = [];
  const logs: Record<string, unknown>[] = [];
  const lastEventAt = new Map<string, number>();
  const models = options.models ?? ['fraud', 'churn'];
  const engine = new AlertEngine({
    rules: options.rules ?? [PSI, SILENT],
    directory: dir,
    lastEventAt: () => lastEventAt,
    models: () => models,
    publishSeries: (s) => (series = s),
    logger: pino(
      { level: 'debug' },
      { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
    ),
    clock: () => options.now ?? T0,
  });
  return { engine, series: () => series, logs, lastEventAt, dir };
}

/** The series as `alertname model severity state = value` lines, for exact comparisons. */
function lines(series: readonly AlertSeries[]): string[] {
  return series.map(
    (s) => `${s.labels.alertname} ${s.labels.model} ${s.labels.severity} ${s.labels.state} = ${s.value}`,
  );
}

const FRAUD_AMOUNT =
  '{alertname="PsiHigh", feature="amount", model="fraud", severity="critical", source="predictions", team="risk"}';

describe('AlertEngine', () => {
  it('turns rounds into pending, firing and resolved alerts, hands the transitions on and keeps them', async () => {
    const { engine } = harness();
    await engine.start();
    const seen: Transition[][] = [];
    engine.onTransitions((t) => seen.push([...t]));

    engine.publish(
      round(T0, evaluation('fraud', { amount: 0.3, age: 0.05 }), evaluation('churn', { x: 0.9 })),
    );
    expect(seen).toEqual([
      [
        {
          fingerprint: FRAUD_AMOUNT,
          labels: expect.anything(),
          from: 'inactive',
          to: 'pending',
          value: 0.3,
          at: T0,
        },
      ],
    ]);
    // churn is out of the rule's scope (fraud*): no alert for its PSI of 0.9.
    expect(engine.alerts().map((a) => [a.fingerprint, a.state])).toEqual([[FRAUD_AMOUNT, 'pending']]);

    engine.publish(round(T0 + 30_000, evaluation('fraud', { amount: 0.4 })));
    expect(seen).toHaveLength(1); // still pending: held 30 s of the 60 s

    engine.publish(round(T0 + MINUTE, evaluation('fraud', { amount: 0.35 })));
    expect(seen[1]?.map((t) => [t.from, t.to, t.value, t.at])).toEqual([
      ['pending', 'firing', 0.35, T0 + MINUTE],
    ]);

    engine.publish(round(T0 + 2 * MINUTE, evaluation('fraud', { amount: 0.1 })));
    expect(seen[2]?.map((t) => [t.from, t.to, t.value])).toEqual([['firing', 'resolved', 0.1]]);
    expect(engine.recentTransitions().map((t) => t.to)).toEqual(['pending', 'firing', 'resolved']);
    expect(engine.alertsBody().alerts[0]).toEqual({
      labels: {
        alertname: 'PsiHigh',
        feature: 'amount',
        model: 'fraud',
        severity: 'critical',
        source: 'predictions',
        team: 'risk',
      },
      annotations: {
        summary: 'PSI of fraud feature amount is 0.1',
        description: 'above 0.2 (predictions)',
        runbook_url: 'https://runbooks.example/psi',
      },
      state: 'resolved',
      value: 0.1,
      active_at: new Date(T0).toISOString(),
      fired_at: new Date(T0 + MINUTE).toISOString(),
      resolved_at: new Date(T0 + 2 * MINUTE).toISOString(),
    });
    expect(engine.alertsBody().evaluated_at).toBe(new Date(T0 + 2 * MINUTE).toISOString());
    await engine.stop();
  });

  it('has a 0 series per rule, model in scope and state, and counts the pending and firing alerts', async () => {
    const h = harness();
    await h.engine.start();
    // Before any round: every series at 0, so a query returns 0 rather than no data.
    expect(lines(h.series())).toEqual([
      'NoEvents churn warning firing = 0',
      'NoEvents churn warning pending = 0',
      'NoEvents fraud warning firing = 0',
      'NoEvents fraud warning pending = 0',
      'PsiHigh fraud critical firing = 0',
      'PsiHigh fraud critical pending = 0',
    ]);
    h.lastEventAt.set('churn', T0 - 901_000);
    h.lastEventAt.set('fraud', T0 - 10_000);
    h.engine.publish(round(T0, evaluation('fraud', { amount: 0.3, age: 0.25, n: 0.01 })));
    expect(lines(h.series())).toEqual([
      'NoEvents churn warning firing = 1',
      'NoEvents churn warning pending = 0',
      'NoEvents fraud warning firing = 0',
      'NoEvents fraud warning pending = 0',
      'PsiHigh fraud critical firing = 0',
      'PsiHigh fraud critical pending = 2',
    ]);
    expect(h.engine.alertsBody().alerts.find((a) => a.labels.model === 'churn')?.annotations.summary).toBe(
      'No events from churn for 901s',
    );
    h.engine.publish(round(T0 + MINUTE, evaluation('fraud', { amount: 0.3, age: 0.1, n: 0.01 })));
    expect(lines(h.series()).filter((l) => l.startsWith('PsiHigh'))).toEqual([
      'PsiHigh fraud critical firing = 1',
      'PsiHigh fraud critical pending = 0',
    ]);
    await h.engine.stop();
  });

  it('on setRules ends the alerts of a removed rule and drops its series', async () => {
    const h = harness();
    await h.engine.start();
    h.lastEventAt.set('churn', T0 - 1_000_000);
    h.engine.publish(round(T0, evaluation('fraud', { amount: 0.3 })));
    const transitions = h.engine.setRules([PSI], T0 + 1000);
    expect(transitions.map((t) => [t.labels.alertname, t.labels.model, t.from, t.to])).toEqual([
      ['NoEvents', 'churn', 'firing', 'resolved'],
    ]);
    expect(h.engine.alerts().map((a) => a.labels.alertname)).toEqual(['PsiHigh']);
    expect(lines(h.series())).toEqual([
      'PsiHigh fraud critical firing = 0',
      'PsiHigh fraud critical pending = 1',
    ]);
    await h.engine.stop();
  });

  it('saves the states after a round that changed them, and a restart carries on the same episode', async () => {
    const first = harness({ rules: [{ ...PSI, forMs: 0 }] });
    await first.engine.start();
    expect(existsSync(first.engine.path)).toBe(false); // nothing changed yet, nothing written
    first.engine.publish(round(T0, evaluation('fraud', { amount: 0.3 })));
    await first.engine.saved();
    const saved = JSON.parse(readFileSync(first.engine.path, 'utf8')) as {
      version: number;
      alerts: unknown[];
    };
    expect(saved.version).toBe(1);
    expect(saved.alerts).toEqual([expect.objectContaining({ state: 'firing', activeAt: T0, firedAt: T0 })]);
    // Still firing with a new value: no transition, no save; stop saves the latest value.
    first.engine.publish(round(T0 + MINUTE, evaluation('fraud', { amount: 0.45 })));
    await first.engine.stop();
    expect(JSON.parse(readFileSync(first.engine.path, 'utf8'))).toMatchObject({
      alerts: [{ state: 'firing', value: 0.45, activeAt: T0, lastEvaluatedAt: T0 + MINUTE }],
    });
    expect(readdirSync(first.dir)).toEqual(['alerts.json']); // no temporary file left

    const second = harness({ dir: first.dir, rules: [{ ...PSI, forMs: 0 }], now: T0 + 2 * MINUTE });
    await second.engine.start();
    expect(second.logs.find((l) => l.msg === 'restored the alert states')).toMatchObject({ alerts: 1 });
    expect(lines(second.series())).toContain('PsiHigh fraud critical firing = 1');
    const seen: Transition[][] = [];
    second.engine.onTransitions((t) => seen.push([...t]));
    second.engine.publish(round(T0 + 3 * MINUTE, evaluation('fraud', { amount: 0.4 })));
    expect(seen).toEqual([]); // the same episode: not paged again
    expect(second.engine.alertsBody().alerts.map((a) => [a.state, a.active_at, a.fired_at])).toEqual([
      ['firing', new Date(T0).toISOString(), new Date(T0).toISOString()],
    ]);
    await second.engine.stop();
  });

  it('resolves at start the saved firing alerts of a rule that is no longer configured', async () => {
    const first = harness({ rules: [{ ...PSI, forMs: 0 }] });
    await first.engine.start();
    first.engine.publish(round(T0, evaluation('fraud', { amount: 0.3 })));
    await first.engine.stop();
    const second = harness({ dir: first.dir, rules: [SILENT], now: T0 + MINUTE });
    await second.engine.start();
    expect(second.engine.recentTransitions().map((t) => [t.labels.alertname, t.from, t.to, t.at])).toEqual([
      ['PsiHigh', 'firing', 'resolved', T0 + MINUTE],
    ]);
    expect(second.engine.alerts()).toEqual([]);
    await second.engine.stop();
  });

  it('sets a corrupt state file aside, logs it and starts with no alerts', async () => {
    const h = harness({ now: T0 + 5 });
    writeFileSync(join(h.dir, 'alerts.json'), '{"version": 1, "alerts": [{"state": "firing"');
    writeFileSync(join(h.dir, 'alerts.json.tmp-1-1'), 'partial');
    await h.engine.start();
    expect(readdirSync(h.dir).sort()).toEqual([`alerts.json.corrupt-${T0 + 5}`]);
    expect(readFileSync(join(h.dir, `alerts.json.corrupt-${T0 + 5}`), 'utf8')).toBe(
      '{"version": 1, "alerts": [{"state": "firing"',
    );
    const report = h.logs.find((l) => l.level === 50);
    expect(report?.msg).toBe('the alert state file is unusable and was set aside; starting with no alerts');
    expect(report?.movedTo).toBe(join(h.dir, `alerts.json.corrupt-${T0 + 5}`));
    expect(String(report?.reason)).toContain(`${join(h.dir, 'alerts.json')} is not JSON`);
    expect(h.engine.alerts()).toEqual([]);
  });

  it('sets aside a file of valid JSON that is not alert states, naming the bad key', async () => {
    const h = harness();
    writeFileSync(join(h.dir, 'alerts.json'), JSON.stringify({ version: 1, alerts: [{ labels: {} }] }));
    await h.engine.start();
    expect(readdirSync(h.dir)).toEqual([`alerts.json.corrupt-${T0}`]);
    expect(h.logs.find((l) => l.level === 50)?.reason).toBe(
      `${join(h.dir, 'alerts.json')}: alerts[0].labels.alertname is missing`,
    );
  });

  it('keeps publishing when a listener throws, and bounds the recent transitions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'driftwatch-alerts-'));
    dirs.push(dir);
    const logs: string[] = [];
    const engine = new AlertEngine({
      rules: [{ ...PSI, forMs: 0 }],
      directory: dir,
      lastEventAt: () => new Map(),
      models: () => ['fraud'],
      publishSeries: () => {},
      logger: pino({ level: 'error' }, { write: (line: string) => void logs.push(line) }),
      recentTransitions: 2,
    });
    await engine.start();
    engine.onTransitions(() => {
      throw new Error('listener down');
    });
    engine.publish(round(T0, evaluation('fraud', { a: 0.3, b: 0.3, c: 0.3 })));
    expect(engine.alerts()).toHaveLength(3);
    expect(engine.recentTransitions().map((t) => t.labels.feature)).toEqual(['b', 'c']);
    expect(logs.some((l) => l.includes('an alert transition listener failed'))).toBe(true);
    await engine.stop();
  });
});

describe('WindowStage.lastEventAt, as the engine reads it', () => {
  const event = (model: string): PredictionEvent => ({
    kind: 'prediction',
    model,
    modelVersion: '1',
    id: null,
    ts: 0, // event time plays no part: the silence is measured in processing time
    features: {},
    prediction: null,
    latencyMs: null,
    status: 'ok',
    error: null,
    cost: null,
    success: true,
  });

  it('records when each model was last consumed, baseline or not, and forgets removed models', async () => {
    let now = T0;
    const stage = new WindowStage({ state: () => new DriftState([]), countLate: () => {}, clock: () => now });
    await stage.consume([event('churn'), event('fraud')]);
    now = T0 + 500_000;
    await stage.consume([event('fraud')]);
    expect([...stage.lastEventAt]).toEqual([
      ['churn', T0],
      ['fraud', T0 + 500_000],
    ]);

    const h = harness({ rules: [SILENT] });
    const engine = new AlertEngine({
      rules: [SILENT],
      directory: h.dir,
      lastEventAt: () => stage.lastEventAt,
      models: () => ['churn', 'fraud'],
      publishSeries: () => {},
      logger: pino({ level: 'silent' }),
    });
    await engine.start();
    engine.publish(round(T0 + 901_000));
    expect(engine.alertsBody().alerts.map((a) => [a.labels.model, a.state, a.value])).toEqual([
      ['churn', 'firing', 901],
    ]);
    stage.retainModels(new Set(['fraud']));
    expect([...stage.lastEventAt.keys()]).toEqual(['fraud']);
    await engine.stop();
  });
});
