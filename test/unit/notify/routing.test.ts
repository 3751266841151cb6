import { describe, expect, it } from 'vitest';

import type { AlertInstance } from '../../../src/alerts/stateMachine.js';
import { fingerprint } from '../../../src/alerts/stateMachine.js';
import type { Labels, Matcher, Owner, Route, Schedule } from '../../../src/alerts/types.js';
import type { AlertsConfig, ReceiverConfig } from '../../../src/config/types.js';
import type { AlertSnapshot, Notification } from '../../../src/notify/dispatcher.js';
import {
  alertmanagerTargets,
  alertSnapshots,
  dashboardLink,
  effectiveRoute,
  ownerOnDutyOf,
  planDeliveries,
  routesAlerts,
} from '../../../src/notify/routing.js';
import type { DeliveryPlan, RoutingConfig } from '../../../src/notify/routing.js';
import { rule } from '../alerts/rule.js';
import { NO_ALERTS } from '../config/alertDefaults.js';
import { modelConfig } from './modelConfig.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

// Monday 2026-05-04; Europe/Berlin is on CEST (UTC+2) then, so local 09:00 is 07:00 UTC and
// local 18:00 is 16:00 UTC.
const MONDAY_0900_BERLIN = Date.UTC(2026, 4, 4, 7, 0, 0);
const MONDAY_1200_BERLIN = Date.UTC(2026, 4, 4, 10, 0, 0);
const MONDAY_1800_BERLIN = Date.UTC(2026, 4, 4, 16, 0, 0);
const MONDAY_2200_BERLIN = Date.UTC(2026, 4, 4, 20, 0, 0);
// Saturday 2026-05-09, noon local.
const SATURDAY_1200_BERLIN = Date.UTC(2026, 4, 9, 10, 0, 0);
// Monday 2026-01-12: CET (UTC+1), local 09:00 is 08:00 UTC.
const WINTER_MONDAY_0900_BERLIN = Date.UTC(2026, 0, 12, 8, 0, 0);

function owner(name: string, receivers: string[], email: string[] = []): Owner {
  return { name, email, receivers, digest: null };
}

function eq(name: string, value: string): Matcher {
  return { name, operator: '=', value };
}

function route(receiver: string, matchers: Matcher[] = [], fields: Partial<Route> = {}): Route {
  return {
    receiver,
    matchers,
    continue: false,
    groupBy: ['alertname'],
    groupWaitMs: 10 * SECOND,
    groupIntervalMs: MINUTE,
    repeatIntervalMs: HOUR,
    routes: [],
    ...fields,
  };
}

const RECEIVERS: ReceiverConfig[] = [
  {
    name: 'alice-hook',
    type: 'webhook',
    url: 'http://alice.example/hook',
    hmacSecret: null,
    timeoutMs: 5000,
  },
  { name: 'alice-mail', type: 'email', to: ['alice@example.com'], from: 'dw@example.com', subject: null },
  { name: 'team-am', type: 'alertmanager', url: 'http://am-team.example:9093', timeoutMs: 5000 },
  { name: 'global-am', type: 'alertmanager', url: 'http://am.example:9093', timeoutMs: 5000 },
  { name: 'night-am', type: 'alertmanager', url: 'http://am-night.example:9093', timeoutMs: 5000 },
  { name: 'bob-hook', type: 'webhook', url: 'http://bob.example/hook', hmacSecret: null, timeoutMs: 5000 },
  { name: 'dave-hook', type: 'webhook', url: 'http://dave.example/hook', hmacSecret: null, timeoutMs: 5000 },
  { name: 'ops-hook', type: 'webhook', url: 'http://ops.example/hook', hmacSecret: null, timeoutMs: 5000 },
  { name: 'ops-mail', type: 'email', to: ['ops@example.com'], from: 'dw@example.com', subject: null },
  { name: 'owner-mail', type: 'email', to: 'owner', from: 'dw@example.com', subject: null },
];

const CHURN_SCHEDULE: Schedule = {
  name: 'churn-oncall',
  timezone: 'Europe/Berlin',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  startMinute: 9 * 60,
  endMinute: 18 * 60,
  businessHours: 'bob',
  afterHours: 'dave',
};

