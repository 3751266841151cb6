import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import type { AlertSnapshot, Notification } from '../../../src/notify/dispatcher.js';
import { SIGNATURE_HEADER, signPayload, webhookPayload } from '../../../src/notify/webhookPayload.js';

const firingAlert: AlertSnapshot = {
  fingerprint: '{alertname="FeatureDrift", feature="amount", model="fraud", severity="warning"}',
  labels: { severity: 'warning', model: 'fraud', feature: 'amount', alertname: 'FeatureDrift' },
  annotations: { summary: 'amount drifted', runbook_url: 'https://runbooks/drift' },
  state: 'firing',
  startsAt: Date.UTC(2026, 4, 2, 12, 0, 0, 250),
  endsAt: null,
  value: 0.31,
};
const resolvedAlert: AlertSnapshot = {
  fingerprint: '{alertname="FeatureDrift", feature="country", model="fraud", severity="warning"}',
  labels: { alertname: 'FeatureDrift', model: 'fraud', feature: 'country', severity: 'warning' },
  annotations: { summary: 'country drifted', runbook_url: 'https://runbooks/drift' },
  state: 'resolved',
  startsAt: Date.UTC(2026, 4, 2, 11, 0, 0),
  endsAt: Date.UTC(2026, 4, 2, 12, 5, 0),
  value: 0.12,
};
const notification: Notification = {
  receiver: 'fraud-webhook',
  groupKey: '/0:{alertname="FeatureDrift",model="fraud"}',
  groupLabels: { model: 'fraud', alertname: 'FeatureDrift' },
  alerts: [firingAlert, resolvedAlert],
  status: 'firing',
};

describe('webhookPayload', () => {
  it("is Alertmanager's webhook body, exactly, with keys in code-point order", () => {
    const body = webhookPayload(notification, {
      externalURL: 'http://driftwatch.ml.svc:9874',
      generatorURL: (a) => `http://driftwatch.ml.svc:9874/api/v1/alerts?model=${a.labels['model']}`,
    });
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({
        version: '4',
        groupKey: '/0:{alertname="FeatureDrift",model="fraud"}',
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'fraud-webhook',
        groupLabels: { alertname: 'FeatureDrift', model: 'fraud' },
        commonLabels: { alertname: 'FeatureDrift', model: 'fraud', severity: 'warning' },
        commonAnnotations: { runbook_url: 'https://runbooks/drift' },
        externalURL: 'http://driftwatch.ml.svc:9874',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'FeatureDrift', feature: 'amount', model: 'fraud', severity: 'warning' },
            annotations: { runbook_url: 'https://runbooks/drift', summary: 'amount drifted' },
            startsAt: '2026-05-02T12:00:00.250Z',
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: 'http://driftwatch.ml.svc:9874/api/v1/alerts?model=fraud',
            fingerprint: '{alertname="FeatureDrift", feature="amount", model="fraud", severity="warning"}',
          },
          {
            status: 'resolved',
            labels: { alertname: 'FeatureDrift', feature: 'country', model: 'fraud', severity: 'warning' },
            annotations: { runbook_url: 'https://runbooks/drift', summary: 'country drifted' },
            startsAt: '2026-05-02T11:00:00.000Z',
            endsAt: '2026-05-02T12:05:00.000Z',
            generatorURL: 'http://driftwatch.ml.svc:9874/api/v1/alerts?model=fraud',
            fingerprint: '{alertname="FeatureDrift", feature="country", model="fraud", severity="warning"}',
          },
        ],
      }),
    );
  });

  it('has empty generator URLs by default and the common labels of a single alert are all of its labels', () => {
    const body = webhookPayload(
      { ...notification, alerts: [resolvedAlert], status: 'resolved' },
      { externalURL: '' },
    );
    expect(body.status).toBe('resolved');
    expect(body.alerts[0]!.generatorURL).toBe('');
    expect(body.commonLabels).toEqual(resolvedAlert.labels);
    expect(body.commonAnnotations).toEqual(resolvedAlert.annotations);
  });
});

describe('signPayload', () => {
  it('matches the HMAC-SHA256 test vector of RFC 4231 (test case 2)', () => {
    expect(signPayload('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('signs the exact UTF-8 bytes of a body as node:crypto does, and changes with the body or the secret', () => {
    const body = JSON.stringify(webhookPayload(notification, { externalURL: 'http://dw' })) + ' drift ≥ 0.2';
    const expected = createHmac('sha256', Buffer.from('s3cr3t', 'utf8'))
      .update(Buffer.from(body, 'utf8'))
      .digest('hex');
    expect(signPayload(body, 's3cr3t')).toBe(`sha256=${expected}`);
    expect(signPayload(`${body} `, 's3cr3t')).not.toBe(`sha256=${expected}`);
    expect(signPayload(body, 's3cr3T')).not.toBe(`sha256=${expected}`);
    expect(SIGNATURE_HEADER).toBe('X-Driftwatch-Signature');
  });
});
