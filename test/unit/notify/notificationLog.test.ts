import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { NOTIFICATION_LOG_FILE, NotificationLog } from '../../../src/notify/notificationLog.js';
import type { NotificationLogEntry } from '../../../src/notify/notificationLog.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'driftwatch-notification-log-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An entry; its serialized line has the same length for every `attempt` from 2 to 9. */
function entry(attempt: number, overrides: Partial<NotificationLogEntry> = {}): NotificationLogEntry {
  return {
    at: `2026-05-02T12:00:0${attempt}.000Z`,
    receiver: 'fraud-email',
    owner: 'fraud-team',
    kind: 'notification',
    groupKey: '/0:{alertname="FeatureDrift",model="fraud"}',
    status: 'firing',
    alerts: ['{alertname="FeatureDrift", feature="amount", model="fraud"}'],
    recipients: ['oncall@example.com'],
    outcome: attempt === 1 ? 'delivered' : 'retried',
    attempt,
    error: attempt === 1 ? null : 'ECONNRESET',
    ...overrides,
  };
}

/** The entries in a log file, parsed line by line. */
function readEntries(path: string): unknown[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

const noError = (error: unknown): void => {
  throw new Error(`unexpected log error: ${String(error)}`);
};

describe('NotificationLog', () => {
  it('writes to notifications.log in the state directory', () => {
    const log = new NotificationLog(dir, noError);
    expect(NOTIFICATION_LOG_FILE).toBe('notifications.log');
    expect(log.path).toBe(join(dir, 'notifications.log'));
  });

  it('appends entries as JSON lines, in the order they were appended', async () => {
    const log = new NotificationLog(dir, noError);
    const entries = [
      entry(1),
      entry(2, { kind: 'alertmanager', owner: null, groupKey: null, recipients: [] }),
      entry(3, { kind: 'digest', status: null, alerts: [], outcome: 'failed', error: 'permanent: 550' }),
      entry(4, { outcome: 'unrouted', receiver: 'nobody' }),
    ];
    // Not awaited one by one: the log itself keeps the order.
    const pending = entries.map((e) => log.append(e));
    await log.settled();
    await Promise.all(pending);
    expect(readEntries(log.path)).toEqual(entries);
    const lines = readFileSync(log.path, 'utf8').split('\n');
    expect(lines[0]).toBe(JSON.stringify(entries[0]));
  });

  it('appends to a log that is already there', async () => {
    writeFileSync(join(dir, 'notifications.log'), `${JSON.stringify(entry(1))}\n`);
    const log = new NotificationLog(dir, noError);
    await log.append(entry(2));
    expect(readEntries(log.path)).toEqual([entry(1), entry(2)]);
  });

  describe('rotation', () => {
    const bytes = (e: NotificationLogEntry): number => Buffer.byteLength(`${JSON.stringify(e)}\n`);
    // The rotation tests use entries 2..9, whose lines are all of one length.
    const size = bytes(entry(2));

    it('uses lines of one length', () => {
      expect([3, 4, 5, 6, 7, 8, 9].map((attempt) => bytes(entry(attempt)))).toEqual(Array(7).fill(size));
    });

    it('lets the file grow to maxBytes, then moves it to .1 and begins a new one', async () => {
      const log = new NotificationLog(dir, noError, 2 * size);
      await log.append(entry(2));
      await log.append(entry(3));
      // exactly maxBytes: not past it, so no rotation yet
      expect(readFileSync(log.path).length).toBe(2 * size);
      await log.append(entry(4));
      expect(readEntries(`${log.path}.1`)).toEqual([entry(2), entry(3)]);
      expect(readEntries(log.path)).toEqual([entry(4)]);
    });

    it('replaces the previous .1 on the next rotation', async () => {
      const log = new NotificationLog(dir, noError, 2 * size);
      for (const attempt of [2, 3, 4, 5, 6]) await log.append(entry(attempt));
      expect(readEntries(`${log.path}.1`)).toEqual([entry(4), entry(5)]);
      expect(readEntries(log.path)).toEqual([entry(6)]);
    });

    it('rotates before one more byte would pass maxBytes', async () => {
      const log = new NotificationLog(dir, noError, 2 * size - 1);
      await log.append(entry(2));
      await log.append(entry(3));
      expect(readEntries(`${log.path}.1`)).toEqual([entry(2)]);
      expect(readEntries(log.path)).toEqual([entry(3)]);
    });

    it('counts bytes, not characters: lines with non-ASCII text rotate at maxBytes too', async () => {
      const wide = (attempt: number) => entry(attempt, { receiver: 'équipe-données-éééééééééééééééé' });
      const lineBytes = bytes(wide(2));
      expect(lineBytes).toBeGreaterThan(`${JSON.stringify(wide(2))}\n`.length);
      const log = new NotificationLog(dir, noError, 2 * lineBytes - 1);
      await log.append(wide(2));
      await log.append(wide(3));
      expect(readEntries(`${log.path}.1`)).toEqual([wide(2)]);
      expect(readEntries(log.path)).toEqual([wide(3)]);
    });

    it('writes a line longer than maxBytes to a file of its own', async () => {
      const log = new NotificationLog(dir, noError, 10);
      await log.append(entry(2));
      expect(readEntries(log.path)).toEqual([entry(2)]);
      await log.append(entry(3));
      expect(readEntries(`${log.path}.1`)).toEqual([entry(2)]);
      expect(readEntries(log.path)).toEqual([entry(3)]);
    });
  });

  describe('failures', () => {
    it('reports a missing directory to onError and resolves', async () => {
      const errors: unknown[] = [];
      const log = new NotificationLog(join(dir, 'missing'), (error) => errors.push(error));
      await expect(log.append(entry(1))).resolves.toBeUndefined();
      expect(errors).toHaveLength(1);
      expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
    });

    it('reports a state "directory" that is a file to onError and resolves', async () => {
      const file = join(dir, 'not-a-directory');
      writeFileSync(file, 'x');
      const errors: unknown[] = [];
      const log = new NotificationLog(file, (error) => errors.push(error));
      await expect(log.append(entry(1))).resolves.toBeUndefined();
      await expect(log.append(entry(2))).resolves.toBeUndefined();
      expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOTDIR', 'ENOTDIR']);
      expect(readFileSync(file, 'utf8')).toBe('x');
    });

    it('goes on writing once the directory is there', async () => {
      const errors: unknown[] = [];
      const state = join(dir, 'later');
      const log = new NotificationLog(state, (error) => errors.push(error));
      await log.append(entry(1));
      mkdirSync(state);
      await log.append(entry(2));
      expect(errors).toHaveLength(1);
      expect(readEntries(log.path)).toEqual([entry(2)]);
    });

    it('reports a failed rotation and keeps the next appends going', async () => {
      const errors: unknown[] = [];
      const log = new NotificationLog(dir, (error) => errors.push(error), 10);
      // a directory where the rotated file should go: the rename fails
      mkdirSync(join(dir, 'notifications.log.1', 'occupied'), { recursive: true });
      await log.append(entry(2));
      await expect(log.append(entry(3))).resolves.toBeUndefined();
      expect(errors).toHaveLength(1);
      expect(readEntries(log.path)).toEqual([entry(2)]);
    });
  });
});
