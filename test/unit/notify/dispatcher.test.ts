import { describe, expect, it } from 'vitest';

import { parseMatcher } from '../../../src/alerts/matchers.js';
import { Silences } from '../../../src/alerts/silences.js';
import { fingerprint } from '../../../src/alerts/stateMachine.js';
import type { InhibitRule, Labels, Route } from '../../../src/alerts/types.js';
import { Dispatcher } from '../../../src/notify/dispatcher.js';
import type { AlertSnapshot, DispatcherOptions, Notification } from '../../../src/notify/dispatcher.js';
import { DeliveryQueue } from '../../../src/notify/deliveryQueue.js';
import { StateDataError } from '../../../src/state/stateData.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 4, 2, 12, 0, 0);
const WAIT = 30 * SECOND;
const INTERVAL = 5 * MINUTE;
const REPEAT = 4 * HOUR;

function route(receiver: string, matchers: string[] = [], fields: Partial<Route> = {}): Route {
  return {
    receiver,
    matchers: matchers.map(parseMatcher),
    continue: false,
    groupBy: ['alertname', 'model'],
    groupWaitMs: WAIT,
    groupIntervalMs: INTERVAL,
    repeatIntervalMs: REPEAT,
    routes: [],
    ...fields,
  };
}

const ROOT = route('team-email');

function firing(labels: Labels, startsAt: number, value = 0.3): AlertSnapshot {
  return {
    fingerprint: fingerprint(labels),
    labels,
    annotations: {},
    state: 'firing',
    startsAt,
    endsAt: null,
    value,
  };
}

function resolved(alert: AlertSnapshot, endsAt: number): AlertSnapshot {
  return { ...alert, state: 'resolved', endsAt };
}

function dispatcher(fields: Partial<DispatcherOptions> = {}): Dispatcher {
  return new Dispatcher({ route: ROOT, inhibitRules: [], resolvedNotifications: true, ...fields });
}

const never = (): boolean => false;

/** Calls `due` and reports every notification delivered at once, as a working delivery stage would. */
function deliver(
  d: Dispatcher,
  now: number,
  isSilenced: (labels: Labels) => boolean = never,
): Notification[] {
  const out = d.due(now, isSilenced);
  for (const n of out) d.markSent(n.groupKey, n.receiver, now, n.alerts);
  return out;
}

const amount = firing(
  { alertname: 'FeatureDrift', model: 'fraud', feature: 'amount', severity: 'warning' },
  T0,
);
const country = firing(
  { alertname: 'FeatureDrift', model: 'fraud', feature: 'country', severity: 'warning' },
  T0 + MINUTE,
);
const GROUP = '/:{alertname="FeatureDrift",model="fraud"}';

describe('Dispatcher: group_wait', () => {
  it('holds a new group back for group_wait, then sends its first notification', () => {
    const d = dispatcher();
    d.update([amount], T0);
    expect(d.nextWakeup(T0)).toBe(T0 + WAIT);
    expect(d.due(T0 + WAIT - 1, never)).toEqual([]);
    expect(d.due(T0 + WAIT, never)).toEqual([
      {
        receiver: 'team-email',
        groupKey: GROUP,
        groupLabels: { alertname: 'FeatureDrift', model: 'fraud' },
        alerts: [amount],
        status: 'firing',
      },
    ]);
    // in flight until the delivery stage answers: not due again, no timer
    expect(d.nextWakeup(T0 + WAIT)).toBeNull();
    expect(d.due(T0 + WAIT + INTERVAL, never)).toEqual([]);
  });

  it('flushes at once a never-flushed group whose alert started more than group_wait ago (a restart)', () => {
    const d = dispatcher();
    d.update([amount], T0 + 10 * MINUTE);
    expect(d.nextWakeup(T0 + 10 * MINUTE)).toBe(T0 + 10 * MINUTE);
    expect(deliver(d, T0 + 10 * MINUTE)).toHaveLength(1);
  });
});

