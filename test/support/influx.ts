import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { InfluxDB } from '@influxdata/influxdb-client';

import { freePorts } from './ports.js';
import { cleanUpOnExit, forgetChild, tail } from './childCleanup.js';

/** The InfluxDB release scripts/install-influxdb.sh builds unless INFLUXDB_VERSION says otherwise. */
export const DEFAULT_INFLUXDB_VERSION = '1.8.10';

/** One Flux result row: column name to value, typed by the CSV annotations (double and long as numbers, times as RFC 3339 strings). */
export type FluxRow = Record<string, unknown>;

/** Options for startInflux; everything has a default fit for one test file. */
export interface StartInfluxOptions {
  /** HTTP port on 127.0.0.1; default a free one. */
  port?: number;
  /**
   * Directory for the server's data, meta and WAL dirs, config and log. Default a fresh
   * temp dir, removed by stop(); a directory passed here is left in place, so a second
   * startInflux on it sees the first one's data.
   */
  dataDir?: string;
  /** InfluxDB 1.x database, created at every start; default "driftwatch". */
  database?: string;
  startTimeoutMs?: number;
}

/**
 * A running influxd, as integration tests see it. The v2-compatible API of InfluxDB 1.8
 * takes `bucket` as "database/retention-policy" and ignores `org`; with auth off the
 * `token` is sent but not checked. Pass `url`, `token`, `org` and `bucket` to the code
 * under test exactly as it would get them from its config.
 */
