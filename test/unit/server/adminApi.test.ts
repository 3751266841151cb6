/**
 * The silences admin API through a real HttpServer on an ephemeral port: the token, the request
 * forms (strings and Alertmanager's objects), the status codes, the size limit, the disabled
 * API, and the `driftwatch_silences` gauge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';

import { SilenceStore } from '../../../src/alerts/silenceStore.js';
import { AdminApi, MAX_ADMIN_BODY_BYTES } from '../../../src/server/adminApi.js';
import { HttpServer } from '../../../src/server/httpServer.js';
import { parseSilenceRequest } from '../../../src/server/silenceRequest.js';
import { registerSilenceMetrics } from '../../../src/telemetry/silenceMetrics.js';

const TOKEN = 's3cret-token';
const T0 = Date.UTC(2026, 4, 2, 12, 0, 0);
const HOUR = 3_600_000;
const servers: HttpServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(token: string | null = TOKEN) {
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-admin-'));
  dirs.push(dir);
  const clock = { now: T0 };
  let n = 0;
  const store = new SilenceStore(dir, { now: () => clock.now, idGenerator: () => `id-${++n}` });
  await store.load();
  const registry = new Registry();
  registerSilenceMetrics(registry, () => store.counts());
  const server = new HttpServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    readiness: [],
    status: () => ({}),
    admin: new AdminApi({ token, silences: store, now: () => clock.now }),
  });
  await server.start();
  servers.push(server);
  const url = `http://127.0.0.1:${server.port}`;
  const call = async (method: string, path: string, body?: unknown, auth = `Bearer ${TOKEN}`) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: auth },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  return { url, clock, store, call };
}

const BODY = {
  matchers: ['model="fraud"', 'severity=~"warn.*"'],
  duration: '2h',
  createdBy: 'ana',
  comment: 'retraining',
};

describe('admin API: silences', () => {
  it('adds, lists, gets and expires a silence', async () => {
    const { call, clock } = await start();
    const added = await call('POST', '/api/v1/silences', BODY);
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      silence: {
        id: 'id-1',
        status: { state: 'active' },
        matchers: [
          { name: 'model', value: 'fraud', isRegex: false, isEqual: true },
          { name: 'severity', value: 'warn.*', isRegex: true, isEqual: true },
        ],
        matchersText: ['model="fraud"', 'severity=~"warn.*"'],
        startsAt: '2026-05-02T12:00:00.000Z',
        endsAt: '2026-05-02T14:00:00.000Z',
        createdBy: 'ana',
        comment: 'retraining',
      },
    });
    expect((await call('GET', '/api/v1/silences/id-1')).body['silence']).toEqual(added.body['silence']);

    clock.now = T0 + HOUR;
    const expired = await call('DELETE', '/api/v1/silences/id-1');
    expect(expired.status).toBe(200);
    expect(expired.body['silence']).toMatchObject({
      status: { state: 'expired' },
      endsAt: '2026-05-02T13:00:00.000Z',
    });
    expect((await call('GET', '/api/v1/silences')).body).toEqual({ silences: [] });
    const all = await call('GET', '/api/v1/silences?expired=true');
    expect((all.body['silences'] as { id: string }[]).map((s) => s.id)).toEqual(['id-1']);

    const again = await call('DELETE', '/api/v1/silences/id-1');
    expect(again.status).toBe(409);
    expect(again.body['error']).toBe('silence "id-1" already ended at 2026-05-02T13:00:00.000Z');
    const unknown = await call('DELETE', '/api/v1/silences/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body['error']).toMatch(/^no silence has id "nope"/);
  });

  it("takes Alertmanager's matcher objects, a start and an end", async () => {
    const { call } = await start();
    const res = await call('POST', '/api/v1/silences', {
      matchers: [{ name: 'model', value: 'fraud.*', isRegex: true, isEqual: false }, 'team="ml"'],
      startsAt: '2026-05-02T13:00:00Z',
      endsAt: '2026-05-02T15:30:00+02:00',
      createdBy: 'bo',
      comment: 'window',
    });
    expect(res.status).toBe(201);
    expect(res.body['silence']).toMatchObject({
      status: { state: 'pending' },
      matchersText: ['model!~"fraud.*"', 'team="ml"'],
      startsAt: '2026-05-02T13:00:00.000Z',
      endsAt: '2026-05-02T13:30:00.000Z',
    });
  });

  it('answers 401 with WWW-Authenticate without the right token', async () => {
    const { call, store } = await start();
    for (const auth of ['', 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, 'Bearer ']) {
      const res = await call('POST', '/api/v1/silences', BODY, auth);
      expect(res.status, auth).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="driftwatch"');
      expect(res.body['error']).toMatch(/missing or wrong bearer token/);
    }
    expect((await call('GET', '/api/v1/silences', undefined, 'Bearer nope')).status).toBe(401);
    expect(store.list(true)).toEqual([]);
    expect((await call('GET', '/api/v1/silences', undefined, `bearer ${TOKEN}`)).status).toBe(200);
  });

  it('answers 404 on every admin path when no token is configured', async () => {
    const { call } = await start(null);
    for (const [method, path] of [
      ['GET', '/api/v1/silences'],
      ['POST', '/api/v1/silences'],
      ['DELETE', '/api/v1/silences/x'],
    ] as const) {
      const res = await call(method, path, method === 'POST' ? BODY : undefined);
      expect(res.status).toBe(404);
      expect(res.body['error']).toMatch(/admin API is disabled.*admin_token_file/);
    }
  });

  it.each([
    ['not JSON', '{"matchers": [', /^the body is not JSON/],
    ['a bad matcher', { ...BODY, matchers: ['model=="x'] }, /^matchers\[0\]: invalid matcher 'model=="x'/],
    ['a matcher of every alert', { ...BODY, matchers: ['model=~".*"'] }, /would mute every alert/],
    ['no end', { ...BODY, duration: undefined }, /either endsAt .* or duration/],
    ['a bad duration', { ...BODY, duration: '2 hours' }, /^duration: "2 hours" is not a duration/],
    [
      'a bad time',
      { ...BODY, duration: undefined, endsAt: '2026-05-02' },
      /^endsAt: "2026-05-02" is not an RFC 3339/,
    ],
    [
      'an end in the past',
      { ...BODY, duration: undefined, startsAt: '2026-05-02T10:00:00Z', endsAt: '2026-05-02T11:00:00Z' },
      /is in the past/,
    ],
    ['no comment', { ...BODY, comment: ' ' }, /^comment is missing or empty/],
    ['an unknown field', { ...BODY, ends: 'x' }, /^unknown field "ends"/],
  ])('answers 400 for %s', async (_what, body, message) => {
    const { call, store } = await start();
    const res = await call('POST', '/api/v1/silences', body);
    expect(res.status).toBe(400);
    expect(res.body['error']).toMatch(message);
    expect(store.list(true)).toEqual([]);
  });

  it('answers 413 to a body over the limit and 405 to other methods', async () => {
    const { call } = await start();
    const big = JSON.stringify({ ...BODY, comment: 'x'.repeat(MAX_ADMIN_BODY_BYTES) });
    const res = await call('POST', '/api/v1/silences', big);
    expect(res.status).toBe(413);
    expect(res.body['error']).toMatch(/larger than 65536 bytes/);
    const put = await call('PUT', '/api/v1/silences');
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('exports the count of silences by state', async () => {
    const { call, url, clock } = await start();
    await call('POST', '/api/v1/silences', BODY);
    await call('POST', '/api/v1/silences', { ...BODY, startsAt: '2026-05-02T18:00:00Z' });
    await call('POST', '/api/v1/silences', BODY);
    clock.now = T0 + HOUR;
    await call('DELETE', '/api/v1/silences/id-3');
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('driftwatch_silences{state="pending"} 1\n');
    expect(text).toContain('driftwatch_silences{state="active"} 1\n');
    expect(text).toContain('driftwatch_silences{state="expired"} 1\n');
  });
});

describe('parseSilenceRequest', () => {
  it('counts the duration from the start', () => {
    const start = '2026-05-02T13:00:00Z';
    const silence = parseSilenceRequest({ ...BODY, startsAt: start, duration: '1h30m' }, T0);
    expect(silence.startsAt).toBe(T0 + HOUR);
    expect(silence.endsAt).toBe(T0 + 2.5 * HOUR);
    expect(silence.matchers).toEqual([
      { name: 'model', operator: '=', value: 'fraud' },
      { name: 'severity', operator: '=~', value: 'warn.*' },
    ]);
  });

  it('refuses an id (no update) and a non-boolean isRegex', () => {
    expect(() => parseSilenceRequest({ ...BODY, id: 'abc' }, T0)).toThrow(/cannot be updated/);
    expect(() =>
      parseSilenceRequest({ ...BODY, matchers: [{ name: 'a', value: 'b', isRegex: 'yes' }] }, T0),
    ).toThrow('matchers[0].isRegex: not true or false');
  });
});