/**
 * alice owns fraud directly (two receivers, an Alertmanager one, an email address); churn follows
 * the churn-oncall schedule (bob by day, no email; dave by night, an Alertmanager receiver);
 * carol owns ledger and lists no receivers; orphan has no owner.
 */
const ALERTS: AlertsConfig = {
  ...NO_ALERTS,
  owners: [
    owner('alice', ['alice-hook', 'team-am', 'alice-mail'], ['alice@example.com']),
    owner('bob', ['bob-hook']),
    owner('dave', ['dave-hook', 'night-am'], ['dave@example.com']),
    owner('carol', [], ['carol@example.com']),
  ],
  schedules: [CHURN_SCHEDULE],
  receivers: RECEIVERS,
};

const CONFIG: RoutingConfig = {
  alerts: ALERTS,
  models: [
    modelConfig('fraud', 'alice'),
    modelConfig('churn', 'churn-oncall'),
    modelConfig('ledger', 'carol'),
    modelConfig('orphan', null),
  ],
};

function snapshot(
  labels: Labels,
  state: 'firing' | 'resolved' = 'firing',
  startsAt = MONDAY_1200_BERLIN - HOUR,
): AlertSnapshot {
  return {
    fingerprint: fingerprint(labels),
    labels,
    annotations: {},
    state,
    startsAt,
    endsAt: state === 'resolved' ? startsAt + 10 * MINUTE : null,
    value: 0.3,
  };
}

function notification(receiver: string, alerts: AlertSnapshot[]): Notification {
  return {
    receiver,
    groupKey: '/:{alertname="Drift"}',
    groupLabels: { alertname: 'Drift' },
    alerts,
    status: alerts.every((a) => a.state === 'resolved') ? 'resolved' : 'firing',
  };
}

/** What a plan is expected to be: the notification with that receiver, those alerts, that status. */
function plan(
  base: Notification,
  receiver: string,
  ownerName: string | null,
  alerts: AlertSnapshot[],
  status: 'firing' | 'resolved',
): DeliveryPlan {
  return { receiver, owner: ownerName, notification: { ...base, receiver, alerts, status } };
}

