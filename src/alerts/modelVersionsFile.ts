/**
 * Where the daemon keeps the model versions it has seen and which are known good, across
 * restarts: `<state.directory>/versions.json`, a {@link JsonStateFile} (atomic replace; an unusable
 * file is renamed aside to `versions.json.corrupt-<epoch ms>` and reported, never fatal).
 *
 * Effectful: the file system.
 */
import { JsonStateFile } from '../state/jsonStateFile.js';
import { ModelVersions, type ModelVersionsOptions } from './modelVersions.js';

/** The file name in the state directory. */
export const MODEL_VERSIONS_FILE = 'versions.json';

/** The model versions file of one daemon in `directory`; `load` gives `ModelVersions` built with `options`. */
export function modelVersionsFile(
  directory: string,
  options: ModelVersionsOptions,
): JsonStateFile<ModelVersions> {
  return new JsonStateFile({
    directory,
    name: MODEL_VERSIONS_FILE,
    what: 'the model versions',
    parse: (data) => ModelVersions.fromJSON(options, data),
  });
}
