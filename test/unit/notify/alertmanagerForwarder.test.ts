import { describe, expect, it } from 'vitest';

import { AlertmanagerForwarder, postableAlerts } from '../../../src/notify/alertmanagerForwarder.js';
import type { AlertmanagerPost } from '../../../src/notify/alertmanagerForwarder.js';
import type { RetryPolicy } from '../../../src/notify/deliveryQueue.js';
import type { AlertSnapshot } from '../../../src/notify/dispatcher.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** 2026-05-02T12:00:00.000Z */
const T0 = Date.UTC(2026, 4, 2, 12, 0, 0);
const RESEND = MINUTE;

const POLICY: RetryPolicy = { initialBackoffMs: SECOND, maxBackoffMs: 10 * SECOND, giveUpAfterMs: HOUR };
/** With a draw of 0.5 the jittered delay is 3/4 of the capped exponential one. */
const middle = (): number => 0.5;

const amount: AlertSnapshot = {
  fingerprint: '{alertname="FeatureDrift", feature="amount", model="fraud"}',
  labels: { alertname: 'FeatureDrift', model: 'fraud', feature: 'amount' },
  annotations: { summary: 'amount drifted', runbook_url: 'https://runbooks/drift' },
  state: 'firing',
  startsAt: T0 - 5 * MINUTE,
  endsAt: null,
  value: 0.31,
};
const country: AlertSnapshot = {
  fingerprint: '{alertname="FeatureDrift", feature="country", model="fraud"}',
  labels: { alertname: 'FeatureDrift', model: 'fraud', feature: 'country' },
  annotations: { summary: 'country drifted' },
  state: 'firing',
  startsAt: T0 - 2 * MINUTE,
  endsAt: null,
  value: 0.22,
};

const receivers = (
  entries: Record<string, readonly AlertSnapshot[]>,
): Map<string, readonly AlertSnapshot[]> => new Map(Object.entries(entries));

const names = (posts: readonly AlertmanagerPost[]): string[] => posts.map((p) => p.receiver).sort();

/** A forwarder whose receiver `am` holds `alerts` and was delivered successfully at `at`. */
function sentAt(alerts: readonly AlertSnapshot[], at: number): AlertmanagerForwarder {
  const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
  forwarder.update(receivers({ am: alerts }));
  const [post] = forwarder.due(at);
  if (post === undefined) throw new Error('expected a first POST');
  forwarder.succeeded(post, at);
  return forwarder;
}

/** The single POST due at `now`, reported as delivered at `now`. */
function deliverOne(forwarder: AlertmanagerForwarder, now: number): AlertmanagerPost {
  const posts = forwarder.due(now);
  expect(posts).toHaveLength(1);
  const post = posts[0]!;
  forwarder.succeeded(post, now);
  return post;
}

