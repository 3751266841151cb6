import { accessSync, constants } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './ports.js';
import { startServerProcess } from './serverProcess.js';

/** An alert as GET /api/v2/alerts returns it (`gettableAlert` in Alertmanager's OpenAPI spec). */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  generatorURL?: string;
  receivers: Array<{ name: string }>;
  status: { state: 'unprocessed' | 'active' | 'suppressed'; silencedBy: string[]; inhibitedBy: string[] };
}

/**
 * A running Alertmanager for the alert-delivery integration tests, from `startAlertmanager`.
 * It routes everything to one receiver without integrations, so alerts are stored and
 * listed but never sent anywhere.
 */
export interface Alertmanager {
  /** Base URL, e.g. http://127.0.0.1:41234; clients POST to `${url}/api/v2/alerts`. */
  url: string;
  logFile: string;
  /**
   * GET /api/v2/alerts, parsed. Only alerts that have not ended are listed: an alert whose
   * `endsAt` is in the past (a resolve, or one that timed out) is left out even when it was
   * posted firing before, whatever the query's active/silenced/inhibited/unprocessed filters
   * (checked against 0.25.0). Use `received()` to see that a resolve arrived.
   */
  alerts(): Promise<AlertmanagerAlert[]>;
  /**
   * Alerts posted so far, split as Alertmanager counts them in
   * `alertmanager_alerts_received_total`: `resolved` when `endsAt` was in the past on arrival.
   */
  received(): Promise<{ firing: number; resolved: number }>;
  /** Stops the process and removes its files; safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartAlertmanagerOptions {
  startTimeoutMs?: number;
}

// Debian's package names the binary prometheus-alertmanager; upstream releases call it alertmanager.
const CANDIDATES = ['prometheus-alertmanager', 'alertmanager'];

function findBinary(): string {
  const configured = process.env.ALERTMANAGER_BIN;
  if (configured) return configured;
  for (const name of CANDIDATES) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // Not in this directory.
      }
    }
  }
  // Spawning it fails with ENOENT, which the caller turns into an install hint.
  return CANDIDATES[0] as string;
}

/**
 * Runs the local Alertmanager binary (see scripts/install-test-deps.sh; ALERTMANAGER_BIN
 * overrides it) with a throwaway config and storage dir on a free 127.0.0.1 port, clustering
 * off, resolving once /-/ready answers 200. Callers must `stop()` it, typically in afterAll.
 */
export async function startAlertmanager(opts: StartAlertmanagerOptions = {}): Promise<Alertmanager> {
  const bin = findBinary();
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  // JSON is valid YAML. A receiver with no integrations swallows notifications.
  const config = { route: { receiver: 'blackhole' }, receivers: [{ name: 'blackhole' }] };
  await writeFile(configFile, JSON.stringify(config, null, 2));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'alertmanager.log');
  const { stop } = await startServerProcess({
    name: 'alertmanager',
    bin,
    args: [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address disables the gossip listener (default 0.0.0.0:9094), which would
      // otherwise collide between parallel instances.
      '--cluster.listen-address=',
    ],
    dir,
    logFile,
    readyUrl: `${url}/-/ready`,
    startTimeoutMs: opts.startTimeoutMs,
    installHint: ' (is it installed? run: bash scripts/install-test-deps.sh, or set ALERTMANAGER_BIN)',
  });

  async function alerts(): Promise<AlertmanagerAlert[]> {
    const res = await fetch(`${url}/api/v2/alerts`);
    if (!res.ok) throw new Error(`GET ${url}/api/v2/alerts answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as AlertmanagerAlert[];
  }

  async function received(): Promise<{ firing: number; resolved: number }> {
    const res = await fetch(`${url}/metrics`);
    if (!res.ok) throw new Error(`GET ${url}/metrics answered ${res.status}`);
    const counts = { firing: 0, resolved: 0 };
    // One series per status and API version (v1 and v2 in 0.25); sum over the versions.
    const series = /^alertmanager_alerts_received_total\{([^}]*)\}\s+(\S+)$/gm;
    for (const [, labels, value] of (await res.text()).matchAll(series)) {
      const status = /(?:^|,)status="(firing|resolved)"/.exec(labels ?? '')?.[1] as
        keyof typeof counts | undefined;
      if (status) counts[status] += Number(value);
    }
    return counts;
  }

  return { url, logFile, alerts, received, stop };
}
