import { describe, expect, it } from 'vitest';

import { nextChange, ownerOnDuty, resolveOwner, validateTimezone } from '../../../src/alerts/schedule.js';
import type { Owner, Schedule, Weekday } from '../../../src/alerts/types.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

const WEEKDAYS_ONLY: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const EVERY_DAY: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function schedule(overrides: Partial<Schedule>): Schedule {
  return {
    name: 'ml-oncall',
    timezone: 'Europe/Berlin',
    days: WEEKDAYS_ONLY,
    startMinute: 9 * 60,
    endMinute: 18 * 60,
    businessHours: 'ml-team',
    afterHours: 'sre',
    ...overrides,
  };
}

const berlin = schedule({});
const newYork = schedule({ timezone: 'America/New_York' });

describe('ownerOnDuty: business-hours boundaries', () => {
  // Wednesday 2026-06-10: Berlin is on CEST (UTC+2).
  it.each([
    ['2026-06-10T06:59:59Z', '08:59:59 local', 'sre'],
    ['2026-06-10T07:00:00Z', '09:00:00 local', 'ml-team'],
    ['2026-06-10T15:59:59Z', '17:59:59 local', 'ml-team'],
    ['2026-06-10T16:00:00Z', '18:00:00 local', 'sre'],
  ])('Europe/Berlin summer %s (%s) -> %s', (instant, _local, owner) => {
    expect(ownerOnDuty(berlin, at(instant))).toBe(owner);
  });

  // Wednesday 2026-01-14: Berlin is on CET (UTC+1).
  it.each([
    ['2026-01-14T07:59:59Z', 'sre'],
    ['2026-01-14T08:00:00Z', 'ml-team'],
    ['2026-01-14T16:59:59Z', 'ml-team'],
    ['2026-01-14T17:00:00Z', 'sre'],
  ])('Europe/Berlin winter %s -> %s', (instant, owner) => {
    expect(ownerOnDuty(berlin, at(instant))).toBe(owner);
  });

  // Wednesday 2026-01-14 on EST (UTC-5) and Wednesday 2026-06-10 on EDT (UTC-4).
  it.each([
    ['2026-01-14T13:59:59Z', 'sre'],
    ['2026-01-14T14:00:00Z', 'ml-team'],
    ['2026-01-14T22:59:59Z', 'ml-team'],
    ['2026-01-14T23:00:00Z', 'sre'],
    ['2026-06-10T12:59:59Z', 'sre'],
    ['2026-06-10T13:00:00Z', 'ml-team'],
    ['2026-06-10T21:59:59Z', 'ml-team'],
    ['2026-06-10T22:00:00Z', 'sre'],
  ])('America/New_York %s -> %s', (instant, owner) => {
    expect(ownerOnDuty(newYork, at(instant))).toBe(owner);
  });

  it('follows a half-hour offset (Asia/Kolkata, UTC+5:30)', () => {
    const kolkata = schedule({ timezone: 'Asia/Kolkata' });
    expect(ownerOnDuty(kolkata, at('2026-06-10T03:29:59Z'))).toBe('sre');
    expect(ownerOnDuty(kolkata, at('2026-06-10T03:30:00Z'))).toBe('ml-team');
    expect(iso(nextChange(kolkata, at('2026-06-10T03:30:00Z')))).toBe('2026-06-10T12:30:00.000Z');
  });

  it('uses the local weekday, not the UTC one', () => {
    // Friday 2026-06-12 20:00 in New York is already Saturday in UTC.
    const lateFriday = schedule({ timezone: 'America/New_York', startMinute: 15 * 60, endMinute: 21 * 60 });
    expect(ownerOnDuty(lateFriday, at('2026-06-13T00:00:00Z'))).toBe('ml-team');
    expect(ownerOnDuty(lateFriday, at('2026-06-13T01:00:00Z'))).toBe('sre');
    // Monday 2026-06-15 00:30 in Berlin is still Sunday in UTC.
    const earlyMonday = schedule({ startMinute: 0, endMinute: 60 });
    expect(ownerOnDuty(earlyMonday, at('2026-06-14T22:30:00Z'))).toBe('ml-team');
  });
});