describe('postableAlerts', () => {
  const resolved: AlertSnapshot = {
    ...country,
    state: 'resolved',
    endsAt: T0 - 30 * SECOND,
  };
  const url = (alert: AlertSnapshot): string =>
    `https://driftwatch.example/alerts?model=${alert.labels['model']}&feature=${alert.labels['feature']}`;

  it('gives a firing alert an endsAt validForMs ahead and keeps a resolved one', () => {
    const body = postableAlerts([amount, resolved], T0, 4 * MINUTE, url);
    expect(body).toEqual([
      {
        labels: { alertname: 'FeatureDrift', model: 'fraud', feature: 'amount' },
        annotations: { summary: 'amount drifted', runbook_url: 'https://runbooks/drift' },
        startsAt: '2026-05-02T11:55:00.000Z',
        endsAt: '2026-05-02T12:04:00.000Z',
        generatorURL: 'https://driftwatch.example/alerts?model=fraud&feature=amount',
      },
      {
        labels: { alertname: 'FeatureDrift', model: 'fraud', feature: 'country' },
        annotations: { summary: 'country drifted' },
        startsAt: '2026-05-02T11:58:00.000Z',
        endsAt: '2026-05-02T11:59:30.000Z',
        generatorURL: 'https://driftwatch.example/alerts?model=fraud&feature=country',
      },
    ]);
  });

  it('moves a firing alert’s endsAt with now and validForMs', () => {
    const [later] = postableAlerts([amount], T0 + HOUR, 90 * SECOND, url);
    expect(later?.endsAt).toBe('2026-05-02T13:01:30.000Z');
  });

  it('copies labels and annotations rather than sharing them', () => {
    const [body] = postableAlerts([amount], T0, MINUTE, url);
    expect(body?.labels).not.toBe(amount.labels);
    expect(body?.annotations).not.toBe(amount.annotations);
    (body!.labels as Record<string, string>)['extra'] = 'x';
    expect(amount.labels).toEqual({ alertname: 'FeatureDrift', model: 'fraud', feature: 'amount' });
  });

  it('asks the callback for each alert’s generatorURL', () => {
    const seen: string[] = [];
    const body = postableAlerts([amount, resolved], T0, MINUTE, (alert) => {
      seen.push(alert.fingerprint);
      return `url-${seen.length}`;
    });
    expect(seen).toEqual([amount.fingerprint, country.fingerprint]);
    expect(body.map((a) => a.generatorURL)).toEqual(['url-1', 'url-2']);
  });

  it('gives an empty body for no alerts', () => {
    expect(postableAlerts([], T0, MINUTE, url)).toEqual([]);
  });
});

