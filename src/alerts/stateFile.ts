/**
 * Where the alert engine keeps the alert states across restarts: `<state.directory>/alerts.json`,
 * a {@link JsonStateFile} (atomic replace; an unusable file is renamed aside to
 * `alerts.json.corrupt-<epoch ms>` and reported, never deleted and never fatal).
 *
 * Effectful: the file system.
 */
import { JsonStateFile } from '../state/jsonStateFile.js';
import { AlertStates } from './stateMachine.js';

/** The file name in the state directory. */
export const ALERT_STATE_FILE = 'alerts.json';

/** The alert state file of one daemon in `directory`; `load` gives `AlertStates`. */
export function alertStateFile(directory: string): JsonStateFile<AlertStates> {
  return new JsonStateFile({
    directory,
    name: ALERT_STATE_FILE,
    what: 'the alert states',
    parse: (data) => AlertStates.fromJSON(data),
  });
}
