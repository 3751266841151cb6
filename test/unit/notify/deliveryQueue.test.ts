import { describe, expect, it } from 'vitest';

import type { AlertSnapshot, Notification } from '../../../src/notify/dispatcher.js';
import { DELIVERY_QUEUE_VERSION, DeliveryQueue, backoffDelay } from '../../../src/notify/deliveryQueue.js';
import type { Delivery, RetryPolicy } from '../../../src/notify/deliveryQueue.js';
import { StateDataError } from '../../../src/state/stateData.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 4, 2, 12, 0, 0);

const POLICY: RetryPolicy = { initialBackoffMs: SECOND, maxBackoffMs: MINUTE, giveUpAfterMs: HOUR };

const low = (): number => 0;
const high = (): number => 1;
const middle = (): number => 0.5;

const GROUP = '/:{alertname="FeatureDrift",model="fraud"}';

const alert: AlertSnapshot = {
  fingerprint: 'f1',
  labels: { alertname: 'FeatureDrift', model: 'fraud', feature: 'amount' },
  annotations: {},
  state: 'firing',
  startsAt: T0 - MINUTE,
  endsAt: null,
  value: 0.3,
};

function notification(receiver: string): Notification {
  return {
    receiver,
    groupKey: GROUP,
    groupLabels: { alertname: 'FeatureDrift', model: 'fraud' },
    alerts: [alert],
    status: 'firing',
  };
}

/** A delivery of the fraud group's notification to `owner` through `receiver`, first tried at `createdAt`. */
function toOwner(id: string, receiver: string, owner: string | null, createdAt: number): Delivery {
  return {
    id,
    receiver,
    owner,
    notification: notification(receiver),
    email: null,
    group: { key: GROUP, receiver },
    createdAt,
    attempts: 0,
    nextAttemptAt: createdAt,
    lastError: null,
  };
}

function digest(id: string, owner: string, createdAt: number): Delivery {
  return {
    id,
    receiver: 'digest',
    owner,
    notification: null,
    email: { to: [`${owner}@example.com`], subject: 'Daily drift digest', text: 'text', html: '<p>html</p>' },
    group: null,
    createdAt,
    attempts: 0,
    nextAttemptAt: createdAt,
    lastError: null,
  };
}

const ids = (deliveries: readonly Delivery[]): string[] => deliveries.map((d) => d.id);

