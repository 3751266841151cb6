import { describe, expect, it } from 'vitest';

import type { Sample } from '../../../src/alerts/signals.js';
import {
  AlertStates,
  conditionHolds,
  fingerprint,
  RESOLVED_RETENTION_MS,
  resolves,
} from '../../../src/alerts/stateMachine.js';
import type { AlertRule, Comparison } from '../../../src/alerts/types.js';
import { DriftwatchError } from '../../../src/errors.js';
import { rule as baseRule } from './rule.js';
import { StateDataError } from '../../../src/state/stateData.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const T0 = 1_700_000_000_000;

const rule = (overrides: Partial<AlertRule> = {}): AlertRule => baseRule({ name: 'psi_high', ...overrides });

const LABELS = {
  alertname: 'psi_high',
  model: 'm',
  source: 'predictions',
  feature: 'amount',
  severity: 'warning',
};
const KEY = fingerprint(LABELS);

function sample(value: number, labels: Record<string, string> = LABELS): Sample {
  return { labels, value };
}

describe('fingerprint', () => {
  it('is the labels sorted by name, values quoted, whatever the insertion order', () => {
    expect(fingerprint({ model: 'm', alertname: 'a', feature: 'x "y"' })).toBe(
      '{alertname="a", feature="x \\"y\\"", model="m"}',
    );
    expect(fingerprint({ b: '1', a: '2' })).toBe(fingerprint({ a: '2', b: '1' }));
    expect(fingerprint({})).toBe('{}');
  });

  it('sorts by code point, not UTF-16 unit: U+E000 before an astral character', () => {
    expect(fingerprint({ '\u{1F600}': '1', '\uE000': '2' })).toBe('{"\uE000"="2", "\u{1F600}"="1"}');
  });

  it('cannot be forged by a value that looks like another label', () => {
    expect(fingerprint({ a: '1", b="2' })).not.toBe(fingerprint({ a: '1', b: '2' }));
    expect(fingerprint({ 'a b': '1' })).toBe('{"a b"="1"}');
  });
});

describe('AlertStates: for', () => {
  it('for=5m: pending at t0, still pending at t0+4m59s, firing at t0+5m', () => {
    const r = rule({ forMs: 5 * MINUTE });
    const states = new AlertStates();
    expect(states.update(r, [sample(0.3)], T0)).toEqual([
      { fingerprint: KEY, labels: LABELS, from: 'inactive', to: 'pending', value: 0.3, at: T0 },
    ]);
    expect(states.update(r, [sample(0.35)], T0 + 4 * MINUTE + 59 * SECOND)).toEqual([]);
    expect(states.alerts()).toEqual([
      {
        fingerprint: KEY,
        labels: LABELS,
        state: 'pending',
        value: 0.35,
        activeAt: T0,
        firedAt: null,
        resolvedAt: null,
        lastEvaluatedAt: T0 + 4 * MINUTE + 59 * SECOND,
      },
    ]);
    expect(states.update(r, [sample(0.4)], T0 + 5 * MINUTE)).toEqual([
      { fingerprint: KEY, labels: LABELS, from: 'pending', to: 'firing', value: 0.4, at: T0 + 5 * MINUTE },
    ]);
    expect(states.get(KEY)).toEqual({
      fingerprint: KEY,
      labels: LABELS,
      state: 'firing',
      value: 0.4,
      activeAt: T0,
      firedAt: T0 + 5 * MINUTE,
      resolvedAt: null,
      lastEvaluatedAt: T0 + 5 * MINUTE,
    });
    expect(states.update(r, [sample(0.5)], T0 + 6 * MINUTE)).toEqual([]);
    expect(states.get(KEY)?.value).toBe(0.5);
  });

  it('for=0 fires at once', () => {
    const states = new AlertStates();
    expect(states.update(rule(), [sample(0.21)], T0)).toEqual([
      { fingerprint: KEY, labels: LABELS, from: 'inactive', to: 'firing', value: 0.21, at: T0 },
    ]);
    expect(states.get(KEY)).toMatchObject({ state: 'firing', activeAt: T0, firedAt: T0 });
  });

  it('a sample not meeting the condition makes no alert', () => {
    const states = new AlertStates();
    expect(states.update(rule(), [sample(0.2)], T0)).toEqual([]);
    expect(states.alerts()).toEqual([]);
  });
});