describe('ownerOnDuty: weekends', () => {
  it('gives the after-hours owner on Saturday and Sunday at midday', () => {
    expect(ownerOnDuty(berlin, at('2026-06-13T10:00:00Z'))).toBe('sre');
    expect(ownerOnDuty(berlin, at('2026-06-14T10:00:00Z'))).toBe('sre');
    expect(ownerOnDuty(berlin, at('2026-06-15T10:00:00Z'))).toBe('ml-team');
  });

  it('gives the after-hours owner always when no day is listed', () => {
    const never = schedule({ days: [] });
    expect(ownerOnDuty(never, at('2026-06-10T10:00:00Z'))).toBe('sre');
    expect(nextChange(never, at('2026-06-10T10:00:00Z'))).toBe(Number.POSITIVE_INFINITY);
  });

  it('treats startMinute == endMinute as an empty window', () => {
    const empty = schedule({ startMinute: 600, endMinute: 600 });
    expect(ownerOnDuty(empty, at('2026-06-10T08:00:00Z'))).toBe('sre');
    expect(nextChange(empty, at('2026-06-10T08:00:00Z'))).toBe(Number.POSITIVE_INFINITY);
  });

  it('never hands over when every minute of every day is business hours', () => {
    const always = schedule({ days: EVERY_DAY, startMinute: 0, endMinute: 1440 });
    expect(ownerOnDuty(always, at('2026-03-29T01:30:00Z'))).toBe('ml-team');
    expect(nextChange(always, at('2026-03-27T00:00:00Z'))).toBe(Number.POSITIVE_INFINITY);
  });

  it('hands over at local midnight for a whole-day weekday schedule', () => {
    const weekdaysAllDay = schedule({ startMinute: 0, endMinute: 1440 });
    // Friday 2026-06-12 in Berlin ends at 22:00Z; Monday starts at Sunday 22:00Z.
    expect(iso(nextChange(weekdaysAllDay, at('2026-06-12T10:00:00Z')))).toBe('2026-06-12T22:00:00.000Z');
    expect(iso(nextChange(weekdaysAllDay, at('2026-06-12T22:00:00Z')))).toBe('2026-06-14T22:00:00.000Z');
  });
});

describe('ownerOnDuty: overnight window (22:00-06:00, belongs to the day it starts)', () => {
  const fridayNight = schedule({ days: ['fri'], startMinute: 22 * 60, endMinute: 6 * 60 });

  it.each([
    ['2026-06-11T21:00:00Z', 'Thursday 23:00', 'sre'],
    ['2026-06-11T23:00:00Z', 'Friday 01:00, the tail of Thursday night', 'sre'],
    ['2026-06-12T19:59:59Z', 'Friday 21:59:59', 'sre'],
    ['2026-06-12T20:00:00Z', 'Friday 22:00', 'ml-team'],
    ['2026-06-12T22:30:00Z', 'Saturday 00:30', 'ml-team'],
    ['2026-06-13T03:59:59Z', 'Saturday 05:59:59', 'ml-team'],
    ['2026-06-13T04:00:00Z', 'Saturday 06:00', 'sre'],
    ['2026-06-13T21:00:00Z', 'Saturday 23:00', 'sre'],
  ])('%s (%s) -> %s', (instant, _local, owner) => {
    expect(ownerOnDuty(fridayNight, at(instant))).toBe(owner);
  });

  it('finds both handovers of the night', () => {
    expect(iso(nextChange(fridayNight, at('2026-06-10T12:00:00Z')))).toBe('2026-06-12T20:00:00.000Z');
    expect(iso(nextChange(fridayNight, at('2026-06-12T20:00:00Z')))).toBe('2026-06-13T04:00:00.000Z');
    expect(iso(nextChange(fridayNight, at('2026-06-13T04:00:00Z')))).toBe('2026-06-19T20:00:00.000Z');
  });

  it('spans the spring-forward night (Saturday 2026-03-28 22:00 CET to Sunday 06:00 CEST)', () => {
    const saturdayNight = schedule({ days: ['sat'], startMinute: 22 * 60, endMinute: 6 * 60 });
    expect(iso(nextChange(saturdayNight, at('2026-03-28T12:00:00Z')))).toBe('2026-03-28T21:00:00.000Z');
    // The night is an hour shorter: it ends at 06:00 CEST = 04:00Z.
    expect(iso(nextChange(saturdayNight, at('2026-03-28T21:00:00Z')))).toBe('2026-03-29T04:00:00.000Z');
    expect(ownerOnDuty(saturdayNight, at('2026-03-29T01:30:00Z'))).toBe('ml-team');
  });
});

