import { describe, expect, it } from 'vitest';

import type { AlertSnapshot, Notification } from '../../../src/notify/dispatcher.js';
import {
  DIGEST_EVENT_LIMIT,
  MAX_SUBJECT_LENGTH,
  renderDigest,
  renderEmail,
} from '../../../src/notify/emailContent.js';
import type {
  DigestEvent,
  DigestInput,
  DigestModel,
  EmailContext,
  ModelContext,
} from '../../../src/notify/emailContent.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 4, 2, 12, 0, 0);
const URL = 'http://driftwatch.ml.svc:9874';

const psiAlert: AlertSnapshot = {
  fingerprint: 'psi-amount',
  labels: {
    alertname: 'FeaturePsiCritical',
    model: 'fraud-scorer',
    feature: 'amount',
    source: 'transactions',
    severity: 'critical',
    team: 'fraud',
  },
  annotations: {
    summary: 'PSI of fraud-scorer feature amount is 0.4123',
    description: 'The distribution of amount shifted.\nCheck the upstream feed.',
    runbook_url: 'https://runbooks.example.com/psi',
    dashboard_url: 'https://grafana.example.com/d/drift',
    signal: 'feature_psi',
    comparison: '>',
    threshold: '0.2',
    value: '0.4123',
  },
  state: 'firing',
  startsAt: T0,
  endsAt: null,
  value: 0.41234,
};

const countryAlert: AlertSnapshot = {
  ...psiAlert,
  fingerprint: 'psi-country',
  labels: { ...psiAlert.labels, feature: 'country' },
  annotations: {
    ...psiAlert.annotations,
    summary: 'PSI of fraud-scorer feature country is 0.3',
    value: '0.3',
  },
  startsAt: T0 + HOUR,
  value: 0.3,
};

const resolvedAlert: AlertSnapshot = {
  ...psiAlert,
  fingerprint: 'psi-device',
  labels: { ...psiAlert.labels, feature: 'device' },
  annotations: {
    ...psiAlert.annotations,
    summary: 'PSI of fraud-scorer feature device is 0.12',
    value: '0.12',
  },
  state: 'resolved',
  startsAt: T0 - 2 * HOUR,
  endsAt: T0 - HOUR + 5 * 60_000,
  value: 0.12,
};

const GROUP = { alertname: 'FeaturePsiCritical', model: 'fraud-scorer' };

function notification(alerts: AlertSnapshot[], groupLabels: Record<string, string> = GROUP): Notification {
  return {
    receiver: 'fraud-email',
    groupKey: '/0:{alertname="FeaturePsiCritical",model="fraud-scorer"}',
    groupLabels,
    alerts,
    status: alerts.every((a) => a.state === 'resolved') ? 'resolved' : 'firing',
  };
}

function context(alerts: AlertSnapshot[], fields: Partial<EmailContext> = {}): EmailContext {
  return {
    notification: notification(alerts),
    owner: 'ana',
    models: new Map<string, ModelContext>([['fraud-scorer', { version: 'v12', lastGoodVersion: 'v11' }]]),
    externalURL: URL,
    subjectTemplate: null,
    ...fields,
  };
}

