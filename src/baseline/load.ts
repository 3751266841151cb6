/**
 * Loads a baseline file from disk. Called by the daemon at start and on reload, by `replay` and by
 * `baseline show`; safe to call concurrently (each call reads its own copy).
 */
import { readFile } from 'node:fs/promises';

import { DriftwatchError } from '../errors.js';
import type { Baseline } from './format.js';
import { parseBaseline } from './validate.js';

/**
 * Reads and validates the baseline at `path`.
 * @throws DriftwatchError DW_INPUT_READ when the file cannot be read, DW_BASELINE_INVALID when it is
 *   not JSON or not a valid baseline.
 */
export async function loadBaseline(path: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? error);
    throw new DriftwatchError('DW_INPUT_READ', `${path}: cannot read the baseline (${why})`, {
      cause: error,
    });
  }
  return parseBaseline(text, path);
}
