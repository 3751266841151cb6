/**
 * Notifications end to end: the daemon against the real broker, a real SMTP server (smtp-server,
 * STARTTLS), Debian's Alertmanager and a local webhook receiver. Two models drift: `fraud`, owned
 * by a schedule whose business hours are now (the day team), and `churn`, owned by a schedule
 * whose business days exclude today (the night team). Each owner gets exactly one email; the
 * day team's webhook gets a signed payload; Alertmanager lists both alerts. A restart re-sends
 * nothing; with the SMTP server down when the drift ends, the resolved emails arrive once it is
 * back, and the alerts leave Alertmanager.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { startAlertmanager, type Alertmanager } from '../support/alertmanager.js';
import { startDaemon, waitUntil, type DaemonProcess } from '../support/daemon.js';
import { buildBaselineWithCli, eventLines, rows } from '../support/driftData.js';
import { createTopics, kafkaClient, produceRoundRobin, uniqueName } from '../support/kafkaTopics.js';
import { freePort } from '../support/ports.js';
import { startSmtp, type ReceivedMail, type SmtpSink } from '../support/smtp.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-notify-'));
const SECRET = 'webhook-secret-for-tests';
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
let kafka: Kafka;
let smtp: SmtpSink;
let alertmanager: Alertmanager;
let hook: Server;
const hookRequests: { body: string; signature: string | undefined }[] = [];
let daemon: DaemonProcess | null = null;
const baselines: Record<string, string> = {};

beforeAll(async () => {
  kafka = kafkaClient(inject('kafkaBootstrap'));
  [baselines.fraud, baselines.churn, smtp, alertmanager] = await Promise.all([
    buildBaselineWithCli(dir, 'fraud', rows(1, 3000)),
    buildBaselineWithCli(dir, 'churn', rows(1, 3000)),
    startSmtp(),
    startAlertmanager(),
  ]);
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const signature = req.headers['x-driftwatch-signature'];
      hookRequests.push({ body, signature: typeof signature === 'string' ? signature : undefined });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
}, 120_000);

afterAll(async () => {
  daemon?.kill('SIGKILL');
  await Promise.allSettled([
    smtp?.close(),
    alertmanager?.stop(),
    new Promise((resolve) => hook?.close(resolve)),
  ]);
  rmSync(dir, { recursive: true, force: true });
});

function withVersion(lines: string[], version: string): Buffer[] {
  return lines.map((l) => Buffer.from(l.replace('"model_version":"2"', `"model_version":"${version}"`)));
}

function mailsTo(address: string, status: 'FIRING' | 'RESOLVED'): ReceivedMail[] {
  return smtp.messages.filter(
    (m) => m.envelopeTo.includes(address) && (m.mail.subject ?? '').startsWith(`[${status}`),
  );
}

function writeConfig(topic: string, port: number): string {
  const today = new Date().getUTCDay();
  // The night schedule's only business day is two days from now: it is after hours all test long.
  const elsewhere = DAYS[(today + 2) % 7]!;
  const secretFile = join(dir, 'hook-secret');
  writeFileSync(secretFile, `${SECRET}\n`);
  const model = (name: string, owner: string) =>
    `  - {name: ${name}, baseline: ${baselines[name]}, window: 40s, step: 1s, owner: ${owner}}`;
  const file = join(dir, 'driftwatch.yaml');
  writeFileSync(
    file,
    `kafka:
  brokers: ["${inject('kafkaBootstrap')}"]
  group_id: ${uniqueName('it.notify')}
  topics: {predictions: ${topic}, features: null}
  from_beginning: true
models:
${model('fraud', 'day-shift')}
${model('churn', 'night-shift')}
server: {host: 127.0.0.1, port: ${port}}
state: {directory: ${join(dir, 'state')}}
logging: {level: info}
alerts:
  default_rules: false
  known_good_after: 2s
  external_url: http://driftwatch.test:9874
  dashboard_url: "https://grafana.test/d/dw?var-model={{model}}"
  delivery: {initial_backoff: 200ms, max_backoff: 1s}
  rules:
    - name: AmountPsi
      signal: feature_psi
      comparison: ">"
      threshold: 0.2
      features: [amount]
      severity: critical
      summary: "PSI of {{model}} feature {{feature}} is {{value}}"
      runbook_url: https://runbooks.test/psi
  owners:
    - name: day-team
      email: [day@example.com]
      receivers: [owner-email, hook]
      digest: {cron: "*/3 * * * * *", timezone: Europe/Berlin}
    - {name: night-team, email: [night@example.com], receivers: [owner-email]}
  schedules:
    - {name: day-shift, timezone: UTC, days: [${DAYS.join(', ')}], start: "00:00", end: "24:00", business_hours: day-team, after_hours: night-team}
    - {name: night-shift, timezone: UTC, days: [${elsewhere}], start: "00:00", end: "24:00", business_hours: day-team, after_hours: night-team}
  route:
    receiver: owner
    group_by: [alertname, model]
    group_wait: 1s
    group_interval: 2s
    repeat_interval: 1h
    routes:
      - {matchers: ['severity="critical"'], receiver: am, continue: true}
      - {matchers: []}
  receivers:
    - {name: owner-email, type: email, to: owner}
    - {name: hook, type: webhook, url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook", hmac_secret_file: ${secretFile}}
    - {name: am, type: alertmanager, url: "${alertmanager.url}"}
  smtp:
    host: 127.0.0.1
    port: ${smtp.port}
    starttls: true
    reject_unauthorized: false
    from: driftwatch <driftwatch@example.com>
`,
  );
  return file;
}

async function metric(d: DaemonProcess, name: string, labels: Record<string, string>): Promise<number> {
  const series = (await d.metrics()).find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return series?.value ?? 0;
}

describe('notifications', () => {
  it('emails the owner on duty once, signs the webhook, feeds Alertmanager, survives a restart and an SMTP outage', async () => {
    const topic = uniqueName('it.notify');
    await createTopics(kafka, [topic]);
    const port = await freePort();
    const config = writeConfig(topic, port);
    daemon = await startDaemon(config, port);

    // Version v1 runs without drift for longer than known_good_after (its events span 3 s),
    // then v2 drifts.
    const now = Date.now();
    const v1 = (seed: number) => ({
      fraud: withVersion(eventLines('fraud', rows(seed, 1500), now), 'v1'),
      churn: withVersion(eventLines('churn', rows(seed + 1, 1500), now), 'v1'),
    });
    const first = v1(2);
    await produceRoundRobin(kafka, topic, [...first.fraud.slice(0, 750), ...first.churn.slice(0, 750)]);
    await new Promise((r) => setTimeout(r, 3000));
    await produceRoundRobin(kafka, topic, [...first.fraud.slice(750), ...first.churn.slice(750)]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailsTo('day@example.com', 'FIRING')).toEqual([]);
    expect(mailsTo('night@example.com', 'FIRING')).toEqual([]);
    await produceRoundRobin(kafka, topic, [
      ...withVersion(eventLines('fraud', rows(4, 1500, 15, 0.9), now), 'v2'),
      ...withVersion(eventLines('churn', rows(5, 1500, 15, 0.9), now), 'v2'),
    ]);

    const [dayMail] = await smtp.waitFor(() => {
      const m = mailsTo('day@example.com', 'FIRING');
      return m.length > 0 ? m : undefined;
    }, 30_000);
    const [nightMail] = await smtp.waitFor(() => {
      const m = mailsTo('night@example.com', 'FIRING');
      return m.length > 0 ? m : undefined;
    }, 30_000);
    // Business hours now: the day team; the churn model's schedule is after hours: the night team.
    expect(dayMail!.envelopeTo).toEqual(['day@example.com']);
    expect(nightMail!.envelopeTo).toEqual(['night@example.com']);
    const mail = dayMail!.mail;
    expect(mail.subject).toMatch(/^\[FIRING:1\] AmountPsi fraud — PSI of fraud feature amount is \d/);
    expect(nightMail!.mail.subject).toMatch(/^\[FIRING:1\] AmountPsi churn — /);
    expect(mail.from?.text).toBe('"driftwatch" <driftwatch@example.com>');
    const text = mail.text ?? '';
    for (const fact of [
      'fraud',
      'amount',
      'feature_psi',
      'day-team',
      'v2',
      'v1',
      'https://runbooks.test/psi',
    ]) {
      expect(text).toContain(fact);
    }
    expect(text).toMatch(/Last known good[^\n]*v1/i);
    expect(text).toContain('https://grafana.test/d/dw?var-model=fraud');
    expect(mail.html).toContain('href="https://runbooks.test/psi"');

    // The day team's webhook: Alertmanager's payload, signed with the secret over the raw body.
    await waitUntil('the webhook', () => Promise.resolve(hookRequests.length > 0), 15_000);
    const request = hookRequests[0]!;
    const expected = `sha256=${createHmac('sha256', SECRET).update(request.body).digest('hex')}`;
    expect(request.signature).toBe(expected);
    const payload = JSON.parse(request.body) as {
      status: string;
      receiver: string;
      externalURL: string;
      alerts: { labels: Record<string, string>; status: string }[];
    };
    expect(payload).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'hook',
      externalURL: 'http://driftwatch.test:9874',
    });
    expect(payload.alerts.map((a) => a.labels.model)).toEqual(['fraud']);

    // The day team's digest (every 3 s here) lists both models: each is owned by a schedule that
    // names the day team, whoever is on duty now.
    const digest = await smtp.waitFor(
      (messages) =>
        messages.find(
          (m) =>
            (m.mail.subject ?? '').startsWith('[driftwatch] Digest for day-team') &&
            (m.mail.text ?? '').includes('AmountPsi'),
        ),
      15_000,
    );
    expect(digest.envelopeTo).toEqual(['day@example.com']);
    expect(digest.mail.subject).toMatch(/: 2 of 2 models drifting, 2 alerts firing$/);
    expect(digest.mail.text).toContain('Europe/Berlin');

    // Alertmanager has both alerts.
    await waitUntil(
      'both alerts in Alertmanager',
      async () =>
        (await alertmanager.alerts()).filter((a) => a.labels.alertname === 'AmountPsi').length === 2,
      20_000,
    );
    const inAm = await alertmanager.alerts();
    expect(inAm.map((a) => a.labels.model).sort()).toEqual(['churn', 'fraud']);
    // Firing alerts end four resend periods (4 x 1m, longer than any step here) after they were
    // sent, so Alertmanager resolves them by itself if driftwatch stops sending.
    for (const a of inAm) {
      const ahead = Date.parse(a.endsAt) - Date.now();
      expect(ahead).toBeGreaterThan(200_000);
      expect(ahead).toBeLessThanOrEqual(240_000);
      expect(a.annotations).toMatchObject({ signal: 'feature_psi', comparison: '>', threshold: '0.2' });
    }

    // A restart while firing sends nothing again (the dispatcher and queue are restored).
    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const alertMails = () => smtp.messages.filter((m) => !(m.mail.subject ?? '').startsWith('[driftwatch]'));
    const sentBefore = alertMails().length;
    const hooksBefore = hookRequests.length;
    daemon = await startDaemon(config, port);
    expect(daemon.output()).toContain('restored the notification queue');
    await new Promise((r) => setTimeout(r, 5000));
    expect(alertMails().length).toBe(sentBefore);
    expect(hookRequests.length).toBe(hooksBefore);
    expect(mailsTo('day@example.com', 'FIRING')).toHaveLength(1);
    expect(mailsTo('night@example.com', 'FIRING')).toHaveLength(1);

    // The SMTP server goes down; the drift ends (the shifted events leave the 40 s window).
    await smtp.stopListening();
    await waitUntil(
      'a resolved email retried',
      async () =>
        (await metric(daemon!, 'driftwatch_notifications_total', {
          receiver: 'owner-email',
          outcome: 'retried',
        })) > 0,
      90_000,
    );
    expect(mailsTo('day@example.com', 'RESOLVED')).toEqual([]);
    await smtp.listenAgain();
    await smtp.waitFor(
      () =>
        mailsTo('day@example.com', 'RESOLVED').length > 0 &&
        mailsTo('night@example.com', 'RESOLVED').length > 0,
      30_000,
    );
    const resolved = mailsTo('day@example.com', 'RESOLVED')[0]!.mail;
    expect(resolved.subject).toMatch(/^\[RESOLVED\] AmountPsi fraud/);
    await waitUntil(
      'the alerts gone from Alertmanager',
      async () =>
        (await alertmanager.alerts()).filter((a) => a.labels.alertname === 'AmountPsi').length === 0,
      20_000,
    );
    // Once each, and the log says what happened.
    await new Promise((r) => setTimeout(r, 3000));
    expect(mailsTo('day@example.com', 'RESOLVED')).toHaveLength(1);
    expect(mailsTo('night@example.com', 'RESOLVED')).toHaveLength(1);
    expect(mailsTo('day@example.com', 'FIRING')).toHaveLength(1);
    const log = readFileSync(join(dir, 'state', 'notifications.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { receiver: string; outcome: string; recipients: string[] });
    expect(log.filter((e) => e.receiver === 'owner-email' && e.outcome === 'delivered')).toHaveLength(4);
    expect(log.some((e) => e.receiver === 'owner-email' && e.outcome === 'retried')).toBe(true);
    expect(await metric(daemon, 'driftwatch_notification_queue_depth', { receiver: 'owner-email' })).toBe(0);

    daemon.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    daemon = null;
  }, 240_000);
});
