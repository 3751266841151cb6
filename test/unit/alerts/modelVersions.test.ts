/**
 * ModelVersions: when a version becomes good (a clean run of `goodAfterMs`), what restarts a run
 * (a firing critical alert, a gap in the traffic), goodness latched, the current and the last known
 * good version, the bound on versions per model, and a restart through toJSON / fromJSON.
 */
import { describe, expect, it } from 'vitest';

import {
  DEFAULT_MAX_VERSIONS_PER_MODEL,
  MODEL_VERSIONS_VERSION,
  ModelVersions,
} from '../../../src/alerts/modelVersions.js';
import { StateDataError } from '../../../src/state/stateData.js';

const T0 = Date.UTC(2026, 4, 2, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NONE: ReadonlySet<string> = new Set();

/** One hour of clean run makes a version good; the default 5 minutes of activity. */
function tracker(): ModelVersions {
  return new ModelVersions({ goodAfterMs: HOUR });
}

interface Traffic {
  readonly model?: string;
  /** The version of the events; null for rounds with no event. */
  readonly version: string | null;
  /** Minutes after T0, the first and the last (inclusive). */
  readonly from: number;
  readonly to: number;
  /** Minutes between events (rounds run every minute). Default 1. */
  readonly every?: number;
  /** Whether the model has a firing critical alert at the round of minute m. */
  readonly critical?: (m: number) => boolean;
}

/** Plays one event per `every` minutes and one round per minute, the round after the event. */
function play(versions: ModelVersions, traffic: Traffic): void {
  const model = traffic.model ?? 'fraud';
  for (let m = traffic.from; m <= traffic.to; m++) {
    const now = T0 + m * MINUTE;
    if (traffic.version !== null && (m - traffic.from) % (traffic.every ?? 1) === 0)
      versions.observe(model, traffic.version, now);
    versions.round(now, traffic.critical?.(m) === true ? new Set([model]) : NONE);
  }
}

function goodSince(versions: ModelVersions, version: string, model = 'fraud'): number | null | undefined {
  return versions.versions(model).find((v) => v.version === version)?.goodSince;
}

describe('ModelVersions', () => {
  it('makes a version good once its events span goodAfterMs with no critical alert', () => {
    const versions = tracker();
    expect(versions.current('fraud')).toBeNull();
    expect(versions.lastKnownGood('fraud')).toBeNull();

    play(versions, { version: 'v1', from: 0, to: 59 });
    expect(versions.current('fraud')).toBe('v1');
    expect(versions.lastKnownGood('fraud')).toBeNull();
    expect(goodSince(versions, 'v1')).toBeNull();

    play(versions, { version: 'v1', from: 60, to: 60 });
    expect(versions.lastKnownGood('fraud')).toBe('v1');
    expect(goodSince(versions, 'v1')).toBe(T0 + 60 * MINUTE);
  });

  it('restarts the clean run while a critical alert fires, from the round it is seen gone', () => {
    const versions = tracker();
    play(versions, { version: 'v1', from: 0, to: 120, critical: (m) => m >= 30 && m <= 40 });
    // Cleared at the round of minute 41; one hour later is minute 101.
    expect(goodSince(versions, 'v1')).toBe(T0 + 101 * MINUTE);
    expect(versions.versions('fraud')[0]?.cleanSince).toBe(T0 + 41 * MINUTE);
  });

  it('keeps v1 as last known good while v2 runs 30 minutes with a critical alert firing', () => {
    const versions = tracker();
    play(versions, { version: 'v1', from: 0, to: 90 });
    play(versions, { version: 'v2', from: 91, to: 121, critical: () => true });
    expect(versions.current('fraud')).toBe('v2');
    expect(versions.lastKnownGood('fraud')).toBe('v1');
    expect(goodSince(versions, 'v1')).toBe(T0 + 60 * MINUTE);
    expect(goodSince(versions, 'v2')).toBeNull();
  });

  it('latches goodness: a critical alert while the good version itself runs does not take it back', () => {
    const versions = tracker();
    play(versions, { version: 'v1', from: 0, to: 100, critical: (m) => m > 70 });
    expect(versions.lastKnownGood('fraud')).toBe('v1');
    expect(goodSince(versions, 'v1')).toBe(T0 + 60 * MINUTE);
    expect(versions.versions('fraud')[0]?.cleanSince).toBeNull();
  });

  it('moves the last known good version to a newer version once it is good, by first-seen time', () => {
    const versions = tracker();
    play(versions, { version: 'v1', from: 0, to: 60 });
    play(versions, { version: 'v2', from: 61, to: 121 });
    expect(versions.lastKnownGood('fraud')).toBe('v2');
    expect(goodSince(versions, 'v2')).toBe(T0 + 121 * MINUTE);
    // A rollback to v1 makes v1 current; v2, deployed later, stays the newest good one.
    play(versions, { version: 'v1', from: 122, to: 130 });
    expect(versions.current('fraud')).toBe('v1');
    expect(versions.lastKnownGood('fraud')).toBe('v2');
  });

  it('ends a run when the version stops running for longer than activeMs', () => {
    const versions = tracker();
    play(versions, { version: 'v1', from: 0, to: 40 });
    play(versions, { version: null, from: 41, to: 50 });
    expect(versions.versions('fraud')[0]).toMatchObject({ runFrom: null, cleanSince: null });
    // 40 + 40 minutes of traffic, but not in one run: good one hour after it resumed.
    play(versions, { version: 'v1', from: 51, to: 110 });
    expect(goodSince(versions, 'v1')).toBeNull();
    play(versions, { version: 'v1', from: 111, to: 111 });
    expect(goodSince(versions, 'v1')).toBe(T0 + 111 * MINUTE);
  });

  it('counts sparse traffic as running while its gaps stay within activeMs', () => {
    const versions = tracker();
    play(versions, { version: 'v1', from: 0, to: 64, every: 4 });
    // Events at minutes 0, 4, ..., 60: the one at 60 completes the hour.
    expect(goodSince(versions, 'v1')).toBe(T0 + 60 * MINUTE);

    const sparse = new ModelVersions({ goodAfterMs: HOUR, activeMs: 3 * MINUTE });
    play(sparse, { version: 'v1', from: 0, to: 120, every: 4 });
    expect(sparse.lastKnownGood('fraud')).toBeNull();
  });

  it('starts a new run after a gap in the traffic even when no round saw the gap', () => {
    const versions = tracker();
    play(versions, { version: 'v1', from: 0, to: 40 });
    // The daemon was down from minute 41 to 120: no round, the next event comes at minute 120.
    versions.observe('fraud', 'v1', T0 + 120 * MINUTE);
    expect(versions.versions('fraud')[0]).toMatchObject({ runFrom: T0 + 120 * MINUTE, cleanSince: null });
    play(versions, { version: 'v1', from: 121, to: 179 });
    expect(goodSince(versions, 'v1')).toBeNull();
    play(versions, { version: 'v1', from: 180, to: 180 });
    expect(goodSince(versions, 'v1')).toBe(T0 + 180 * MINUTE);
  });

  it('restarts the runs of every running version on a critical alert (a canary)', () => {
    const versions = tracker();
    for (let m = 0; m <= 80; m++) {
      const now = T0 + m * MINUTE;
      versions.observe('fraud', 'v1', now);
      versions.observe('fraud', 'v2', now + 1);
      versions.round(now + 2, m === 30 ? new Set(['fraud']) : NONE);
    }
    expect(versions.lastKnownGood('fraud')).toBeNull();
    expect(versions.versions('fraud').map((v) => v.cleanSince)).toEqual([
      T0 + 31 * MINUTE + 2,
      T0 + 31 * MINUTE + 2,
    ]);
  });

  it('starts the first run of a model after a critical alert that fired before its first event', () => {
    const versions = tracker();
    versions.round(T0, new Set(['fraud']));
    versions.observe('fraud', 'v1', T0 + MINUTE);
    versions.round(T0 + MINUTE, new Set(['fraud']));
    versions.observe('fraud', 'v1', T0 + 2 * MINUTE);
    versions.round(T0 + 2 * MINUTE, NONE);
    expect(versions.versions('fraud')[0]?.cleanSince).toBe(T0 + 2 * MINUTE);
  });

  it('takes as current the version seen last, then the one seen first last, per model', () => {
    const versions = tracker();
    versions.observe('fraud', 'b', T0);
    versions.observe('fraud', 'a', T0 + 1);
    versions.observe('churn', 'x', T0 + 2);
    expect(versions.current('fraud')).toBe('a');
    versions.observe('fraud', 'b', T0 + 5);
    expect(versions.current('fraud')).toBe('b');
    versions.observe('fraud', 'a', T0 + 5);
    // Same last-seen time: "a" was first seen later.
    expect(versions.current('fraud')).toBe('a');
    expect(versions.current('churn')).toBe('x');
    expect(versions.current('other')).toBeNull();
    expect(versions.models()).toEqual(['churn', 'fraud']);
  });

  it('keeps at most maxVersionsPerModel versions, never dropping the current or the last known good', () => {
    const versions = new ModelVersions({ goodAfterMs: HOUR, maxVersionsPerModel: 3 });
    play(versions, { version: 'v1', from: 0, to: 60 });
    for (let i = 2; i <= 6; i++) versions.observe('fraud', `v${i}`, T0 + (60 + i) * MINUTE);
    expect(versions.versions('fraud').map((v) => v.version)).toEqual(['v1', 'v5', 'v6']);
    expect(versions.current('fraud')).toBe('v6');
    expect(versions.lastKnownGood('fraud')).toBe('v1');

    const defaults = tracker();
    for (let i = 1; i <= 30; i++) defaults.observe('fraud', `v${i}`, T0 + i);
    const kept = defaults.versions('fraud').map((v) => v.version);
    expect(kept).toHaveLength(DEFAULT_MAX_VERSIONS_PER_MODEL);
    expect(kept[0]).toBe('v11');
    expect(kept.at(-1)).toBe('v30');
  });

  it('forgets the models that are no longer configured', () => {
    const versions = tracker();
    versions.observe('fraud', 'v1', T0);
    versions.observe('churn', 'v1', T0);
    versions.retainModels(new Set(['churn', 'new']));
    expect(versions.models()).toEqual(['churn']);
    expect(versions.current('fraud')).toBeNull();
  });

  it('survives a restart: the file state continues the runs as if the daemon had not stopped', () => {
    const options = { goodAfterMs: HOUR, activeMs: 2 * MINUTE };
    const uninterrupted = new ModelVersions(options);
    const before = new ModelVersions(options);
    const early: Traffic = { version: 'v1', from: 0, to: 70, critical: (m) => m >= 20 && m < 25 };
    play(uninterrupted, early);
    play(before, early);
    before.observe('churn', 'c1', T0 + 70 * MINUTE);
    uninterrupted.observe('churn', 'c1', T0 + 70 * MINUTE);

    const text = JSON.stringify(before);
    const saved = JSON.parse(text) as { version: number; models: { model: string }[] };
    expect(saved.version).toBe(MODEL_VERSIONS_VERSION);
    expect(saved.models.map((m) => m.model)).toEqual(['churn', 'fraud']);

    const after = ModelVersions.fromJSON(options, JSON.parse(text));
    expect(after.toJSON()).toEqual(before.toJSON());
    const late: Traffic = { version: 'v1', from: 71, to: 100 };
    play(uninterrupted, late);
    play(after, late);
    // Cleared at minute 25: good at minute 85, in both.
    expect(goodSince(after, 'v1')).toBe(T0 + 85 * MINUTE);
    expect(after.toJSON()).toEqual(uninterrupted.toJSON());
  });

  it('keeps the newest versions of a file that holds more than the bound', () => {
    const big = tracker();
    for (let i = 1; i <= 5; i++) big.observe('fraud', `v${i}`, T0 + i);
    const small = ModelVersions.fromJSON({ goodAfterMs: HOUR, maxVersionsPerModel: 2 }, big.toJSON());
    expect(small.versions('fraud').map((v) => v.version)).toEqual(['v4', 'v5']);
  });

  it('rejects data that is not a saved state, naming the key', () => {
    const options = { goodAfterMs: HOUR };
    const good = {
      version: 1,
      models: [
        {
          model: 'fraud',
          criticalFiring: false,
          criticalClearedAt: null,
          versions: [
            { version: 'v1', firstSeen: T0, lastSeen: T0, runFrom: T0, cleanSince: null, goodSince: null },
          ],
        },
      ],
    };
    expect(ModelVersions.fromJSON(options, good).current('fraud')).toBe('v1');

    const withVersion = (patch: Record<string, unknown>): unknown => ({
      ...good,
      models: [{ ...good.models[0], versions: [{ ...good.models[0]?.versions[0], ...patch }] }],
    });
    const cases: [unknown, RegExp][] = [
      [null, /expected an object with "version" and "models", got null/],
      [[], /expected an object/],
      [{ ...good, version: 2 }, /^version: expected 1, got 2; this file was written by another/],
      [{ version: 1 }, /^models: expected an array, got nothing/],
      [{ ...good, models: [{ ...good.models[0], model: '' }] }, /^models\[0\]\.model: expected a model name/],
      [
        { ...good, models: [{ ...good.models[0], criticalFiring: 'no' }] },
        /^models\[0\]\.criticalFiring: expected true or false, got "no"/,
      ],
      [
        { ...good, models: [good.models[0], good.models[0]] },
        /^models\[1\]\.model: a second entry for model "fraud"/,
      ],
      [
        { ...good, models: [{ ...good.models[0], versions: {} }] },
        /^models\[0\]\.versions: expected an array/,
      ],
      [withVersion({ version: 7 }), /^models\[0\]\.versions\[0\]\.version: expected a string, got 7/],
      [
        withVersion({ lastSeen: '12:00' }),
        /^models\[0\]\.versions\[0\]\.lastSeen: expected epoch milliseconds, got "12:00"/,
      ],
      [
        withVersion({ goodSince: undefined }),
        /^models\[0\]\.versions\[0\]\.goodSince: expected epoch milliseconds or null, got nothing/,
      ],
      [withVersion({ lastSeen: T0 - 1 }), /^models\[0\]\.versions\[0\]\.lastSeen: .* is before firstSeen/],
      [withVersion({ runFrom: null, cleanSince: T0 }), /^models\[0\]\.versions\[0\]\.cleanSince: /],
    ];
    for (const [data, message] of cases) {
      expect(() => ModelVersions.fromJSON(options, data)).toThrow(StateDataError);
      expect(() => ModelVersions.fromJSON(options, data)).toThrow(message);
    }
    const twice = {
      ...good,
      models: [{ ...good.models[0], versions: [good.models[0]?.versions[0], good.models[0]?.versions[0]] }],
    };
    expect(() => ModelVersions.fromJSON(options, twice)).toThrow(
      /^models\[0\]\.versions\[1\]\.version: a second entry for version "v1"/,
    );
  });

  it('rejects options out of range', () => {
    expect(() => new ModelVersions({ goodAfterMs: -1 })).toThrow(/goodAfterMs must be a duration/);
    expect(() => new ModelVersions({ goodAfterMs: HOUR, activeMs: Number.NaN })).toThrow(/activeMs/);
    expect(() => new ModelVersions({ goodAfterMs: HOUR, maxVersionsPerModel: 1 })).toThrow(
      /maxVersionsPerModel must be an integer of at least 2/,
    );
  });
});
