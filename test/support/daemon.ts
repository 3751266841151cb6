/**
 * Runs the real `driftwatch` command (the compiled dist/, as shipped) as a child process,
 * for integration tests: spawn, read /metrics, send signals, wait for exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { parsePromText, type Sample } from './promText.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface DaemonProcess {
  readonly proc: ChildProcess;
  readonly url: string;
  /** Everything written to stdout and stderr so far (logs, for assertions and failures). */
  output(): string;
  metrics(): Promise<Sample[]>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function startDaemon(
  configFile: string,
  port: number,
  extraArgs: readonly string[] = [],
): Promise<DaemonProcess> {
  const proc = runCli(['run', '--config', configFile, ...extraArgs]);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const daemon: DaemonProcess = {
    proc,
    url,
    output: () => out,
    exited,
    kill: (signal = 'SIGTERM') => void proc.kill(signal),
    metrics: async () => parsePromText(await (await fetch(`${url}/metrics`)).text()),
  };
  // Ready once /readyz says so (the consumer has joined its group).
  const deadline = Date.now() + 60_000;
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`driftwatch exited with ${exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return daemon;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill('SIGKILL');
  throw new Error(`driftwatch did not become ready within 60 s:\n${out}`);
}

/** Polls `check` until it returns true, or fails with `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}
