/**
 * Runs the built `driftwatch` command to completion: what a CI job sees of it (exit code,
 * standard output and error). For commands that end by themselves (baseline, replay).
 */
import { runCli } from './daemon.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `driftwatch <args>` and waits for it to exit. */
export async function execCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const proc = runCli([...args], env);
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c) => resolve(c)));
  return { code, stdout, stderr };
}
