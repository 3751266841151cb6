/**
 * The `driftwatch` command as shipped (dist/): check-config's output and exit codes, usage
 * errors, and the demo running the whole pipeline with no external service.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, inject, it } from 'vitest';

import { runCli } from '../support/daemon.js';
import { uniqueName } from '../support/kafkaTopics.js';
import { parsePromText, sumOf } from '../support/promText.js';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  onStdout?: (text: string) => void,
): Promise<Result> {
  const proc = runCli(args, env);
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    onStdout?.(stdout);
  });
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr })));
}

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'driftwatch-cli-')), name);
  writeFileSync(path, text);
  return path;
}

describe('driftwatch check-config', () => {
  it('accepts the shipped example (exit 0)', async () => {
    const r = await cli(['check-config', '--config', 'config/driftwatch.example.yaml'], {
      KAFKA_BROKERS: '10.0.0.1:9092',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('config/driftwatch.example.yaml: valid\n');
  });

  it('lists every problem with its YAML path and exits 1', async () => {
    const path = file(
      'bad.yaml',
      'kafka:\n  brokers: [localhost]\n  grup_id: x\n  lag_interval: 10 minutes\nmodels:\n  - name: a\n  - name: a\nserver:\n  port: 70000\n',
    );
    const r = await cli(['check-config', '--config', path]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`${path}: 5 problem(s)`);
    const paths = lines.slice(1).map((l) => l.trim().split(': ')[0]);
    expect(paths.sort()).toEqual([
      'kafka.brokers[0]',
      'kafka.grup_id',
      'kafka.lag_interval',
      'models[1].name',
      'server.port',
    ]);
    expect(r.stderr).toContain('did you mean "group_id"?');
  });

  it('says which file it cannot read', async () => {
    const r = await cli(['check-config', '--config', '/nonexistent/driftwatch.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/driftwatch.yaml');
  });
});

describe('driftwatch run', () => {
  it('refuses a configuration without a kafka section with a usage error (exit 2)', async () => {
    const r = await cli(['run', '--config', file('nokafka.yaml', 'models:\n  - name: m\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DW_USAGE');
    expect(r.stderr).toContain('kafka');
  });

  it('refuses an invalid configuration with the config error (exit 1), no stack trace', async () => {
    const r = await cli(['run', '--config', file('bad.yaml', 'models: []\n')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DW_CONFIG_INVALID');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('driftwatch demo', () => {
  it('runs the pipeline on the synthetic stream, serves /metrics and prints summaries', async () => {
    let metricsText = '';
    let fetching: Promise<void> | null = null;
    const r = await cli(
      ['demo', '--duration', '5', '--every', '1', '--port', '0', '--rate', '1000'],
      {},
      (out) => {
        const url = /metrics: (http:\/\/\S+)/.exec(out)?.[1];
        if (url !== undefined && fetching === null && out.includes('[00:03]')) {
          fetching = fetch(url).then(async (res) => void (metricsText = await res.text()));
        }
      },
    );
    await fetching;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fraud-scorer\s+\d+ predictions/);
    expect(r.stdout).toMatch(/price-estimator\s+\d+ predictions/);
    const samples = parsePromText(metricsText);
    expect(sumOf(samples, 'driftwatch_predictions_total', { model: 'fraud-scorer' })).toBeGreaterThan(500);
    expect(sumOf(samples, 'driftwatch_events_rejected_total')).toBeGreaterThan(0);
  });

  it('with --kafka, produces the stream into a real broker and consumes it back', async () => {
    const topic = uniqueName('it.demo');
    const r = await cli([
      'demo',
      '--kafka',
      inject('kafkaBootstrap'),
      '--topic',
      topic,
      '--duration',
      '8',
      '--every',
      '2',
      '--port',
      '0',
      '--rate',
      '500',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`topic ${topic}`);
    const counts = [...r.stdout.matchAll(/fraud-scorer\s+(\d+) predictions/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
  });
});