describe('Dispatcher: group_interval', () => {
  it('batches a second alert of the group into the next group_interval flush', () => {
    const d = dispatcher();
    d.update([amount], T0);
    expect(deliver(d, T0 + WAIT)).toHaveLength(1);
    expect(d.nextWakeup(T0 + WAIT)).toBe(T0 + WAIT + INTERVAL);
    d.update([amount, country], T0 + MINUTE);
    expect(d.due(T0 + MINUTE, never)).toEqual([]);
    expect(d.due(T0 + WAIT + INTERVAL - 1, never)).toEqual([]);
    const [n, ...rest] = deliver(d, T0 + WAIT + INTERVAL);
    expect(rest).toEqual([]);
    expect(n!.alerts).toEqual([amount, country]);
    expect(n!.status).toBe('firing');
  });

  it('keeps another group_by value in a group of its own with its own group_wait', () => {
    const d = dispatcher();
    const churn = firing({ alertname: 'FeatureDrift', model: 'churn', feature: 'age' }, T0 + MINUTE);
    d.update([amount], T0);
    deliver(d, T0 + WAIT);
    d.update([amount, churn], T0 + MINUTE);
    expect(d.nextWakeup(T0 + MINUTE)).toBe(T0 + MINUTE + WAIT);
    const out = deliver(d, T0 + MINUTE + WAIT);
    expect(out.map((n) => [n.groupKey, n.alerts.length])).toEqual([
      ['/:{alertname="FeatureDrift",model="churn"}', 1],
    ]);
  });
});

describe('Dispatcher: repeat_interval', () => {
  it('re-sends an unchanged firing group after repeat_interval and not before', () => {
    const d = dispatcher();
    d.update([amount], T0);
    deliver(d, T0 + WAIT);
    const flushes = REPEAT / INTERVAL;
    for (let k = 1; k < flushes; k++) {
      const now = T0 + WAIT + k * INTERVAL;
      d.update([amount], now);
      expect(d.nextWakeup(now - 1)).toBe(now);
      expect(deliver(d, now)).toEqual([]);
    }
    const repeatAt = T0 + WAIT + REPEAT;
    const out = deliver(d, repeatAt);
    expect(out).toHaveLength(1);
    expect(out[0]!.alerts).toEqual([amount]);
    // the repeat restarts the clock
    expect(deliver(d, repeatAt + INTERVAL)).toEqual([]);
  });
});