export interface InfluxHandle {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  token: string;
  org: string;
  /** "<database>/autogen", the form the daemon's config uses against InfluxDB 1.8. */
  bucket: string;
  database: string;
  dataDir: string;
  logFile: string;
  /** Runs a Flux query through /api/v2/query and returns every row of every table. */
  query(flux: string): Promise<FluxRow[]>;
  /**
   * Stops the server process but keeps its port and data, so a test can watch clients
   * fail and then call startServer(). SIGKILL simulates a crash (writes acknowledged
   * before it survive through the WAL). Idempotent.
   */
  stopServer(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the server again on the same port and data; resolves once it answers /ping. No-op if running. */
  startServer(): Promise<void>;
  /** stopServer(), then `downMs` of outage, then startServer(). */
  restart(downMs?: number): Promise<void>;
  /** Stops the server for good and removes the temp dir (not a caller's dataDir). Idempotent; call in afterAll. */
  stop(): Promise<void>;
}

function cacheDir(): string {
  return process.env.DRIFTWATCH_CACHE || join(homedir(), '.cache', 'driftwatch');
}

/** INFLUXD_BIN if set, else where scripts/install-influxdb.sh puts the binary. */
function influxdBinary(): string {
  const override = process.env.INFLUXD_BIN;
  if (override) return override;
  const version = process.env.INFLUXDB_VERSION || DEFAULT_INFLUXDB_VERSION;
  return join(cacheDir(), `influxdb-${version}`, 'bin', 'influxd');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// TOML basic strings accept JSON's escapes for everything a temp path can hold.
const toml = (s: string): string => JSON.stringify(s);

/**
 * Everything else stays at influxd's defaults, whose extra listeners (graphite,
 * collectd, opentsdb, udp) are off. The RPC listener (backup/restore) cannot be
 * turned off, so it gets 127.0.0.1 and a port of its own rather than the default
 * 0.0.0.0:8088 that parallel runs would fight over.
 */
function configText(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = ${toml(`127.0.0.1:${rpcPort}`)}

[meta]
  dir = ${toml(join(dir, 'meta'))}

[data]
  dir = ${toml(join(dir, 'data'))}
  wal-dir = ${toml(join(dir, 'wal'))}
  query-log-enabled = false

[monitor]
  # Would write the server's own statistics into an _internal database every 10 s.
  store-enabled = false

[http]
  bind-address = ${toml(`127.0.0.1:${httpPort}`)}
  auth-enabled = false
  flux-enabled = true
  pprof-enabled = false

[logging]
  suppress-logo = true
`;
}

/**
 * Starts the influxd that scripts/install-influxdb.sh installed (or INFLUXD_BIN) on
 * 127.0.0.1 with a throwaway config, creates the database, and resolves once /ping
 * answers. Startup takes a few seconds (Flux compiles its standard library), so start
 * one per test file in beforeAll, not one per test. Fails with the log's tail if the
 * server exits or does not answer within `startTimeoutMs`.
 */
export async function startInflux(options: StartInfluxOptions = {}): Promise<InfluxHandle> {
  const bin = influxdBinary();
  if (!existsSync(bin)) {
    throw new Error(
      `influxd not found at ${bin}; run: bash scripts/install-influxdb.sh (or set INFLUXD_BIN)`,
    );
  }
  const ownDir = options.dataDir === undefined;
  const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'driftwatch-influx-')));
  await mkdir(dir, { recursive: true });
  const ports = await freePorts(2);
  const httpPort = options.port ?? (ports[0] as number);
  const rpcPort = (options.port === ports[1] ? ports[0] : ports[1]) as number;
  const configFile = join(dir, 'influxdb.conf');
  await writeFile(configFile, configText(dir, httpPort, rpcPort));

  const url = `http://127.0.0.1:${httpPort}`;
  const database = options.database ?? 'driftwatch';
  const logFile = join(dir, 'influxd.log');
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const removeDir = ownDir ? dir : undefined;

  let child: ChildProcess | undefined;

  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

  async function stopServer(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const c = child;
    if (c === undefined) return;
    child = undefined;
    forgetChild(c);
    if (exited(c)) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }

  async function startServer(): Promise<void> {
    if (child !== undefined && !exited(child)) return;
    const logFd = openSync(logFile, 'a');
    let c: ChildProcess;
    try {
      c = spawn(bin, ['run', '-config', configFile], { cwd: dir, stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    child = c;
    cleanUpOnExit(c, removeDir);
    let spawnError: Error | undefined;
    c.once('error', (err) => (spawnError = err));

    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (spawnError) {
        child = undefined;
        forgetChild(c);
        throw new Error(`could not run ${bin}: ${spawnError.message}`);
      }
      if (exited(c)) {
        child = undefined;
        forgetChild(c); // keeps the dir, and so the log named below
        throw new Error(
          `influxd exited during startup (code ${c.exitCode}, signal ${c.signalCode}); tail of ${logFile}:\n${tail(logFile)}`,
        );
      }
      if (Date.now() > deadline) {
        await stopServer('SIGKILL');
        throw new Error(
          `influxd did not answer ${url}/ping within ${startTimeoutMs} ms; tail of ${logFile}:\n${tail(logFile)}`,
        );
      }
      try {
        const res = await fetch(`${url}/ping`);
        if (res.status === 204) break;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }

    // Idempotent in 1.8; the database's default retention policy is "autogen".
    const res = await fetch(`${url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: `CREATE DATABASE ${JSON.stringify(database)}` }),
    });
    const body = await res.text();
    if (!res.ok || body.includes('"error"')) {
      throw new Error(`creating database ${database} at ${url} failed: HTTP ${res.status} ${body}`);
    }
  }

  const token = 'driftwatch:driftwatch';
  const org = 'driftwatch';
  const queryApi = new InfluxDB({ url, token }).getQueryApi(org);

  const query = (flux: string): Promise<FluxRow[]> => queryApi.collectRows<FluxRow>(flux);

  async function restart(downMs = 0): Promise<void> {
    await stopServer();
    await sleep(downMs);
    await startServer();
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await stopServer();
      if (removeDir !== undefined) await rm(removeDir, { recursive: true, force: true });
    })());

  try {
    await startServer();
  } catch (err) {
    // Keep the dir when the server ran, so the log the error names can still be read.
    if (removeDir !== undefined && !existsSync(logFile))
      await rm(removeDir, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    token,
    org,
    bucket: `${database}/autogen`,
    database,
    dataDir: dir,
    logFile,
    query,
    stopServer,
    startServer,
    restart,
    stop,
  };
}