describe('AlertStates: resolving', () => {
  it('flapping around the threshold within the hysteresis does not resolve', () => {
    const r = rule({ threshold: 0.2, resolveHysteresis: 0.05 });
    const states = new AlertStates();
    states.update(r, [sample(0.25)], T0);
    for (const [i, value] of [0.19, 0.21, 0.16, 0.2, 0.150001, 0.22].entries()) {
      expect(states.update(r, [sample(value)], T0 + (i + 1) * MINUTE), `value ${value}`).toEqual([]);
    }
    expect(states.get(KEY)).toMatchObject({ state: 'firing', value: 0.22, activeAt: T0, firedAt: T0 });
    // 0.15 = threshold - hysteresis: past it by the hysteresis, so it resolves (value <= t - h).
    expect(states.update(r, [sample(0.15)], T0 + 10 * MINUTE)).toEqual([
      { fingerprint: KEY, labels: LABELS, from: 'firing', to: 'resolved', value: 0.15, at: T0 + 10 * MINUTE },
    ]);
    expect(states.get(KEY)).toMatchObject({ state: 'resolved', value: 0.15, resolvedAt: T0 + 10 * MINUTE });
  });

  it('without hysteresis resolves as soon as the condition stops holding', () => {
    const states = new AlertStates();
    states.update(rule(), [sample(0.25)], T0);
    expect(states.update(rule(), [sample(0.2)], T0 + MINUTE).map((t) => t.to)).toEqual(['resolved']);
  });

  it('resolves a firing alert whose sample disappears, with no value', () => {
    const states = new AlertStates();
    states.update(rule(), [sample(0.9)], T0);
    expect(states.update(rule(), [], T0 + MINUTE)).toEqual([
      { fingerprint: KEY, labels: LABELS, from: 'firing', to: 'resolved', value: null, at: T0 + MINUTE },
    ]);
    expect(states.get(KEY)).toMatchObject({ state: 'resolved', value: 0.9, resolvedAt: T0 + MINUTE });
  });

  it('a NaN sample counts as a missing one', () => {
    const states = new AlertStates();
    states.update(rule(), [sample(0.9)], T0);
    expect(states.update(rule(), [sample(Number.NaN)], T0 + MINUTE).map((t) => [t.to, t.value])).toEqual([
      ['resolved', null],
    ]);
  });

  it('a pending alert that stops holding, or loses its sample, drops silently to inactive', () => {
    const r = rule({ forMs: 5 * MINUTE, resolveHysteresis: 0.1 });
    const states = new AlertStates();
    states.update(r, [sample(0.3)], T0);
    // Hysteresis is for firing alerts only: 0.2 is within it, yet the pending alert drops.
    expect(states.update(r, [sample(0.2)], T0 + MINUTE)).toEqual([
      { fingerprint: KEY, labels: LABELS, from: 'pending', to: 'inactive', value: 0.2, at: T0 + MINUTE },
    ]);
    expect(states.alerts()).toEqual([]);
    states.update(r, [sample(0.3)], T0 + 2 * MINUTE);
    expect(states.update(r, [], T0 + 3 * MINUTE).map((t) => [t.from, t.to, t.value])).toEqual([
      ['pending', 'inactive', null],
    ]);
    // Holding again starts the clock again: no firing 5 minutes after the first activeAt.
    states.update(r, [sample(0.3)], T0 + 4 * MINUTE);
    expect(states.update(r, [sample(0.3)], T0 + 8 * MINUTE)).toEqual([]);
    expect(states.update(r, [sample(0.3)], T0 + 9 * MINUTE).map((t) => t.to)).toEqual(['firing']);
  });

  it('keeps a resolved alert for the retention, then forgets it', () => {
    const states = new AlertStates();
    states.update(rule(), [sample(0.9)], T0);
    states.update(rule(), [sample(0.1)], T0 + MINUTE);
    expect(states.update(rule(), [sample(0.1)], T0 + MINUTE + RESOLVED_RETENTION_MS - 1)).toEqual([]);
    expect(states.get(KEY)?.state).toBe('resolved');
    expect(states.update(rule(), [], T0 + MINUTE + RESOLVED_RETENTION_MS)).toEqual([
      {
        fingerprint: KEY,
        labels: LABELS,
        from: 'resolved',
        to: 'inactive',
        value: null,
        at: T0 + MINUTE + RESOLVED_RETENTION_MS,
      },
    ]);
    expect(states.alerts()).toEqual([]);
    expect(RESOLVED_RETENTION_MS).toBe(15 * MINUTE);
  });

  it('firing again after resolving is a new episode with a new activeAt', () => {
    const r = rule({ forMs: 2 * MINUTE });
    const states = new AlertStates();
    states.update(r, [sample(0.5)], T0);
    states.update(r, [sample(0.5)], T0 + 2 * MINUTE);
    states.update(r, [sample(0.1)], T0 + 3 * MINUTE);
    expect(states.update(r, [sample(0.6)], T0 + 4 * MINUTE)).toEqual([
      { fingerprint: KEY, labels: LABELS, from: 'resolved', to: 'pending', value: 0.6, at: T0 + 4 * MINUTE },
    ]);
    expect(states.get(KEY)).toEqual({
      fingerprint: KEY,
      labels: LABELS,
      state: 'pending',
      value: 0.6,
      activeAt: T0 + 4 * MINUTE,
      firedAt: null,
      resolvedAt: null,
      lastEvaluatedAt: T0 + 4 * MINUTE,
    });
    expect(states.update(r, [sample(0.6)], T0 + 6 * MINUTE).map((t) => t.to)).toEqual(['firing']);
    expect(states.get(KEY)).toMatchObject({ activeAt: T0 + 4 * MINUTE, firedAt: T0 + 6 * MINUTE });
  });
});

