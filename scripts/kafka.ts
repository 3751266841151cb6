/**
 * A real single-node Kafka broker (KRaft, combined broker+controller) for tests
 * and local runs, assembled from Maven Central jars because this project has no
 * Docker and cannot reach the Apache download mirrors.
 *
 *   tsx scripts/kafka.ts start            # detached; prints 127.0.0.1:<port>
 *   tsx scripts/kafka.ts stop
 *   tsx scripts/kafka.ts ensure [version] # only fetch the jars
 *
 * Env: KAFKA_PORT (9092), KAFKA_VERSION (3.9.1), KAFKA_HEAP_OPTS, JAVA_HOME,
 * DRIFTWATCH_CACHE (~/.cache/driftwatch).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, freePorts } from '../test/support/ports.js';

export const DEFAULT_KAFKA_VERSION = '3.9.1';

const execFileAsync = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const POM = join(here, 'kafka', 'pom.xml');
const HOST = '127.0.0.1';

/** Where downloaded jars and the CLI's pid file live; outside the work tree so `git clean` keeps them. */
export function cacheDir(): string {
  return process.env.DRIFTWATCH_CACHE || join(homedir(), '.cache', 'driftwatch');
}

function majorOf(version: string): number {
  // Strictly x.y.z: the version ends up in paths and in a Maven -D argument.
  const match = /^(\d+)\.\d+\.\d+$/.exec(version);
  if (!match) throw new Error(`Kafka version must look like 3.9.1, got ${JSON.stringify(version)}`);
  const major = Number(match[1]);
  // Combined KRaft mode without ZooKeeper is only usable from 3.x on.
  if (major < 3) throw new Error(`Kafka ${version} is not supported (need 3.x or 4.x for KRaft)`);
  return major;
}

/**
 * Makes sure the broker classpath for `version` is in the cache and returns its
 * `libs` directory. Jars are fetched with Maven into a scratch directory and
 * renamed into place, so an interrupted download is never mistaken for a
 * complete one and concurrent callers cannot see a half-filled directory.
 */
export async function ensureKafka(version: string = DEFAULT_KAFKA_VERSION): Promise<string> {
  const major = majorOf(version);
  const home = join(cacheDir(), `kafka-${version}`);
  const libs = join(home, 'libs');
  const coreJar = join(libs, `kafka_2.13-${version}.jar`);
  if (existsSync(coreJar)) return libs;

  await mkdir(home, { recursive: true });
  const partial = join(home, `libs.partial-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  console.error(`Fetching Kafka ${version} jars from Maven Central into ${libs} ...`);
  const args = [
    '-B',
    '-q',
    // Re-check artifacts Maven remembered as missing (e.g. a release still syncing to Central).
    '-U',
    '-f',
    POM,
    `-Dkafka.version=${version}`,
    // The logging backend differs per major; see the comment in the pom.
    '-P',
    major >= 4 ? 'kafka4' : 'kafka3',
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${partial}`,
  ];
  try {
    await execFileAsync('mvn', args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('mvn not found on PATH; Maven 3.8+ is needed to fetch Kafka');
    throw new Error(`mvn failed to fetch Kafka ${version}:\n${e.stdout ?? ''}${e.stderr ?? ''}`.trimEnd());
  }
  // A libs dir without the core jar was not made by this code path; replace it.
  if (!existsSync(coreJar)) await rm(libs, { recursive: true, force: true });
  try {
    await rename(partial, libs);
  } catch (err) {
    // Another process won the race; its copy is just as good.
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(coreJar)) throw err;
  }
  return libs;
}

export interface StartBrokerOptions {
  /** Client (PLAINTEXT) port; a free one when omitted. The controller always gets a free one. */
  port?: number;
  version?: string;
  /** Holds server.properties, broker.log and the KRaft log dir. A temp dir (removed on stop) when omitted. */
  dataDir?: string;
  /** Start the JVM in its own session so it outlives this process (the CLI uses this). */
  detached?: boolean;
  /** How long to wait for the broker to accept clients. */
  startTimeoutMs?: number;
  /** Extra or overriding server.properties entries. */
  serverProperties?: Record<string, string | number | boolean>;
}

export interface BrokerHandle {
  bootstrap: string;
  pid: number;
  version: string;
  dataDir: string;
  logFile: string;
  /** Milliseconds from spawning the JVM to the broker serving metadata and consumer groups. */
  startupMs: number;
  /** SIGTERM, then SIGKILL after a timeout. Safe to call more than once. */
  stop(): Promise<void>;
  /**
   * Stops the JVM, waits `downMs`, and starts it again on the same port and data; resolves
   * once it serves clients.
   */
  restart(downMs?: number): Promise<void>;
}

