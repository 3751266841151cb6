import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FileCheckpointStore } from '../../../src/checkpoint/fileStore.js';
import { encodeCheckpoint, type Checkpoint } from '../../../src/checkpoint/format.js';
import { DriftwatchError } from '../../../src/errors.js';
import { sampleCheckpoint } from './sample.js';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'driftwatch-checkpoint-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const loaded = (checkpoint: Checkpoint) => ({ status: 'loaded', checkpoint });

describe('FileCheckpointStore', () => {
  it('has nothing to load at first, creating the directory and its parents', async () => {
    const nested = join(directory, 'state', 'driftwatch');
    const store = new FileCheckpointStore(nested);
    expect(store.path).toBe(join(nested, 'windows.ckpt'));
    expect(await store.load()).toEqual({ status: 'none' });
    expect(await readdir(nested)).toEqual([]);
  });

  it('loads what it saved, and the latest save', async () => {
    const store = new FileCheckpointStore(join(directory, 'new'), 'fraud.ckpt');
    const first = sampleCheckpoint(1000);
    await store.save(first);
    expect(await readFile(join(directory, 'new', 'fraud.ckpt'))).toEqual(encodeCheckpoint(first));
    expect(await store.load()).toEqual(loaded(first));
    const second = sampleCheckpoint(2000);
    await store.save(second);
    expect(await new FileCheckpointStore(join(directory, 'new'), 'fraud.ckpt').load()).toEqual(
      loaded(second),
    );
    expect(await readdir(join(directory, 'new'))).toEqual(['fraud.ckpt']);
  });

  it('sets a garbage file aside, keeping its bytes, and reports why', async () => {
    const store = new FileCheckpointStore(directory, 'windows.ckpt', { now: () => 1_234 });
    const garbage = Buffer.from('{"not": "a checkpoint"}\n');
    await writeFile(store.path, garbage);
    expect(await store.load()).toEqual({
      status: 'set_aside',
      reason: `${store.path}: not a driftwatch checkpoint: it does not start with "driftwatch-checkpoint"`,
      movedTo: `${store.path}.corrupt-1234`,
    });
    expect(await readFile(`${store.path}.corrupt-1234`)).toEqual(garbage);
    expect(await store.load()).toEqual({ status: 'none' });

    // A second bad file in the same millisecond does not overwrite the first.
    const truncated = encodeCheckpoint(sampleCheckpoint()).subarray(0, 100);
    await writeFile(store.path, truncated);
    const result = await store.load();
    expect(result).toMatchObject({ status: 'set_aside', movedTo: `${store.path}.corrupt-1234-2` });
    expect((result as { reason: string }).reason).toBe(
      `${store.path}: the gzip data is truncated or corrupt (unexpected end of file)`,
    );
    expect(await readFile(`${store.path}.corrupt-1234-2`)).toEqual(truncated);
    expect(await readFile(`${store.path}.corrupt-1234`)).toEqual(garbage);

    // Saving afterwards works as usual.
    await store.save(sampleCheckpoint(5));
    expect(await store.load()).toEqual(loaded(sampleCheckpoint(5)));
  });

  it('sets aside a checkpoint it cannot read', async () => {
    const store = new FileCheckpointStore(directory, 'windows.ckpt', { now: () => 77 });
    await mkdir(store.path); // reading a directory fails with EISDIR, whoever runs the test
    const result = await store.load();
    expect(result).toMatchObject({ status: 'set_aside', movedTo: `${store.path}.corrupt-77` });
    expect((result as { reason: string }).reason).toMatch(/^.+windows\.ckpt cannot be read: EISDIR/);
    expect((await readdir(directory)).sort()).toEqual(['windows.ckpt.corrupt-77']);
  });

  it('keeps the previous checkpoint when a save was cut short, and ignores and removes the partial file', async () => {
    const store = new FileCheckpointStore(directory);
    const previous = sampleCheckpoint(1);
    await store.save(previous);
    // What a kill -9 during a save leaves: a partial temporary file beside the checkpoint.
    const partial = encodeCheckpoint(sampleCheckpoint(2));
    await writeFile(join(directory, 'windows.ckpt.tmp-1-1'), partial.subarray(0, partial.length / 2));
    await writeFile(join(directory, 'other.ckpt.tmp-1-1'), 'not ours');

    const restarted = new FileCheckpointStore(directory);
    expect(await restarted.load()).toEqual(loaded(previous));
    expect((await readdir(directory)).sort()).toEqual(['other.ckpt.tmp-1-1', 'windows.ckpt']);
    await restarted.save(sampleCheckpoint(3));
    expect(await restarted.load()).toEqual(loaded(sampleCheckpoint(3)));
  });

  it('serialises concurrent saves: the last one called is the one kept', async () => {
    const store = new FileCheckpointStore(directory);
    const saves = Array.from({ length: 20 }, (_, i) => store.save(sampleCheckpoint(100 + i)));
    // A load while they run sees a whole checkpoint or none, never a mix.
    const during = await store.load();
    expect(['none', 'loaded']).toContain(during.status);
    await Promise.all(saves);
    const result = await store.load();
    expect(result).toEqual(loaded(sampleCheckpoint(119)));
    expect(await readdir(directory)).toEqual(['windows.ckpt']);
  });

  it('rejects a save it cannot write (retryable), keeps the previous checkpoint and saves again afterwards', async () => {
    const store = new FileCheckpointStore(directory);
    await store.save(sampleCheckpoint(1));
    // The second save's temporary file name is taken (by a directory): that save cannot write.
    const squatter = join(directory, `windows.ckpt.tmp-${process.pid}-2`);
    await mkdir(squatter);
    const failed = store.save(sampleCheckpoint(2));
    await expect(failed).rejects.toBeInstanceOf(DriftwatchError);
    await expect(failed).rejects.toMatchObject({ code: 'DW_INPUT_READ', retryable: true });
    await expect(failed).rejects.toThrow(
      new RegExp(
        `^cannot save the checkpoint ${store.path}: EEXIST.*; the previous checkpoint is kept\\. ` +
          `Check the free space and the permissions of ${directory}$`,
      ),
    );
    expect(await store.load()).toEqual(loaded(sampleCheckpoint(1)));
    await store.save(sampleCheckpoint(3));
    expect(await store.load()).toEqual(loaded(sampleCheckpoint(3)));
    expect((await readdir(squatter)).length).toBe(0); // not removed: it is not a file of this store's
  });

  it('rejects a save when the directory cannot be created, and saves once it can', async () => {
    const blocked = join(directory, 'blocked');
    await writeFile(blocked, 'a file where the directory should be');
    const store = new FileCheckpointStore(blocked);
    await expect(store.save(sampleCheckpoint(1))).rejects.toThrow(
      `cannot save the checkpoint ${store.path}: cannot create the state directory ${blocked}: EEXIST`,
    );
    await expect(store.load()).rejects.toMatchObject({ code: 'DW_INPUT_READ', retryable: false });
    await rm(blocked);
    await store.save(sampleCheckpoint(2));
    expect(await store.load()).toEqual(loaded(sampleCheckpoint(2)));
  });

  it('refuses a file name with a directory in it', () => {
    expect(() => new FileCheckpointStore(directory, '../windows.ckpt')).toThrow(RangeError);
    expect(() => new FileCheckpointStore(directory, '')).toThrow(RangeError);
  });
});
