/**
 * The silences file: a round trip through a temporary directory, a damaged file set aside, no
 * temporary file left behind, retention, and a change that cannot be written leaving nothing
 * changed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { SILENCE_RETENTION_MS, SilenceStore } from '../../../src/alerts/silenceStore.js';
import { SilenceError } from '../../../src/alerts/silences.js';
import type { Silence } from '../../../src/alerts/types.js';
import { DriftwatchError } from '../../../src/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-silences-'));
  dirs.push(dir);
  return dir;
}

const T0 = Date.UTC(2026, 4, 2, 12, 0, 0);
const HOUR = 3_600_000;

/** A store on `dir` whose clock is `clock.now` and whose ids count up from s1. */
function store(dir: string, clock: { now: number }): SilenceStore {
  let n = 0;
  return new SilenceStore(dir, { now: () => clock.now, idGenerator: () => `s${++n}` });
}

function fraud(hours: number, startsAt = T0): Omit<Silence, 'id'> {
  return {
    matchers: [{ name: 'model', operator: '=', value: 'fraud' }],
    startsAt,
    endsAt: startsAt + hours * HOUR,
    createdBy: 'ana',
    comment: 'retraining',
  };
}

describe('SilenceStore', () => {
  it('writes every change and reads it back in a new store', async () => {
    const dir = tempDir();
    const clock = { now: T0 };
    const first = store(dir, clock);
    expect(await first.load()).toEqual({ status: 'none' });
    const added = await first.add(fraud(2));
    await first.add({ ...fraud(1, T0 + HOUR), matchers: [{ name: 'team', operator: '=~', value: 'ml.*' }] });
    await first.expire('s1');
    expect(added.id).toBe('s1');

    const onDisk = JSON.parse(readFileSync(join(dir, 'silences.json'), 'utf8')) as {
      version: number;
      silences: Silence[];
    };
    expect(onDisk.version).toBe(1);
    expect(onDisk.silences.map((s) => [s.id, s.startsAt, s.endsAt])).toEqual([
      ['s1', T0, T0],
      ['s2', T0 + HOUR, T0 + 2 * HOUR],
    ]);

    const second = store(dir, clock);
    expect(await second.load()).toEqual({ status: 'loaded', silences: 2, pruned: 0 });
    expect(second.list(true)).toEqual(first.list(true));
    expect(second.get('s2')?.matchers).toEqual([{ name: 'team', operator: '=~', value: 'ml.*' }]);
    expect(second.counts()).toEqual({ pending: 1, active: 0, expired: 1 });
    clock.now = T0 + HOUR;
    expect(second.isSilenced({ team: 'ml-platform' }, clock.now)?.id).toBe('s2');
    expect(second.isSilenced({ model: 'fraud' }, clock.now)).toBeUndefined();
  });

  it('leaves no temporary file after writes, and removes one a crash left', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'silences.json.tmp-999-1'), '{"version": 1, "sil');
    const s = store(dir, { now: T0 });
    await s.load();
    await Promise.all([s.add(fraud(1)), s.add(fraud(2)), s.add(fraud(3))]);
    expect(readdirSync(dir)).toEqual(['silences.json']);
    expect(s.list().map((x) => x.id)).toEqual(['s1', 's2', 's3']);
  });

  it.each([
    ['not JSON', '{"version": 1, "silences": [', /silences\.json: not JSON/],
    ['a wrong version', '{"version": 7, "silences": []}', /version: 7 is not 1/],
    [
      'a bad matcher',
      JSON.stringify({
        version: 1,
        silences: [{ ...fraud(1), id: 'x', matchers: [{ name: '1a', operator: '=', value: 'v' }] }],
      }),
      /silences\[0\]\.matchers\[0\]: "1a" is not a label name/,
    ],
  ])('sets aside a file with %s and starts empty', async (_what, text, reason) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'silences.json'), text);
    const s = store(dir, { now: T0 });
    const result = await s.load();
    expect(result.status).toBe('set_aside');
    if (result.status !== 'set_aside') return;
    expect(result.reason).toMatch(reason);
    expect(result.movedTo).toBe(join(dir, `silences.json.corrupt-${T0}`));
    expect(readFileSync(result.movedTo, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual([`silences.json.corrupt-${T0}`]);
    expect(s.list(true)).toEqual([]);
    // The next change writes a fresh file beside the set-aside one.
    await s.add(fraud(1));
    expect(readdirSync(dir).sort()).toEqual(['silences.json', `silences.json.corrupt-${T0}`]);
  });

  it('forgets expired silences after the retention, at load and at the next change', async () => {
    const dir = tempDir();
    const clock = { now: T0 };
    const s = store(dir, clock);
    await s.load();
    await s.add(fraud(1));
    await s.add(fraud(2));
    clock.now = T0 + HOUR + SILENCE_RETENTION_MS;
    const reloaded = store(dir, clock);
    expect(await reloaded.load()).toEqual({ status: 'loaded', silences: 1, pruned: 1 });
    expect(reloaded.list(true).map((x) => x.endsAt)).toEqual([T0 + 2 * HOUR]);
    const onDisk = JSON.parse(readFileSync(join(dir, 'silences.json'), 'utf8')) as { silences: unknown[] };
    expect(onDisk.silences).toHaveLength(1);
  });

  it('rejects an invalid silence and an unknown id without writing', async () => {
    const dir = tempDir();
    const s = store(dir, { now: T0 });
    await s.load();
    await expect(s.add(fraud(-1))).rejects.toThrow(SilenceError);
    await expect(s.expire('nope')).rejects.toMatchObject({ reason: 'not_found' });
    expect(readdirSync(dir)).toEqual([]);
    // The queue is not stuck after a failed change.
    expect((await s.add(fraud(1))).id).toBe('s1');
  });

  it('keeps the previous state when the file cannot be written', async () => {
    const dir = tempDir();
    const s = store(dir, { now: T0 });
    await s.load();
    await s.add(fraud(1));
    // A non-empty directory where the file goes: the rename fails, whoever runs the test.
    rmSync(join(dir, 'silences.json'));
    mkdirSync(join(dir, 'silences.json', 'x'), { recursive: true });
    const failed = s.add(fraud(2));
    await expect(failed).rejects.toThrow(DriftwatchError);
    await expect(failed).rejects.toThrow(
      /cannot save the silences to .*silences\.json: .*nothing was changed/,
    );
    expect(s.list().map((x) => x.id)).toEqual(['s1']);
    await expect(s.expire('s1')).rejects.toThrow(/nothing was changed/);
    expect(readdirSync(dir)).toEqual(['silences.json']);
    expect(s.counts()).toEqual({ pending: 0, active: 1, expired: 0 });
  });
});
