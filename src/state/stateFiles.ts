/**
 * The file mechanics of the daemon's state directory, shared by the checkpoint store, the alert
 * states and the silences: an atomic write (a temporary file in the same directory, fsync,
 * rename over the target, fsync of the directory), setting a file that cannot be used aside, and
 * removing the temporary files a crash left behind. Errors are the file system's; each caller
 * wraps them in a message about what it was saving.
 */
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { DriftwatchError } from '../errors.js';

/**
 * Writes `data` to `path` through `temporary` (a name in the same directory): after a crash at any
 * moment, `path` holds either its previous content or `data`, whole. The temporary file is removed
 * when the write fails.
 */
export async function writeFileAtomic(
  path: string,
  temporary: string,
  data: string | Uint8Array,
): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Creates the state directory (and its parents) when missing.
 * @throws DriftwatchError (DW_INPUT_READ) naming the directory and `state.directory`.
 */
export async function makeStateDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true });
  } catch (error) {
    throw new DriftwatchError(
      'DW_INPUT_READ',
      `cannot create the state directory ${directory}: ${messageOf(error)}; check state.directory`,
      { cause: error },
    );
  }
}

/** What a load reports of a file it could not use and moved aside. */
export interface SetAside {
  readonly status: 'set_aside';
  readonly reason: string;
  readonly movedTo: string;
}

/**
 * Renames `path`, a file that cannot be used for `reason`, to a free `<path>.corrupt-<now>[-n]`
 * beside it: kept for a person to look at, out of the daemon's way.
 * @throws DriftwatchError (DW_INPUT_READ) when it cannot be renamed (the directory is not
 *   writable: saving would fail too).
 */
export async function setAsideFile(path: string, now: number, reason: string): Promise<SetAside> {
  const base = `${path}.corrupt-${now}`;
  let movedTo = base;
  for (let n = 2; await exists(movedTo); n++) movedTo = `${base}-${n}`;
  try {
    await rename(path, movedTo);
  } catch (error) {
    throw new DriftwatchError(
      'DW_INPUT_READ',
      `${reason}; it cannot be set aside either (${messageOf(error)}). ` +
        `Check the permissions of ${dirname(path)}`,
      { cause: error },
    );
  }
  return { status: 'set_aside', reason, movedTo };
}

/**
 * Removes the files of `directory` whose names start with `prefix` (partial writes a crash
 * interrupted), except those in `inFlight` (writes of this process still going on).
 */
export async function removeTemporaries(
  directory: string,
  prefix: string,
  inFlight: ReadonlySet<string> = new Set(),
): Promise<void> {
  for (const entry of await readdir(directory)) {
    const path = join(directory, entry);
    if (entry.startsWith(prefix) && !inFlight.has(path))
      await rm(path, { force: true }).catch(() => undefined);
  }
}

/**
 * Flushes the directory entry of a rename, without which a power loss may forget it. Platforms
 * that cannot open or flush a directory (Windows) say so with these codes; the rename is then as
 * durable as they make it.
 */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** A file system error's code (`ENOENT`, ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** An error's message, for the callers' own messages. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
