import type { Owner, Schedule } from './types.js';
import { WEEKDAYS } from './types.js';

/**
 * Who is on duty for a schedule at an instant, and when that changes (PRODUCT.md §6). Pure: the
 * caller passes `now` (epoch ms); local wall time comes from Intl.DateTimeFormat in the schedule's
 * IANA zone, never from hand-written offsets, so daylight saving follows the platform's tz data.
 *
 * The model is Alertmanager's `time_intervals` (`weekdays`, `times` with an inclusive
 * `start_time` and an exclusive `end_time`, `location`): a schedule is "business hours" when the
 * local weekday is one of `days` and the local minute m has startMinute <= m < endMinute.
 * Beyond Alertmanager:
 * - Overnight windows: startMinute > endMinute (22:00-06:00) runs from startMinute on a listed
 *   day to endMinute on the next day; the part after midnight belongs to the weekday it started
 *   on, so `days: [fri]` covers Friday 22:00 to Saturday 06:00 and not Friday 00:00-06:00.
 *   startMinute == endMinute is an empty window: the after-hours owner is always on duty.
 * - Daylight saving: a boundary takes effect at the first instant the local clock reaches it.
 *   A boundary in the skipped hour of a spring-forward day (02:30 when 02:00 jumps to 03:00)
 *   takes effect at the jump. When clocks go back, the repeated hour does not cross a boundary a
 *   second time: local time is read as the highest wall time reached so far, so a handover at
 *   02:30 on a fall-back day happens once, at the first 02:30. (Alertmanager compares the wall
 *   clock as is and would hand over, back and over again in the repeated hour; a pager should
 *   not flap.) Outside a repeated hour the two readings are the same.
 *
 * Assumes a zone changes its UTC offset at most once in any 25 hours and never goes back by more
 * than 25 hours, which holds for every zone of the tz database in the modern era.
 */

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1440;
/** How far back a clock change can still matter: the largest backward jump we account for. */
const LOOKBACK_MS = 25 * 60 * MINUTE_MS;
/** Further than any UTC offset (the tz database spans -12h..+14h): brackets the bisection. */
const OFFSET_BOUND_MS = 26 * 60 * MINUTE_MS;
/** 1970-01-01, local day 0, was a Thursday: index 3 of WEEKDAYS (Monday first). */
const EPOCH_WEEKDAY = 3;

// One formatter per zone: building one costs far more than formatting. Deterministic, so caching
// keeps the module pure; bounded by the number of zone names Intl accepts.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    // hourCycle h23: with hour12: false some ICU versions print midnight as "24".
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Whether `tz` is an IANA time zone this platform knows (case-insensitive, as Intl takes it).
 * Called by the config validator for `alerts.schedules[].timezone`, so an unknown zone is a
 * config error at load and never a RangeError at alert time. Pure; never throws.
 */
export function validateTimezone(tz: string): boolean {
  try {
    formatterFor(tz);
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/** The zone's UTC offset at instant `t`, in ms (local wall time = t + offset). */
function offsetAt(timeZone: string, t: number): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterFor(timeZone).formatToParts(t)) {
    const value = Number(part.value);
    if (part.type === 'year') year = value;
    else if (part.type === 'month') month = value;
    else if (part.type === 'day') day = value;
    else if (part.type === 'hour') hour = value;
    else if (part.type === 'minute') minute = value;
    else if (part.type === 'second') second = value;
  }
  // The formatter has no milliseconds: compare with the instant truncated to the second.
  return Date.UTC(year, month - 1, day, hour, minute, second) - Math.floor(t / 1000) * 1000;
}

/** Local wall time as minutes since local 1970-01-01 00:00 (day * 1440 + minute of day). */
function wallMinute(t: number, offset: number): number {
  return Math.floor((t + offset) / MINUTE_MS);
}

/**
 * The highest local wall minute reached up to instant `t`: the wall clock, except in the hour(s)
 * repeated after clocks go back, where it stays at the wall time reached before the change.
 * Non-decreasing in `t`, which is what makes handovers happen once and `nextChange` a bisection.
 */
function reachedMinute(timeZone: string, t: number): number {
  const offsetNow = offsetAt(timeZone, t);
  const current = wallMinute(t, offsetNow);
  const offsetBefore = offsetAt(timeZone, t - LOOKBACK_MS);
  // A forward change (or none) never puts an earlier wall time above the current one.
  if (offsetBefore <= offsetNow) return current;
  // Clocks went back within the lookback: find the last instant before the change.
  let lo = t - LOOKBACK_MS;
  let hi = t;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(timeZone, mid) === offsetNow) hi = mid;
    else lo = mid;
  }
  return Math.max(current, wallMinute(lo, offsetBefore));
}

