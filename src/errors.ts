/**
 * The error catalogue: every error driftwatch raises on purpose has a stable code and says
 * whether retrying the same operation can succeed. Listed for users in docs/errors.md.
 * Bad input inside the pipeline is never thrown: it is counted (see decode/) and, where
 * configured, kept in a dead-letter topic. These errors are for the shell: config, I/O,
 * the command line.
 */

export type ErrorCode =
  | 'DW_CONFIG_INVALID'
  | 'DW_CONFIG_READ'
  | 'DW_KAFKA_CONNECT'
  | 'DW_DLQ_PRODUCE'
  | 'DW_SERVER_LISTEN'
  | 'DW_USAGE'
  | 'DW_BASELINE_INVALID'
  | 'DW_INPUT_INVALID'
  | 'DW_INPUT_READ';

export class DriftwatchError extends Error {
  readonly code: ErrorCode;
  /** True when the same operation may succeed later (a broker that is down, a busy port). */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DriftwatchError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** One problem in a configuration file, named by its YAML path (`kafka.brokers[0]`). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** A configuration that cannot be used; `problems` lists every one found, not just the first. */
export class ConfigError extends DriftwatchError {
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[]) {
    super(
      'DW_CONFIG_INVALID',
      `${file}: ${problems.length} problem(s)\n` +
        problems.map((p) => `  ${p.path === '' ? '(top level)' : p.path}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
