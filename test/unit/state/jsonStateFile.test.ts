/**
 * The JSON state file's own behaviour (load, save, set aside) is exercised through each state it
 * keeps (alert states, model versions); here: a save of unchanged text is not written again, and a
 * failed write does not stop the same text from being written later.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { JsonStateFile } from '../../../src/state/jsonStateFile.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function file(directory: string): JsonStateFile<unknown> {
  return new JsonStateFile({
    directory,
    name: 'thing.json',
    what: 'the thing',
    parse: (data) => data,
  });
}

describe('JsonStateFile.save', () => {
  it('does not write the same text twice in a row, and writes a change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'driftwatch-json-'));
    dirs.push(dir);
    const store = file(dir);
    await store.save({ a: 1 });
    // Changed behind the store's back: an unchanged save leaves it; a changed one replaces it.
    writeFileSync(store.path, 'edited\n');
    await store.save({ a: 1 });
    expect(readFileSync(store.path, 'utf8')).toBe('edited\n');
    await store.save({ a: 2 });
    expect(readFileSync(store.path, 'utf8')).toBe('{"a":2}\n');
    await store.save({ a: 1 });
    expect(readFileSync(store.path, 'utf8')).toBe('{"a":1}\n');
  });

  it('writes a text again after its write failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'driftwatch-json-'));
    dirs.push(dir);
    // A regular file where the directory should be: the directory cannot be made, the write fails.
    const blocked = join(dir, 'state');
    writeFileSync(blocked, 'not a directory');
    const store = file(blocked);
    await expect(store.save({ a: 1 })).rejects.toThrow(/^cannot save the thing /);
    await expect(store.save({ a: 1 })).rejects.toThrow(/^cannot save the thing /);
  });
});