describe('Dispatcher: resolved alerts', () => {
  it('sends the resolved notification, then the group ends and stays ended', () => {
    const d = dispatcher();
    d.update([amount], T0);
    deliver(d, T0 + WAIT);
    const gone = resolved(amount, T0 + 2 * MINUTE);
    d.update([gone], T0 + 2 * MINUTE);
    const out = deliver(d, T0 + WAIT + INTERVAL);
    expect(out).toEqual([
      {
        receiver: 'team-email',
        groupKey: GROUP,
        groupLabels: { alertname: 'FeatureDrift', model: 'fraud' },
        alerts: [gone],
        status: 'resolved',
      },
    ]);
    expect(d.toJSON().groups).toEqual([]);
    expect(d.nextWakeup(T0 + WAIT + INTERVAL)).toBeNull();
    // the engine keeps reporting the resolved alert for a while: it does not come back
    d.update([gone], T0 + 10 * MINUTE);
    expect(d.toJSON().groups).toEqual([]);
    expect(deliver(d, T0 + HOUR)).toEqual([]);
  });

  it('tells a resolved alert next to a firing one, with status firing, and then drops it', () => {
    const d = dispatcher();
    d.update([amount, country], T0 + MINUTE);
    deliver(d, T0 + MINUTE + WAIT);
    const gone = resolved(country, T0 + 3 * MINUTE);
    d.update([amount, gone], T0 + 3 * MINUTE);
    const out = deliver(d, T0 + MINUTE + WAIT + INTERVAL);
    expect(out.map((n) => [n.status, n.alerts])).toEqual([['firing', [amount, gone]]]);
    expect(d.toJSON().groups[0]!.alerts).toEqual([amount]);
    expect(deliver(d, T0 + MINUTE + WAIT + 2 * INTERVAL)).toEqual([]);
  });

  it('takes an alert the engine no longer reports as resolved now', () => {
    const d = dispatcher();
    d.update([amount], T0);
    deliver(d, T0 + WAIT);
    d.update([], T0 + 2 * MINUTE);
    const out = deliver(d, T0 + WAIT + INTERVAL);
    expect(out[0]!.alerts).toEqual([resolved(amount, T0 + 2 * MINUTE)]);
    expect(d.toJSON().groups).toEqual([]);
  });

  it('with resolvedNotifications false: sends nothing for resolved alerts and leaves them out', () => {
    const d = dispatcher({ resolvedNotifications: false });
    d.update([amount, country], T0 + MINUTE);
    deliver(d, T0 + MINUTE + WAIT);
    let now = T0 + MINUTE + WAIT + INTERVAL;
    d.update([amount, resolved(country, now - MINUTE)], now - MINUTE);
    expect(deliver(d, now)).toEqual([]);
    expect(d.toJSON().groups[0]!.alerts).toEqual([amount]);
    // the last one resolves: no notification, and the group ends
    now += INTERVAL;
    d.update([resolved(amount, now - MINUTE)], now - MINUTE);
    expect(deliver(d, now)).toEqual([]);
    expect(d.toJSON().groups).toEqual([]);
  });

  it('pages again for a new episode of an alert that resolved', () => {
    const d = dispatcher({ resolvedNotifications: false });
    d.update([amount, country], T0 + MINUTE);
    deliver(d, T0 + MINUTE + WAIT);
    let now = T0 + MINUTE + WAIT + INTERVAL;
    d.update([amount, resolved(country, now - 2 * MINUTE)], now - 2 * MINUTE);
    const again = firing(country.labels, now - MINUTE);
    d.update([amount, again], now - MINUTE);
    const out = deliver(d, now);
    expect(out.map((n) => n.alerts)).toEqual([[amount, again]]);
    now += INTERVAL;
    expect(deliver(d, now)).toEqual([]);
  });
});

describe('Dispatcher: muted alerts', () => {
  const inhibitRules: InhibitRule[] = [
    {
      sourceMatchers: [parseMatcher('severity="critical"')],
      targetMatchers: [parseMatcher('severity="warning"')],
      equal: ['model', 'feature'],
    },
  ];
  const byModel = route('team-email', [], { groupBy: ['model'] });

  it('leaves out a warning muted by its critical twin, not a warning of another feature', () => {
    const d = dispatcher({ route: byModel, inhibitRules });
    const critical = firing({ ...amount.labels, alertname: 'FeaturePsiCritical', severity: 'critical' }, T0);
    d.update([amount, critical, country], T0 + MINUTE);
    const out = deliver(d, T0 + MINUTE + WAIT);
    expect(out.map((n) => n.alerts)).toEqual([[critical, country]]);
  });

  it('sends nothing for a group whose alerts are all muted, and pages once the source resolves', () => {
    const critical = firing({ ...amount.labels, alertname: 'FeaturePsiCritical', severity: 'critical' }, T0);
    const byAlertname = route('team-email', [], { groupBy: ['alertname'] });
    const d2 = dispatcher({ route: byAlertname, inhibitRules });
    d2.update([amount, critical], T0);
    const out = deliver(d2, T0 + WAIT);
    expect(out.map((n) => n.groupKey)).toEqual(['/:{alertname="FeaturePsiCritical"}']);
    d2.update([amount, resolved(critical, T0 + 2 * MINUTE)], T0 + 2 * MINUTE);
    const later = deliver(d2, T0 + WAIT + INTERVAL);
    expect(later.map((n) => [n.groupKey, n.alerts])).toEqual([
      ['/:{alertname="FeatureDrift"}', [amount]],
      ['/:{alertname="FeaturePsiCritical"}', [resolved(critical, T0 + 2 * MINUTE)]],
    ]);
  });

  it('leaves out silenced alerts (Silences.isSilenced) and sends nothing when all are silenced', () => {
    const silences = new Silences();
    silences.add(
      {
        matchers: [parseMatcher('feature="country"')],
        startsAt: T0,
        endsAt: T0 + HOUR,
        createdBy: 'ana',
        comment: 'retraining',
      },
      T0,
      () => 's1',
    );
    const d = dispatcher();
    const now = T0 + MINUTE + WAIT;
    const isSilenced = (labels: Labels) => silences.isSilenced(labels, now) !== undefined;
    d.update([amount, country], T0 + MINUTE);
    expect(deliver(d, now, isSilenced).map((n) => n.alerts)).toEqual([[amount]]);

    const only = dispatcher();
    only.update([country], T0 + MINUTE);
    expect(deliver(only, now, isSilenced)).toEqual([]);
    expect(only.nextWakeup(now)).toBe(now + INTERVAL);
    // the silence ends: the alert is told at the next flush
    expect(deliver(only, T0 + HOUR + INTERVAL).map((n) => n.alerts)).toEqual([[country]]);
  });
});