describe('daylight saving in Europe/Berlin', () => {
  // Sunday 2026-03-29: 02:00 CET (01:00Z) jumps to 03:00 CEST. 02:30 never happens.
  const dailyFrom0230 = schedule({ days: EVERY_DAY, startMinute: 2 * 60 + 30, endMinute: 10 * 60 });

  it('spring forward: a 02:30 start takes effect at the jump to 03:00', () => {
    expect(ownerOnDuty(dailyFrom0230, at('2026-03-29T00:59:59Z'))).toBe('sre'); // 01:59:59 CET
    expect(ownerOnDuty(dailyFrom0230, at('2026-03-29T01:00:00Z'))).toBe('ml-team'); // 03:00 CEST
    expect(iso(nextChange(dailyFrom0230, at('2026-03-29T00:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    // The end stays at 10:00 local: 08:00Z now, 09:00Z the day before.
    expect(iso(nextChange(dailyFrom0230, at('2026-03-29T01:00:00Z')))).toBe('2026-03-29T08:00:00.000Z');
    expect(iso(nextChange(dailyFrom0230, at('2026-03-28T02:00:00Z')))).toBe('2026-03-28T09:00:00.000Z');
  });

  it('spring forward: 02:30 is 01:30Z the day before and 00:30Z the day after', () => {
    expect(iso(nextChange(dailyFrom0230, at('2026-03-27T12:00:00Z')))).toBe('2026-03-28T01:30:00.000Z');
    expect(iso(nextChange(dailyFrom0230, at('2026-03-29T12:00:00Z')))).toBe('2026-03-30T00:30:00.000Z');
  });

  it('spring forward: a window lying wholly in the skipped hour does not open that day', () => {
    const skipped = schedule({ days: ['sun'], startMinute: 2 * 60 + 10, endMinute: 2 * 60 + 40 });
    expect(ownerOnDuty(skipped, at('2026-03-29T01:00:00Z'))).toBe('sre');
    expect(ownerOnDuty(skipped, at('2026-03-22T01:20:00Z'))).toBe('ml-team'); // 02:20 CET a week before
    // Next opening: Sunday 2026-04-05 02:10 CEST = 00:10Z.
    expect(iso(nextChange(skipped, at('2026-03-28T12:00:00Z')))).toBe('2026-04-05T00:10:00.000Z');
  });

  // Sunday 2026-10-25: 03:00 CEST (01:00Z) goes back to 02:00 CET. 02:30 happens at 00:30Z and 01:30Z.
  it('fall back: a 02:30 start takes effect once, at the first 02:30', () => {
    expect(ownerOnDuty(dailyFrom0230, at('2026-10-25T00:29:59Z'))).toBe('sre'); // 02:29:59 CEST
    expect(ownerOnDuty(dailyFrom0230, at('2026-10-25T00:30:00Z'))).toBe('ml-team'); // 02:30 CEST
    // 02:00-02:30 CET again: the wall clock is before 02:30, yet the handover stands.
    expect(ownerOnDuty(dailyFrom0230, at('2026-10-25T01:00:00Z'))).toBe('ml-team');
    expect(ownerOnDuty(dailyFrom0230, at('2026-10-25T01:15:00Z'))).toBe('ml-team');
    expect(ownerOnDuty(dailyFrom0230, at('2026-10-25T01:30:00Z'))).toBe('ml-team');
    expect(iso(nextChange(dailyFrom0230, at('2026-10-25T00:00:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    // The next handover is the end, 10:00 CET = 09:00Z, not the repeated 02:30.
    expect(iso(nextChange(dailyFrom0230, at('2026-10-25T00:30:00Z')))).toBe('2026-10-25T09:00:00.000Z');
    expect(iso(nextChange(dailyFrom0230, at('2026-10-25T01:10:00Z')))).toBe('2026-10-25T09:00:00.000Z');
  });

  it('fall back: a 02:30 end takes effect once, at the first 02:30', () => {
    const untilO230 = schedule({ days: EVERY_DAY, startMinute: 22 * 60, endMinute: 2 * 60 + 30 });
    expect(ownerOnDuty(untilO230, at('2026-10-25T00:29:59Z'))).toBe('ml-team');
    expect(ownerOnDuty(untilO230, at('2026-10-25T00:30:00Z'))).toBe('sre');
    expect(ownerOnDuty(untilO230, at('2026-10-25T01:15:00Z'))).toBe('sre'); // 02:15 CET
    expect(iso(nextChange(untilO230, at('2026-10-24T22:00:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(nextChange(untilO230, at('2026-10-25T00:30:00Z')))).toBe('2026-10-25T21:00:00.000Z');
  });

  it('09:00-18:00 across spring forward: the handover stays at 09:00 local', () => {
    // Friday 2026-03-27 on CET, Monday 2026-03-30 on CEST.
    expect(iso(nextChange(berlin, at('2026-03-27T06:00:00Z')))).toBe('2026-03-27T08:00:00.000Z');
    expect(iso(nextChange(berlin, at('2026-03-27T08:00:00Z')))).toBe('2026-03-27T17:00:00.000Z');
    expect(iso(nextChange(berlin, at('2026-03-27T17:00:00Z')))).toBe('2026-03-30T07:00:00.000Z');
    expect(iso(nextChange(berlin, at('2026-03-30T07:00:00Z')))).toBe('2026-03-30T16:00:00.000Z');
    expect(ownerOnDuty(berlin, at('2026-03-30T06:59:59Z'))).toBe('sre');
    expect(ownerOnDuty(berlin, at('2026-03-30T07:00:00Z'))).toBe('ml-team');
  });

  it('09:00-18:00 across fall back: the handover stays at 09:00 local', () => {
    // Friday 2026-10-23 on CEST, Monday 2026-10-26 on CET.
    expect(iso(nextChange(berlin, at('2026-10-23T12:00:00Z')))).toBe('2026-10-23T16:00:00.000Z');
    expect(iso(nextChange(berlin, at('2026-10-23T16:00:00Z')))).toBe('2026-10-26T08:00:00.000Z');
    expect(ownerOnDuty(berlin, at('2026-10-26T07:59:59Z'))).toBe('sre');
    expect(ownerOnDuty(berlin, at('2026-10-26T08:00:00Z'))).toBe('ml-team');
  });
});

describe('nextChange agrees with ownerOnDuty minute by minute', () => {
  // Walk every minute across a change and chain nextChange: both must see the same handovers.
  function handoversByWalking(s: Schedule, from: number, to: number): string[] {
    const found: string[] = [];
    let previous = ownerOnDuty(s, from);
    for (let t = from + 60_000; t <= to; t += 60_000) {
      const owner = ownerOnDuty(s, t);
      if (owner !== previous) found.push(iso(t));
      previous = owner;
    }
    return found;
  }
  function handoversByChaining(s: Schedule, from: number, to: number): string[] {
    const found: string[] = [];
    for (let t = nextChange(s, from); t <= to; t = nextChange(s, t)) found.push(iso(t));
    return found;
  }

  it.each([
    ['Berlin spring forward, 02:30-10:00 daily', from0230('Europe/Berlin'), '2026-03-28T00:00:00Z'],
    ['Berlin fall back, 02:30-10:00 daily', from0230('Europe/Berlin'), '2026-10-24T00:00:00Z'],
    ['New York spring forward, 02:30-10:00 daily', from0230('America/New_York'), '2026-03-07T12:00:00Z'],
    ['New York fall back, 01:30-10:00 daily', nyFallBack(), '2026-10-31T12:00:00Z'],
  ])('%s', (_name, s, start) => {
    const from = at(start);
    const to = from + 3 * 24 * 60 * 60_000;
    const walked = handoversByWalking(s, from, to);
    expect(walked.length).toBe(6);
    expect(handoversByChaining(s, from, to)).toEqual(walked);
  });

  it('finds New York fall back handovers at their first occurrence', () => {
    // Sunday 2026-11-01: 02:00 EDT (06:00Z) goes back to 01:00 EST; 01:30 EDT is 05:30Z.
    expect(iso(nextChange(nyFallBack(), at('2026-11-01T04:00:00Z')))).toBe('2026-11-01T05:30:00.000Z');
    expect(ownerOnDuty(nyFallBack(), at('2026-11-01T06:15:00Z'))).toBe('ml-team'); // 01:15 EST
  });
});

function from0230(timezone: string): Schedule {
  return schedule({ timezone, days: EVERY_DAY, startMinute: 2 * 60 + 30, endMinute: 10 * 60 });
}

function nyFallBack(): Schedule {
  return schedule({ timezone: 'America/New_York', days: EVERY_DAY, startMinute: 90, endMinute: 600 });
}

describe('resolveOwner', () => {
  const team: Owner = { name: 'ml-team', email: ['ml@example.com'], receivers: ['ml-webhook'], digest: null };
  const sre: Owner = { name: 'sre', email: ['sre@example.com'], receivers: ['pager'], digest: null };
  const owners = new Map([
    ['ml-team', team],
    ['sre', sre],
  ]);
  const schedules = new Map([['ml-oncall', berlin]]);

  it('returns a plain owner whatever the time', () => {
    expect(resolveOwner('sre', owners, schedules, at('2026-06-10T10:00:00Z'))).toBe(sre);
  });

  it('returns the owner on duty of a schedule', () => {
    expect(resolveOwner('ml-oncall', owners, schedules, at('2026-06-10T10:00:00Z'))).toBe(team);
    expect(resolveOwner('ml-oncall', owners, schedules, at('2026-06-10T20:00:00Z'))).toBe(sre);
  });

  it('returns undefined for an unknown name or a schedule naming an unknown owner', () => {
    expect(resolveOwner('nobody', owners, schedules, at('2026-06-10T10:00:00Z'))).toBeUndefined();
    const dangling = new Map([['ml-oncall', schedule({ afterHours: 'ghost' })]]);
    expect(resolveOwner('ml-oncall', owners, dangling, at('2026-06-10T20:00:00Z'))).toBeUndefined();
  });

  it('prefers an owner over a schedule of the same name', () => {
    const clash = new Map([['sre', berlin]]);
    expect(resolveOwner('sre', owners, clash, at('2026-06-10T10:00:00Z'))).toBe(sre);
  });
});

describe('validateTimezone', () => {
  it('accepts IANA zones and UTC', () => {
    expect(validateTimezone('Europe/Berlin')).toBe(true);
    expect(validateTimezone('America/New_York')).toBe(true);
    expect(validateTimezone('UTC')).toBe(true);
  });

  it('rejects unknown zones', () => {
    expect(validateTimezone('Mars/Olympus_Mons')).toBe(false);
    expect(validateTimezone('Europe/Berlinn')).toBe(false);
    expect(validateTimezone('')).toBe(false);
  });

  it('makes ownerOnDuty and nextChange throw RangeError on an unknown zone', () => {
    const bad = schedule({ timezone: 'Mars/Olympus_Mons' });
    expect(() => ownerOnDuty(bad, at('2026-06-10T10:00:00Z'))).toThrow(RangeError);
    expect(() => nextChange(bad, at('2026-06-10T10:00:00Z'))).toThrow(RangeError);
  });
});
