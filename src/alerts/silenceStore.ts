/**
 * The daemon's silences kept in `<state.directory>/silences.json` (docs/alerting.md#silences):
 * the pure `Silences` set, written whole and atomically after every change (a temporary file
 * beside it, flushed, renamed over the old one, the directory flushed), read back at start. A
 * file that cannot be used is renamed aside to `silences.json.corrupt-<epoch ms>` and reported,
 * never deleted and never fatal: the daemon starts without silences rather than not at all.
 *
 * Effectful: the file system and the clock.
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
import { Silences, silenceState, type SilenceState } from './silences.js';
import type { Labels, Silence } from './types.js';

/** The file name of the silences in the state directory. */
export const SILENCES_FILE = 'silences.json';

/**
 * How long an ended silence is kept (listed with `?expired=true`, found by id) before it is
 * forgotten: 5 days, Alertmanager's default `--data.retention` is 120h.
 */
export const SILENCE_RETENTION_MS = 5 * 24 * 60 * 60 * 1000;

/** What `load` found: no file, the silences, or a file it set aside (why, and where it went). */
export type SilenceLoadResult =
  | { readonly status: 'none' }
  | { readonly status: 'loaded'; readonly silences: number; readonly pruned: number }
  | { readonly status: 'set_aside'; readonly reason: string; readonly movedTo: string };

/** How many silences are in each state at a moment, for `driftwatch_silences{state}`. */
export type SilenceCounts = Readonly<Record<SilenceState, number>>;

/** Options of SilenceStore; tests pass a clock and a retention. */
export interface SilenceStoreOptions {
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
  /** Default SILENCE_RETENTION_MS. */
  readonly retentionMs?: number;
  /** The ids of new silences; default random UUIDs. */
  readonly idGenerator?: () => string;
}

/**
 * The silences of one daemon. The composition root builds it from `state.directory` and calls
 * `load` once before the HTTP server starts; the admin API calls `add` / `expire` / `list`; the
 * notification pipeline calls `isSilenced` for each notification; the metrics call `counts`.
 * Changes run one at a time, each written to disk before it resolves; a change that cannot be
 * written is undone, so what the API answered is what the file holds. Reads are synchronous and
 * safe at any moment (they may see a change whose write is still in flight).
 */
export class SilenceStore {
  /** The silences file. */
  readonly path: string;
  private readonly directory: string;
  private readonly now: () => number;
  private readonly retentionMs: number;
  private readonly idGenerator: (() => string) | undefined;
  private silences = new Silences();
  /** The last change, settled or not: the next one starts after it. Never rejects. */
  private queue: Promise<void> = Promise.resolve();
  private writes = 0;

  /** Touches nothing yet: the directory is created by the first load or change. */
  constructor(directory: string, options: SilenceStoreOptions = {}) {
    this.directory = directory;
    this.path = join(directory, SILENCES_FILE);
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionMs ?? SILENCE_RETENTION_MS;
    this.idGenerator = options.idGenerator;
  }

  /**
   * Reads the file (replacing what the store holds), drops the silences past retention and
   * removes temporary files of a write a crash interrupted. Call once, before serving.
   * @throws DriftwatchError (DW_INPUT_READ) only when the directory cannot be created or a bad
   *   file cannot be renamed aside (the directory is not writable: saving would fail too).
   */
  async load(): Promise<SilenceLoadResult> {
    await this.makeDirectory();
    await this.removeTemporaries();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { status: 'none' };
      return this.setAside(`${this.path} cannot be read: ${messageOf(error)}`);
    }
    let silences: Silences;
    try {
      silences = Silences.fromJSON(JSON.parse(text) as unknown, this.path);
    } catch (error) {
      if (error instanceof SyntaxError) return this.setAside(`${this.path}: not JSON (${error.message})`);
      if (error instanceof DriftwatchError) return this.setAside(error.message);
      throw error;
    }
    this.silences = silences;
    const pruned = silences.prune(this.now(), this.retentionMs);
    if (pruned > 0) await this.change(() => undefined);
    return { status: 'loaded', silences: silences.toJSON().silences.length, pruned };
  }

  /**
   * Adds a silence (see `Silences.add` for the rules) and resolves once it is on disk.
   * @throws SilenceError (`invalid`) for a silence that cannot be added.
   * @throws DriftwatchError (DW_INPUT_READ, retryable) when it cannot be written; nothing changed.
   */
  async add(silence: Omit<Silence, 'id'>): Promise<Silence> {
    return this.change((set, now) =>
      this.idGenerator === undefined ? set.add(silence, now) : set.add(silence, now, this.idGenerator),
    );
  }

  /**
   * Ends a silence now and resolves with it once that is on disk.
   * @throws SilenceError `not_found` for an unknown id, `invalid` for one that already ended.
   * @throws DriftwatchError (DW_INPUT_READ, retryable) when it cannot be written; nothing changed.
   */
  async expire(id: string): Promise<Silence> {
    return this.change((set, now) => set.expire(id, now));
  }

  /** The silences now, by start then id; expired ones (within retention) with `includeExpired`. */
  list(includeExpired = false): Silence[] {
    return this.silences.list(this.now(), { includeExpired });
  }

  /** The silence with this id, or undefined. */
  get(id: string): Silence | undefined {
    return this.silences.get(id);
  }

  /** The active silence muting an alert with `labels` at `now`, or undefined (`Silences.isSilenced`). */
  isSilenced(labels: Labels, now: number): Silence | undefined {
    return this.silences.isSilenced(labels, now);
  }

  /** How many silences are pending, active and expired (not yet pruned) now. */
  counts(): SilenceCounts {
    const now = this.now();
    const counts = { pending: 0, active: 0, expired: 0 };
    for (const silence of this.silences.list(now, { includeExpired: true })) {
      counts[silenceState(silence, now)]++;
    }
    return counts;
  }

  /**
   * Runs `apply` on a copy of the set after the changes before it, prunes, writes the copy and
   * only then makes it the store's: a change that throws or cannot be written leaves both the
   * set and the file as they were.
   */
  private async change<T>(apply: (set: Silences, now: number) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const now = this.now();
      const next = Silences.fromJSON(this.silences.toJSON(), this.path);
      const result = apply(next, now);
      next.prune(now, this.retentionMs);
      await this.write(`${JSON.stringify(next.toJSON(), null, 2)}\n`);
      this.silences = next;
      return result;
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async write(text: string): Promise<void> {
    const temporary = join(this.directory, `${SILENCES_FILE}.tmp-${process.pid}-${++this.writes}`);
    try {
      await this.makeDirectory();
      await writeFileAtomic(this.path, temporary, text);
    } catch (error) {
      throw new DriftwatchError(
        'DW_INPUT_READ',
        `cannot save the silences to ${this.path}: ${messageOf(error)}; nothing was changed. ` +
          `Check the free space and the permissions of ${this.directory}`,
        { retryable: true, cause: error },
      );
    }
  }

  /** Renames the file to a free `silences.json.corrupt-<epoch ms>[-n]` beside it. */
  private async setAside(reason: string): Promise<SilenceLoadResult> {
    return setAsideFile(this.path, this.now(), reason);
  }

  /** Called by `load` only, before any write of this store can be in flight. */
  private async removeTemporaries(): Promise<void> {
    // Partial writes that a crash interrupted: never the silences, safe to drop.
    await removeTemporaries(this.directory, `${SILENCES_FILE}.tmp-`);
  }

  private makeDirectory(): Promise<void> {
    return makeStateDirectory(this.directory);
  }
}