function serverProperties(
  major: number,
  port: number,
  controllerPort: number,
  logDirs: string,
  extra: StartBrokerOptions['serverProperties'],
): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    // A static voter set works unchanged on 3.x and 4.x and needs no --standalone format.
    'controller.quorum.voters': `1@${HOST}:${controllerPort}`,
    listeners: `PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': logDirs,
    'num.partitions': 3,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    // Instead of 50: the readiness probe creates this topic, and a test broker gains nothing from more.
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': true,
  };
  if (major >= 4) {
    // 4.x defaults the share-group state topic to RF 3 / min ISR 2, which one node cannot satisfy.
    props['share.coordinator.state.topic.replication.factor'] = 1;
    props['share.coordinator.state.topic.min.isr'] = 1;
  }
  Object.assign(props, extra);
  return Object.entries(props)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n')
    .concat('\n');
}

// Everything goes to the console appender because the JVM's stdout/stderr are
// redirected to broker.log: one file then also captures JVM-level failures
// (bad classpath, unsupported class version) that happen before logging starts.
// The level is a system property so the storage formatter can run quietly.
function loggingConfig(major: number): { file: string; text: string; jvmFlag: (path: string) => string } {
  if (major >= 4) {
    return {
      file: 'log4j2.properties',
      jvmFlag: (p) => `-Dlog4j2.configurationFile=${p}`,
      text: [
        'status = warn',
        'appender.out.type = Console',
        'appender.out.name = OUT',
        'appender.out.layout.type = PatternLayout',
        'appender.out.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = ${sys:driftwatch.log.level:-INFO}',
        'rootLogger.appenderRef.out.ref = OUT',
        'logger.request.name = kafka.request.logger',
        'logger.request.level = WARN',
        '',
      ].join('\n'),
    };
  }
  return {
    file: 'log4j.properties',
    jvmFlag: (p) => `-Dlog4j.configuration=file:${p}`,
    text: [
      'log4j.rootLogger=${driftwatch.log.level}, out',
      'log4j.appender.out=org.apache.log4j.ConsoleAppender',
      'log4j.appender.out.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      '',
    ].join('\n'),
  };
}

function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

// Kafka's Uuid is 16 random bytes in URL-safe base64 without padding. A leading
// '-' would be read as an option by the storage tool, so avoid it.
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function tail(file: string, lines = 60): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function assertPortFree(port: number): Promise<void> {
  // Without this, a broker already on the port would answer the readiness
  // probe and the failure of ours would only show up as a cluster-id mismatch.
  await new Promise<void>((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${HOST}:${port} is already in use (another broker?)`)
          : err,
      ),
    );
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolvePromise()));
  });
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: HOST, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves with the cluster id once a broker at `bootstrap` serves metadata and
 * group coordination, else throws. Looking up a group makes the broker create
 * __consumer_offsets now, so the first consumer group in a test joins at once
 * instead of logging "The group coordinator is not available" while it waits.
 */
async function probeCluster(bootstrap: string): Promise<string> {
  const kafka = new Kafka({
    clientId: 'driftwatch-kafka-probe',
    brokers: [bootstrap],
    // Refusals are expected while the JVM boots; the caller does the retrying.
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no brokers registered yet');
    await admin.describeGroups(['driftwatch-readiness-probe']);
    return cluster.clusterId;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolvePromise(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolvePromise(true);
    };
    child.once('exit', onExit);
  });
}

// Non-detached brokers must die with this process even when a test run aborts
// without teardown. Ctrl-C reaches the JVM through the terminal's process
// group anyway, but a signal sent to this pid alone (CI cancellation, `kill`)
// would otherwise orphan it, as would an exit that skips teardown.
const attachedChildren = new Set<ChildProcess>();
// Temp data dirs of healthy attached brokers, removed if the process exits
// without teardown. Dirs of brokers that failed are left for their logs.
const ownedDataDirs = new Set<string>();
let cleanupInstalled = false;
let terminatedBySignal = false;
function cleanUpOnExit(child: ChildProcess): void {
  attachedChildren.add(child);
  child.once('exit', () => attachedChildren.delete(child));
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  // Prepended because vitest's own handlers call process.exit() re-entrantly,
  // which skips every listener registered after them. Only synchronous work is
  // possible in 'exit', hence SIGKILL.
  const killAllNow = () => {
    for (const c of attachedChildren) if (!exited(c)) c.kill('SIGKILL');
    for (const dir of ownedDataDirs) rmSync(dir, { recursive: true, force: true });
  };
  process.prependOnceListener('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.prependOnceListener(sig, () => {
      terminatedBySignal = true;
      if (process.listenerCount(sig) > 0) {
        // The host (e.g. vitest) handles the signal and will exit or tear down.
        for (const c of attachedChildren) if (!exited(c)) c.kill('SIGTERM');
        return;
      }
      // Listening suppressed Node's default of dying on the signal, and that
      // death skips 'exit' handlers: clean up now, then die as Node would have.
      killAllNow();
      process.kill(process.pid, sig);
    });
  }
}