describe('Dispatcher: routes with continue', () => {
  it('sends an alert to every receiver its routes reach, each group on its own', () => {
    const tree = route('team-email', [], {
      routes: [
        route('fraud-pager', ['model="fraud"'], { continue: true, groupWaitMs: 10 * SECOND }),
        route('audit-webhook', [], { groupBy: ['alertname'] }),
      ],
    });
    const d = dispatcher({ route: tree });
    const churn = firing({ alertname: 'FeatureDrift', model: 'churn', feature: 'age' }, T0);
    d.update([amount, churn], T0);
    expect(d.nextWakeup(T0)).toBe(T0 + 10 * SECOND);
    expect(deliver(d, T0 + 10 * SECOND).map((n) => [n.receiver, n.groupKey, n.alerts])).toEqual([
      ['fraud-pager', '/0:{alertname="FeatureDrift",model="fraud"}', [amount]],
    ]);
    expect(deliver(d, T0 + WAIT).map((n) => [n.receiver, n.groupKey, n.alerts])).toEqual([
      // same start: by fingerprint
      ['audit-webhook', '/1:{alertname="FeatureDrift"}', [churn, amount]],
    ]);
  });
});

describe('Dispatcher: delivery failures', () => {
  it('sends again at the next flush after markFailed, and nothing is forgotten', () => {
    const d = dispatcher();
    d.update([amount], T0);
    const [n] = d.due(T0 + WAIT, never);
    d.markFailed(n!.groupKey, n!.receiver);
    expect(d.nextWakeup(T0 + WAIT)).toBe(T0 + WAIT + INTERVAL);
    expect(d.due(T0 + WAIT + INTERVAL, never)).toEqual([n]);
  });

  it('ignores a report for an unknown group or another receiver', () => {
    const d = dispatcher();
    d.update([amount], T0);
    const [n] = d.due(T0 + WAIT, never);
    d.markSent(n!.groupKey, 'someone-else', T0 + WAIT, n!.alerts);
    d.markSent('/:{}', n!.receiver, T0 + WAIT, n!.alerts);
    expect(d.toJSON().groups[0]!.inFlight).toBe(true);
    expect(d.toJSON().groups[0]!.lastSent).toBeNull();
  });
});

describe('Dispatcher: persistence', () => {
  it('continues after a JSON round trip mid-way as if nothing happened', () => {
    const a = dispatcher();
    a.update([amount], T0);
    deliver(a, T0 + WAIT);
    a.update([amount, country], T0 + MINUTE);
    const saved = JSON.parse(JSON.stringify(a.toJSON())) as unknown;
    const b = Dispatcher.fromJSON({ route: ROOT, inhibitRules: [], resolvedNotifications: true }, saved);
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(b.nextWakeup(T0 + MINUTE)).toBe(T0 + WAIT + INTERVAL);
    const now = T0 + WAIT + INTERVAL;
    expect(deliver(b, now)).toEqual(deliver(a, now));
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(deliver(b, now + INTERVAL)).toEqual([]);
  });

  it('takes a notification in flight at save time as not delivered: due again at once', () => {
    const a = dispatcher();
    a.update([amount], T0);
    const [n] = a.due(T0 + WAIT, never);
    const b = Dispatcher.fromJSON({ route: ROOT, inhibitRules: [], resolvedNotifications: true }, a.toJSON());
    expect(b.nextWakeup(T0 + WAIT + 1)).toBe(T0 + WAIT + 1);
    expect(b.due(T0 + WAIT + 1, never)).toEqual([n]);
  });

  it('refuses data of another version or shape, naming the key', () => {
    const options = { route: ROOT, inhibitRules: [], resolvedNotifications: true };
    expect(() => Dispatcher.fromJSON(options, { version: 2, groups: [] })).toThrow(StateDataError);
    const a = dispatcher();
    a.update([amount], T0);
    const data = JSON.parse(JSON.stringify(a.toJSON())) as { groups: { alerts: { state: string }[] }[] };
    data.groups[0]!.alerts[0]!.state = 'pending';
    expect(() => Dispatcher.fromJSON(options, data)).toThrow(
      'groups[0].alerts[0].state: expected "firing" or "resolved"',
    );
  });
});