function isListedDay(schedule: Schedule, localDay: number): boolean {
  const weekday = WEEKDAYS[(((localDay + EPOCH_WEEKDAY) % 7) + 7) % 7]!;
  return schedule.days.includes(weekday);
}

/** Whether a local wall minute (day * 1440 + minute of day) is within the schedule's business hours. */
function inBusinessHours(schedule: Schedule, localMinute: number): boolean {
  const day = Math.floor(localMinute / MINUTES_PER_DAY);
  const minute = localMinute - day * MINUTES_PER_DAY;
  const { startMinute, endMinute } = schedule;
  if (startMinute < endMinute) {
    return startMinute <= minute && minute < endMinute && isListedDay(schedule, day);
  }
  if (startMinute > endMinute) {
    return (
      (minute >= startMinute && isListedDay(schedule, day)) ||
      (minute < endMinute && isListedDay(schedule, day - 1))
    );
  }
  return false;
}

/**
 * The name of the owner on duty at `now` (epoch ms): `schedule.businessHours` within business
 * hours in the schedule's zone, `schedule.afterHours` otherwise (rules in this file's header).
 * Called by routing when an alert's model names a schedule; pure, a few Intl calls.
 * @throws RangeError when `schedule.timezone` is unknown (the config validator rejects it first).
 */
export function ownerOnDuty(schedule: Schedule, now: number): string {
  return inBusinessHours(schedule, reachedMinute(schedule.timezone, now))
    ? schedule.businessHours
    : schedule.afterHours;
}

/**
 * The first local wall minute after `from` where business hours are `wanted`, or undefined when
 * no such minute comes. The state changes only at local midnight, startMinute and endMinute, and
 * repeats weekly, so the candidates of the next 8 local days are enough.
 */
function nextMinuteInState(schedule: Schedule, from: number, wanted: boolean): number | undefined {
  const firstDay = Math.floor(from / MINUTES_PER_DAY);
  let best: number | undefined;
  for (let day = firstDay; day <= firstDay + 8; day++) {
    for (const minute of [0, schedule.startMinute, schedule.endMinute]) {
      const candidate = day * MINUTES_PER_DAY + minute;
      if (candidate > from && (best === undefined || candidate < best)) {
        if (inBusinessHours(schedule, candidate) === wanted) best = candidate;
      }
    }
  }
  return best;
}

/** The first instant after `from` whose reached wall minute is at least `target` (> the one at `from`). */
function firstInstantReaching(timeZone: string, from: number, target: number): number {
  let lo = from;
  // No zone is OFFSET_BOUND_MS behind UTC, so the wall clock has passed `target` by then.
  let hi = Math.max(from + 1, target * MINUTE_MS + OFFSET_BOUND_MS);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (reachedMinute(timeZone, mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The epoch ms of the next handover after `now`: the first instant at which `ownerOnDuty` gives
 * the other owner; Infinity when it never changes (no days, an empty window, or every minute of
 * every day). Exact to the millisecond across daylight saving: a 09:00 handover stays at 09:00
 * local, so its UTC time moves with the offset. Called by tests and to re-route pending
 * notifications at a handover. Pure; a bisection of some dozens of Intl calls.
 * @throws RangeError when `schedule.timezone` is unknown.
 */
export function nextChange(schedule: Schedule, now: number): number {
  const timeZone = schedule.timezone;
  let t = now;
  let reached = reachedMinute(timeZone, t);
  const onDuty = inBusinessHours(schedule, reached);
  // A window that lies wholly in a skipped hour is jumped over: look past it for the next one.
  for (let attempt = 0; attempt < 8; attempt++) {
    const target = nextMinuteInState(schedule, reached, !onDuty);
    if (target === undefined) return Number.POSITIVE_INFINITY;
    t = firstInstantReaching(timeZone, t, target);
    reached = reachedMinute(timeZone, t);
    if (inBusinessHours(schedule, reached) !== onDuty) return t;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * The owner a model's `owner` config names at `now`: an owner by that name, else the owner on
 * duty of a schedule by that name, else undefined (an unknown name, or a schedule naming an
 * unknown owner; the config validator reports both). An owner name wins over a schedule name;
 * the validator should keep the two namespaces apart. Called by routing per notification; pure.
 * @throws RangeError when the schedule's time zone is unknown.
 */
export function resolveOwner(
  nameOrSchedule: string,
  owners: ReadonlyMap<string, Owner>,
  schedules: ReadonlyMap<string, Schedule>,
  now: number,
): Owner | undefined {
  const owner = owners.get(nameOrSchedule);
  if (owner !== undefined) return owner;
  const schedule = schedules.get(nameOrSchedule);
  if (schedule === undefined) return undefined;
  return owners.get(ownerOnDuty(schedule, now));
}
