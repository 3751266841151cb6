import { randomUUID } from 'node:crypto';

import { DriftwatchError } from '../errors.js';
import { MatcherError, matches, matchesAll, validateMatcher } from './matchers.js';
import { MATCH_OPERATORS } from './types.js';
import type { Labels, Matcher, Silence } from './types.js';

/**
 * Silences, Alertmanager's (https://prometheus.io/docs/alerting/latest/alertmanager/#silences):
 * alerts matching every matcher of a silence are muted while it is active. Pure: no I/O, no
 * clock (every method that depends on time takes `now`, epoch ms); the admin API and the CLI
 * change the set, the state store persists it through `toJSON` / `fromJSON`.
 */

/** Where a silence is in its life: not started yet, muting, or over. */
export type SilenceState = 'pending' | 'active' | 'expired';

/**
 * The state of a silence at `now`: active while startsAt <= now < endsAt, as in Alertmanager.
 * Pure; for `silence list` and the admin API.
 */
export function silenceState(silence: Silence, now: number): SilenceState {
  if (now < silence.startsAt) return 'pending';
  return now < silence.endsAt ? 'active' : 'expired';
}

/**
 * A silence request that cannot be carried out. `reason` lets the admin API answer 404 for
 * `not_found` and 400 for `invalid`; the message says what is wrong and the fix. DW_USAGE: the
 * CLI's `silence add|expire` shows it to the user as is.
 */
export class SilenceError extends DriftwatchError {
  readonly reason: 'invalid' | 'not_found';

  constructor(reason: 'invalid' | 'not_found', message: string) {
    super('DW_USAGE', message);
    this.name = 'SilenceError';
    this.reason = reason;
  }
}

/** The version of `SilencesData`; `fromJSON` reads this version only. */
export const SILENCES_FORMAT_VERSION = 1;

/** The persisted form of the silences: plain JSON data. */
export interface SilencesData {
  readonly version: typeof SILENCES_FORMAT_VERSION;
  readonly silences: readonly Silence[];
}

/** Makes the id of a new silence; a UUID by default, as Alertmanager's. Tests inject their own. */
export type SilenceIdGenerator = () => string;

/** Options of `Silences.list`. */
export interface ListOptions {
  /** Also list silences that have ended (still kept until `prune`); default false. */
  readonly includeExpired?: boolean;
}

/**
 * The set of silences. Owned by one component of the daemon (the alert pipeline), which calls
 * `add` / `expire` for the admin API, `isSilenced` for each notification, `prune` now and then,
 * and persists `toJSON()` after each change. Not safe to share between writers without that
 * owner; each method runs to completion synchronously, so it is safe on Node's single thread.
 */
export class Silences {
  private readonly byId = new Map<string, Silence>();

  /**
   * Adds a silence and returns it with its new id. As in Alertmanager, a start in the past
   * becomes `now` (the silence is active at once), and the silence is rejected when it has no
   * matchers, when every matcher matches the empty string (it would mute every alert), when a
   * matcher is invalid, when it ends before it starts or has already ended, or when `createdBy`
   * is empty.
   * @throws SilenceError (`invalid`) naming the field and the fix.
   */
  add(silence: Omit<Silence, 'id'>, now: number, idGenerator: SilenceIdGenerator = randomUUID): Silence {
    const invalid = (message: string) => new SilenceError('invalid', message);
    if (silence.matchers.length === 0) {
      throw invalid('a silence needs at least one matcher; add one such as alertname="FeatureDrift"');
    }
    silence.matchers.forEach((matcher, index) => {
      try {
        validateMatcher(matcher);
      } catch (error) {
        if (error instanceof MatcherError) throw invalid(`matchers[${index}]: ${error.message}`);
        throw error;
      }
    });
    if (silence.matchers.every((matcher) => matches(matcher, {}))) {
      throw invalid(
        'every matcher matches the empty string, so the silence would mute every alert; add one that names what to silence, such as model="fraud"',
      );
    }
    if (!Number.isFinite(silence.startsAt) || !Number.isFinite(silence.endsAt)) {
      throw invalid('startsAt and endsAt must be times (epoch milliseconds)');
    }
    if (silence.endsAt <= silence.startsAt) {
      throw invalid(
        `endsAt (${iso(silence.endsAt)}) is not after startsAt (${iso(silence.startsAt)}); end the silence after it starts`,
      );
    }
    if (silence.endsAt <= now) {
      throw invalid(
        `endsAt (${iso(silence.endsAt)}) is in the past (now is ${iso(now)}); choose a later end`,
      );
    }
    if (silence.createdBy.trim() === '') throw invalid('createdBy is empty; say who creates the silence');
    const id = idGenerator();
    if (id === '' || this.byId.has(id))
      throw new Error(`silence id generator returned a used or empty id "${id}"`);
    const added: Silence = freeze({ ...silence, id, startsAt: Math.max(silence.startsAt, now) });
    this.byId.set(id, added);
    return added;
  }

