import { createTransport, type Transporter } from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type Alertmanager } from '../support/alertmanager.js';
import { startSmtp, type SmtpSink } from '../support/smtp.js';

// The notifier's own settings: pooled, plain connection upgraded by STARTTLS, and the
// sink's self-signed certificate accepted.
function pooledTransport(port: number): Transporter {
  return createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: true,
    pool: true,
    tls: { rejectUnauthorized: false },
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
  });
}

describe('SMTP sink', () => {
  let sink: SmtpSink;
  let transport: Transporter;

  beforeAll(async () => {
    sink = await startSmtp();
    transport = pooledTransport(sink.port);
  });

  afterAll(async () => {
    transport?.close();
    await sink?.close();
  });

  afterEach(() => sink.refuseMessages(null));

  it('receives a mail over STARTTLS with its subject, text and envelope', async () => {
    const info = await transport.sendMail({
      from: 'driftwatch <alerts@driftwatch.test>',
      to: 'owner@models.test',
      cc: 'oncall@models.test',
      bcc: 'audit@models.test',
      subject: '[FIRING] psi drift on fraud-v1',
      text: 'feature amount: psi 0.31 > 0.2',
    });

    expect(info.accepted).toEqual(['owner@models.test', 'oncall@models.test', 'audit@models.test']);
    // Recorded before the 250 reply, so no waiting is needed.
    expect(sink.messages).toHaveLength(1);
    const [received] = sink.messages;
    expect(received?.envelopeFrom).toBe('alerts@driftwatch.test');
    expect(received?.envelopeTo).toEqual(['owner@models.test', 'oncall@models.test', 'audit@models.test']);
    expect(received?.mail.subject).toBe('[FIRING] psi drift on fraud-v1');
    expect(received?.mail.text?.trim()).toBe('feature amount: psi 0.31 > 0.2');
    // Bcc only travels in the envelope.
    expect(received?.mail.headers.has('bcc')).toBe(false);
  });

  it('waitFor resolves on a later arrival and times out with what arrived', async () => {
    const before = sink.messages.length;
    const waiting = sink.waitFor((ms) => ms.find((m) => m.mail.subject === 'later'), 5_000);
    await transport.sendMail({ from: 'a@driftwatch.test', to: 'b@models.test', subject: 'later', text: 'x' });
    const found = await waiting;
    expect(found.envelopeTo).toEqual(['b@models.test']);
    expect(sink.messages).toHaveLength(before + 1);

    await expect(sink.waitFor((ms) => ms.find((m) => m.mail.subject === 'never'), 200)).rejects.toThrow(
      /not met within 200 ms; subjects received: .*"later"/,
    );
  });

  it('refuses messages with the configured reply code', async () => {
    const before = sink.messages.length;
    sink.refuseMessages(451);
    const err = (await transport
      .sendMail({ from: 'a@driftwatch.test', to: 'b@models.test', subject: 'refused', text: 'x' })
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as { responseCode?: number } | undefined;
    expect(err?.responseCode).toBe(451);
    expect(sink.messages).toHaveLength(before);
  });

  it('refuses connections while stopped and accepts them again on the same port', async () => {
    const port = sink.port;
    // The pool holds an open connection from the tests above; stopping must not wait for it.
    const started = Date.now();
    await sink.stopListening();
    expect(Date.now() - started).toBeLessThan(2_000);

    const err = (await transport
      .sendMail({ from: 'a@driftwatch.test', to: 'b@models.test', subject: 'during outage', text: 'x' })
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as NodeJS.ErrnoException | undefined;
    expect(err).toBeInstanceOf(Error);
    expect(sink.messages.some((m) => m.mail.subject === 'during outage')).toBe(false);

    await sink.listenAgain();
    expect(sink.port).toBe(port);
    await transport.sendMail({
      from: 'a@driftwatch.test',
      to: 'b@models.test',
      subject: 'after outage',
      text: 'x',
    });
    expect(sink.messages.at(-1)?.mail.subject).toBe('after outage');
  });

  it('can be closed and started afresh on the same port', async () => {
    const port = sink.port;
    await sink.close();
    await expect(sink.listenAgain()).rejects.toThrow(/closed/);

    sink = await startSmtp({ port });
    expect(sink.port).toBe(port);
    await transport.sendMail({
      from: 'a@driftwatch.test',
      to: 'c@models.test',
      subject: 'new sink',
      text: 'x',
    });
    expect(sink.messages.map((m) => m.envelopeTo)).toEqual([['c@models.test']]);
  });
});

describe('Alertmanager', () => {
  let am: Alertmanager | undefined;

  afterAll(async () => {
    await am?.stop();
  });

  async function post(alerts: unknown[]): Promise<void> {
    const res = await fetch(`${am?.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status).toBe(200);
  }

  it('lists a posted alert and drops it from the list once resolved', async () => {
    am = await startAlertmanager();
    const labels = { alertname: 'DriftwatchFeatureDrift', model: 'fraud-v1', severity: 'warning' };
    const startsAt = new Date(Date.now() - 60_000).toISOString();

    await post([{ labels, annotations: { summary: 'psi 0.31 > 0.2' }, startsAt }]);
    const listed = await am.alerts();
    expect(listed).toHaveLength(1);
    expect(listed[0]?.labels).toEqual(labels);
    expect(listed[0]?.annotations).toEqual({ summary: 'psi 0.31 > 0.2' });
    expect(Date.parse(listed[0]?.startsAt ?? '')).toBe(Date.parse(startsAt));
    expect(listed[0]?.status.state).toBe('active');
    expect(listed[0]?.receivers).toEqual([{ name: 'blackhole' }]);
    expect(await am.received()).toEqual({ firing: 1, resolved: 0 });

    // A resolve (endsAt in the past) is received and counted, but no longer listed.
    await post([{ labels, startsAt, endsAt: new Date(Date.now() - 1_000).toISOString() }]);
    expect(await am.received()).toEqual({ firing: 1, resolved: 1 });
    expect(await am.alerts()).toEqual([]);
  });
});
