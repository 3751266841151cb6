import { describe, expect, it } from 'vitest';

import { parseMatcher } from '../../../src/alerts/matchers.js';
import { SilenceError, Silences, silenceState } from '../../../src/alerts/silences.js';
import type { Silence } from '../../../src/alerts/types.js';
import { DriftwatchError } from '../../../src/errors.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2025, 0, 15, 9, 0, 0); // 2025-01-15T09:00:00.000Z

function ids(...list: string[]): () => string {
  let i = 0;
  return () => list[i++] ?? `id-${i}`;
}

const fraudMaintenance: Omit<Silence, 'id'> = {
  matchers: [parseMatcher('model="fraud"')],
  startsAt: T0 + HOUR,
  endsAt: T0 + 3 * HOUR,
  createdBy: 'alice',
  comment: 'fraud model retraining',
};
const fraudAlert = { alertname: 'FeatureDrift', model: 'fraud', severity: 'warning' };

describe('Silences over time', () => {
  const silences = new Silences();
  const added = silences.add(fraudMaintenance, T0, ids('s1'));

  it('returns the silence with its id', () => {
    expect(added).toEqual({ ...fraudMaintenance, id: 's1' });
    expect(silences.get('s1')).toEqual(added);
  });

  it('does not mute before its start', () => {
    expect(silenceState(added, T0 + HOUR - 1)).toBe('pending');
    expect(silences.isSilenced(fraudAlert, T0 + HOUR - 1)).toBeUndefined();
  });

  it('mutes matching alerts from its start, included, to its end, excluded', () => {
    expect(silences.isSilenced(fraudAlert, T0 + HOUR)).toEqual(added);
    expect(silenceState(added, T0 + 2 * HOUR)).toBe('active');
    expect(silences.isSilenced(fraudAlert, T0 + 3 * HOUR - 1)?.id).toBe('s1');
    expect(silences.isSilenced(fraudAlert, T0 + 3 * HOUR)).toBeUndefined();
    expect(silenceState(added, T0 + 3 * HOUR)).toBe('expired');
  });

  it('does not mute other alerts', () => {
    expect(silences.isSilenced({ ...fraudAlert, model: 'churn' }, T0 + 2 * HOUR)).toBeUndefined();
  });
});

