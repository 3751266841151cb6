import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/config/load.js';
import { MINIMAL, problemsOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-influx-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const influx = (lines: string): string => `${MINIMAL}influx:\n${lines}`;

describe('influx', () => {
  it('is off when absent or empty', () => {
    expect(parseConfig(MINIMAL, 'a.yaml', {}).influx).toBeNull();
    expect(parseConfig(`${MINIMAL}influx:\n`, 'a.yaml', {}).influx).toBeNull();
    expect(parseConfig(`${MINIMAL}influx: null\n`, 'a.yaml', {}).influx).toBeNull();
  });

  it('fills the defaults and takes the token from the environment', () => {
    const yaml = influx('  url: http://influxdb:8086\n  bucket: driftwatch\n  token: ${INFLUX_TOKEN}\n');
    expect(parseConfig(yaml, 'a.yaml', { INFLUX_TOKEN: 't0k' }).influx).toEqual({
      url: 'http://influxdb:8086',
      token: 't0k',
      org: '',
      bucket: 'driftwatch',
      batchSize: 5000,
      flushIntervalMs: 5000,
      maxBufferedPoints: 100_000,
      timeoutMs: 10_000,
    });
  });

  it('reads token_file, and has no token when neither is set', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'user:secret\n');
    const yaml = influx(
      `  url: https://influx.example.com\n  bucket: driftwatch/autogen\n  token_file: ${file}\n` +
        '  org: acme\n  batch_size: 100\n  flush_interval: 500ms\n  max_buffered_points: 1000\n  timeout: 2s\n',
    );
    expect(parseConfig(yaml, 'a.yaml', {}).influx).toEqual({
      url: 'https://influx.example.com',
      token: 'user:secret',
      org: 'acme',
      bucket: 'driftwatch/autogen',
      batchSize: 100,
      flushIntervalMs: 500,
      maxBufferedPoints: 1000,
      timeoutMs: 2000,
    });
    const bare = influx('  url: http://127.0.0.1:8086\n  bucket: driftwatch/autogen\n');
    expect(parseConfig(bare, 'a.yaml', {}).influx?.token).toBeNull();
  });

  it('names the key and the fix of each problem', () => {
    expect(
      problemsOf(
        influx(
          '  url: influxdb:8086\n  token: s3cret\n  batch_size: 0\n  flush_interval: 5\n  max_bufered_points: 10\n',
        ),
      ),
    ).toEqual([
      // A missing key sorts with its section.
      {
        path: 'influx.bucket',
        message: 'is required; set it, e.g. driftwatch (InfluxDB 2.x) or driftwatch/autogen (1.8)',
      },
      { path: 'influx.url', message: '"influxdb:8086" is not an http(s) URL; use e.g. http://influxdb:8086' },
      {
        path: 'influx.token',
        message:
          'is written in the file, and secrets do not belong in the config; use token: ${INFLUX_TOKEN} (from the environment) or token_file',
      },
      {
        path: 'influx.batch_size',
        message: '0 is out of range; use a whole number of at least 1, e.g. 5000',
      },
      { path: 'influx.flush_interval', message: '5 has no unit; use e.g. 5s (units: ms, s, m, h, d)' },
      {
        path: 'influx.max_bufered_points',
        message: 'unknown key "max_bufered_points"; did you mean "max_buffered_points"?',
      },
    ]);
  });

  it('refuses two token sources, a batch larger than the buffer, and a missing token file', () => {
    expect(
      problemsOf(
        influx(
          '  url: http://influxdb:8086\n  bucket: b\n  token: ${T}\n  token_file: /nonexistent/influx-token\n' +
            '  batch_size: 200\n  max_buffered_points: 100\n',
        ),
        { T: 'x' },
      ),
    ).toEqual([
      {
        path: 'influx.token_file',
        message:
          'cannot read "/nonexistent/influx-token": no such file (ENOENT); check the path (relative paths start from the working directory) or mount the secret there',
      },
      {
        path: 'influx.token_file',
        message: 'is set together with token; keep only one of them (token_file for a mounted secret)',
      },
      {
        path: 'influx.batch_size',
        message:
          '200 is more than influx.max_buffered_points (100), so a batch could never fill; use at most 100, or raise max_buffered_points',
      },
    ]);
  });
});
