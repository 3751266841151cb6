import { ConfigError, type ConfigProblem } from '../../../src/errors.js';
import { parseConfig, type Env } from '../../../src/config/load.js';

/** The problems `parseConfig` reports for `yaml`; fails the test when it accepts the file. */
export function problemsOf(yaml: string, env: Env = {}): readonly ConfigProblem[] {
  try {
    parseConfig(yaml, 'test.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

/** A valid minimal file, to which a test adds the one thing it checks. */
export const MINIMAL = 'models:\n  - name: fraud-scorer\n';