/**
 * Formats fresh KRaft storage and starts a single-node broker bound to
 * 127.0.0.1, resolving only when it accepts clients. On failure the broker is
 * killed and the error carries the tail of its log.
 */
export async function startBroker(opts: StartBrokerOptions = {}): Promise<BrokerHandle> {
  const version = opts.version ?? DEFAULT_KAFKA_VERSION;
  const major = majorOf(version);
  const libs = await ensureKafka(version);

  let port: number;
  let controllerPort: number;
  if (opts.port === undefined) {
    [port, controllerPort] = (await freePorts(2)) as [number, number];
  } else {
    port = opts.port;
    await assertPortFree(port);
    do controllerPort = await freePort();
    while (controllerPort === port);
  }

  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = resolve(opts.dataDir ?? (await mkdtemp(join(tmpdir(), `driftwatch-kafka-${version}-`))));
  const logDirs = join(dataDir, 'kraft-logs');
  // "Fresh" storage: formatting refuses a directory that was formatted before.
  await rm(logDirs, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });

  const propsFile = join(dataDir, 'server.properties');
  await writeFile(propsFile, serverProperties(major, port, controllerPort, logDirs, opts.serverProperties));
  const logging = loggingConfig(major);
  const loggingFile = join(dataDir, logging.file);
  await writeFile(loggingFile, logging.text);
  const logFile = join(dataDir, 'broker.log');
  await writeFile(logFile, '');

  const heap = (process.env.KAFKA_HEAP_OPTS ?? '-Xms256m -Xmx512m').split(/\s+/).filter(Boolean);
  const jvm = [
    ...heap,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    logging.jvmFlag(loggingFile),
    // The JVM expands the wildcard itself (jar files only), so no shell is needed.
    '-cp',
    join(libs, '*'),
  ];

  const clusterId = newClusterId();
  try {
    await execFileAsync(
      javaBin(),
      [
        ...jvm,
        '-Ddriftwatch.log.level=WARN',
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        propsFile,
      ],
      { cwd: dataDir, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    if (e.code === 'ENOENT') throw new Error(`java not found (${javaBin()}); Kafka needs Java 17+`);
    throw new Error(`formatting KRaft storage in ${logDirs} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }

  const bootstrap = `${HOST}:${port}`;
  // Spawns the JVM on the formatted storage and waits until it serves clients; used for the
  // first start and for restart(), which must keep the data (tests of broker outages).
  const launch = async (): Promise<{ child: ChildProcess; spawnedAt: number }> => {
    const logFd = openSync(logFile, 'a');
    const spawnedAt = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(javaBin(), [...jvm, '-Ddriftwatch.log.level=INFO', 'kafka.Kafka', propsFile], {
        cwd: dataDir,
        stdio: ['ignore', logFd, logFd],
        detached: opts.detached ?? false,
      });
    } finally {
      closeSync(logFd);
    }
    let failure: Error | undefined;
    child.once('error', (err) => (failure = err));
    if (opts.detached) child.unref();
    else cleanUpOnExit(child);

    const deadline = spawnedAt + (opts.startTimeoutMs ?? 90_000);
    let lastProbeError: unknown;
    for (;;) {
      if (failure) throw new Error(`could not start java: ${failure.message}`);
      if (exited(child)) {
        throw new Error(
          `Kafka ${version} exited during startup (code ${child.exitCode ?? child.signalCode}); ` +
            `tail of ${logFile}:\n${tail(logFile)}`,
        );
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `Kafka ${version} did not accept clients on ${bootstrap} within ${opts.startTimeoutMs ?? 90_000} ms ` +
            `(last probe: ${String(lastProbeError)}); tail of ${logFile}:\n${tail(logFile)}`,
        );
      }
      if (await tcpOpen(port)) {
        try {
          const seen = await probeCluster(bootstrap);
          if (seen !== clusterId) throw new Error(`${bootstrap} belongs to another cluster (${seen})`);
          break;
        } catch (err) {
          lastProbeError = err;
        }
      }
      await sleep(200);
    }
    return { child, spawnedAt };
  };
  let { child, spawnedAt } = await launch();
  const startupMs = Date.now() - spawnedAt;
  const pid = child.pid as number;
  if (ownsDataDir && !opts.detached) ownedDataDirs.add(dataDir);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const diedOnItsOwn = exited(child) && !terminatedBySignal;
      ownedDataDirs.delete(dataDir);
      await stopBroker(child);
      if (ownsDataDir && !diedOnItsOwn) await rm(dataDir, { recursive: true, force: true });
      else if (diedOnItsOwn) console.error(`Kafka broker ${pid} had already exited; log kept at ${logFile}`);
    })());

  const restart = async (downMs = 0): Promise<void> => {
    await stopBroker(child);
    await sleep(downMs);
    ({ child, spawnedAt } = await launch());
  };

  return { bootstrap, pid, version, dataDir, logFile, startupMs, stop, restart };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A detached broker's parent is gone; if nothing reaps it (a bare container
  // PID 1) it lingers as a zombie that kill(0) still reports as alive.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    // No /proc entry: on Linux it just exited; elsewhere there is no /proc to ask.
    return process.platform !== 'linux';
  }
}

/**
 * Stops a broker given its ChildProcess (from this process) or a bare pid (a
 * detached one): SIGTERM lets Kafka close its logs cleanly, SIGKILL follows
 * after `timeoutMs`. Resolves once the process is gone; a no-op if it already is.
 */
export async function stopBroker(target: ChildProcess | number, timeoutMs = 30_000): Promise<void> {
  if (typeof target !== 'number') {
    if (exited(target)) return;
    target.kill('SIGTERM');
    if (await waitForExit(target, timeoutMs)) return;
    target.kill('SIGKILL');
    await waitForExit(target, 10_000);
    return;
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(target, sig);
    } catch {
      // Already gone.
    }
  };
  if (!pidAlive(target)) return;
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(target)) {
    if (Date.now() > deadline) {
      signal('SIGKILL');
      for (let i = 0; i < 100 && pidAlive(target); i++) await sleep(100);
      return;
    }
    await sleep(100);
  }
}

// ---- CLI -------------------------------------------------------------------

interface CliState {
  pid: number;
  bootstrap: string;
  version: string;
  dataDir: string;
  logFile: string;
  ownsDataDir: boolean;
}

const pidFile = () => join(cacheDir(), 'kafka.pid');
const stateFile = () => join(cacheDir(), 'kafka.json');

async function readState(): Promise<CliState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(), 'utf8')) as CliState;
  } catch {
    return undefined;
  }
}

// The pid in a stale state file may have been reused by an unrelated process.
function isOurBroker(state: CliState): boolean {
  if (!pidAlive(state.pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${state.pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(state.dataDir);
  } catch {
    return true; // no /proc (macOS): trust the pid.
  }
}

async function clearState(): Promise<void> {
  await rm(pidFile(), { force: true });
  await rm(stateFile(), { force: true });
}

async function cliStart(): Promise<void> {
  const version = process.env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
  const port = Number(process.env.KAFKA_PORT || 9092);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad KAFKA_PORT: ${port}`);

  const existing = await readState();
  if (existing && isOurBroker(existing)) {
    if (existing.bootstrap !== `${HOST}:${port}` || existing.version !== version) {
      throw new Error(
        `a Kafka ${existing.version} broker is already running at ${existing.bootstrap} (pid ${existing.pid}); ` +
          'run `npm run kafka:stop` first',
      );
    }
    console.error(`Kafka ${version} already running (pid ${existing.pid})`);
    console.log(existing.bootstrap);
    return;
  }
  await clearState();

  const broker = await startBroker({ port, version, detached: true });
  const state: CliState = {
    pid: broker.pid,
    bootstrap: broker.bootstrap,
    version,
    dataDir: broker.dataDir,
    logFile: broker.logFile,
    ownsDataDir: true,
  };
  await mkdir(cacheDir(), { recursive: true });
  await writeFile(pidFile(), `${broker.pid}\n`);
  await writeFile(stateFile(), JSON.stringify(state, null, 2) + '\n');
  console.error(
    `Kafka ${version} up in ${(broker.startupMs / 1000).toFixed(1)}s (pid ${broker.pid}, log ${broker.logFile})`,
  );
  // stdout carries only the address so scripts can capture it.
  console.log(broker.bootstrap);
}

async function cliStop(): Promise<void> {
  const state = await readState();
  if (!state) {
    console.error('no Kafka broker recorded; nothing to stop');
    return;
  }
  if (isOurBroker(state)) {
    await stopBroker(state.pid);
    console.error(`stopped Kafka broker ${state.pid}`);
  } else {
    console.error(`Kafka broker ${state.pid} was not running`);
  }
  if (state.ownsDataDir && (await stat(state.dataDir).catch(() => undefined))) {
    await rm(state.dataDir, { recursive: true, force: true });
  }
  await clearState();
}

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  switch (command) {
    case 'start':
      return cliStart();
    case 'stop':
      return cliStop();
    case 'ensure':
      console.log(await ensureKafka(arg || process.env.KAFKA_VERSION || DEFAULT_KAFKA_VERSION));
      return;
    default:
      console.error('usage: tsx scripts/kafka.ts start|stop|ensure [version]');
      process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
