/**
 * What an owner's digest covers: the owned models (directly or through a schedule in either role),
 * each model's state from the latest round, the alerts firing now, and the period's transitions.
 */
import { describe, expect, it } from 'vitest';

import { fingerprint, type Transition } from '../../../src/alerts/stateMachine.js';
import type { Labels, Schedule } from '../../../src/alerts/types.js';
import type { AlertSnapshot } from '../../../src/notify/dispatcher.js';
import { digestInput, digestModel, ownedModels, type DigestSources } from '../../../src/notify/digest.js';
import type { RoutingConfig } from '../../../src/notify/routing.js';
import { NO_ALERTS } from '../config/alertDefaults.js';
import { feature, model } from '../report/sampleReport.js';
import { modelConfig } from './modelConfig.js';

const T = Date.parse('2026-05-04T09:00:00Z');
const HOUR = 3_600_000;

function schedule(name: string, businessHours: string, afterHours: string): Schedule {
  return {
    name,
    timezone: 'UTC',
    days: ['mon'],
    startMinute: 540,
    endMinute: 1080,
    businessHours,
    afterHours,
  };
}

const config: RoutingConfig = {
  alerts: {
    ...NO_ALERTS,
    owners: [
      { name: 'team', email: ['team@example.com'], receivers: [], digest: null },
      { name: 'oncall', email: ['oncall@example.com'], receivers: [], digest: null },
    ],
    schedules: [schedule('days', 'team', 'oncall'), schedule('nights', 'oncall', 'team')],
  },
  models: [
    modelConfig('fraud', 'team'),
    modelConfig('churn', 'days'),
    modelConfig('ranker', 'nights'),
    modelConfig('search', 'oncall'),
    modelConfig('orphan', null),
  ],
};

function alert(labels: Labels, state: 'firing' | 'resolved'): AlertSnapshot {
  return {
    fingerprint: fingerprint(labels),
    labels,
    annotations: {},
    state,
    startsAt: T - HOUR,
    endsAt: state === 'resolved' ? T : null,
    value: 0.4,
  };
}

function transition(model: string, to: Transition['to'], at: number): Transition {
  const labels = { alertname: 'Drift', model };
  return { fingerprint: fingerprint(labels), labels, from: 'pending', to, value: 0.4, at };
}

describe('ownedModels', () => {
  it('takes the models named after the owner and those of schedules naming it in either role', () => {
    expect(ownedModels('team', config).map((m) => m.name)).toEqual(['fraud', 'churn', 'ranker']);
    expect(ownedModels('oncall', config).map((m) => m.name)).toEqual(['churn', 'ranker', 'search']);
    expect(ownedModels('nobody', config)).toEqual([]);
  });
});

describe('digestModel', () => {
  const context = { version: 'v3', lastGoodVersion: 'v2' };

  it('is not evaluated without an evaluation of the model', () => {
    expect(digestModel('fraud', [model('churn', [feature({ feature: 'a' })])], [], context)).toEqual({
      name: 'fraud',
      version: 'v3',
      lastGoodVersion: 'v2',
      status: 'not_evaluated',
      driftShare: null,
      driftedFeatures: [],
      firing: [],
    });
  });

  it('drifts when any evaluation drifts, naming the drifted features with their PSI or JS distance', () => {
    const predictions = model('fraud', [
      feature({ feature: 'amount', verdict: 'drift', psi: 0.41 }),
      feature({ feature: 'age' }),
    ]);
    const features = model(
      'fraud',
      [feature({ feature: 'country', type: 'categorical', verdict: 'drift', psi: null, js_distance: 0.3 })],
      { source: 'features' },
    );
    const firing = alert({ alertname: 'Drift', model: 'fraud' }, 'firing');
    const resolved = alert({ alertname: 'Other', model: 'fraud' }, 'resolved');
    const other = alert({ alertname: 'Drift', model: 'churn' }, 'firing');
    const out = digestModel('fraud', [features, predictions], [firing, resolved, other], context);
    expect(out.status).toBe('drift');
    // The predictions evaluation's share, even when it comes second.
    expect(out.driftShare).toBe(0.5);
    expect(out.driftedFeatures).toEqual([
      { source: 'features', feature: 'country', statistic: 'js_distance', value: 0.3 },
      { source: 'predictions', feature: 'amount', statistic: 'psi', value: 0.41 },
    ]);
    expect(out.firing).toEqual([firing]);
  });

  it('is ok, or insufficient_data when no feature has a verdict', () => {
    expect(digestModel('fraud', [model('fraud', [feature({ feature: 'a' })])], [], context).status).toBe(
      'ok',
    );
    const empty = model('fraud', [feature({ feature: 'a', verdict: 'insufficient_data' })]);
    expect(digestModel('fraud', [empty], [], context).status).toBe('insufficient_data');
  });
});

describe('digestInput', () => {
  it("lists the owner's models and their firing and resolved transitions in (from, to]", () => {
    const from = T - 24 * HOUR;
    const sources: DigestSources = {
      config,
      evaluations: [],
      transitions: [
        transition('fraud', 'firing', from), // at the start: the previous digest had it
        transition('fraud', 'firing', from + 1),
        transition('churn', 'pending', from + 2), // never notified
        transition('search', 'firing', from + 3), // not the team's
        transition('ranker', 'resolved', T),
        transition('fraud', 'resolved', T + 1), // after the end
      ],
      alerts: [],
      modelContext: (m) => ({ version: `${m}-v1`, lastGoodVersion: null }),
      externalURL: 'http://dw:9874',
    };
    const input = digestInput('team', 'Europe/Berlin', from, T, sources);
    expect(input.models.map((m) => [m.name, m.version])).toEqual([
      ['fraud', 'fraud-v1'],
      ['churn', 'churn-v1'],
      ['ranker', 'ranker-v1'],
    ]);
    expect(input.events.map((e) => [e.labels.model, e.to, e.at])).toEqual([
      ['fraud', 'firing', from + 1],
      ['ranker', 'resolved', T],
    ]);
    expect([input.owner, input.from, input.to, input.timezone, input.externalURL]).toEqual([
      'team',
      from,
      T,
      'Europe/Berlin',
      'http://dw:9874',
    ]);
  });
});
