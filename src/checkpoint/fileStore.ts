/**
 * The checkpoint kept in one file of a directory (docs/checkpoints.md), replaced atomically at every
 * save: written to a temporary file beside it, flushed to disk, renamed over the old one, and the
 * directory flushed, so that after a crash at any moment (kill -9, power loss) the file is either
 * the previous checkpoint or the new one, whole. A file that cannot be used is renamed aside to
 * `<name>.corrupt-<epoch ms>` and reported, never deleted and never fatal.
 *
 * Effectful: the file system and, for the set-aside name, the clock.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { DriftwatchError } from '../errors.js';
import {
  errorCode,
  messageOf,
  removeTemporaries,
  setAsideFile,
  writeFileAtomic,
  makeStateDirectory,
} from '../state/stateFiles.js';
import { CheckpointError, decodeCheckpoint, encodeCheckpointAsync, type Checkpoint } from './format.js';
import type { CheckpointStore, LoadResult } from './store.js';

/** Options of FileCheckpointStore; tests pass a clock. */
export interface FileCheckpointStoreOptions {
  /** Epoch ms for the set-aside file's name. Default Date.now. */
  readonly now?: () => number;
}

/**
 * A CheckpointStore in `<directory>/<name>`. Created by the daemon from its config; one per daemon
 * (two processes saving to the same file overwrite each other). `save` calls are serialised, so the
 * daemon may save on a step and on shutdown without waiting for the previous save.
 */
export class FileCheckpointStore implements CheckpointStore {
  /** The checkpoint file. */
  readonly path: string;
  private readonly directory: string;
  private readonly name: string;
  private readonly now: () => number;
  /** The last save, settled or not: the next one starts after it. Never rejects. */
  private queue: Promise<void> = Promise.resolve();
  private saves = 0;
  /** Temporary files of saves in flight, which `load` must not remove. */
  private readonly writing = new Set<string>();

  /**
   * Touches nothing yet: the directory is created (with its parents) by the first load or save.
   * @throws RangeError when `name` is empty or holds a path separator.
   */
  constructor(directory: string, name = 'windows.ckpt', options: FileCheckpointStoreOptions = {}) {
    if (name === '' || name === '.' || name === '..' || /[/\\]/.test(name)) {
      throw new RangeError(`checkpoint: the file name must be a plain name, got ${JSON.stringify(name)}`);
    }
    this.directory = directory;
    this.name = name;
    this.path = join(directory, name);
    this.now = options.now ?? Date.now;
  }

  /**
   * The last saved checkpoint, or `none`; a file that cannot be read or decoded is renamed aside and
   * reported as `set_aside`. Temporary files left by a save that a crash interrupted are removed.
   * @throws DriftwatchError (DW_INPUT_READ) only when the directory cannot be created, or a bad file
   *   cannot be renamed aside (the directory is not writable: saving would fail too).
   */
  async load(): Promise<LoadResult> {
    await this.makeDirectory();
    await this.removeStaleTemporaries();
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { status: 'none' };
      return this.setAside(`${this.path} cannot be read: ${messageOf(error)}`);
    }
    try {
      return { status: 'loaded', checkpoint: decodeCheckpoint(bytes) };
    } catch (error) {
      if (error instanceof CheckpointError) return this.setAside(`${this.path}: ${error.message}`);
      throw error;
    }
  }

  /**
   * Encodes `checkpoint` (between turns of the event loop: encodeCheckpointAsync) and writes it
   * after the saves called before it have finished; resolves once it is on disk.
   * @throws CheckpointError when the checkpoint is invalid (see `encodeCheckpoint`).
   * @throws DriftwatchError (DW_INPUT_READ, retryable) when it cannot be written; the previous
   *   checkpoint is left as it was.
   */
  async save(checkpoint: Checkpoint): Promise<void> {
    // Encoded and written in turn, so the saves land in the order they were called.
    const run = this.queue.then(async () => this.write(await encodeCheckpointAsync(checkpoint)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(bytes: Buffer): Promise<void> {
    const temporary = join(this.directory, `${this.name}.tmp-${process.pid}-${++this.saves}`);
    this.writing.add(temporary);
    try {
      await this.makeDirectory();
      await writeFileAtomic(this.path, temporary, bytes);
    } catch (error) {
      throw new DriftwatchError(
        'DW_INPUT_READ',
        `cannot save the checkpoint ${this.path}: ${messageOf(error)}; the previous checkpoint is kept. ` +
          `Check the free space and the permissions of ${this.directory}`,
        { retryable: true, cause: error },
      );
    } finally {
      this.writing.delete(temporary);
    }
  }

  /** Renames the checkpoint file to a free `<name>.corrupt-<epoch ms>[-n]` beside it. */
  private async setAside(reason: string): Promise<LoadResult> {
    return setAsideFile(this.path, this.now(), reason);
  }

  /** Partial writes of saves that a crash interrupted: never the checkpoint, safe to drop. */
  private async removeStaleTemporaries(): Promise<void> {
    await removeTemporaries(this.directory, `${this.name}.tmp-`, this.writing);
  }

  private makeDirectory(): Promise<void> {
    return makeStateDirectory(this.directory);
  }
}