describe('Silences.add', () => {
  it('starts a silence that starts in the past now', () => {
    const silences = new Silences();
    const added = silences.add({ ...fraudMaintenance, startsAt: T0 - HOUR }, T0, ids('s1'));
    expect(added.startsAt).toBe(T0);
    expect(silences.isSilenced(fraudAlert, T0)?.id).toBe('s1');
  });

  it('keeps only the fields of a silence and freezes it', () => {
    const silences = new Silences();
    const request = { ...fraudMaintenance, extra: 'dropped' };
    const added = silences.add(request, T0, ids('s1'));
    expect(Object.keys(added).sort()).toEqual([
      'comment',
      'createdBy',
      'endsAt',
      'id',
      'matchers',
      'startsAt',
    ]);
    expect(Object.isFrozen(added)).toBe(true);
    expect(Object.isFrozen(added.matchers[0])).toBe(true);
  });

  it('gives a UUID by default', () => {
    const added = new Silences().add(fraudMaintenance, T0);
    expect(added.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  const rejected: [string, Partial<Omit<Silence, 'id'>>, string][] = [
    [
      'no matchers',
      { matchers: [] },
      'a silence needs at least one matcher; add one such as alertname="FeatureDrift"',
    ],
    [
      'only matchers of the empty string',
      { matchers: [parseMatcher('team=~".*"'), parseMatcher('model!="fraud"')] },
      'every matcher matches the empty string, so the silence would mute every alert; add one that names what to silence, such as model="fraud"',
    ],
    [
      'an invalid matcher',
      { matchers: [{ name: 'model', operator: '=~', value: '(' }] },
      'matchers[0]: matcher model=~"(": "(" is not a valid regular expression (Unterminated group); fix the pattern, or use = or != to compare the text exactly',
    ],
    [
      'an end before the start',
      { startsAt: T0 + 2 * HOUR, endsAt: T0 + HOUR },
      'endsAt (2025-01-15T10:00:00.000Z) is not after startsAt (2025-01-15T11:00:00.000Z); end the silence after it starts',
    ],
    [
      'an end equal to the start',
      { startsAt: T0 + HOUR, endsAt: T0 + HOUR },
      'endsAt (2025-01-15T10:00:00.000Z) is not after startsAt (2025-01-15T10:00:00.000Z); end the silence after it starts',
    ],
    [
      'an end in the past',
      { startsAt: T0 - 2 * HOUR, endsAt: T0 - HOUR },
      'endsAt (2025-01-15T08:00:00.000Z) is in the past (now is 2025-01-15T09:00:00.000Z); choose a later end',
    ],
    [
      'an end right now',
      { startsAt: T0 - 2 * HOUR, endsAt: T0 },
      'endsAt (2025-01-15T09:00:00.000Z) is in the past (now is 2025-01-15T09:00:00.000Z); choose a later end',
    ],
    [
      'a start that is not a time',
      { startsAt: Number.NaN },
      'startsAt and endsAt must be times (epoch milliseconds)',
    ],
    ['no author', { createdBy: '  ' }, 'createdBy is empty; say who creates the silence'],
  ];
  for (const [what, change, message] of rejected) {
    it(`rejects ${what}`, () => {
      const silences = new Silences();
      let caught: unknown;
      try {
        silences.add({ ...fraudMaintenance, ...change }, T0, ids('s1'));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SilenceError);
      expect(caught).toBeInstanceOf(DriftwatchError);
      expect((caught as SilenceError).message).toBe(message);
      expect((caught as SilenceError).reason).toBe('invalid');
      expect((caught as SilenceError).code).toBe('DW_USAGE');
      expect(silences.list(T0, { includeExpired: true })).toEqual([]);
    });
  }

  it('refuses an id in use', () => {
    const silences = new Silences();
    silences.add(fraudMaintenance, T0, ids('s1'));
    expect(() => silences.add(fraudMaintenance, T0, ids('s1'))).toThrow('used or empty id "s1"');
  });
});

describe('Silences.expire', () => {
  it('ends an active silence early', () => {
    const silences = new Silences();
    silences.add(fraudMaintenance, T0, ids('s1'));
    expect(silences.isSilenced(fraudAlert, T0 + 90 * MINUTE)?.id).toBe('s1');
    const expired = silences.expire('s1', T0 + 90 * MINUTE);
    expect(expired).toEqual({ ...fraudMaintenance, id: 's1', endsAt: T0 + 90 * MINUTE });
    expect(silences.isSilenced(fraudAlert, T0 + 90 * MINUTE)).toBeUndefined();
    expect(silences.isSilenced(fraudAlert, T0 + 2 * HOUR)).toBeUndefined();
    expect(silences.list(T0 + 90 * MINUTE)).toEqual([]);
    expect(silences.get('s1')?.endsAt).toBe(T0 + 90 * MINUTE);
  });

  it('ends a pending silence before it starts', () => {
    const silences = new Silences();
    silences.add(fraudMaintenance, T0, ids('s1'));
    const expired = silences.expire('s1', T0 + MINUTE);
    expect([expired.startsAt, expired.endsAt]).toEqual([T0 + MINUTE, T0 + MINUTE]);
    expect(silences.isSilenced(fraudAlert, T0 + 2 * HOUR)).toBeUndefined();
    expect(silenceState(expired, T0 + MINUTE)).toBe('expired');
  });

  it('says when the id is unknown', () => {
    const silences = new Silences();
    expect(() => silences.expire('nope', T0)).toThrow(
      'no silence has id "nope"; see the ids with driftwatch silence list',
    );
    try {
      silences.expire('nope', T0);
    } catch (error) {
      expect((error as SilenceError).reason).toBe('not_found');
    }
  });

  it('says when the silence has already ended', () => {
    const silences = new Silences();
    silences.add(fraudMaintenance, T0, ids('s1'));
    expect(() => silences.expire('s1', T0 + 3 * HOUR)).toThrow(
      'silence "s1" already ended at 2025-01-15T12:00:00.000Z',
    );
  });
});

describe('Silences.list, isSilenced with several, prune', () => {
  function three(): Silences {
    const silences = new Silences();
    const next = ids('b', 'a', 'c');
    silences.add(fraudMaintenance, T0, next); // b: T0+1h .. T0+3h
    silences.add({ ...fraudMaintenance, startsAt: T0, endsAt: T0 + 30 * MINUTE }, T0, next); // a: T0 .. T0+30m
    silences.add(
      {
        ...fraudMaintenance,
        matchers: [parseMatcher('alertname="FeatureDrift"')],
        startsAt: T0,
        endsAt: T0 + 5 * HOUR,
      },
      T0,
      next,
    ); // c: T0 .. T0+5h
    return silences;
  }

  it('lists pending and active ones by start, expired ones on request', () => {
    const silences = three();
    expect(silences.list(T0 + HOUR).map((s) => s.id)).toEqual(['c', 'b']);
    expect(silences.list(T0).map((s) => s.id)).toEqual(['a', 'c', 'b']);
    expect(silences.list(T0 + HOUR, { includeExpired: true }).map((s) => s.id)).toEqual(['a', 'c', 'b']);
    expect(silences.list(T0 + 5 * HOUR).map((s) => s.id)).toEqual([]);
  });

  it('answers the matching silence that ends last', () => {
    const silences = three();
    expect(silences.isSilenced(fraudAlert, T0 + 2 * HOUR)?.id).toBe('c');
    expect(silences.isSilenced({ alertname: 'ErrorRate', model: 'fraud' }, T0 + 2 * HOUR)?.id).toBe('b');
    expect(silences.isSilenced({ alertname: 'ErrorRate', model: 'fraud' }, T0 + 10 * MINUTE)?.id).toBe('a');
    expect(silences.isSilenced({ alertname: 'ErrorRate', model: 'churn' }, T0 + 10 * MINUTE)).toBeUndefined();
  });

  it('prunes the silences that ended at least the retention ago', () => {
    const silences = three();
    // a ended at T0+30m, b at T0+3h, c at T0+5h; keep 1h.
    expect(silences.prune(T0 + 90 * MINUTE - 1, HOUR)).toBe(0);
    expect(silences.prune(T0 + 90 * MINUTE, HOUR)).toBe(1);
    expect(silences.get('a')).toBeUndefined();
    expect(silences.list(T0 + 4 * HOUR, { includeExpired: true }).map((s) => s.id)).toEqual(['c', 'b']);
    expect(silences.prune(T0 + 6 * HOUR, HOUR)).toBe(2);
    expect(silences.list(0, { includeExpired: true })).toEqual([]);
    expect(() => silences.prune(T0, -1)).toThrow(RangeError);
  });
});

describe('Silences persistence', () => {
  it('round-trips through JSON text', () => {
    const silences = new Silences();
    silences.add(fraudMaintenance, T0, ids('s1'));
    silences.add(
      { ...fraudMaintenance, matchers: [parseMatcher('feature=~"amount|country"')] },
      T0,
      ids('s2'),
    );
    silences.expire('s2', T0 + 2 * HOUR);
    const text = JSON.stringify(silences);
    expect(JSON.parse(text)).toEqual({
      version: 1,
      silences: [
        { ...fraudMaintenance, id: 's1' },
        {
          ...fraudMaintenance,
          id: 's2',
          matchers: [{ name: 'feature', operator: '=~', value: 'amount|country' }],
          endsAt: T0 + 2 * HOUR,
        },
      ],
    });
    const restored = Silences.fromJSON(JSON.parse(text), 'state/silences.json');
    expect(restored.toJSON()).toEqual(silences.toJSON());
    expect(restored.isSilenced({ feature: 'amount' }, T0 + 90 * MINUTE)?.id).toBe('s2');
    expect(restored.isSilenced({ feature: 'amount' }, T0 + 2 * HOUR)).toBeUndefined();
    expect(restored.isSilenced(fraudAlert, T0 + 90 * MINUTE)?.id).toBe('s1');
  });

  const good = { ...fraudMaintenance, id: 's1' };
  const bad: [string, unknown, string][] = [
    ['not an object', [], '(top level): not a JSON object'],
    [
      'another version',
      { version: 2, silences: [] },
      'version: 2 is not 1, the version this driftwatch reads',
    ],
    ['no list', { version: 1 }, 'silences: not an array'],
    [
      'a bad time',
      { version: 1, silences: [{ ...good, endsAt: 'soon' }] },
      'silences[0].endsAt: not a time in epoch milliseconds',
    ],
    [
      'an end before the start',
      { version: 1, silences: [{ ...good, endsAt: good.startsAt - 1 }] },
      'silences[0].endsAt: before startsAt',
    ],
    ['a duplicate id', { version: 1, silences: [good, good] }, 'silences[1].id: "s1" is used twice'],
    [
      'no matchers',
      { version: 1, silences: [{ ...good, matchers: [] }] },
      'silences[0].matchers: not a non-empty array',
    ],
    [
      'a bad operator',
      { version: 1, silences: [{ ...good, matchers: [{ name: 'model', operator: '==', value: 'x' }] }] },
      'silences[0].matchers[0].operator: "==" is not one of = != =~ !~',
    ],
    [
      'a bad regex',
      { version: 1, silences: [{ ...good, matchers: [{ name: 'model', operator: '!~', value: '[' }] }] },
      'silences[0].matchers[0]: matcher model!~"[": "[" is not a valid regular expression (Unterminated character class); fix the pattern, or use = or != to compare the text exactly',
    ],
    [
      'a missing author',
      { version: 1, silences: [{ ...good, createdBy: undefined }] },
      'silences[0].createdBy: not a string',
    ],
  ];
  for (const [what, data, detail] of bad) {
    it(`rejects a state with ${what}`, () => {
      let caught: unknown;
      try {
        Silences.fromJSON(data, 'state/silences.json');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DriftwatchError);
      expect((caught as DriftwatchError).code).toBe('DW_INPUT_INVALID');
      expect((caught as Error).message).toBe(
        `state/silences.json: ${detail}; fix the file, or remove it to start without silences`,
      );
    });
  }
});