describe('backoffDelay', () => {
  // initial 1s doubling per attempt, capped at 60s: 1, 2, 4, 8, 16, 32, 60, 60 s
  const attempts = [1, 2, 3, 4, 5, 6, 7, 8];

  it('with random 0: the lower end, half the capped exponential backoff', () => {
    const delays = attempts.map((n) => backoffDelay(n, POLICY, low));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('with random 1: the upper end, the whole capped exponential backoff', () => {
    const delays = attempts.map((n) => backoffDelay(n, POLICY, high));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  });

  it('draws uniformly in the upper half: random 0.5 gives three quarters of the backoff', () => {
    expect(backoffDelay(1, POLICY, middle)).toBe(750);
    expect(backoffDelay(3, POLICY, middle)).toBe(3000);
    expect(backoffDelay(7, POLICY, middle)).toBe(45000);
  });

  it('caps at maxBackoffMs from the attempt where the doubling passes it', () => {
    const policy: RetryPolicy = {
      initialBackoffMs: 3 * SECOND,
      maxBackoffMs: 10 * SECOND,
      giveUpAfterMs: HOUR,
    };
    // 3s, 6s, then 12s > 10s: capped
    expect(backoffDelay(2, policy, high)).toBe(6 * SECOND);
    expect(backoffDelay(3, policy, high)).toBe(10 * SECOND);
    expect(backoffDelay(3, policy, low)).toBe(5 * SECOND);
    expect(backoffDelay(50, policy, high)).toBe(10 * SECOND);
  });

  it('does not overflow for large attempt numbers: still the cap, a finite number', () => {
    for (const attempts of [1000, 1025, 1_000_000, Number.MAX_SAFE_INTEGER]) {
      const upper = backoffDelay(attempts, POLICY, high);
      const lower = backoffDelay(attempts, POLICY, low);
      expect([upper, lower]).toEqual([MINUTE, MINUTE / 2]);
    }
    const huge: RetryPolicy = { initialBackoffMs: 1e300, maxBackoffMs: 7 * HOUR, giveUpAfterMs: HOUR };
    expect(backoffDelay(5000, huge, high)).toBe(7 * HOUR);
  });
});

describe('DeliveryQueue: due and in progress', () => {
  it('returns the due deliveries oldest first, then by id, and marks them in progress', () => {
    const q = new DeliveryQueue(POLICY);
    q.add([toOwner('n-b', 'team-email', 'bob', T0 + SECOND)], null);
    q.add([toOwner('n-c', 'team-email', 'carol', T0)], null);
    q.add([toOwner('n-a', 'team-email', 'ann', T0 + SECOND)], null);
    q.add([digest('d-1', 'ann', T0 + 2 * SECOND)], null);
    expect(ids(q.due(T0 + SECOND))).toEqual(['n-c', 'n-a', 'n-b']);
    // not returned again until reported
    expect(ids(q.due(T0 + HOUR))).toEqual(['d-1']);
    expect(q.due(T0 + 2 * HOUR)).toEqual([]);
    expect(q.size).toBe(4);
  });

  it('leaves a delivery whose time has not come', () => {
    const q = new DeliveryQueue(POLICY);
    q.add([toOwner('n-1', 'team-email', 'ann', T0 + MINUTE)], null);
    expect(q.due(T0 + MINUTE - 1)).toEqual([]);
    expect(ids(q.due(T0 + MINUTE))).toEqual(['n-1']);
  });

  it('nextAttemptAt ignores deliveries in progress, and is null when none waits', () => {
    const q = new DeliveryQueue(POLICY);
    expect(q.nextAttemptAt()).toBeNull();
    q.add([toOwner('early', 'team-email', 'ann', T0)], null);
    q.add([toOwner('late', 'team-email', 'bob', T0 + 5 * MINUTE)], null);
    expect(q.nextAttemptAt()).toBe(T0);
    expect(ids(q.due(T0))).toEqual(['early']);
    expect(q.nextAttemptAt()).toBe(T0 + 5 * MINUTE);
    expect(ids(q.due(T0 + 5 * MINUTE))).toEqual(['late']);
    expect(q.nextAttemptAt()).toBeNull();
  });
});

describe('DeliveryQueue: failures and retries', () => {
  it('retries a retryable failure exactly at now + backoffDelay(attempts), recording the error', () => {
    const q = new DeliveryQueue(POLICY);
    q.add([toOwner('n-1', 'pager', 'ann', T0)], null);
    q.due(T0);
    const failedAt = T0 + 200;
    // attempt 1 failed: 1s backoff, random 0.5 -> 750 ms
    const first = q.failed('n-1', failedAt, 'ECONNREFUSED', true, middle);
    expect(first).toEqual({ settled: null, retryAt: failedAt + 750 });
    expect(q.nextAttemptAt()).toBe(failedAt + 750);
    expect(q.due(failedAt + 749)).toEqual([]);
    const [again, ...rest] = q.due(failedAt + 750);
    expect(rest).toEqual([]);
    expect(again).toEqual({
      ...toOwner('n-1', 'pager', 'ann', T0),
      attempts: 1,
      nextAttemptAt: failedAt + 750,
      lastError: 'ECONNREFUSED',
    });
    // attempt 2 failed: 2s backoff, random 1 -> 2000 ms
    const secondAt = failedAt + 800;
    expect(q.failed('n-1', secondAt, 'HTTP 503', true, high)).toEqual({
      settled: null,
      retryAt: secondAt + 2000,
    });
    const [third] = q.due(secondAt + 2000);
    expect([third?.attempts, third?.lastError]).toEqual([2, 'HTTP 503']);
  });

  it('settles a permanent failure at once, with its attempts and error', () => {
    const q = new DeliveryQueue(POLICY);
    q.add([toOwner('n-1', 'pager', 'ann', T0)], null);
    q.due(T0);
    const result = q.failed('n-1', T0 + 10, 'HTTP 400 bad payload', false, low);
    expect(result.retryAt).toBeNull();
    expect(result.settled).toEqual({
      delivery: { ...toOwner('n-1', 'pager', 'ann', T0), attempts: 1, lastError: 'HTTP 400 bad payload' },
      group: null,
    });
    expect(q.size).toBe(0);
    expect(q.nextAttemptAt()).toBeNull();
    expect(q.due(T0 + HOUR)).toEqual([]);
  });

  it('gives up when the next retry would come later than createdAt + giveUpAfterMs', () => {
    const policy: RetryPolicy = {
      initialBackoffMs: SECOND,
      maxBackoffMs: MINUTE,
      giveUpAfterMs: 10 * SECOND,
    };
    // the retry would be exactly at the limit: still tried
    const atLimit = new DeliveryQueue(policy);
    atLimit.add([toOwner('n-1', 'pager', 'ann', T0)], null);
    atLimit.due(T0);
    expect(atLimit.failed('n-1', T0 + 9 * SECOND, 'timeout', true, high)).toEqual({
      settled: null,
      retryAt: T0 + 10 * SECOND,
    });
    expect(atLimit.size).toBe(1);

    // one millisecond past the limit: settled, not delivered
    const past = new DeliveryQueue(policy);
    past.add([toOwner('n-1', 'pager', 'ann', T0)], null);
    past.due(T0);
    const result = past.failed('n-1', T0 + 9 * SECOND + 1, 'timeout', true, high);
    expect(result.retryAt).toBeNull();
    expect(result.settled?.delivery).toEqual({
      ...toOwner('n-1', 'pager', 'ann', T0),
      attempts: 1,
      lastError: 'timeout',
    });
    expect(past.size).toBe(0);
  });

  it('ignores a report for a delivery it does not hold', () => {
    const q = new DeliveryQueue(POLICY);
    expect(q.failed('nope', T0, 'x', true, low)).toEqual({ settled: null, retryAt: null });
    expect(q.succeeded('nope')).toBeNull();
  });
});

describe('DeliveryQueue: groups', () => {
  const group = { key: GROUP, receiver: 'oncall-email', alerts: [alert] };

  function twoOwners(): DeliveryQueue {
    const q = new DeliveryQueue(POLICY);
    q.add([toOwner('n-ann', 'oncall-email', 'ann', T0), toOwner('n-bob', 'oncall-email', 'bob', T0)], group);
    q.due(T0);
    return q;
  }

  it('settles the group only when both deliveries ended, delivered when one was', () => {
    const q = twoOwners();
    expect(q.hasGroup(GROUP, 'oncall-email')).toBe(true);
    expect(q.hasGroup(GROUP, 'other-receiver')).toBe(false);
    expect(q.succeeded('n-ann')?.group).toBeNull();
    expect(q.hasGroup(GROUP, 'oncall-email')).toBe(true);
    // a retry does not settle anything
    expect(q.failed('n-bob', T0 + SECOND, 'timeout', true, low).settled).toBeNull();
    q.due(T0 + HOUR);
    const last = q.failed('n-bob', T0 + 2 * SECOND, 'mailbox unavailable', false, low);
    expect(last.settled?.group).toEqual({
      key: GROUP,
      receiver: 'oncall-email',
      alerts: [alert],
      delivered: true,
    });
    expect(q.hasGroup(GROUP, 'oncall-email')).toBe(false);
  });

  it('settles the group as delivered when the first failed and the last was delivered', () => {
    const q = twoOwners();
    expect(q.failed('n-ann', T0 + SECOND, 'HTTP 400', false, low).settled?.group).toBeNull();
    expect(q.succeeded('n-bob')?.group).toEqual({
      key: GROUP,
      receiver: 'oncall-email',
      alerts: [alert],
      delivered: true,
    });
  });

  it('settles the group as not delivered when every delivery failed', () => {
    const q = twoOwners();
    expect(q.failed('n-bob', T0 + SECOND, 'HTTP 400', false, low).settled?.group).toBeNull();
    const last = q.failed('n-ann', T0 + SECOND, 'HTTP 400', false, low);
    expect(last.settled?.group).toEqual({
      key: GROUP,
      receiver: 'oncall-email',
      alerts: [alert],
      delivered: false,
    });
    expect(q.hasGroup(GROUP, 'oncall-email')).toBe(false);
  });

  it('settles a digest with group null', () => {
    const q = new DeliveryQueue(POLICY);
    const d = digest('d-1', 'ann', T0);
    q.add([d], null);
    q.due(T0);
    expect(q.succeeded('d-1')).toEqual({ delivery: d, group: null });
    expect(q.size).toBe(0);
  });

  it('does not add a notification without deliveries', () => {
    const q = new DeliveryQueue(POLICY);
    q.add([], group);
    expect(q.hasGroup(GROUP, 'oncall-email')).toBe(false);
    expect(q.size).toBe(0);
  });
});

describe('DeliveryQueue: depth, oldestCreatedAt, size', () => {
  it('counts the waiting deliveries per receiver, in progress or not', () => {
    const q = new DeliveryQueue(POLICY);
    expect(q.depth()).toEqual(new Map());
    expect(q.oldestCreatedAt()).toBeNull();
    expect(q.size).toBe(0);
    q.add(
      [
        toOwner('n-1', 'oncall-email', 'ann', T0 + MINUTE),
        toOwner('n-2', 'oncall-email', 'bob', T0 + MINUTE),
      ],
      { key: GROUP, receiver: 'oncall-email', alerts: [alert] },
    );
    q.add([toOwner('n-3', 'pager', null, T0 + 2 * MINUTE)], {
      key: GROUP,
      receiver: 'pager',
      alerts: [alert],
    });
    q.add([digest('d-1', 'ann', T0)], null);
    q.due(T0 + MINUTE);
    expect(q.depth()).toEqual(
      new Map([
        ['oncall-email', 2],
        ['pager', 1],
        ['digest', 1],
      ]),
    );
    expect(q.oldestCreatedAt()).toBe(T0);
    expect(q.size).toBe(4);
    q.succeeded('d-1');
    q.succeeded('n-1');
    expect(q.depth()).toEqual(
      new Map([
        ['oncall-email', 1],
        ['pager', 1],
      ]),
    );
    expect(q.oldestCreatedAt()).toBe(T0 + MINUTE);
    expect(q.size).toBe(2);
  });
});

describe('DeliveryQueue: persistence', () => {
  const group = { key: GROUP, receiver: 'oncall-email', alerts: [alert] };

  /** A queue with a delivery in progress, one waiting for its retry, one not tried yet and a digest. */
  function busy(): DeliveryQueue {
    const q = new DeliveryQueue(POLICY);
    q.add([toOwner('n-ann', 'oncall-email', 'ann', T0), toOwner('n-bob', 'oncall-email', 'bob', T0)], group);
    q.due(T0);
    q.failed('n-bob', T0 + SECOND, 'timeout', true, high); // retry at T0 + 2s
    q.add([digest('d-1', 'carol', T0 + 5 * SECOND)], null);
    q.add([toOwner('n-pager', 'pager', null, T0 + 10 * SECOND)], {
      key: GROUP,
      receiver: 'pager',
      alerts: [alert],
    });
    return q;
  }

  it('round-trips through JSON: deliveries by id, groups kept, every delivery due at once', () => {
    const q = busy();
    const saved = q.toJSON();
    expect(saved.version).toBe(DELIVERY_QUEUE_VERSION);
    expect(ids(saved.deliveries)).toEqual(['d-1', 'n-ann', 'n-bob', 'n-pager']);
    expect(saved.groups.map((g) => [g.receiver, g.outstanding, g.delivered])).toEqual([
      ['oncall-email', 2, 0],
      ['pager', 1, 0],
    ]);

    const restored = DeliveryQueue.fromJSON(POLICY, JSON.parse(JSON.stringify(saved)) as unknown);
    expect(restored.size).toBe(4);
    expect(restored.hasGroup(GROUP, 'oncall-email')).toBe(true);
    expect(restored.hasGroup(GROUP, 'pager')).toBe(true);
    const again = restored.toJSON();
    expect(again.groups).toEqual(saved.groups);
    // the same deliveries, attempts and errors kept; only the next attempt moves to createdAt
    expect(again.deliveries).toEqual(saved.deliveries.map((d) => ({ ...d, nextAttemptAt: d.createdAt })));
    for (const d of again.deliveries) expect(d.nextAttemptAt).toBeLessThanOrEqual(d.createdAt);
    expect(again.deliveries.find((d) => d.id === 'n-bob')).toMatchObject({
      attempts: 1,
      lastError: 'timeout',
    });
    // n-ann was in progress when saved: it is due again
    expect(ids(restored.due(T0 + 10 * SECOND))).toEqual(['n-ann', 'n-bob', 'd-1', 'n-pager']);
  });

  it('settles a restored group when its outstanding deliveries end', () => {
    const q = new DeliveryQueue(POLICY);
    q.add([toOwner('n-ann', 'oncall-email', 'ann', T0), toOwner('n-bob', 'oncall-email', 'bob', T0)], group);
    q.due(T0);
    q.succeeded('n-ann');
    const restored = DeliveryQueue.fromJSON(POLICY, JSON.parse(JSON.stringify(q.toJSON())) as unknown);
    expect(ids(restored.due(T0 + MINUTE))).toEqual(['n-bob']);
    const last = restored.failed('n-bob', T0 + MINUTE, 'HTTP 400', false, low);
    // n-ann's delivery before the restart counts
    expect(last.settled?.group).toEqual({
      key: GROUP,
      receiver: 'oncall-email',
      alerts: [alert],
      delivered: true,
    });
  });

  it('refuses data of another version or shape with a StateDataError naming the key', () => {
    const valid = JSON.parse(JSON.stringify(busy().toJSON())) as Record<string, unknown> & {
      deliveries: Record<string, unknown>[];
    };
    expect(() => DeliveryQueue.fromJSON(POLICY, { ...valid, version: 2 })).toThrow(StateDataError);
    expect(() => DeliveryQueue.fromJSON(POLICY, { ...valid, version: 2 })).toThrow(
      /^queue\.version: expected 1/,
    );
    expect(() => DeliveryQueue.fromJSON(POLICY, null)).toThrow(/^queue\.version/);

    const withoutId = structuredClone(valid);
    delete withoutId.deliveries[1]!['id'];
    expect(() => DeliveryQueue.fromJSON(POLICY, withoutId)).toThrow(StateDataError);
    expect(() => DeliveryQueue.fromJSON(POLICY, withoutId)).toThrow(
      'queue.deliveries[1].id: expected a string',
    );

    const notAnArray = { ...valid, deliveries: { 'n-ann': valid.deliveries[0] } };
    expect(() => DeliveryQueue.fromJSON(POLICY, notAnArray)).toThrow(StateDataError);
    expect(() => DeliveryQueue.fromJSON(POLICY, notAnArray)).toThrow('queue.deliveries: expected an array');

    const badTime = structuredClone(valid);
    badTime.deliveries[0]!['createdAt'] = 'yesterday';
    expect(() => DeliveryQueue.fromJSON(POLICY, badTime)).toThrow(
      'queue.deliveries[0].createdAt: expected a finite number',
    );
  });

  it('gives its errors the DW_INPUT_INVALID code', () => {
    let caught: unknown;
    try {
      DeliveryQueue.fromJSON(POLICY, { version: DELIVERY_QUEUE_VERSION, deliveries: 'x', groups: [] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StateDataError);
    expect((caught as StateDataError).code).toBe('DW_INPUT_INVALID');
    expect((caught as StateDataError).name).toBe('StateDataError');
  });
});
