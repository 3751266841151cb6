/**
 * The drift status API through a real HttpServer on an ephemeral port: status codes, bodies,
 * percent-encoded model names.
 */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';

import { HttpServer } from '../../../src/server/httpServer.js';
import { EvaluationStore } from '../../../src/server/statusApi.js';
import { feature, model } from '../report/sampleReport.js';

const servers: HttpServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

async function start(evaluations?: EvaluationStore): Promise<string> {
  const server = new HttpServer({
    host: '127.0.0.1',
    port: 0,
    registry: new Registry(),
    readiness: [],
    status: () => ({ version: 'test' }),
    ...(evaluations === undefined ? {} : { evaluations }),
  });
  await server.start();
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

async function get(url: string, init?: RequestInit): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const UNICODE = 'détecteur/fraude 🚀';
const EVALUATED_AT = Date.UTC(2024, 4, 2, 10, 0, 0, 250);

function round() {
  const amount = feature({ feature: 'amount', psi: 0.31, verdict: 'drift', drift_reasons: ['psi'] });
  return {
    evaluatedAt: EVALUATED_AT,
    evaluations: [
      model('fraud', [amount, feature({ feature: 'age' })]),
      model('fraud', [feature({ feature: 'age' })], { source: 'features' }),
      model(UNICODE, [feature({ feature: 'x' })]),
    ],
  };
}

describe('GET /api/v1/models', () => {
  it('answers an empty list and a null time before the first round', async () => {
    const url = await start(new EvaluationStore());
    const res = await get(`${url}/api/v1/models`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ evaluated_at: null, models: [], drift: false });
  });

  it('answers every evaluation of the last round, as the evaluator returned it', async () => {
    const store = new EvaluationStore();
    const url = await start(store);
    const r = round();
    store.update(r);
    const body = JSON.parse((await get(`${url}/api/v1/models`)).body) as unknown;
    expect(body).toEqual({
      evaluated_at: '2024-05-02T10:00:00.250Z',
      // A JSON round trip of the objects themselves: the same shape as replay's report.
      models: JSON.parse(JSON.stringify(r.evaluations)) as unknown,
      drift: true,
    });

    store.update({
      evaluatedAt: EVALUATED_AT + 60_000,
      evaluations: [model('churn', [feature({ feature: 't' })])],
    });
    const next = JSON.parse((await get(`${url}/api/v1/models`)).body) as {
      evaluated_at: string;
      models: { model: string }[];
      drift: boolean;
    };
    expect(next.evaluated_at).toBe('2024-05-02T10:01:00.250Z');
    expect(next.models.map((m) => m.model)).toEqual(['churn']);
    expect(next.drift).toBe(false);
  });
});

describe('GET /api/v1/models/{model}', () => {
  it("answers the model's evaluations, one per source", async () => {
    const store = new EvaluationStore();
    const url = await start(store);
    store.update(round());
    const res = await get(`${url}/api/v1/models/fraud`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    const body = JSON.parse(res.body) as {
      evaluated_at: string;
      model: string;
      evaluations: { source: string; model: string; features: { feature: string; psi: number }[] }[];
    };
    expect(Object.keys(body)).toEqual(['evaluated_at', 'model', 'evaluations']);
    expect(body.evaluated_at).toBe('2024-05-02T10:00:00.250Z');
    expect(body.model).toBe('fraud');
    expect(body.evaluations.map((e) => [e.model, e.source])).toEqual([
      ['fraud', 'predictions'],
      ['fraud', 'features'],
    ]);
    expect(body.evaluations[0]?.features.map((f) => [f.feature, f.psi])).toEqual([
      ['amount', 0.31],
      ['age', 0.0123],
    ]);
  });

  it('decodes a percent-encoded unicode name, slash included', async () => {
    const store = new EvaluationStore();
    const url = await start(store);
    store.update(round());
    const res = await get(`${url}/api/v1/models/${encodeURIComponent(UNICODE)}`);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { model: string; evaluations: { model: string }[] };
    expect(body.model).toBe(UNICODE);
    expect(body.evaluations.map((e) => e.model)).toEqual([UNICODE]);
  });

  it('answers 404 with a JSON error for a model the last round did not evaluate', async () => {
    const store = new EvaluationStore();
    const url = await start(store);
    const before = await get(`${url}/api/v1/models/fraud`);
    expect(before.status).toBe(404);
    store.update(round());
    const res = await get(`${url}/api/v1/models/${encodeURIComponent('frâud')}`);
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({
      error:
        'no evaluation of model "frâud" in the last evaluation step; GET /api/v1/models lists the evaluated models',
    });
    expect((await get(`${url}/api/v1/models/`)).status).toBe(404);
  });

  it('answers 400 for a name that is not valid percent-encoding', async () => {
    const url = await start(new EvaluationStore());
    const res = await get(`${url}/api/v1/models/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      error:
        'the model name in /api/v1/models/%E0%A4%A is not valid percent-encoded UTF-8; encode it with encodeURIComponent',
    });
  });
});

describe('methods and wiring', () => {
  it('answers HEAD without a body and other methods with 405', async () => {
    const store = new EvaluationStore();
    const url = await start(store);
    store.update(round());
    const head = await get(`${url}/api/v1/models/fraud`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${url}/api/v1/models`, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow'), method).toBe('GET, HEAD');
      expect(await res.text(), method).toBe('method not allowed\n');
    }
  });

  it('answers 404 on the drift paths when the server has no evaluation store', async () => {
    const url = await start();
    expect((await get(`${url}/api/v1/models`)).status).toBe(404);
    expect((await get(`${url}/api/v1/models/fraud`)).status).toBe(404);
    const status = await get(`${url}/api/v1/status`);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toEqual({ version: 'test' });
  });
});