describe('AlertmanagerForwarder', () => {
  describe('first update', () => {
    it('makes a receiver with alerts due at once, with those alerts', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      const alerts = [amount, country];
      forwarder.update(receivers({ am: alerts }));
      expect(forwarder.due(T0)).toEqual([{ receiver: 'am', alerts }]);
    });

    it('makes each receiver with alerts due, and not one that has none', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ team: [amount], platform: [country], quiet: [] }));
      expect(names(forwarder.due(T0))).toEqual(['platform', 'team']);
    });

    it('does not make a receiver with no alerts due, ever', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ am: [] }));
      expect(forwarder.due(T0)).toEqual([]);
      expect(forwarder.due(T0 + RESEND)).toEqual([]);
      expect(forwarder.due(T0 + 10 * RESEND)).toEqual([]);
    });
  });

  describe('resend', () => {
    it('is not due after a delivered POST until exactly resendMs later', () => {
      const sent = T0 + 7 * SECOND;
      const forwarder = sentAt([amount], sent);
      expect(forwarder.due(sent)).toEqual([]);
      expect(forwarder.due(sent + RESEND - 1)).toEqual([]);
      expect(forwarder.due(sent + RESEND)).toEqual([{ receiver: 'am', alerts: [amount] }]);
    });

    it('counts the period from the last delivered POST', () => {
      const forwarder = sentAt([amount], T0);
      const second = T0 + RESEND + 15 * SECOND;
      deliverOne(forwarder, second);
      expect(forwarder.due(second + RESEND - 1)).toEqual([]);
      expect(names(forwarder.due(second + RESEND))).toEqual(['am']);
    });

    it('does not count a changed order of the same alerts as a change', () => {
      const forwarder = sentAt([amount, country], T0);
      forwarder.update(receivers({ am: [country, amount] }));
      expect(forwarder.due(T0 + SECOND)).toEqual([]);
    });

    it('does not count a new value of the same firing alert as a change', () => {
      const forwarder = sentAt([amount], T0);
      forwarder.update(receivers({ am: [{ ...amount, value: 0.5 }] }));
      expect(forwarder.due(T0 + SECOND)).toEqual([]);
      expect(forwarder.due(T0 + RESEND)).toEqual([{ receiver: 'am', alerts: [{ ...amount, value: 0.5 }] }]);
    });
  });

  describe('a changed set', () => {
    const soon = T0 + SECOND;

    it('is due at once when an alert is added', () => {
      const forwarder = sentAt([amount], T0);
      forwarder.update(receivers({ am: [amount, country] }));
      expect(forwarder.due(soon)).toEqual([{ receiver: 'am', alerts: [amount, country] }]);
    });

    it('is due at once when an alert resolves', () => {
      const forwarder = sentAt([amount, country], T0);
      const resolved: AlertSnapshot = { ...country, state: 'resolved', endsAt: soon };
      forwarder.update(receivers({ am: [amount, resolved] }));
      expect(forwarder.due(soon)).toEqual([{ receiver: 'am', alerts: [amount, resolved] }]);
    });

    it('is due at once for a new episode of the same alert', () => {
      const forwarder = sentAt([amount], T0);
      const again: AlertSnapshot = { ...amount, startsAt: T0 + 500 };
      forwarder.update(receivers({ am: [again] }));
      expect(forwarder.due(soon)).toEqual([{ receiver: 'am', alerts: [again] }]);
    });

    it('is due at once when an alert leaves the set', () => {
      const forwarder = sentAt([amount, country], T0);
      forwarder.update(receivers({ am: [country] }));
      expect(forwarder.due(soon)).toEqual([{ receiver: 'am', alerts: [country] }]);
    });

    it('is due once when the set becomes empty, then not again', () => {
      const forwarder = sentAt([amount], T0);
      forwarder.update(receivers({ am: [] }));
      const post = deliverOne(forwarder, soon);
      expect(post).toEqual({ receiver: 'am', alerts: [] });
      expect(forwarder.due(soon + RESEND)).toEqual([]);
      expect(forwarder.due(soon + 10 * RESEND)).toEqual([]);
    });

    it('treats a receiver left out of the update as having no alerts', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ team: [amount], platform: [country] }));
      for (const post of forwarder.due(T0)) forwarder.succeeded(post, T0);
      forwarder.update(receivers({ platform: [country] }));
      expect(forwarder.due(soon)).toEqual([{ receiver: 'team', alerts: [] }]);
    });

    it('is due again when the set changed while its POST was in flight', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ am: [amount] }));
      const [post] = forwarder.due(T0);
      forwarder.update(receivers({ am: [amount, country] }));
      forwarder.succeeded(post!, soon);
      expect(forwarder.due(soon)).toEqual([{ receiver: 'am', alerts: [amount, country] }]);
    });
  });

  describe('in progress', () => {
    it('is not due again until reported, whatever happens meanwhile', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ am: [amount] }));
      expect(forwarder.due(T0)).toHaveLength(1);
      expect(forwarder.due(T0)).toEqual([]);
      forwarder.update(receivers({ am: [amount, country] }));
      expect(forwarder.due(T0 + SECOND)).toEqual([]);
      expect(forwarder.due(T0 + 10 * RESEND)).toEqual([]);
    });

    it('keeps other receivers going while one is in progress', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ team: [amount] }));
      expect(names(forwarder.due(T0))).toEqual(['team']);
      forwarder.update(receivers({ team: [amount], platform: [country] }));
      expect(names(forwarder.due(T0 + SECOND))).toEqual(['platform']);
    });
  });

  describe('failures', () => {
    // initial 1 s doubling per attempt, capped at 10 s, times 3/4 with a draw of 0.5:
    // attempt 1 -> 750 ms, 2 -> 1500 ms, 3 -> 3000 ms, 4 -> 6000 ms, 5 and later -> 7500 ms
    it('is not due before the returned time, and due exactly at it', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ am: [amount] }));
      const [post] = forwarder.due(T0);
      const failedAt = T0 + 200;
      const retryAt = forwarder.failed(post!, failedAt, middle);
      expect(retryAt).toBe(failedAt + 750);
      expect(forwarder.due(retryAt - 1)).toEqual([]);
      expect(forwarder.due(retryAt)).toEqual([{ receiver: 'am', alerts: [amount] }]);
    });

    it('backs off further with each failed attempt', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ am: [amount] }));
      let now = T0;
      const delays: number[] = [];
      for (let i = 0; i < 6; i++) {
        const [post] = forwarder.due(now);
        expect(post).toBeDefined();
        const retryAt = forwarder.failed(post!, now, middle);
        delays.push(retryAt - now);
        now = retryAt;
      }
      expect(delays).toEqual([750, 1500, 3000, 6000, 7500, 7500]);
    });

    it('holds even a change back until the retry time', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ am: [amount] }));
      const [post] = forwarder.due(T0);
      const retryAt = forwarder.failed(post!, T0, middle);
      forwarder.update(receivers({ am: [amount, country] }));
      expect(forwarder.due(retryAt - 1)).toEqual([]);
      expect(forwarder.due(retryAt)).toEqual([{ receiver: 'am', alerts: [amount, country] }]);
    });

    it('starts the backoff over after a delivered POST', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ am: [amount] }));
      let [post] = forwarder.due(T0);
      let now = forwarder.failed(post!, T0, middle);
      [post] = forwarder.due(now);
      now = forwarder.failed(post!, now, middle);
      [post] = forwarder.due(now);
      expect(forwarder.failed(post!, now, middle) - now).toBe(3000);

      const delivered = T0 + 10 * SECOND;
      deliverOne(forwarder, delivered);
      forwarder.update(receivers({ am: [amount, country] }));
      [post] = forwarder.due(delivered + SECOND);
      expect(forwarder.failed(post!, delivered + SECOND, middle)).toBe(delivered + SECOND + 750);
    });

    it('keeps resending on schedule when a resend fails and then succeeds', () => {
      const forwarder = sentAt([amount], T0);
      const [resend] = forwarder.due(T0 + RESEND);
      const retryAt = forwarder.failed(resend!, T0 + RESEND, middle);
      expect(forwarder.due(retryAt - 1)).toEqual([]);
      deliverOne(forwarder, retryAt);
      expect(forwarder.due(retryAt + RESEND - 1)).toEqual([]);
      expect(names(forwarder.due(retryAt + RESEND))).toEqual(['am']);
    });

    it('backs off one receiver without holding back another', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ team: [amount], platform: [country] }));
      const posts = forwarder.due(T0);
      const team = posts.find((p) => p.receiver === 'team')!;
      const platform = posts.find((p) => p.receiver === 'platform')!;
      forwarder.failed(team, T0, middle);
      forwarder.succeeded(platform, T0);
      forwarder.update(receivers({ team: [amount], platform: [country, amount] }));
      expect(names(forwarder.due(T0 + 1))).toEqual(['platform']);
    });
  });

  describe('retain', () => {
    it('forgets receivers not in the set, and reports on them do nothing', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ team: [amount], platform: [country] }));
      const posts = forwarder.due(T0);
      forwarder.retain(new Set(['platform']));
      const team = posts.find((p) => p.receiver === 'team')!;
      forwarder.succeeded(team, T0);
      expect(forwarder.failed(team, T0 + 5, middle)).toBe(T0 + 5);
      // platform is still in progress; team is gone, so no empty "resolve all" POST is due for it
      expect(forwarder.due(T0 + 10 * RESEND)).toEqual([]);
    });

    it('keeps the state of the receivers it retains', () => {
      const forwarder = new AlertmanagerForwarder(RESEND, POLICY);
      forwarder.update(receivers({ team: [amount], platform: [country] }));
      for (const post of forwarder.due(T0)) forwarder.succeeded(post, T0);
      forwarder.retain(new Set(['platform', 'unknown']));
      expect(forwarder.due(T0 + RESEND - 1)).toEqual([]);
      expect(forwarder.due(T0 + RESEND)).toEqual([{ receiver: 'platform', alerts: [country] }]);
    });

    it('starts afresh for a receiver that comes back', () => {
      const forwarder = sentAt([amount], T0);
      forwarder.retain(new Set());
      forwarder.update(receivers({ am: [amount] }));
      expect(forwarder.due(T0 + SECOND)).toEqual([{ receiver: 'am', alerts: [amount] }]);
    });
  });
});
