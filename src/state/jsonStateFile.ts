/**
 * One JSON state file in the state directory (alert states, notification queue, model versions):
 * replaced atomically (a temporary file beside it, flushed, renamed over the old one, the
 * directory flushed), so after a crash at any moment the file is the previous state or the new
 * one, whole. A file that cannot be used is renamed aside to `<name>.corrupt-<epoch ms>` and
 * reported, never deleted and never fatal.
 *
 * Effectful: the file system.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { DriftwatchError } from '../errors.js';
import { StateDataError } from './stateData.js';
import {
  makeStateDirectory,
  messageOf,
  removeTemporaries,
  setAsideFile,
  writeFileAtomic,
} from './stateFiles.js';

/** What {@link JsonStateFile.load} found. */
export type JsonStateLoad<T> =
  | { readonly status: 'none' }
  | { readonly status: 'loaded'; readonly value: T }
  | { readonly status: 'set_aside'; readonly reason: string; readonly movedTo: string };

export interface JsonStateFileOptions<T> {
  readonly directory: string;
  /** The file name in the directory, e.g. `notifications.json`. */
  readonly name: string;
  /** What is kept, for messages: "the alert states". */
  readonly what: string;
  /**
   * The value of the parsed JSON. Throws `StateDataError` when the data is not usable (the file
   * is set aside); any other error is passed on.
   */
  readonly parse: (data: unknown) => T;
}

/**
 * A state file of one daemon. `save` calls are serialised, so the owner may save after every
 * change and on stop without waiting; the text is taken when `save` is called.
 */
export class JsonStateFile<T> {
  readonly path: string;
  private queue: Promise<void> = Promise.resolve();
  private saves = 0;
  private readonly writing = new Set<string>();
  private lastText: string | null = null;

  constructor(private readonly options: JsonStateFileOptions<T>) {
    this.path = join(options.directory, options.name);
  }

  /**
   * The saved value, or `none` when there is no file; a file that cannot be read, parsed or used
   * is renamed aside (`<path>.corrupt-<now>`) and reported as `set_aside`. Temporary files a crash
   * left behind are removed.
   * @throws DriftwatchError (DW_INPUT_READ) only when the directory cannot be created or a bad file
   *   cannot be renamed aside (the directory is not writable: saving would fail too).
   */
  async load(now: number): Promise<JsonStateLoad<T>> {
    const { directory, name } = this.options;
    await makeStateDirectory(directory);
    await removeTemporaries(directory, `${name}.tmp-`, this.writing);
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'none' };
      return setAsideFile(this.path, now, `${this.path} cannot be read: ${messageOf(error)}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return setAsideFile(this.path, now, `${this.path} is not JSON: ${messageOf(error)}`);
    }
    try {
      return { status: 'loaded', value: this.options.parse(data) };
    } catch (error) {
      if (error instanceof StateDataError) {
        return setAsideFile(this.path, now, `${this.path}: ${messageOf(error)}`);
      }
      throw error;
    }
  }

  /**
   * Writes `value` (serialised now, with `JSON.stringify`) after the saves called before;
   * resolves once it is on disk. A value whose text is the same as the last save's is not
   * written again (the file already holds it, or will).
   * @throws DriftwatchError (DW_INPUT_READ, retryable) when it cannot be written; the previous
   *   file is left as it was.
   */
  save(value: unknown): Promise<void> {
    const text = `${JSON.stringify(value)}\n`;
    // The same text as the last save that was written (or is being written): nothing to do.
    if (text === this.lastText) return this.queue;
    this.lastText = text;
    const run = this.queue.then(() => this.write(text));
    this.queue = run.catch(() => {
      // Not on disk: the next save of the same text must write it.
      if (this.lastText === text) this.lastText = null;
    });
    return run;
  }

  /** Resolves when every save called so far has finished, failed or not. */
  settled(): Promise<void> {
    return this.queue;
  }

  private async write(text: string): Promise<void> {
    const { directory, name, what } = this.options;
    const temporary = join(directory, `${name}.tmp-${process.pid}-${++this.saves}`);
    this.writing.add(temporary);
    try {
      await makeStateDirectory(directory);
      await writeFileAtomic(this.path, temporary, text);
    } catch (error) {
      throw new DriftwatchError(
        'DW_INPUT_READ',
        `cannot save ${what} ${this.path}: ${messageOf(error)}; the previous file is kept. ` +
          `Check the free space and the permissions of ${directory}`,
        { retryable: true, cause: error },
      );
    } finally {
      this.writing.delete(temporary);
    }
  }
}
