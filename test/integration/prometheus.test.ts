import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusHandle } from '../support/prometheus.js';

const METRICS = [
  '# HELP driftwatch_smoke_value A fixed value for the Prometheus smoke test.',
  '# TYPE driftwatch_smoke_value gauge',
  'driftwatch_smoke_value{model="fraud-v1"} 42.5',
  '',
].join('\n');

describe('prometheus', () => {
  let server: Server;
  let target: string;
  let prometheus: PrometheusHandle | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(METRICS);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  it('scrapes a target and answers PromQL with the exposed value', async () => {
    prometheus = await startPrometheus({ targets: [target], jobName: 'smoke' });
    const prom = prometheus;

    const samples = await prom.waitFor(async () => {
      const result = await prom.query('driftwatch_smoke_value');
      return result.length > 0 ? result : undefined;
    }, 20_000);

    expect(samples).toEqual([
      {
        metric: { __name__: 'driftwatch_smoke_value', model: 'fraud-v1', job: 'smoke', instance: target },
        value: 42.5,
      },
    ]);
    expect(await prom.query('up{job="smoke"}')).toEqual([
      { metric: { __name__: 'up', job: 'smoke', instance: target }, value: 1 },
    ]);
  });
});
