/**
 * The model versions file: no file, a round trip through a temporary directory, saves in call
 * order, a damaged file set aside, the temporary files of a crash removed, and a save that cannot
 * be written.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ModelVersions } from '../../../src/alerts/modelVersions.js';
import { MODEL_VERSIONS_FILE, modelVersionsFile } from '../../../src/alerts/modelVersionsFile.js';
import { DriftwatchError } from '../../../src/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-versions-'));
  dirs.push(dir);
  return dir;
}

const T0 = Date.UTC(2026, 4, 2, 12, 0, 0);
const MINUTE = 60_000;
const OPTIONS = { goodAfterMs: 10 * MINUTE };

/** v1 of fraud good (11 clean minutes), then v2 running with a critical alert firing. */
function someVersions(): ModelVersions {
  const versions = new ModelVersions(OPTIONS);
  for (let m = 0; m <= 15; m++) {
    const now = T0 + m * MINUTE;
    versions.observe('fraud', m <= 11 ? 'v1' : 'v2', now);
    versions.round(now, m >= 12 ? new Set(['fraud']) : new Set());
  }
  return versions;
}

describe('ModelVersionsFile', () => {
  it('reports none when there is no file, creating the directory', async () => {
    const dir = join(tempDir(), 'state', 'nested');
    const file = modelVersionsFile(dir, OPTIONS);
    expect(file.path).toBe(join(dir, 'versions.json'));
    expect(await file.load(T0)).toEqual({ status: 'none' });
    expect(existsSync(dir)).toBe(true);
  });

  it('saves and loads back the same versions in a new store', async () => {
    const dir = tempDir();
    const versions = someVersions();
    await modelVersionsFile(dir, OPTIONS).save(versions);

    const onDisk = JSON.parse(readFileSync(join(dir, MODEL_VERSIONS_FILE), 'utf8')) as {
      version: number;
      models: { model: string; versions: { version: string; goodSince: number | null }[] }[];
    };
    expect(onDisk.version).toBe(1);
    expect(onDisk.models[0]?.model).toBe('fraud');
    expect(onDisk.models[0]?.versions.map((v) => [v.version, v.goodSince])).toEqual([
      ['v1', T0 + 10 * MINUTE],
      ['v2', null],
    ]);

    const loaded = await modelVersionsFile(dir, OPTIONS).load(T0 + 60 * MINUTE);
    expect(loaded.status).toBe('loaded');
    if (loaded.status !== 'loaded') return;
    expect(loaded.value.toJSON()).toEqual(versions.toJSON());
    expect(loaded.value.current('fraud')).toBe('v2');
    expect(loaded.value.lastKnownGood('fraud')).toBe('v1');
    expect(readdirSync(dir)).toEqual([MODEL_VERSIONS_FILE]);
  });

  it('writes saves in the order they were called, each with the state of its call', async () => {
    const dir = tempDir();
    const file = modelVersionsFile(dir, OPTIONS);
    const versions = new ModelVersions(OPTIONS);
    versions.observe('fraud', 'v1', T0);
    const first = file.save(versions);
    versions.observe('fraud', 'v2', T0 + MINUTE);
    const second = file.save(versions);
    versions.observe('fraud', 'v3', T0 + 2 * MINUTE);
    await Promise.all([first, second]);
    await file.settled();
    const saved = ModelVersions.fromJSON(OPTIONS, JSON.parse(readFileSync(file.path, 'utf8')));
    expect(saved.versions('fraud').map((v) => v.version)).toEqual(['v1', 'v2']);
  });

  it('sets a file that is not JSON aside and reports where it went', async () => {
    const dir = tempDir();
    const path = join(dir, MODEL_VERSIONS_FILE);
    writeFileSync(path, '{"version": 1, "mod');
    const loaded = await modelVersionsFile(dir, OPTIONS).load(T0);
    expect(loaded).toMatchObject({ status: 'set_aside', movedTo: `${path}.corrupt-${T0}` });
    if (loaded.status !== 'set_aside') return;
    expect(loaded.reason).toContain(`${path} is not JSON`);
    expect(existsSync(path)).toBe(false);
    expect(readFileSync(`${path}.corrupt-${T0}`, 'utf8')).toBe('{"version": 1, "mod');
  });

  it('sets aside a JSON file that is not a saved state, naming the key', async () => {
    const dir = tempDir();
    const path = join(dir, MODEL_VERSIONS_FILE);
    writeFileSync(path, JSON.stringify({ version: 1, models: [{ model: 'fraud' }] }));
    const loaded = await modelVersionsFile(dir, OPTIONS).load(T0);
    expect(loaded.status).toBe('set_aside');
    if (loaded.status !== 'set_aside') return;
    expect(loaded.reason).toBe(`${path}: models[0].criticalFiring: expected true or false, got nothing`);
    expect(readdirSync(dir)).toEqual([`${MODEL_VERSIONS_FILE}.corrupt-${T0}`]);
  });

  it('removes the temporary files a crash left behind', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, `${MODEL_VERSIONS_FILE}.tmp-999-1`), '{"version": 1, "mo');
    writeFileSync(join(dir, 'alerts.json'), '{}');
    expect(await modelVersionsFile(dir, OPTIONS).load(T0)).toEqual({ status: 'none' });
    expect(readdirSync(dir)).toEqual(['alerts.json']);
  });

  it('fails a save it cannot write with a retryable error, keeping the previous file', async () => {
    const dir = tempDir();
    const file = modelVersionsFile(dir, OPTIONS);
    await file.save(someVersions());
    const before = readFileSync(file.path, 'utf8');
    // A directory where the temporary file should go makes the write fail.
    const blocked = modelVersionsFile(join(dir, MODEL_VERSIONS_FILE), OPTIONS);
    const error: unknown = await blocked.save(new ModelVersions(OPTIONS)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriftwatchError);
    expect(error).toMatchObject({ code: 'DW_INPUT_READ', retryable: true });
    expect((error as Error).message).toMatch(/^cannot save the model versions .*; the previous file is kept/);
    expect(readFileSync(file.path, 'utf8')).toBe(before);
    await blocked.settled();
  });
});