describe('renderEmail subject', () => {
  it('is [FIRING:1], the group label values and the summary for one firing alert', () => {
    expect(renderEmail(context([psiAlert])).subject).toBe(
      '[FIRING:1] FeaturePsiCritical fraud-scorer — PSI of fraud-scorer feature amount is 0.4123',
    );
  });

  it('counts the firing alerts only and leaves the summary out when there are several', () => {
    expect(renderEmail(context([resolvedAlert, psiAlert, countryAlert])).subject).toBe(
      '[FIRING:2] FeaturePsiCritical fraud-scorer',
    );
  });

  it('is [RESOLVED] when every alert is resolved', () => {
    const second = { ...resolvedAlert, fingerprint: 'other' };
    expect(renderEmail(context([resolvedAlert, second])).subject).toBe(
      '[RESOLVED] FeaturePsiCritical fraud-scorer',
    );
    expect(renderEmail(context([resolvedAlert])).subject).toBe(
      '[RESOLVED] FeaturePsiCritical fraud-scorer — PSI of fraud-scorer feature device is 0.12',
    );
  });

  it('orders the group label values by label name, and uses alertname and model without group labels', () => {
    const byFeature = {
      ...context([psiAlert, countryAlert]),
      notification: notification([psiAlert, countryAlert], { model: 'm', feature: 'f' }),
    };
    expect(renderEmail(byFeature).subject).toBe('[FIRING:2] f m');
    const ungrouped = {
      ...context([psiAlert, countryAlert]),
      notification: notification([psiAlert, countryAlert], {}),
    };
    expect(renderEmail(ungrouped).subject).toBe('[FIRING:2] FeaturePsiCritical fraud-scorer');
  });

  it('renders the subject template with the first alert shown (firing before resolved)', () => {
    const template =
      '{{labels.alertname}}: {{model}}/{{feature}} {{ signal }} {{value}} {{threshold}} {{labels.team}}';
    const subject = renderEmail(context([resolvedAlert, psiAlert], { subjectTemplate: template })).subject;
    expect(subject).toBe('FeaturePsiCritical: fraud-scorer/amount feature_psi 0.4123 0.2 fraud');
  });

  it('renders {{signal}} as the annotation reads when it names no known signal, empty when absent', () => {
    const future = { ...psiAlert, annotations: { ...psiAlert.annotations, signal: 'feature_new_thing' } };
    expect(renderEmail(context([future], { subjectTemplate: '[{{signal}}] {{model}}' })).subject).toBe(
      '[feature_new_thing] fraud-scorer',
    );
    const bare = { ...psiAlert, annotations: {} };
    expect(
      renderEmail(context([bare], { subjectTemplate: '[{{signal}}] {{threshold}} {{model}}' })).subject,
    ).toBe('[] NaN fraud-scorer');
  });

  it('puts the subject on one line, whatever the template and label values hold', () => {
    const broken = { ...psiAlert, labels: { ...psiAlert.labels, feature: 'a\nb' } };
    const subject = renderEmail(
      context([broken], { subjectTemplate: '{{model}}\r\n{{feature}}\n drifted\u2028now' }),
    ).subject;
    expect(subject).toBe('fraud-scorer a b drifted now');
  });

  it(`cuts a subject to ${MAX_SUBJECT_LENGTH} characters`, () => {
    const long = { ...psiAlert, annotations: { ...psiAlert.annotations, summary: 'x'.repeat(500) } };
    const subject = renderEmail(context([long])).subject;
    expect(subject).toHaveLength(200);
    expect(subject.endsWith('x…')).toBe(true);
    expect(subject.startsWith('[FIRING:1] FeaturePsiCritical fraud-scorer — xxx')).toBe(true);
  });
});

