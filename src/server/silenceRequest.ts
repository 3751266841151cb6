/**
 * The JSON of the silences admin API (docs/alerting.md#silences), shaped after Alertmanager's
 * `/api/v2/silences` so that its users and scripts feel at home: the body of a new silence read
 * into a `Silence`, and a silence written back. Pure: no I/O, no clock (`now` is passed in).
 */
import { formatMatcher, MatcherError, parseMatcher, validateMatcher } from '../alerts/matchers.js';
import { SilenceError, silenceState, type SilenceState } from '../alerts/silences.js';
import type { MatchOperator, Matcher, Silence } from '../alerts/types.js';
import { parseDuration } from '../config/values.js';

/** A matcher as Alertmanager's API writes it; `isEqual` false negates (`!=`, `!~`). */
export interface ApiMatcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual: boolean;
}

/** A silence as the admin API answers it (Alertmanager's `gettableSilence`, plus `text` matchers). */
export interface SilenceView {
  readonly id: string;
  readonly status: { readonly state: SilenceState };
  readonly matchers: readonly ApiMatcher[];
  /** The matchers as `driftwatch silence add --matcher` takes them, e.g. `model="fraud"`. */
  readonly matchersText: readonly string[];
  /** RFC 3339, UTC. */
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
}

/**
 * A silence as the admin API shows it at `now`. Called for every silence of a response; pure.
 */
export function silenceView(silence: Silence, now: number): SilenceView {
  return {
    id: silence.id,
    status: { state: silenceState(silence, now) },
    matchers: silence.matchers.map(apiMatcher),
    matchersText: silence.matchers.map(formatMatcher),
    startsAt: new Date(silence.startsAt).toISOString(),
    endsAt: new Date(silence.endsAt).toISOString(),
    createdBy: silence.createdBy,
    comment: silence.comment,
  };
}

function apiMatcher(matcher: Matcher): ApiMatcher {
  return {
    name: matcher.name,
    value: matcher.value,
    isRegex: matcher.operator === '=~' || matcher.operator === '!~',
    isEqual: matcher.operator === '=' || matcher.operator === '=~',
  };
}

/** RFC 3339 with a time zone: what `startsAt` / `endsAt` take (Date.parse alone accepts far more). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Reads the body of `POST /api/v1/silences` (parsed JSON): `matchers` as strings
 * (`model="fraud"`) or Alertmanager's objects, an optional `startsAt`, `endsAt` or `duration`
 * (one of them, the duration counted from the start), `createdBy` and `comment`. The silence
 * rules themselves (a matcher that selects something, an end in the future) are `Silences.add`'s.
 * Called by the admin API for each request; pure.
 * @throws SilenceError (`invalid`) naming the field and the fix; the API answers 400 with it.
 */
export function parseSilenceRequest(body: unknown, now: number): Omit<Silence, 'id'> {
  if (!isObject(body)) throw invalid('the body is not a JSON object; send {"matchers": [...], ...}');
  const known = new Set(['id', 'matchers', 'startsAt', 'endsAt', 'duration', 'createdBy', 'comment']);
  const unknown = Object.keys(body).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw invalid(
      `unknown field ${JSON.stringify(unknown[0])}; the fields are matchers, startsAt, endsAt or duration, createdBy, comment`,
    );
  }
  if (body['id'] !== undefined && body['id'] !== '') {
    throw invalid('id is set: a silence cannot be updated; expire it and add a new one');
  }
  const raw = body['matchers'];
  if (!Array.isArray(raw) || raw.length === 0) {
    throw invalid('matchers must be a non-empty array, e.g. ["model=\\"fraud\\""]');
  }
  const matchers = raw.map((item: unknown, index) => readMatcher(item, index));
  const startsAt = body['startsAt'] === undefined ? now : readTime(body['startsAt'], 'startsAt');
  const hasEnd = body['endsAt'] !== undefined;
  const hasDuration = body['duration'] !== undefined;
  if (hasEnd === hasDuration) {
    throw invalid('give either endsAt (RFC 3339) or duration (e.g. "2h"), not both and not neither');
  }
  let endsAt: number;
  if (hasEnd) {
    endsAt = readTime(body['endsAt'], 'endsAt');
  } else {
    const text = body['duration'];
    const ms = typeof text === 'string' ? parseDuration(text) : undefined;
    if (ms === undefined || ms <= 0) {
      throw invalid(`duration: ${JSON.stringify(text)} is not a duration; use e.g. "2h", "30m" or "1d12h"`);
    }
    endsAt = startsAt + ms;
  }
  const createdBy = readText(body['createdBy'], 'createdBy', 'say who creates the silence');
  const comment = readText(body['comment'], 'comment', 'say why, e.g. the ticket of the planned change');
  return { matchers, startsAt, endsAt, createdBy, comment };
}

function readMatcher(item: unknown, index: number): Matcher {
  const at = `matchers[${index}]`;
  try {
    if (typeof item === 'string') return parseMatcher(item);
    if (!isObject(item) || typeof item['name'] !== 'string' || typeof item['value'] !== 'string') {
      throw invalid(
        `${at}: not a matcher; use "name=\\"value\\"" or {"name", "value", "isRegex", "isEqual"}`,
      );
    }
    for (const key of ['isRegex', 'isEqual'] as const) {
      if (item[key] !== undefined && typeof item[key] !== 'boolean')
        throw invalid(`${at}.${key}: not true or false`);
    }
    const isRegex = item['isRegex'] === true;
    const isEqual = item['isEqual'] !== false;
    const operator: MatchOperator = isRegex ? (isEqual ? '=~' : '!~') : isEqual ? '=' : '!=';
    const matcher: Matcher = { name: item['name'], operator, value: item['value'] };
    validateMatcher(matcher);
    return matcher;
  } catch (error) {
    if (error instanceof MatcherError) throw invalid(`${at}: ${error.message}`);
    throw error;
  }
}

function readTime(value: unknown, field: string): number {
  const ms = typeof value === 'string' && RFC3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw invalid(
      `${field}: ${JSON.stringify(value)} is not an RFC 3339 time; use e.g. "2026-05-02T18:00:00Z"`,
    );
  }
  return ms;
}

function readText(value: unknown, field: string, fix: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${field} is missing or empty; ${fix}`);
  return value;
}

function invalid(message: string): SilenceError {
  return new SilenceError('invalid', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