  /**
   * Ends a silence at `now` and returns it. A silence that has not started yet ends before it
   * starts: both its start and its end become `now`, as in Alertmanager.
   * @throws SilenceError `not_found` for an unknown id, `invalid` for one that already ended.
   */
  expire(id: string, now: number): Silence {
    const silence = this.byId.get(id);
    if (silence === undefined) {
      throw new SilenceError(
        'not_found',
        `no silence has id "${id}"; see the ids with driftwatch silence list`,
      );
    }
    if (silence.endsAt <= now) {
      throw new SilenceError('invalid', `silence "${id}" already ended at ${iso(silence.endsAt)}`);
    }
    const expired: Silence = freeze({ ...silence, startsAt: Math.min(silence.startsAt, now), endsAt: now });
    this.byId.set(id, expired);
    return expired;
  }

  /** The silence with this id, whatever its state; undefined when there is none (or it was pruned). */
  get(id: string): Silence | undefined {
    return this.byId.get(id);
  }

  /**
   * The pending and active silences at `now` (and the expired ones with `includeExpired`), by
   * start then id, so a listing is stable. For `silence list` and the admin API.
   */
  list(now: number, options: ListOptions = {}): Silence[] {
    const out = [...this.byId.values()].filter(
      (silence) => options.includeExpired === true || silenceState(silence, now) !== 'expired',
    );
    return out.sort((a, b) => a.startsAt - b.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * The silence muting an alert with `labels` at `now` (active, every matcher matching), or
   * undefined. When several do, the one that ends last (then the smallest id): it says how
   * long the alert stays muted. Called for each notification; O(silences).
   */
  isSilenced(labels: Labels, now: number): Silence | undefined {
    let found: Silence | undefined;
    for (const silence of this.byId.values()) {
      if (silenceState(silence, now) !== 'active' || !matchesAll(silence.matchers, labels)) continue;
      if (
        found === undefined ||
        silence.endsAt > found.endsAt ||
        (silence.endsAt === found.endsAt && silence.id < found.id)
      ) {
        found = silence;
      }
    }
    return found;
  }

  /**
   * Forgets the silences that ended at least `retentionMs` before `now` (Alertmanager keeps
   * expired silences for `--data.retention`, so recent ones can still be listed and looked
   * up) and returns how many it dropped.
   * @throws RangeError when `retentionMs` is negative or not a number.
   */
  prune(now: number, retentionMs: number): number {
    if (!(retentionMs >= 0)) throw new RangeError(`retentionMs must be >= 0, got ${retentionMs}`);
    let dropped = 0;
    for (const [id, silence] of this.byId) {
      if (silence.endsAt + retentionMs <= now) {
        this.byId.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** The persisted form, every silence kept (expired ones too, until `prune`), by start then id. */
  toJSON(): SilencesData {
    const silences = [...this.byId.values()].sort(
      (a, b) => a.startsAt - b.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return { version: SILENCES_FORMAT_VERSION, silences };
  }

  /**
   * The silences from their persisted form (parsed JSON), checked field by field since the
   * state file may be damaged or hand-edited. `source` names it in messages (the file path).
   * @throws DriftwatchError DW_INPUT_INVALID naming the file, the JSON path and the fix.
   */
  static fromJSON(data: unknown, source = 'silences'): Silences {
    const fail = (path: string, what: string) =>
      new DriftwatchError(
        'DW_INPUT_INVALID',
        `${source}: ${path}: ${what}; fix the file, or remove it to start without silences`,
      );
    if (!isObject(data)) throw fail('(top level)', 'not a JSON object');
    if (data['version'] !== SILENCES_FORMAT_VERSION) {
      throw fail(
        'version',
        `${JSON.stringify(data['version'])} is not ${SILENCES_FORMAT_VERSION}, the version this driftwatch reads`,
      );
    }
    const list = data['silences'];
    if (!Array.isArray(list)) throw fail('silences', 'not an array');
    const silences = new Silences();
    list.forEach((item: unknown, index) => {
      const at = `silences[${index}]`;
      if (!isObject(item)) throw fail(at, 'not an object');
      for (const key of ['id', 'createdBy', 'comment'] as const) {
        if (typeof item[key] !== 'string') throw fail(`${at}.${key}`, 'not a string');
      }
      for (const key of ['startsAt', 'endsAt'] as const) {
        if (typeof item[key] !== 'number' || !Number.isFinite(item[key])) {
          throw fail(`${at}.${key}`, 'not a time in epoch milliseconds');
        }
      }
      const id = item['id'] as string;
      if (id === '') throw fail(`${at}.id`, 'empty');
      if (silences.byId.has(id)) throw fail(`${at}.id`, `"${id}" is used twice`);
      if ((item['endsAt'] as number) < (item['startsAt'] as number))
        throw fail(`${at}.endsAt`, 'before startsAt');
      const rawMatchers = item['matchers'];
      if (!Array.isArray(rawMatchers) || rawMatchers.length === 0) {
        throw fail(`${at}.matchers`, 'not a non-empty array');
      }
      const matchers = rawMatchers.map((raw: unknown, m): Matcher => {
        const where = `${at}.matchers[${m}]`;
        if (!isObject(raw) || typeof raw['name'] !== 'string' || typeof raw['value'] !== 'string') {
          throw fail(where, 'not a matcher {name, operator, value}');
        }
        const operator = MATCH_OPERATORS.find((op) => op === raw['operator']);
        if (operator === undefined)
          throw fail(`${where}.operator`, `${JSON.stringify(raw['operator'])} is not one of = != =~ !~`);
        const matcher: Matcher = { name: raw['name'], operator, value: raw['value'] };
        try {
          validateMatcher(matcher);
        } catch (error) {
          if (error instanceof MatcherError) throw fail(where, error.message);
          throw error;
        }
        return matcher;
      });
      silences.byId.set(
        id,
        freeze({
          id,
          matchers,
          startsAt: item['startsAt'] as number,
          endsAt: item['endsAt'] as number,
          createdBy: item['createdBy'] as string,
          comment: item['comment'] as string,
        }),
      );
    });
    return silences;
  }
}

/**
 * A silence no caller can change behind the set's back: its own fields only (a request may
 * carry more), matchers copied, all frozen.
 */
function freeze(silence: Silence): Silence {
  return Object.freeze({
    id: silence.id,
    matchers: Object.freeze(
      silence.matchers.map((m) => Object.freeze({ name: m.name, operator: m.operator, value: m.value })),
    ),
    startsAt: silence.startsAt,
    endsAt: silence.endsAt,
    createdBy: silence.createdBy,
    comment: silence.comment,
  });
}

/** A time for a message; epoch ms beyond the Date range are shown as numbers. */
function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
