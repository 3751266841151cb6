/**
 * Which model versions are running and which is the last known good one (PRODUCT.md §6: "the
 * latest version that ran without a firing critical alert"), the rollback target a notification
 * names.
 *
 * A version **runs** as long as its events come no more than `activeMs` apart: it is running at an
 * evaluation round when its last event was processed within `activeMs` before the round, and an
 * event after a longer silence starts a new running stretch. The rule depends on the traffic
 * only, not on how often rounds happen, and a daemon that was down does not count the time it did
 * not watch. `activeMs` should exceed the longest normal gap between two events of a model.
 *
 * A running version's **clean run** starts when it starts running, or at the round its model's
 * last firing critical alert was seen gone, whichever is later; it ends when the version stops
 * running or a round sees a critical alert of its model firing. A version whose events span
 * `goodAfterMs` of one clean run becomes **good**, latched: a critical alert that fires later,
 * while it or another version runs, does not take it back. When two versions run at once (a
 * canary), a critical alert restarts the clean run of both: an alert is per model, it cannot tell
 * which version caused it.
 *
 * Pure: the clock is passed in (`at`, `now`, epoch ms of processing time); the state is plain data,
 * serialisable to JSON (`toJSON` / `fromJSON`), so a restart keeps the versions and their runs.
 */

import { isRecord, StateDataError } from '../state/stateData.js';
import { compareCodePoints } from '../stats/bins.js';

/** The version of {@link ModelVersionsJSON}; bumped on an incompatible change. */
export const MODEL_VERSIONS_VERSION = 1;

/** Versions kept per model; the same default as `limits.max_versions_per_model` for the metrics. */
export const DEFAULT_MAX_VERSIONS_PER_MODEL = 20;

/** The longest gap between two events of a running version: 5 minutes, five default steps. */
export const DEFAULT_ACTIVE_MS = 5 * 60 * 1000;

/** The options of {@link ModelVersions}; the composition root builds them from the config. */
export interface ModelVersionsOptions {
  /** How long a version must run with no firing critical alert to become good, ms. */
  readonly goodAfterMs: number;
  /** The longest gap between two events of a running version, ms. Default DEFAULT_ACTIVE_MS. */
  readonly activeMs?: number;
  /** Versions kept per model (at least 2). Default DEFAULT_MAX_VERSIONS_PER_MODEL. */
  readonly maxVersionsPerModel?: number;
}

/** One version of a model as `versions()` returns it and the state file keeps it. Times are epoch ms. */
export interface ModelVersionJSON {
  readonly version: string;
  /** When an event of this version was first processed. */
  readonly firstSeen: number;
  /** When an event of this version was last processed. */
  readonly lastSeen: number;
  /** The first event of its current running stretch; null while it is not running. */
  readonly runFrom: number | null;
  /** When its current clean run started; null while it has none (not running, or critical firing). */
  readonly cleanSince: number | null;
  /** The round at which it became good; null while it is not good. */
  readonly goodSince: number | null;
}

/** One model in {@link ModelVersionsJSON}. */
export interface ModelJSON {
  readonly model: string;
  /** Whether the model had a firing critical alert at the last round. */
  readonly criticalFiring: boolean;
  /** The round at which its last firing critical alert was seen gone; null when none was seen. */
  readonly criticalClearedAt: number | null;
  /** Oldest first (by first-seen time). */
  readonly versions: readonly ModelVersionJSON[];
}

/** What `toJSON` returns and `fromJSON` takes: plain JSON, models in name order. */
export interface ModelVersionsJSON {
  readonly version: typeof MODEL_VERSIONS_VERSION;
  readonly models: readonly ModelJSON[];
}

interface MutableVersion {
  firstSeen: number;
  lastSeen: number;
  runFrom: number | null;
  cleanSince: number | null;
  goodSince: number | null;
}

interface ModelState {
  criticalFiring: boolean;
  criticalClearedAt: number | null;
  readonly versions: Map<string, MutableVersion>;
}

/**
 * The versions of every model and their runs. The pipeline calls `observe` for each event it
 * processes (Map lookups only); the notifier calls `round` after every evaluation round with
 * the models that have a firing critical alert; the notifiers call `current` and `lastKnownGood`;
 * the daemon persists `toJSON()` and calls `retainModels` on a config reload. Synchronous, not
 * shared between threads.
 *
 * Memory is bounded: at most `maxVersionsPerModel` versions per model; a new version beyond that
 * drops the one seen longest ago, never the current nor the last known good one.
 */
export class ModelVersions {
  readonly #goodAfterMs: number;
  readonly #activeMs: number;
  readonly #maxVersions: number;
  readonly #models = new Map<string, ModelState>();

  /** @throws RangeError when an option is out of range (the config validates them first). */
  constructor(options: ModelVersionsOptions) {
    this.#goodAfterMs = checkDuration('goodAfterMs', options.goodAfterMs);
    this.#activeMs = checkDuration('activeMs', options.activeMs ?? DEFAULT_ACTIVE_MS);
    const max = options.maxVersionsPerModel ?? DEFAULT_MAX_VERSIONS_PER_MODEL;
    if (!Number.isInteger(max) || max < 2) {
      throw new RangeError(
        `maxVersionsPerModel must be an integer of at least 2 (the current and the last known good version are always kept), got ${max}`,
      );
    }
    this.#maxVersions = max;
  }

