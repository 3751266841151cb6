/**
 * Servers the tests start (Prometheus, InfluxDB) must not outlive a test process that dies
 * without running afterAll. An 'exit' handler can only do synchronous work, hence SIGKILL; the
 * handlers are prepended because vitest's call process.exit() re-entrantly, which skips any
 * listener registered after them.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const running = new Map<ChildProcess, string | undefined>();
let installed = false;

/** Kills `child` (and removes `removeDir`, when given) if the test process exits first. */
export function cleanUpOnExit(child: ChildProcess, removeDir?: string): void {
  running.set(child, removeDir);
  if (installed) return;
  installed = true;
  const killAllNow = () => {
    for (const [c, d] of running) {
      c.kill('SIGKILL');
      if (d !== undefined) rmSync(d, { recursive: true, force: true });
    }
  };
  process.prependOnceListener('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.prependOnceListener(sig, () => {
      if (process.listenerCount(sig) > 0) {
        // Someone else handles the signal and will exit or tear down.
        for (const c of running.keys()) c.kill('SIGTERM');
        return;
      }
      // Listening suppressed Node's default of dying on the signal, and that death skips
      // 'exit' handlers: clean up now, then die as Node would have.
      killAllNow();
      process.kill(process.pid, sig);
    });
  }
}

/** `child` has ended (or was stopped on purpose): nothing to clean up for it any more. */
export function forgetChild(child: ChildProcess): void {
  running.delete(child);
}

/** The last lines of a server's log, for an error message. */
export function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}
