/**
 * The InfluxDB the tests use is a real server and @influxdata/influxdb-client talks to
 * it through the v2-compatible API: points written with the WriteApi come back through
 * a Flux query with their exact values and tags, writes fail while the server is down,
 * and the data survives a stop and a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { InfluxDB, Point, setLogger, type Logger, type WriteApi } from '@influxdata/influxdb-client';

import { DEFAULT_INFLUXDB_VERSION, startInflux, type FluxRow, type InfluxHandle } from '../support/influx.js';

let influx: InfluxHandle;

beforeAll(async () => {
  influx = await startInflux();
});

afterAll(async () => {
  await influx?.stop();
});

// Fixed times far from "now", so the query range is exact and nothing else matches.
const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);

function writeApi(h: InfluxHandle): WriteApi {
  // No retries: a failed write must reject flush() now, not be retried in the background.
  return new InfluxDB({ url: h.url, token: h.token }).getWriteApi(h.org, h.bucket, 'ms', { maxRetries: 0 });
}

function driftPoint(feature: string, psi: number, windowCount: number, at: number): Point {
  return new Point('feature_drift')
    .tag('model', 'churn')
    .tag('feature', feature)
    .floatField('psi', psi)
    .intField('window_count', windowCount)
    .timestamp(new Date(at));
}

// One row per field value; sorted so the assertions do not depend on table order.
async function driftRows(h: InfluxHandle): Promise<FluxRow[]> {
  const queryApi = new InfluxDB({ url: h.url, token: h.token }).getQueryApi(h.org);
  const rows = await queryApi.collectRows<FluxRow>(`
    from(bucket: "${h.bucket}")
      |> range(start: 2024-01-15T00:00:00Z, stop: 2024-01-16T00:00:00Z)
      |> filter(fn: (r) => r._measurement == "feature_drift")
      |> keep(columns: ["_time", "_field", "_value", "model", "feature"])`);
  const key = (r: FluxRow) => `${String(r._time)} ${String(r.feature)} ${String(r._field)}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const row = (time: string, feature: string, field: string, value: number): FluxRow => ({
  result: '_result',
  table: expect.any(Number) as unknown,
  _time: time,
  _field: field,
  _value: value,
  model: 'churn',
  feature,
});

describe('InfluxDB test server', () => {
  it('is a real InfluxDB 1.8 that answers /ping and /health', async () => {
    const ping = await fetch(`${influx.url}/ping`);
    expect(ping.status).toBe(204);
    // The install script stamps the release into the build; an INFLUXD_BIN of unknown origin may say anything.
    const version = ping.headers.get('x-influxdb-version');
    if (process.env.INFLUXD_BIN) expect(version).toMatch(/^1\.\d+\.\d+/);
    else expect(version).toBe(process.env.INFLUXDB_VERSION || DEFAULT_INFLUXDB_VERSION);
    const health = (await (await fetch(`${influx.url}/health`)).json()) as { status: string };
    expect(health.status).toBe('pass');
  });

  it('stores points written with the WriteApi and returns them through a Flux query', async () => {
    const api = writeApi(influx);
    api.writePoints([
      driftPoint('age', 0.125, 500, T0),
      driftPoint('income', 0.03125, 498, T0),
      driftPoint('age', 0.25, 1000, T0 + 60_000),
    ]);
    await api.close();

    expect(await driftRows(influx)).toEqual([
      row('2024-01-15T12:00:00Z', 'age', 'psi', 0.125),
      row('2024-01-15T12:00:00Z', 'age', 'window_count', 500),
      row('2024-01-15T12:00:00Z', 'income', 'psi', 0.03125),
      row('2024-01-15T12:00:00Z', 'income', 'window_count', 498),
      row('2024-01-15T12:01:00Z', 'age', 'psi', 0.25),
      row('2024-01-15T12:01:00Z', 'age', 'window_count', 1000),
    ]);
    // The helper's query() goes through the same endpoint; an aggregate shows Flux runs server-side.
    const sums = await influx.query(`
      from(bucket: "${influx.bucket}")
        |> range(start: 2024-01-15T00:00:00Z, stop: 2024-01-16T00:00:00Z)
        |> filter(fn: (r) => r._measurement == "feature_drift" and r._field == "psi" and r.feature == "age")
        |> sum()`);
    expect(sums.map((r) => r._value)).toEqual([0.375]);
  });

  it('rejects writes while the server is down and keeps its data across a stop and a crash', async () => {
    const logged: string[] = [];
    const quiet: Logger = { error: (m) => logged.push(m), warn: (m) => logged.push(m) };
    const previous = setLogger(quiet); // the client logs each failed write; it is expected here
    try {
      await influx.stopServer();
      const down = writeApi(influx);
      down.writePoint(driftPoint('age', 0.5, 1, T0 + 120_000));
      await expect(down.flush()).rejects.toThrow(/ECONNREFUSED/);
      await down.dispose();
      expect(logged.length).toBeGreaterThan(0);
    } finally {
      setLogger(previous);
    }

    await influx.startServer();
    const before = await driftRows(influx);
    expect(before).toHaveLength(6); // what was written before the stop, and not the failed point
    expect(before.some((r) => r._value === 0.5)).toBe(false);

    const up = writeApi(influx);
    up.writePoint(driftPoint('age', 0.75, 1500, T0 + 180_000));
    await up.close();

    // A crash: acknowledged writes must come back from the WAL.
    await influx.stopServer('SIGKILL');
    await influx.startServer();
    const after = await driftRows(influx);
    expect(after.slice(0, 6)).toEqual(before);
    expect(after.slice(6)).toEqual([
      row('2024-01-15T12:03:00Z', 'age', 'psi', 0.75),
      row('2024-01-15T12:03:00Z', 'age', 'window_count', 1500),
    ]);
  });
});
