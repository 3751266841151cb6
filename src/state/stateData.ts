/**
 * What the readers of persisted state share (alert states, notification queue, model versions):
 * the error for data that cannot be used, and the object test their validators start from. Pure.
 */
import { DriftwatchError } from '../errors.js';

/**
 * Persisted state that cannot be used: another file, another version, a damaged one. The message
 * names the key (`alerts[2].state: expected ...`); the state file that read it adds its path and
 * sets the file aside (src/state/jsonStateFile.ts).
 */
export class StateDataError extends DriftwatchError {
  constructor(message: string) {
    super('DW_INPUT_INVALID', message);
    this.name = 'StateDataError';
  }
}

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
