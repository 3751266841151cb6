import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { startServerProcess } from './serverProcess.js';

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface StartPrometheusOptions {
  /** Scrape targets as host:port; each is scraped at /metrics. */
  targets: string[];
  scrapeIntervalSeconds?: number;
  jobName?: string;
  startTimeoutMs?: number;
  /**
   * Rule files to load (`rule_files:`), as absolute paths; evaluated every
   * `scrapeIntervalSeconds`. A file Prometheus refuses makes startup fail with its log.
   */
  ruleFiles?: string[];
}

export interface PrometheusHandle {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  logFile: string;
  /** Instant query through /api/v1/query; `time` is Unix seconds. */
  query(promql: string, time?: number): Promise<Sample[]>;
  /**
   * Polls `predicate` until it returns something truthy and resolves with it.
   * Throwing counts as "not yet", so queries can be used directly inside.
   */
  waitFor<T>(predicate: () => T | Promise<T>, timeoutMs?: number): Promise<NonNullable<T>>;
  stop(): Promise<void>;
}

const BIN = process.env.PROMETHEUS_BIN || 'prometheus';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// Prometheus encodes sample values as strings so that NaN and ±Inf survive JSON.
function parseValue(raw: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return Number(raw);
}

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  data?:
    | { resultType: 'vector'; result: Array<{ metric: Record<string, string>; value: [number, string] }> }
    | { resultType: 'scalar' | 'string'; result: [number, string] }
    | { resultType: 'matrix'; result: unknown[] };
}

/**
 * Runs the local `prometheus` binary (see scripts/install-test-deps.sh) against
 * a throwaway config and TSDB on a free 127.0.0.1 port, resolving once
 * /-/ready answers. Scrape timing is only as fast as `scrapeIntervalSeconds`,
 * so tests should use `waitFor` rather than a single query.
 */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusHandle> {
  const interval = `${opts.scrapeIntervalSeconds ?? 1}s`;
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-prom-'));
  const configFile = join(dir, 'prometheus.yml');
  // JSON is valid YAML, which saves hand-quoting target strings.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: opts.jobName ?? 'driftwatch',
        static_configs: [{ targets: opts.targets }],
      },
    ],
    ...(opts.ruleFiles === undefined ? {} : { rule_files: opts.ruleFiles }),
  };
  await writeFile(configFile, JSON.stringify(config, null, 2));
  // Debian's binary defaults the console flags to /etc/prometheus/*; pointing
  // them at empty dirs keeps the helper independent of how it was installed.
  await mkdir(join(dir, 'consoles'));
  await mkdir(join(dir, 'console_libraries'));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'prometheus.log');
  const { stop } = await startServerProcess({
    name: 'prometheus',
    bin: BIN,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.console.templates=${join(dir, 'consoles')}`,
      `--web.console.libraries=${join(dir, 'console_libraries')}`,
    ],
    dir,
    logFile,
    readyUrl: `${url}/-/ready`,
    startTimeoutMs: opts.startTimeoutMs,
    installHint: ' (is it installed? run: bash scripts/install-test-deps.sh)',
  });

  async function query(promql: string, time?: number): Promise<Sample[]> {
    const params = new URLSearchParams({ query: promql });
    if (time !== undefined) params.set('time', String(time));
    const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: params });
    const body = (await res.json()) as QueryResponse;
    if (body.status !== 'success' || !body.data) {
      throw new Error(`query ${JSON.stringify(promql)} failed: ${body.error ?? res.statusText}`);
    }
    const data = body.data;
    switch (data.resultType) {
      case 'vector':
        return data.result.map((r) => ({ metric: r.metric, value: parseValue(r.value[1]) }));
      case 'scalar':
        return [{ metric: {}, value: parseValue(data.result[1]) }];
      default:
        throw new Error(
          `query ${JSON.stringify(promql)} returned a ${data.resultType}; use an instant vector`,
        );
    }
  }

  async function waitFor<T>(predicate: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
    const until = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const result = await predicate();
        if (result) return result as NonNullable<T>;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > until) {
        const why = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
        throw new Error(`condition not met within ${timeoutMs} ms${why}`);
      }
      await sleep(250);
    }
  }

  return { url, logFile, query, waitFor, stop };
}