describe('renderEmail body', () => {
  const email = renderEmail(context([resolvedAlert, psiAlert], { timezone: 'Europe/Berlin' }));

  it('carries every fact of a firing alert in the text and in the HTML', () => {
    // Berlin is UTC+2 in May (CEST).
    const facts = [
      'PSI of fraud-scorer feature amount is 0.4123',
      'FeaturePsiCritical',
      'fraud-scorer',
      'v12',
      'v11',
      'amount (source transactions)',
      'feature_psi',
      'critical',
      '2026-05-02 14:00:00 Europe/Berlin (2026-05-02T12:00:00Z)',
      'ana',
      'https://runbooks.example.com/psi',
      'https://grafana.example.com/d/drift',
      'The distribution of amount shifted.',
      'Check the upstream feed.',
      'http://driftwatch.ml.svc:9874/api/v1/alerts',
    ];
    for (const fact of facts) {
      expect(email.text).toContain(fact);
      expect(email.html).toContain(fact);
    }
    expect(email.text).toMatch(/Value vs threshold: +0\.4123 > 0\.2\n/);
    expect(email.html).toContain('0.4123 &gt; 0.2');
    expect(email.text).toMatch(/Last known good version: +v11\n/);
    expect(email.text).toMatch(/Labels: +team="fraud"\n/);
    expect(email.html).toContain('<a href="https://runbooks.example.com/psi"');
    expect(email.html).toContain('<a href="https://grafana.example.com/d/drift"');
    expect(email.html).toContain('<a href="http://driftwatch.ml.svc:9874/api/v1/alerts"');
    expect(email.html).toContain('The distribution of amount shifted.<br>Check the upstream feed.');
  });

  it('shows a resolved alert with the value it resolved at and when, in a Resolved section after the firing ones', () => {
    expect(email.text).toContain('resolved at 0.12 (fires when > 0.2)');
    expect(email.html).toContain('resolved at 0.12 (fires when &gt; 0.2)');
    // 2026-05-02T11:05:00Z, 1h5m after it started at 10:00Z.
    const resolvedAt = '2026-05-02 13:05:00 Europe/Berlin (2026-05-02T11:05:00Z), after 1h5m';
    expect(email.text).toContain(resolvedAt);
    expect(email.html).toContain(resolvedAt);
    for (const body of [email.text, email.html]) {
      const firing = body.indexOf('Firing (1)');
      const resolved = body.indexOf('Resolved (1)');
      expect(firing).toBeGreaterThanOrEqual(0);
      expect(resolved).toBeGreaterThan(firing);
      expect(body.indexOf('feature amount is')).toBeGreaterThan(firing);
      expect(body.indexOf('feature amount is')).toBeLessThan(resolved);
      expect(body.indexOf('feature device is')).toBeGreaterThan(resolved);
    }
  });

  it('tells how to silence each firing alertname and model, quoted for the shell', () => {
    const command =
      `driftwatch silence add --matcher 'alertname="FeaturePsiCritical"' --matcher 'model="fraud-scorer"' ` +
      `--duration 2h --comment 'why' --url '${URL}'`;
    expect(email.text).toContain(command);
    expect(email.html).toContain(
      command.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
    );
    // The two firing alerts share alertname and model: one command.
    const two = renderEmail(context([psiAlert, countryAlert]));
    expect(two.text.split('driftwatch silence add').length - 1).toBe(1);
    expect(renderEmail(context([resolvedAlert])).text).not.toContain('silence add');
  });

  it('shows UTC times only, in RFC 3339, by default and for an unknown time zone', () => {
    for (const timezone of [undefined, 'Mars/Olympus']) {
      const text = renderEmail(context([psiAlert], timezone === undefined ? {} : { timezone })).text;
      expect(text).toMatch(/Since: +2026-05-02T12:00:00Z\n/);
    }
  });

  it('is a self-contained HTML document: inline styles, no script, no external resource', () => {
    expect(email.html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(email.html).toContain('<meta charset="utf-8">');
    expect(email.html).not.toMatch(/<script|<style|<link|<img|<iframe|\ssrc=|\bclass=/i);
    expect(email.html.match(/<table/g)?.length).toBe(email.html.match(/<\/table>/g)?.length);
  });

  it('escapes every label and annotation value in the HTML, and links only http(s) URLs', () => {
    const evil = '<script>alert(1)</script>';
    const quotes = `"&'`;
    const alert: AlertSnapshot = {
      ...psiAlert,
      labels: {
        alertname: 'FeatureDrift',
        model: evil,
        feature: quotes,
        source: evil,
        severity: quotes,
        tier: evil,
      },
      annotations: {
        summary: evil,
        description: quotes,
        runbook_url: `https://x.example.com/?a=${quotes}`,
        dashboard_url: 'javascript:alert(1)',
        signal: evil,
        comparison: evil,
        threshold: quotes,
        value: evil,
      },
    };
    const ctx = context([alert], {
      owner: evil,
      models: new Map([[evil, { version: evil, lastGoodVersion: quotes }]]),
      subjectTemplate: null,
    });
    const html = renderEmail({ ...ctx, notification: notification([alert], { model: evil }) }).html;
    expect(html).not.toContain(evil);
    expect(html).not.toContain(quotes);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&amp;&#39;');
    expect(html).toContain('<a href="https://x.example.com/?a=&quot;&amp;&#39;"');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('javascript:alert(1)'); // shown, as text
  });

  it('does not fail on an alert without annotations, a model not seen and no owner', () => {
    const bare: AlertSnapshot = {
      fingerprint: 'no-events',
      labels: { alertname: 'NoEvents', model: 'churn' },
      annotations: {},
      state: 'firing',
      startsAt: T0,
      endsAt: null,
      value: 7200,
    };
    const email = renderEmail({
      ...context([bare], { owner: null }),
      notification: notification([bare], {}),
    });
    expect(email.subject).toBe('[FIRING:1] NoEvents churn');
    expect(email.text).toContain('NoEvents on churn');
    expect(email.text).toMatch(/Version: +not seen yet\n/);
    expect(email.text).toMatch(/Last known good version: +none yet\n/);
    expect(email.text).toMatch(/Value vs threshold: +7200\n/);
    expect(email.text).toMatch(/Signal: +–\n/);
    expect(email.text).toMatch(/Runbook: +none\n/);
    expect(email.text).toContain('receiver fraud-email');
    expect(email.html).toContain('NoEvents on churn');
    expect(email.text).not.toContain('Feature:');

    const resolvedBare = { ...bare, state: 'resolved' as const, endsAt: null };
    expect(() => renderEmail(context([resolvedBare]))).not.toThrow();
    expect(renderEmail(context([resolvedBare])).text).toContain('resolved at 7200');
  });
});

describe('renderDigest', () => {
  const driftModel: DigestModel = {
    name: 'fraud-scorer',
    version: 'v12',
    lastGoodVersion: 'v11',
    status: 'drift',
    driftShare: 0.25,
    driftedFeatures: [
      { source: 'transactions', feature: 'amount', statistic: 'psi', value: 0.41234 },
      { source: 'transactions', feature: 'country', statistic: 'chi2_pvalue', value: null },
    ],
    firing: [psiAlert, countryAlert],
  };
  const okModel: DigestModel = {
    name: 'churn',
    version: '2026-04-30',
    lastGoodVersion: '2026-04-30',
    status: 'ok',
    driftShare: 0,
    driftedFeatures: [],
    firing: [],
  };
  const newModel: DigestModel = {
    name: 'ltv',
    version: null,
    lastGoodVersion: null,
    status: 'not_evaluated',
    driftShare: null,
    driftedFeatures: [],
    firing: [],
  };
  const events: DigestEvent[] = [
    { at: T0, labels: psiAlert.labels, to: 'firing', value: 0.41234 },
    { at: T0 + 3 * HOUR, labels: { alertname: 'NoEvents', model: 'churn' }, to: 'resolved', value: null },
  ];
  function input(fields: Partial<DigestInput> = {}): DigestInput {
    return {
      owner: 'fraud-team',
      from: T0 - DAY,
      to: T0 + 6 * HOUR,
      models: [driftModel, okModel, newModel],
      events,
      externalURL: URL,
      ...fields,
    };
  }

  it('says in the subject how many models drift and how many alerts fire', () => {
    const from = Date.UTC(2026, 4, 1, 6);
    expect(renderDigest(input({ from, to: from + DAY })).subject).toBe(
      '[driftwatch] Daily digest for fraud-team: 1 of 3 models drifting, 2 alerts firing',
    );
    expect(renderDigest(input({ from, to: from + 7 * DAY, models: [okModel] })).subject).toBe(
      '[driftwatch] Weekly digest for fraud-team: 0 of 1 model drifting, no alerts firing',
    );
    const one = { ...driftModel, firing: [psiAlert] };
    expect(renderDigest(input({ from, to: from + 6 * HOUR, models: [one] })).subject).toBe(
      '[driftwatch] Digest for fraud-team: 1 of 1 model drifting, 1 alert firing',
    );
  });

  it('works for an owner with no models', () => {
    const digest = renderDigest(input({ models: [], events: [], from: T0, to: T0 + DAY }));
    expect(digest.subject).toBe('[driftwatch] Daily digest for fraud-team: no models, no alerts firing');
    for (const body of [digest.text, digest.html]) {
      expect(body).toContain('No models are routed to fraud-team.');
      expect(body).toContain('Nothing is firing.');
      expect(body).toContain('No alert fired or resolved in the period.');
    }
  });

  it('has a table per model, the firing alerts and the events of the period', () => {
    const digest = renderDigest(input());
    const facts = [
      'Period: 2026-05-01T12:00:00Z to 2026-05-02T18:00:00Z',
      'fraud-scorer',
      'drifting',
      'v12',
      'v11',
      '25.00%',
      'amount (source transactions): psi 0.4123',
      'country (source transactions): chi2_pvalue –',
      'churn',
      '2026-04-30',
      '0.00%',
      'ltv',
      'not evaluated yet',
      'not seen yet',
      'none yet',
      'PSI of fraud-scorer feature amount is 0.4123',
      'PSI of fraud-scorer feature country is 0.3',
      '2026-05-02T15:00:00Z',
      'NoEvents',
      'http://driftwatch.ml.svc:9874/api/v1/alerts',
    ];
    for (const fact of facts) {
      expect(digest.text).toContain(fact);
      expect(digest.html).toContain(fact);
    }
    expect(digest.text).toMatch(
      /fraud-scorer\n +Status: +drifting\n +Version: +v12\n +Last known good version: +v11\n/,
    );
    expect(digest.text).toMatch(/Drift share: +25\.00%\n/);
    expect(digest.text).toContain('Value vs threshold: 0.4123 > 0.2');
    expect(digest.html).toContain('0.4123 &gt; 0.2');
    // The events, oldest first.
    const fired = digest.text.indexOf('2026-05-02T12:00:00Z | Alert: FeaturePsiCritical');
    const resolved = digest.text.indexOf(
      '2026-05-02T15:00:00Z | Alert: NoEvents | Model: churn | Change: resolved',
    );
    expect(fired).toBeGreaterThan(0);
    expect(resolved).toBeGreaterThan(fired);
    expect(digest.html).toMatch(/<td[^>]*>firing<\/td>/);
    expect(digest.html).toMatch(/<td[^>]*>resolved<\/td>/);
    expect(digest.html).not.toMatch(/<script|<style|<link|<img|\ssrc=/i);
  });

  it(`lists at most ${DIGEST_EVENT_LIMIT} events and counts the rest`, () => {
    const many = Array.from({ length: DIGEST_EVENT_LIMIT + 5 }, (_, i) => ({
      at: T0 + i * 1000,
      labels: { alertname: `Alert${i}`, model: 'm' },
      to: 'firing' as const,
      value: 1,
    }));
    const digest = renderDigest(input({ events: many }));
    expect(digest.text).toContain(`Alert events of the period (${DIGEST_EVENT_LIMIT + 5})`);
    expect(digest.text).toContain(`Alert${DIGEST_EVENT_LIMIT - 1} |`);
    expect(digest.text).not.toContain(`Alert${DIGEST_EVENT_LIMIT} |`);
    expect(digest.text).toContain('5 later events not listed.');
  });

  it('escapes model, owner and feature names in the HTML', () => {
    const evil = '<script>alert(1)</script>';
    const quotes = `"&'`;
    const model: DigestModel = {
      ...driftModel,
      name: evil,
      version: quotes,
      driftedFeatures: [{ source: evil, feature: quotes, statistic: evil, value: 1 }],
      firing: [{ ...psiAlert, labels: { alertname: evil, model: evil, feature: quotes } }],
    };
    const digest = renderDigest(
      input({
        owner: evil,
        models: [model],
        events: [{ at: T0, labels: { model: evil, feature: quotes }, to: 'firing', value: 1 }],
      }),
    );
    expect(digest.html).not.toContain(evil);
    expect(digest.html).not.toContain(quotes);
    expect(digest.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(digest.html).toContain('&quot;&amp;&#39;');
    expect(digest.text).toContain(evil);
  });
});