describe('AlertStates: rules and label sets', () => {
  it('keeps each label set apart and returns transitions in fingerprint order', () => {
    const b = { ...LABELS, feature: 'b' };
    const a = { ...LABELS, feature: 'a' };
    const states = new AlertStates();
    const transitions = states.update(
      rule(),
      [sample(0.3, b), sample(0.1, { ...LABELS, feature: 'c' }), sample(0.4, a)],
      T0,
    );
    expect(transitions.map((t) => [t.labels.feature, t.to, t.value])).toEqual([
      ['a', 'firing', 0.4],
      ['b', 'firing', 0.3],
    ]);
    expect(states.alerts().map((x) => x.labels.feature)).toEqual(['a', 'b']);
  });

  it("an update leaves other rules' alerts alone", () => {
    const other = rule({ name: 'other' });
    const otherLabels = { ...LABELS, alertname: 'other' };
    const states = new AlertStates();
    states.update(rule(), [sample(0.3)], T0);
    states.update(other, [sample(0.3, otherLabels)], T0);
    expect(states.update(rule(), [], T0 + MINUTE).map((t) => t.labels.alertname)).toEqual(['psi_high']);
    expect(states.get(fingerprint(otherLabels))).toMatchObject({ state: 'firing', lastEvaluatedAt: T0 });
  });

  it('refuses a sample of another rule', () => {
    expect(() => new AlertStates().update(rule(), [sample(0.3, { ...LABELS, alertname: 'x' })], T0)).toThrow(
      TypeError,
    );
  });

  it('retainRules resolves the firing alerts of removed rules and forgets all their alerts', () => {
    const states = new AlertStates();
    const pendingRule = rule({ name: 'slow', forMs: MINUTE });
    const slowLabels = { ...LABELS, alertname: 'slow' };
    states.update(rule(), [sample(0.3)], T0);
    states.update(pendingRule, [sample(0.3, slowLabels)], T0);
    states.update(rule({ name: 'kept' }), [sample(0.3, { ...LABELS, alertname: 'kept' })], T0);
    expect(states.retainRules(new Set(['kept']), T0 + MINUTE)).toEqual([
      { fingerprint: KEY, labels: LABELS, from: 'firing', to: 'resolved', value: null, at: T0 + MINUTE },
      {
        fingerprint: fingerprint(slowLabels),
        labels: slowLabels,
        from: 'pending',
        to: 'inactive',
        value: null,
        at: T0 + MINUTE,
      },
    ]);
    expect(states.alerts().map((a) => a.labels.alertname)).toEqual(['kept']);
  });
});

describe('comparisons', () => {
  const cases: [Comparison, number, boolean][] = [
    ['>', 0.3, true],
    ['>', 0.2, false],
    ['>=', 0.2, true],
    ['>=', 0.19, false],
    ['<', 0.1, true],
    ['<', 0.2, false],
    ['<=', 0.2, true],
    ['<=', 0.21, false],
    ['==', 0.2, true],
    ['==', 0.2 + Number.EPSILON, false],
    ['!=', 0.2 + Number.EPSILON, true],
    ['!=', 0.2, false],
  ];
  for (const [comparison, value, holds] of cases) {
    it(`${value} ${comparison} 0.2 is ${holds}, and the state machine agrees`, () => {
      expect(conditionHolds(value, comparison, 0.2)).toBe(holds);
      const states = new AlertStates();
      const transitions = states.update(rule({ comparison, threshold: 0.2 }), [sample(value)], T0);
      expect(transitions.map((t) => t.to)).toEqual(holds ? ['firing'] : []);
    });
  }

  it('NaN meets no condition', () => {
    for (const comparison of ['>', '>=', '<', '<=', '==', '!='] as const) {
      expect(conditionHolds(Number.NaN, comparison, 0.2)).toBe(false);
    }
  });

  it('the hysteresis is on the resolving side of each comparison', () => {
    const at = (comparison: Comparison, value: number) =>
      resolves(value, rule({ comparison, threshold: 1, resolveHysteresis: 0.5 }));
    expect([at('>', 0.51), at('>', 0.5)]).toEqual([false, true]);
    expect([at('>=', 0.5), at('>=', 0.49)]).toEqual([false, true]);
    expect([at('<', 1.49), at('<', 1.5)]).toEqual([false, true]);
    expect([at('<=', 1.5), at('<=', 1.51)]).toEqual([false, true]);
    expect([at('==', 1.5), at('==', 0.5), at('==', 1.51), at('==', 0.49)]).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect([at('!=', 1.2), at('!=', 1)]).toEqual([false, true]);
  });

  it('a firing "<" alert (throughput too low) stays firing inside the hysteresis', () => {
    const r = rule({
      signal: 'throughput_per_second',
      comparison: '<',
      threshold: 1,
      resolveHysteresis: 0.5,
    });
    const labels = { alertname: 'psi_high', model: 'm', severity: 'warning' };
    const states = new AlertStates();
    expect(states.update(r, [sample(0.5, labels)], T0).map((t) => t.to)).toEqual(['firing']);
    expect(states.update(r, [sample(1.4, labels)], T0 + MINUTE)).toEqual([]);
    expect(states.update(r, [sample(1.5, labels)], T0 + 2 * MINUTE).map((t) => t.to)).toEqual(['resolved']);
  });
});