  /**
   * An event of `model` at `version` was processed at `at` (processing time). Called per event by
   * the pipeline: Map lookups only, except when a new version exceeds the bound (a scan of the
   * model's few versions).
   */
  observe(model: string, version: string, at: number): void {
    const state = this.#model(model);
    const known = state.versions.get(version);
    if (known !== undefined) {
      if (at - known.lastSeen > this.#activeMs) {
        // It stopped running in between, whether or not a round saw it: a new stretch.
        known.runFrom = at;
        known.cleanSince = null;
      } else known.runFrom ??= at;
      if (at > known.lastSeen) known.lastSeen = at;
      return;
    }
    state.versions.set(version, {
      firstSeen: at,
      lastSeen: at,
      runFrom: at,
      cleanSince: null,
      goodSince: null,
    });
    if (state.versions.size > this.#maxVersions) this.#evict(state);
  }

  /**
   * Called by the notifier after every evaluation round at `now`, with the models that have a
   * firing critical alert now. Advances the runs of the running versions (see the file comment)
   * and latches the versions that become good.
   */
  round(now: number, criticalFiring: ReadonlySet<string>): void {
    // A model alerting before its first event is tracked, so that its first run starts after the alert.
    for (const model of criticalFiring) this.#model(model);
    for (const [model, state] of this.#models) {
      const firing = criticalFiring.has(model);
      if (firing) state.criticalFiring = true;
      else if (state.criticalFiring) {
        state.criticalFiring = false;
        state.criticalClearedAt = now;
      }
      for (const v of state.versions.values()) {
        if (now - v.lastSeen > this.#activeMs) {
          v.runFrom = null;
          v.cleanSince = null;
          continue;
        }
        const runFrom = (v.runFrom ??= v.lastSeen);
        if (firing) {
          v.cleanSince = null;
          continue;
        }
        const cleanSince = (v.cleanSince ??= Math.max(runFrom, state.criticalClearedAt ?? runFrom));
        // Its events are the evidence that it ran: the clean run counts up to the last one.
        if (v.goodSince === null && v.lastSeen - cleanSince >= this.#goodAfterMs) v.goodSince = now;
      }
    }
  }

  /** The newest version of `model` seen (by last-seen time; ties by first-seen), null when none. */
  current(model: string): string | null {
    const state = this.#models.get(model);
    return state === undefined ? null : newestSeen(state);
  }

  /** The newest good version of `model` (by first-seen time), null when none. */
  lastKnownGood(model: string): string | null {
    const state = this.#models.get(model);
    return state === undefined ? null : newestGood(state);
  }

  /** The versions of `model`, oldest first (by first-seen time); copies, for the status API and tests. */
  versions(model: string): ModelVersionJSON[] {
    const state = this.#models.get(model);
    return state === undefined ? [] : versionsOf(state);
  }

  /** The models tracked, in name order. */
  models(): string[] {
    return [...this.#models.keys()].sort(compareCodePoints);
  }

  /** Forgets the models not in `models`. Called by the daemon on a config reload. */
  retainModels(models: ReadonlySet<string>): void {
    for (const model of [...this.#models.keys()]) if (!models.has(model)) this.#models.delete(model);
  }

  /** The state to persist; `JSON.stringify(versions)` calls it. */
  toJSON(): ModelVersionsJSON {
    return {
      version: MODEL_VERSIONS_VERSION,
      models: this.models().map((model) => {
        const state = this.#models.get(model)!;
        return {
          model,
          criticalFiring: state.criticalFiring,
          criticalClearedAt: state.criticalClearedAt,
          versions: versionsOf(state),
        };
      }),
    };
  }

  /**
   * The state saved by `toJSON` (already parsed from JSON), with these options. Called by the
   * daemon on start (through ModelVersionsFile). A model with more versions than the bound keeps
   * the newest ones.
   * @throws StateDataError naming the first bad key, for data that is not such a state.
   * @throws RangeError when an option is out of range.
   */
  static fromJSON(options: ModelVersionsOptions, data: unknown): ModelVersions {
    const result = new ModelVersions(options);
    if (!isRecord(data)) {
      throw new StateDataError(`expected an object with "version" and "models", got ${describe(data)}`);
    }
    if (data.version !== MODEL_VERSIONS_VERSION) {
      throw new StateDataError(
        `version: expected ${MODEL_VERSIONS_VERSION}, got ${describe(data.version)}; this file was written by another driftwatch version`,
      );
    }
    if (!Array.isArray(data.models))
      throw new StateDataError(`models: expected an array, got ${describe(data.models)}`);
    data.models.forEach((item: unknown, i) => {
      const where = `models[${i}]`;
      if (!isRecord(item)) throw new StateDataError(`${where}: expected an object, got ${describe(item)}`);
      if (typeof item.model !== 'string' || item.model === '')
        throw new StateDataError(`${where}.model: expected a model name, got ${describe(item.model)}`);
      if (result.#models.has(item.model))
        throw new StateDataError(`${where}.model: a second entry for model ${JSON.stringify(item.model)}`);
      if (typeof item.criticalFiring !== 'boolean') {
        throw new StateDataError(
          `${where}.criticalFiring: expected true or false, got ${describe(item.criticalFiring)}`,
        );
      }
      const state: ModelState = {
        criticalFiring: item.criticalFiring,
        criticalClearedAt: time(`${where}.criticalClearedAt`, item.criticalClearedAt, true),
        versions: new Map(),
      };
      if (!Array.isArray(item.versions))
        throw new StateDataError(`${where}.versions: expected an array, got ${describe(item.versions)}`);
      item.versions.forEach((entry: unknown, j) => {
        const [version, parsed] = parseVersion(entry, `${where}.versions[${j}]`);
        if (state.versions.has(version)) {
          throw new StateDataError(
            `${where}.versions[${j}].version: a second entry for version ${JSON.stringify(version)}`,
          );
        }
        state.versions.set(version, parsed);
      });
      result.#models.set(item.model, state);
      while (state.versions.size > result.#maxVersions) if (!result.#evict(state)) break;
    });
    return result;
  }

  #model(model: string): ModelState {
    let state = this.#models.get(model);
    if (state === undefined) {
      state = { criticalFiring: false, criticalClearedAt: null, versions: new Map() };
      this.#models.set(model, state);
    }
    return state;
  }

  /** Drops the version seen longest ago, except the current and the last known good one. */
  #evict(state: ModelState): boolean {
    const keep = new Set([newestSeen(state), newestGood(state)]);
    let oldest: [string, MutableVersion] | undefined;
    for (const entry of state.versions) {
      if (keep.has(entry[0])) continue;
      if (oldest === undefined || compareSeen(entry, oldest) < 0) oldest = entry;
    }
    if (oldest === undefined) return false;
    state.versions.delete(oldest[0]);
    return true;
  }
}

/** Orders by last-seen time, then first-seen time, then name: the greater is the newer. */
function compareSeen(a: [string, MutableVersion], b: [string, MutableVersion]): number {
  return a[1].lastSeen - b[1].lastSeen || a[1].firstSeen - b[1].firstSeen || compareCodePoints(a[0], b[0]);
}

/** Orders by first-seen time, then last-seen time, then name: the greater is the newer. */
function compareFirstSeen(a: [string, MutableVersion], b: [string, MutableVersion]): number {
  return a[1].firstSeen - b[1].firstSeen || a[1].lastSeen - b[1].lastSeen || compareCodePoints(a[0], b[0]);
}

function newestSeen(state: ModelState): string | null {
  let newest: [string, MutableVersion] | undefined;
  for (const entry of state.versions)
    if (newest === undefined || compareSeen(entry, newest) > 0) newest = entry;
  return newest?.[0] ?? null;
}

function newestGood(state: ModelState): string | null {
  let newest: [string, MutableVersion] | undefined;
  for (const entry of state.versions) {
    if (entry[1].goodSince !== null && (newest === undefined || compareFirstSeen(entry, newest) > 0))
      newest = entry;
  }
  return newest?.[0] ?? null;
}

function versionsOf(state: ModelState): ModelVersionJSON[] {
  return [...state.versions].sort(compareFirstSeen).map(([version, v]) => Object.freeze({ version, ...v }));
}

function parseVersion(entry: unknown, where: string): [string, MutableVersion] {
  if (!isRecord(entry)) throw new StateDataError(`${where}: expected an object, got ${describe(entry)}`);
  if (typeof entry.version !== 'string')
    throw new StateDataError(`${where}.version: expected a string, got ${describe(entry.version)}`);
  const v: MutableVersion = {
    firstSeen: time(`${where}.firstSeen`, entry.firstSeen, false)!,
    lastSeen: time(`${where}.lastSeen`, entry.lastSeen, false)!,
    runFrom: time(`${where}.runFrom`, entry.runFrom, true),
    cleanSince: time(`${where}.cleanSince`, entry.cleanSince, true),
    goodSince: time(`${where}.goodSince`, entry.goodSince, true),
  };
  if (v.lastSeen < v.firstSeen) {
    throw new StateDataError(
      `${where}.lastSeen: ${v.lastSeen} is before firstSeen ${v.firstSeen}; the file is damaged`,
    );
  }
  if (v.cleanSince !== null && v.runFrom === null)
    throw new StateDataError(`${where}.cleanSince: a version that is not running has no clean run`);
  return [entry.version, v];
}

function time(key: string, x: unknown, nullable: boolean): number | null {
  if (nullable && x === null) return null;
  if (typeof x === 'number' && Number.isFinite(x)) return x;
  throw new StateDataError(
    `${key}: expected epoch milliseconds${nullable ? ' or null' : ''}, got ${describe(x)}`,
  );
}

function checkDuration(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError(`${name} must be a duration of 0 ms or more, got ${ms}`);
  return ms;
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  const text = JSON.stringify(x) ?? String(x);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
