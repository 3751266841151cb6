/**
 * Starts a server binary the tests talk to (Prometheus, Alertmanager) in its own temporary
 * directory, its output in a log file there, and waits until its readiness URL answers: the
 * shared part of test/support/prometheus.ts and alertmanager.ts. The process is killed if the
 * test process dies first (childCleanup.ts); `stop` ends it with SIGTERM (SIGKILL after 10 s) and
 * removes the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';

import { cleanUpOnExit, forgetChild, tail } from './childCleanup.js';

export interface ServerProcessOptions {
  /** For messages: `prometheus`. */
  readonly name: string;
  readonly bin: string;
  readonly args: readonly string[];
  /** The server's own temporary directory: its working directory, removed by `stop`. */
  readonly dir: string;
  readonly logFile: string;
  /** Ready once a GET of this URL answers 200. */
  readonly readyUrl: string;
  readonly startTimeoutMs?: number;
  /** Added to the message when the binary is not found, e.g. how to install it. */
  readonly installHint: string;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Stops the server and removes its directory; safe to call more than once. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawns the server and resolves once `readyUrl` answers 200. Fails with the binary's error (and
 * the install hint), or the tail of its log when it exits or is not ready within the timeout
 * (default 30 s); the directory is kept then, so the log named in the message can be read.
 */
export async function startServerProcess(o: ServerProcessOptions): Promise<ServerProcess> {
  const logFd = openSync(o.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(o.bin, [...o.args], { cwd: o.dir, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  cleanUpOnExit(child, o.dir);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const exited = () => child.exitCode !== null || child.signalCode !== null;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      forgetChild(child);
      if (!exited() && child.pid !== undefined) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      await rm(o.dir, { recursive: true, force: true });
    })());

  const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
  for (;;) {
    if (spawnError) {
      forgetChild(child);
      await rm(o.dir, { recursive: true, force: true });
      const hint = (spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? o.installHint : '';
      throw new Error(`could not run ${o.bin}: ${spawnError.message}${hint}`);
    }
    if (exited()) {
      forgetChild(child); // keeps the dir, and so the log named below
      throw new Error(
        `${o.name} exited during startup (code ${child.exitCode}); tail of ${o.logFile}:\n${tail(o.logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      const log = tail(o.logFile);
      await stop();
      throw new Error(`${o.name} not ready at ${o.readyUrl} in time; tail of its log:\n${log}`);
    }
    try {
      const res = await fetch(o.readyUrl);
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  return { child, stop };
}