describe('Dispatcher: restart with notifications still in the delivery queue', () => {
  const options: DispatcherOptions = { route: ROOT, inhibitRules: [], resolvedNotifications: true };
  const churn = firing({ alertname: 'FeatureDrift', model: 'churn', feature: 'age' }, T0);
  const CHURN = '/:{alertname="FeatureDrift",model="churn"}';

  it('keeps in flight a group the callback still holds and flushes at once one it does not', () => {
    const a = dispatcher();
    a.update([amount, churn], T0);
    const sent = a.due(T0 + WAIT, never);
    expect(sent.map((n) => n.groupKey)).toEqual([CHURN, GROUP]);
    const saved = JSON.parse(JSON.stringify(a.toJSON())) as unknown;

    const asked: [string, string][] = [];
    const b = Dispatcher.fromJSON(options, saved, (key, receiver) => {
      asked.push([key, receiver]);
      return key === GROUP;
    });
    expect(asked).toEqual([
      [CHURN, 'team-email'],
      [GROUP, 'team-email'],
    ]);
    expect(b.toJSON().groups.map((g) => [g.groupKey, g.inFlight])).toEqual([
      [CHURN, false],
      [GROUP, true],
    ]);
    // churn's notification is taken as lost: due at once; fraud's is still being delivered
    const now = T0 + WAIT + 1;
    expect(b.nextWakeup(now)).toBe(now);
    expect(b.due(now, never)).toEqual([sent[0]]);
    b.markSent(CHURN, 'team-email', now, sent[0]!.alerts);
    // fraud's own timer (T0 + WAIT + INTERVAL) is earlier than churn's but not counted while in flight
    expect(b.nextWakeup(now)).toBe(now + INTERVAL);
    expect(b.due(T0 + WAIT + INTERVAL, never)).toEqual([]);
    expect(b.due(T0 + HOUR, never)).toEqual([]);
  });

  it('takes markSent afterwards as usual: the alerts become known and the timer resumes', () => {
    const a = dispatcher();
    a.update([amount], T0);
    const [n] = a.due(T0 + WAIT, never);
    const b = Dispatcher.fromJSON(options, a.toJSON(), () => true);
    expect(b.nextWakeup(T0 + WAIT + 1)).toBeNull();
    expect(b.due(T0 + WAIT + 1, never)).toEqual([]);

    const deliveredAt = T0 + WAIT + 2 * SECOND;
    b.markSent(n!.groupKey, n!.receiver, deliveredAt, n!.alerts);
    const [group] = b.toJSON().groups;
    expect(group!.inFlight).toBe(false);
    expect(group!.lastSent).toEqual({
      at: deliveredAt,
      firing: [`${amount.fingerprint}@${T0}`],
      resolved: [],
    });
    expect(b.nextWakeup(deliveredAt)).toBe(T0 + WAIT + INTERVAL);
    // nothing new: repeat_interval counts from the delivery, so the flush at T0 + WAIT + REPEAT
    // (2 s short of it) sends nothing, and the next one repeats
    const flushes = REPEAT / INTERVAL;
    for (let k = 1; k <= flushes; k++) {
      const at = T0 + WAIT + k * INTERVAL;
      b.update([amount], at);
      expect(deliver(b, at)).toEqual([]);
    }
    expect(deliver(b, T0 + WAIT + (flushes + 1) * INTERVAL)).toEqual([n]);
  });

  it('takes markFailed afterwards as usual: sent again at the group timer', () => {
    const a = dispatcher();
    a.update([amount], T0);
    const [n] = a.due(T0 + WAIT, never);
    const b = Dispatcher.fromJSON(options, a.toJSON(), () => true);
    b.markFailed(n!.groupKey, n!.receiver);
    expect(b.nextWakeup(T0 + WAIT + 1)).toBe(T0 + WAIT + INTERVAL);
    expect(b.due(T0 + WAIT + INTERVAL - 1, never)).toEqual([]);
    expect(b.due(T0 + WAIT + INTERVAL, never)).toEqual([n]);
  });

  it('does not put in flight a group that was not in flight when saved, whatever the callback says', () => {
    const a = dispatcher();
    a.update([amount], T0);
    deliver(a, T0 + WAIT);
    const asked: string[] = [];
    const b = Dispatcher.fromJSON(options, a.toJSON(), (key) => {
      asked.push(key);
      return true;
    });
    expect(asked).toEqual([]);
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(b.nextWakeup(T0 + WAIT)).toBe(T0 + WAIT + INTERVAL);
  });

  it('works with DeliveryQueue.hasGroup as the callback', () => {
    const a = dispatcher();
    a.update([amount], T0);
    const [n] = a.due(T0 + WAIT, never);
    const policy = { initialBackoffMs: SECOND, maxBackoffMs: MINUTE, giveUpAfterMs: HOUR };
    const queue = new DeliveryQueue(policy);
    queue.add(
      [
        {
          id: 'n-1',
          receiver: n!.receiver,
          owner: null,
          notification: n!,
          email: null,
          group: { key: n!.groupKey, receiver: n!.receiver },
          createdAt: T0 + WAIT,
          attempts: 0,
          nextAttemptAt: T0 + WAIT,
          lastError: null,
        },
      ],
      { key: n!.groupKey, receiver: n!.receiver, alerts: n!.alerts },
    );
    const restoredQueue = DeliveryQueue.fromJSON(
      policy,
      JSON.parse(JSON.stringify(queue.toJSON())) as unknown,
    );
    const b = Dispatcher.fromJSON(
      options,
      JSON.parse(JSON.stringify(a.toJSON())) as unknown,
      (key, receiver) => restoredQueue.hasGroup(key, receiver),
    );
    expect(b.due(T0 + WAIT + 1, never)).toEqual([]);
    const [delivery] = restoredQueue.due(T0 + WAIT + 1);
    const settled = restoredQueue.succeeded(delivery!.id)!.group!;
    expect(settled.delivered).toBe(true);
    b.markSent(settled.key, settled.receiver, T0 + WAIT + 1, settled.alerts);
    expect(b.toJSON().groups[0]!.lastSent?.firing).toEqual([`${amount.fingerprint}@${T0}`]);
    expect(b.nextWakeup(T0 + WAIT + 1)).toBe(T0 + WAIT + INTERVAL);
  });
});

describe('Dispatcher: forwarded receivers', () => {
  it('makes no group for routes to a forwarded receiver, and groups the other routes as before', () => {
    const tree = route('team-email', [], {
      routes: [route('am', ['severity="warning"'], { continue: true }), route('team-email')],
    });
    const d = dispatcher({ route: tree, forwarded: new Set(['am']) });
    d.update([amount], T0);
    expect(d.toJSON().groups.map((g) => g.receiver)).toEqual(['team-email']);
    expect(deliver(d, T0 + WAIT).map((n) => n.receiver)).toEqual(['team-email']);
    // Without the option the same tree groups for both.
    const plain = dispatcher({ route: tree });
    plain.update([amount], T0);
    expect(
      plain
        .toJSON()
        .groups.map((g) => g.receiver)
        .sort(),
    ).toEqual(['am', 'team-email']);
  });
});