function sortPlans(plans: readonly DeliveryPlan[]): DeliveryPlan[] {
  const key = (p: DeliveryPlan): string => `${p.owner ?? ''}\u0000${p.receiver}`;
  return [...plans].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('effectiveRoute', () => {
  it('returns the configured route as is', () => {
    const configured = route('ops-hook', [], { routes: [route('alice-hook', [eq('model', 'fraud')])] });
    expect(effectiveRoute({ ...NO_ALERTS, route: configured })).toBe(configured);
  });

  it('without a route, routes to the owner grouped by alert and model with 30s / 5m / 4h', () => {
    expect(effectiveRoute(NO_ALERTS)).toEqual({
      receiver: 'owner',
      matchers: [],
      continue: false,
      groupBy: ['alertname', 'model'],
      groupWaitMs: 30 * SECOND,
      groupIntervalMs: 5 * MINUTE,
      repeatIntervalMs: 4 * HOUR,
      routes: [],
    });
  });
});

describe('routesAlerts', () => {
  it('is false without a route and without owner receivers', () => {
    expect(routesAlerts(NO_ALERTS)).toBe(false);
    expect(routesAlerts({ ...NO_ALERTS, owners: [owner('carol', [], ['carol@example.com'])] })).toBe(false);
  });

  it('is true with a route', () => {
    expect(routesAlerts({ ...NO_ALERTS, route: route('ops-hook') })).toBe(true);
  });

  it('is true when an owner lists receivers', () => {
    expect(routesAlerts({ ...NO_ALERTS, owners: [owner('carol', []), owner('bob', ['bob-hook'])] })).toBe(
      true,
    );
  });
});

describe('alertSnapshots', () => {
  const psiRule = rule({
    name: 'PsiHigh',
    signal: 'feature_psi',
    comparison: '>',
    threshold: 0.2,
    summary: 'PSI of {{model}} feature {{feature}} is {{value}}',
    description: 'Above {{threshold}} ({{signal}})',
    runbookUrl: 'https://runbooks.example/psi',
  });
  const bareRule = rule({ name: 'Bare', signal: 'error_rate', comparison: '>=', threshold: 0.05 });
  const labels: Labels = { alertname: 'PsiHigh', model: 'fraud', feature: 'amount', source: 'predictions' };

  function instance(fields: Partial<AlertInstance> & { labels: Labels }): AlertInstance {
    return {
      fingerprint: fingerprint(fields.labels),
      state: 'firing',
      value: 0.23456,
      activeAt: MONDAY_0900_BERLIN,
      firedAt: MONDAY_0900_BERLIN + 5 * MINUTE,
      resolvedAt: null,
      lastEvaluatedAt: MONDAY_1200_BERLIN,
      ...fields,
    };
  }

  const config: AlertsConfig = {
    ...NO_ALERTS,
    rules: [psiRule, bareRule],
    dashboardUrl: 'https://grafana.example/d/drift?var-model={{model}}&var-feature={{feature}}',
  };

  it('leaves pending alerts out', () => {
    const pending = instance({ labels, state: 'pending', firedAt: null });
    expect(alertSnapshots([pending], config)).toEqual([]);
  });

  it('renders a firing alert: endsAt null, startsAt the time it fired, every annotation', () => {
    const firing = instance({ labels });
    expect(alertSnapshots([firing], config)).toEqual([
      {
        fingerprint: '{alertname="PsiHigh", feature="amount", model="fraud", source="predictions"}',
        labels,
        annotations: {
          summary: 'PSI of fraud feature amount is 0.2346',
          description: 'Above 0.2 (feature_psi)',
          runbook_url: 'https://runbooks.example/psi',
          signal: 'feature_psi',
          comparison: '>',
          threshold: '0.2',
          value: '0.2346',
          dashboard_url: 'https://grafana.example/d/drift?var-model=fraud&var-feature=amount',
        },
        state: 'firing',
        startsAt: MONDAY_0900_BERLIN + 5 * MINUTE,
        endsAt: null,
        value: 0.23456,
      },
    ]);
  });

  it('gives a resolved alert endsAt = resolvedAt', () => {
    const resolved = instance({ labels, state: 'resolved', resolvedAt: MONDAY_1200_BERLIN, value: 0.15 });
    const [out] = alertSnapshots([resolved], config);
    expect(out?.state).toBe('resolved');
    expect(out?.startsAt).toBe(MONDAY_0900_BERLIN + 5 * MINUTE);
    expect(out?.endsAt).toBe(MONDAY_1200_BERLIN);
    expect(out?.annotations.value).toBe('0.15');
  });

  it('leaves out an empty description, no runbook and no dashboard when not configured', () => {
    const alert = instance({ labels: { alertname: 'Bare', model: 'fraud' }, value: 0.0000123 });
    const [out] = alertSnapshots([alert], { ...config, dashboardUrl: null });
    expect(out?.annotations).toEqual({
      summary: '',
      signal: 'error_rate',
      comparison: '>=',
      threshold: '0.05',
      value: '1.23e-5',
    });
  });

  it('keeps the threshold as written', () => {
    const precise = rule({ name: 'Precise', threshold: 0.1 + 0.2 });
    const alert = instance({ labels: { alertname: 'Precise', model: 'fraud' } });
    const [out] = alertSnapshots([alert], { ...NO_ALERTS, rules: [precise] });
    expect(out?.annotations.threshold).toBe('0.30000000000000004');
  });

  it('gives an alert whose rule is gone only its value', () => {
    const alert = instance({ labels: { alertname: 'Deleted', model: 'fraud' }, value: 12.5 });
    const [out] = alertSnapshots([alert], config);
    expect(out?.annotations).toEqual({ value: '12.5' });
  });

  it('keeps the input order and the alerts it takes', () => {
    const a = instance({ labels: { ...labels, model: 'zeta' } });
    const b = instance({ labels: { ...labels, model: 'alpha' }, state: 'pending', firedAt: null });
    const c = instance({ labels: { ...labels, model: 'alpha' } });
    expect(alertSnapshots([a, b, c], config).map((s) => s.labels.model)).toEqual(['zeta', 'alpha']);
  });
});

describe('dashboardLink', () => {
  const r = rule({ signal: 'feature_psi', threshold: 0.2 });

  it('URL-encodes every label value', () => {
    const link = dashboardLink(
      'https://grafana.example/d/x?model={{model}}&f={{labels.feature}}&v={{value}}&t={{threshold}}&s={{signal}}',
      r,
      { alertname: 'PsiHigh', model: 'fraud scorer & co/ü', feature: 'a=b?c#d' },
      0.25,
    );
    expect(link).toBe(
      'https://grafana.example/d/x?model=fraud%20scorer%20%26%20co%2F%C3%BC&f=a%3Db%3Fc%23d&v=0.25&t=0.2&s=feature_psi',
    );
  });

  it('renders a label the alert does not have as empty', () => {
    expect(dashboardLink('https://g.example/?m={{model}}&f={{feature}}', r, { model: 'fraud' }, 1)).toBe(
      'https://g.example/?m=fraud&f=',
    );
  });
});

describe('ownerOnDutyOf', () => {
  const alice = ALERTS.owners[0];
  const bob = ALERTS.owners[1];
  const dave = ALERTS.owners[2];

  it('returns an owner named directly, at any time', () => {
    expect(ownerOnDutyOf('fraud', CONFIG, MONDAY_1200_BERLIN)).toBe(alice);
    expect(ownerOnDutyOf('fraud', CONFIG, SATURDAY_1200_BERLIN)).toBe(alice);
  });

  it('returns the business-hours owner of a schedule within the hours, in the schedule zone', () => {
    expect(ownerOnDutyOf('churn', CONFIG, MONDAY_1200_BERLIN)).toBe(bob);
    expect(ownerOnDutyOf('churn', CONFIG, MONDAY_0900_BERLIN)).toBe(bob);
    expect(ownerOnDutyOf('churn', CONFIG, MONDAY_1800_BERLIN - 1)).toBe(bob);
    expect(ownerOnDutyOf('churn', CONFIG, WINTER_MONDAY_0900_BERLIN)).toBe(bob);
  });

  it('returns the after-hours owner outside the hours', () => {
    expect(ownerOnDutyOf('churn', CONFIG, MONDAY_0900_BERLIN - 1)).toBe(dave);
    expect(ownerOnDutyOf('churn', CONFIG, MONDAY_0900_BERLIN - MINUTE)).toBe(dave);
    expect(ownerOnDutyOf('churn', CONFIG, MONDAY_1800_BERLIN)).toBe(dave);
    expect(ownerOnDutyOf('churn', CONFIG, MONDAY_2200_BERLIN)).toBe(dave);
    expect(ownerOnDutyOf('churn', CONFIG, SATURDAY_1200_BERLIN)).toBe(dave);
    // 09:00 UTC would be within hours if the zone were ignored; in winter Berlin it is 08:00.
    expect(ownerOnDutyOf('churn', CONFIG, WINTER_MONDAY_0900_BERLIN - 1)).toBe(dave);
  });

  it('is undefined for an unknown model, a model without owner, or an unknown owner name', () => {
    expect(ownerOnDutyOf('nope', CONFIG, MONDAY_1200_BERLIN)).toBeUndefined();
    expect(ownerOnDutyOf(undefined, CONFIG, MONDAY_1200_BERLIN)).toBeUndefined();
    expect(ownerOnDutyOf('orphan', CONFIG, MONDAY_1200_BERLIN)).toBeUndefined();
    const ghost: RoutingConfig = { ...CONFIG, models: [modelConfig('fraud', 'nobody')] };
    expect(ownerOnDutyOf('fraud', ghost, MONDAY_1200_BERLIN)).toBeUndefined();
  });
});

describe('planDeliveries', () => {
  const fraudFiring = snapshot({ alertname: 'Drift', model: 'fraud', feature: 'amount' });
  const fraudResolved = snapshot({ alertname: 'Drift', model: 'fraud', feature: 'country' }, 'resolved');
  const churnResolved = snapshot({ alertname: 'Drift', model: 'churn', feature: 'tenure' }, 'resolved');
  const ledgerFiring = snapshot({ alertname: 'Drift', model: 'ledger', feature: 'sum' });
  const orphanFiring = snapshot({ alertname: 'Drift', model: 'orphan', feature: 'x' });
  const unknownModel = snapshot({ alertname: 'Drift', model: 'unknown', feature: 'x' });
  const noModel = snapshot({ alertname: 'Drift' });

  describe('receiver: owner', () => {
    const n = notification('owner', [fraudFiring, churnResolved, fraudResolved]);

    it("makes one plan per owner receiver, with that owner's alerts and its own status", () => {
      const { plans, unrouted } = planDeliveries(n, CONFIG, MONDAY_1200_BERLIN);
      expect(sortPlans(plans)).toEqual([
        plan(n, 'alice-hook', 'alice', [fraudFiring, fraudResolved], 'firing'),
        plan(n, 'alice-mail', 'alice', [fraudFiring, fraudResolved], 'firing'),
        plan(n, 'bob-hook', 'bob', [churnResolved], 'resolved'),
      ]);
      expect(unrouted).toEqual([]);
    });

    it('skips Alertmanager receivers of the owner', () => {
      const { plans } = planDeliveries(n, CONFIG, MONDAY_1200_BERLIN);
      expect(plans.map((p) => p.receiver)).not.toContain('team-am');
    });

    it('leaves unrouted the alerts of an owner without receivers, of a model without owner', () => {
      const all = notification('owner', [
        ledgerFiring,
        fraudFiring,
        orphanFiring,
        unknownModel,
        noModel,
        churnResolved,
      ]);
      const { plans, unrouted } = planDeliveries(all, CONFIG, MONDAY_1200_BERLIN);
      expect(sortPlans(plans)).toEqual([
        plan(all, 'alice-hook', 'alice', [fraudFiring], 'firing'),
        plan(all, 'alice-mail', 'alice', [fraudFiring], 'firing'),
        plan(all, 'bob-hook', 'bob', [churnResolved], 'resolved'),
      ]);
      expect(new Set(unrouted)).toEqual(new Set([ledgerFiring, orphanFiring, unknownModel, noModel]));
      expect(unrouted).toHaveLength(4);
    });

    it('sends the same notification to the other owner after the handover', () => {
      const churn = notification('owner', [churnResolved]);
      expect(planDeliveries(churn, CONFIG, MONDAY_1800_BERLIN - 1).plans).toEqual([
        plan(churn, 'bob-hook', 'bob', [churnResolved], 'resolved'),
      ]);
      // dave's night-am is an Alertmanager receiver: only dave-hook is planned.
      expect(planDeliveries(churn, CONFIG, MONDAY_1800_BERLIN)).toEqual({
        plans: [plan(churn, 'dave-hook', 'dave', [churnResolved], 'resolved')],
        unrouted: [],
      });
    });
  });

  describe('email receiver to: owner', () => {
    it('makes one plan per owner on duty with addresses; an owner without email leaves its alerts unrouted', () => {
      const n = notification('owner-mail', [fraudFiring, churnResolved, ledgerFiring, fraudResolved]);
      // By day churn is bob's, who has no email address.
      const { plans, unrouted } = planDeliveries(n, CONFIG, MONDAY_1200_BERLIN);
      expect(sortPlans(plans)).toEqual([
        plan(n, 'owner-mail', 'alice', [fraudFiring, fraudResolved], 'firing'),
        plan(n, 'owner-mail', 'carol', [ledgerFiring], 'firing'),
      ]);
      expect(unrouted).toEqual([churnResolved]);
    });

    it('goes to the after-hours owner after the handover', () => {
      const n = notification('owner-mail', [churnResolved]);
      expect(planDeliveries(n, CONFIG, MONDAY_0900_BERLIN - 1)).toEqual({
        plans: [plan(n, 'owner-mail', 'dave', [churnResolved], 'resolved')],
        unrouted: [],
      });
      expect(planDeliveries(n, CONFIG, MONDAY_0900_BERLIN)).toEqual({ plans: [], unrouted: [churnResolved] });
    });

    it('leaves a model without owner unrouted', () => {
      const n = notification('owner-mail', [orphanFiring]);
      expect(planDeliveries(n, CONFIG, MONDAY_1200_BERLIN)).toEqual({ plans: [], unrouted: [orphanFiring] });
    });
  });

  describe('fixed receivers', () => {
    const alerts = [fraudFiring, orphanFiring, churnResolved, noModel];

    it('a webhook gets one plan with owner null and every alert', () => {
      const n = notification('ops-hook', alerts);
      expect(planDeliveries(n, CONFIG, MONDAY_1200_BERLIN)).toEqual({
        plans: [plan(n, 'ops-hook', null, alerts, 'firing')],
        unrouted: [],
      });
    });

    it('an email with fixed addresses gets one plan with owner null and every alert', () => {
      const n = notification('ops-mail', [churnResolved, fraudResolved]);
      expect(planDeliveries(n, CONFIG, SATURDAY_1200_BERLIN)).toEqual({
        plans: [plan(n, 'ops-mail', null, [churnResolved, fraudResolved], 'resolved')],
        unrouted: [],
      });
    });

    it('an Alertmanager receiver gets no plan and leaves nothing unrouted', () => {
      const n = notification('global-am', alerts);
      expect(planDeliveries(n, CONFIG, MONDAY_1200_BERLIN)).toEqual({ plans: [], unrouted: [] });
    });

    it('a receiver not configured leaves every alert unrouted', () => {
      const n = notification('removed-hook', alerts);
      expect(planDeliveries(n, CONFIG, MONDAY_1200_BERLIN)).toEqual({ plans: [], unrouted: alerts });
    });
  });
});

describe('alertmanagerTargets', () => {
  // Critical alerts go to global-am and on; fraud and churn alerts go to their owner on duty; the
  // rest to ops-hook.
  const routed: RoutingConfig = {
    ...CONFIG,
    alerts: {
      ...ALERTS,
      route: route('ops-hook', [], {
        routes: [
          route('global-am', [eq('severity', 'critical')], { continue: true }),
          route('owner', [eq('model', 'fraud')]),
          route('owner', [eq('model', 'churn')]),
        ],
      }),
    },
  };
  const fraudCritical = snapshot({ alertname: 'Drift', model: 'fraud', severity: 'critical' });
  const fraudWarning = snapshot({ alertname: 'Drift', model: 'fraud', severity: 'warning' });
  const churnCritical = snapshot({ alertname: 'Drift', model: 'churn', severity: 'critical' });
  const churnWarning = snapshot({ alertname: 'Drift', model: 'churn', severity: 'warning' });
  const ledgerWarning = snapshot({ alertname: 'Drift', model: 'ledger', severity: 'warning' });

  it('collects the alerts of named and owner Alertmanager receivers, in input order', () => {
    const input = [fraudWarning, churnCritical, ledgerWarning, churnWarning, fraudCritical];
    const targets = alertmanagerTargets(input, routed, MONDAY_1200_BERLIN);
    expect(Object.fromEntries(targets)).toEqual({
      'global-am': [churnCritical, fraudCritical],
      'team-am': [fraudWarning, fraudCritical],
    });
  });

  it('follows the owner on duty: at night churn alerts reach the after-hours owner Alertmanager', () => {
    const input = [churnWarning, fraudWarning, churnCritical];
    const targets = alertmanagerTargets(input, routed, MONDAY_2200_BERLIN);
    expect(Object.fromEntries(targets)).toEqual({
      'night-am': [churnWarning, churnCritical],
      'team-am': [fraudWarning],
      'global-am': [churnCritical],
    });
  });

  it('lists an alert once per receiver even when two routes reach it', () => {
    const twice: RoutingConfig = {
      ...CONFIG,
      alerts: {
        ...ALERTS,
        route: route('ops-hook', [], {
          routes: [
            route('team-am', [eq('model', 'fraud')], { continue: true }),
            route('owner', [eq('model', 'fraud')]),
          ],
        }),
      },
    };
    expect(Object.fromEntries(alertmanagerTargets([fraudWarning], twice, MONDAY_1200_BERLIN))).toEqual({
      'team-am': [fraudWarning],
    });
  });

  it('uses the default route to the owner when none is configured', () => {
    const targets = alertmanagerTargets(
      [ledgerWarning, fraudWarning, churnWarning],
      CONFIG,
      MONDAY_1200_BERLIN,
    );
    expect(Object.fromEntries(targets)).toEqual({ 'team-am': [fraudWarning] });
  });

  it('is empty when no route reaches an Alertmanager receiver', () => {
    const config: RoutingConfig = { ...CONFIG, alerts: { ...ALERTS, route: route('ops-hook') } };
    expect(alertmanagerTargets([fraudCritical, churnCritical], config, MONDAY_1200_BERLIN).size).toBe(0);
  });
});