describe('AlertStates: JSON', () => {
  function populated(): AlertStates {
    const states = new AlertStates();
    const slow = rule({ name: 'slow', forMs: 10 * MINUTE });
    states.update(rule(), [sample(0.3), sample(0.9, { ...LABELS, feature: 'b' })], T0);
    states.update(slow, [sample(0.5, { ...LABELS, alertname: 'slow' })], T0);
    states.update(rule(), [sample(0.3)], T0 + MINUTE);
    return states;
  }

  it('round-trips through JSON text to the same alerts and behaviour', () => {
    const states = populated();
    const text = JSON.stringify(states);
    const parsed: unknown = JSON.parse(text);
    expect(parsed).toEqual({ version: 1, alerts: states.alerts() });
    const restored = AlertStates.fromJSON(parsed);
    expect(restored.alerts()).toEqual(states.alerts());
    expect(restored.alerts().map((a) => a.state)).toEqual(['firing', 'resolved', 'pending']);
    expect(JSON.stringify(restored)).toBe(text);
    // The restored pending alert keeps its activeAt: it fires 10 minutes after T0, not after the restart.
    const slow = rule({ name: 'slow', forMs: 10 * MINUTE });
    expect(
      restored
        .update(slow, [sample(0.5, { ...LABELS, alertname: 'slow' })], T0 + 10 * MINUTE)
        .map((t) => t.to),
    ).toEqual(['firing']);
  });

  it('names the bad key of a state it cannot use', () => {
    const good = JSON.parse(JSON.stringify(populated())) as { alerts: Record<string, unknown>[] };
    const broken = (patch: Record<string, unknown>) => ({
      version: 1,
      alerts: [good.alerts[0], { ...good.alerts[1], ...patch }],
    });
    const message = (data: unknown) => {
      try {
        AlertStates.fromJSON(data);
      } catch (error) {
        expect(error).toBeInstanceOf(StateDataError);
        expect(error).toBeInstanceOf(DriftwatchError);
        expect((error as DriftwatchError).code).toBe('DW_INPUT_INVALID');
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(message([])).toBe('expected an object with "version" and "alerts", got []');
    expect(message({ version: 2, alerts: [] })).toBe(
      'version: expected 1, got 2; this file was written by another driftwatch version',
    );
    expect(message({ version: 1 })).toBe('alerts: expected an array, got nothing');
    expect(message(broken({ state: 'burning' }))).toBe(
      'alerts[1].state: expected one of pending, firing, resolved, got "burning"',
    );
    expect(message(broken({ activeAt: '2024' }))).toBe(
      'alerts[1].activeAt: expected epoch milliseconds, got "2024"',
    );
    expect(message(broken({ value: null }))).toBe('alerts[1].value: expected a number, got null');
    expect(message(broken({ labels: { alertname: 3 } }))).toBe(
      'alerts[1].labels: expected an object of strings, got {"alertname":3}',
    );
    expect(message(broken({ labels: { model: 'm' } }))).toBe('alerts[1].labels.alertname is missing');
    expect(message(broken({ resolvedAt: null }))).toBe(
      'alerts[1].resolvedAt: a resolved alert needs a resolvedAt',
    );
    expect(message({ version: 1, alerts: [good.alerts[0], good.alerts[0]] })).toBe(
      `alerts[1]: a second alert with labels ${String(good.alerts[0]!.fingerprint)}`,
    );
  });
});
