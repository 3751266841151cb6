/**
 * Where the alert engine keeps the alert states across restarts: `<state.directory>/alerts.json`,
 * replaced atomically (a temporary file beside it, flushed, renamed over the old one, the directory
 * flushed), so after a crash at any moment the file is the previous states or the new ones, whole.
 * A file that cannot be used is renamed aside to `alerts.json.corrupt-<epoch ms>` and reported,
 * never deleted and never fatal: the same treatment as checkpoints (src/checkpoint/fileStore.ts).
 *
 * Effectful: the file system.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { DriftwatchError } from '../errors.js';
import {
  makeStateDirectory,
  messageOf,
  removeTemporaries,
  setAsideFile,
  writeFileAtomic,
} from '../state/stateFiles.js';
import { AlertStateError, AlertStates } from './stateMachine.js';

/** The file name in the state directory. */
export const ALERT_STATE_FILE = 'alerts.json';

/** What {@link AlertStateFile.load} found. */
export type AlertStateLoad =
  | { readonly status: 'none' }
  | { readonly status: 'loaded'; readonly states: AlertStates }
  | { readonly status: 'set_aside'; readonly reason: string; readonly movedTo: string };

/**
 * The alert state file of one daemon. `save` calls are serialised, so the engine may save after a
 * round and on stop without waiting; the text is taken when `save` is called.
 */
export class AlertStateFile {
  readonly path: string;
  private queue: Promise<void> = Promise.resolve();
  private saves = 0;
  private readonly writing = new Set<string>();

  constructor(private readonly directory: string) {
    this.path = join(directory, ALERT_STATE_FILE);
  }

  /**
   * The saved states, or `none` when there is no file; a file that cannot be read or parsed is
   * renamed aside (`<path>.corrupt-<now>`) and reported as `set_aside`. Temporary files a crash
   * left behind are removed.
   * @throws DriftwatchError (DW_INPUT_READ) only when the directory cannot be created or a bad file
   *   cannot be renamed aside (the directory is not writable: saving would fail too).
   */
  async load(now: number): Promise<AlertStateLoad> {
    await this.makeDirectory();
    await removeTemporaries(this.directory, `${ALERT_STATE_FILE}.tmp-`, this.writing);
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'none' };
      return this.setAside(`${this.path} cannot be read: ${messageOf(error)}`, now);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return this.setAside(`${this.path} is not JSON: ${messageOf(error)}`, now);
    }
    try {
      return { status: 'loaded', states: AlertStates.fromJSON(data) };
    } catch (error) {
      if (error instanceof AlertStateError) return this.setAside(`${this.path}: ${error.message}`, now);
      throw error;
    }
  }

  /**
   * Writes `states` (serialised now) after the saves called before; resolves once it is on disk.
   * @throws DriftwatchError (DW_INPUT_READ, retryable) when it cannot be written; the previous
   *   file is left as it was.
   */
  save(states: AlertStates): Promise<void> {
    const text = `${JSON.stringify(states)}\n`;
    const run = this.queue.then(() => this.write(text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every save called so far has finished, failed or not. */
  settled(): Promise<void> {
    return this.queue;
  }

  private async write(text: string): Promise<void> {
    const temporary = join(this.directory, `${ALERT_STATE_FILE}.tmp-${process.pid}-${++this.saves}`);
    this.writing.add(temporary);
    try {
      await this.makeDirectory();
      await writeFileAtomic(this.path, temporary, text);
    } catch (error) {
      throw new DriftwatchError(
        'DW_INPUT_READ',
        `cannot save the alert states ${this.path}: ${messageOf(error)}; the previous file is kept. ` +
          `Check the free space and the permissions of ${this.directory}`,
        { retryable: true, cause: error },
      );
    } finally {
      this.writing.delete(temporary);
    }
  }

  private async setAside(reason: string, now: number): Promise<AlertStateLoad> {
    return setAsideFile(this.path, now, reason);
  }

  private makeDirectory(): Promise<void> {
    return makeStateDirectory(this.directory);
  }
}
