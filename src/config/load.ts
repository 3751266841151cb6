/**
 * Loading the configuration: read the file, parse the YAML, interpolate `${VAR}`, read
 * `*_file` secrets, validate (schema.ts, then semantic.ts), and return the frozen
 * camelCase runtime configuration of types.ts. Every problem is collected and reported
 * at once, each named by its YAML path and saying how to fix it.
 *
 * Called by the composition root (`driftwatch run`, `demo`) through `loadConfig`, and by
 * `driftwatch check-config` through `checkConfig`. Nothing here exits the process.
 */

import { readFileSync } from 'node:fs';

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLError } from 'yaml';

import { ConfigError, DriftwatchError, type ConfigProblem } from '../errors.js';
import { toAlertsRuntime } from './alertsRuntime.js';
import { interpolateDocument, type Env } from './interpolate.js';
import { configSchema, issueToProblems, type ParsedConfig } from './schema.js';
import { formatPath, show } from './values.js';
import { readSecrets, semanticProblems, type Secrets } from './semantic.js';
import type { DriftwatchConfig } from './types.js';

export type { Env } from './interpolate.js';

/** What `checkConfig` found: `ok` exactly when `problems` is empty, and then `config` is set. */
export interface ConfigCheck {
  readonly ok: boolean;
  readonly problems: ConfigProblem[];
  readonly config: DriftwatchConfig | null;
}

/**
 * Reads and validates `file`. Throws `DriftwatchError('DW_CONFIG_READ')` when the file
 * cannot be read and `ConfigError` (`DW_CONFIG_INVALID`, every problem listed) when it
 * is not a valid configuration.
 */
export function loadConfig(file: string, env: Env = process.env): DriftwatchConfig {
  return parseConfig(readConfigFile(file), file, env);
}

/**
 * Validates the YAML `text`; `file` only names it in errors (secret files are read
 * relative to the working directory). Throws `ConfigError` listing every problem.
 */
export function parseConfig(text: string, file: string, env: Env = process.env): DriftwatchConfig {
  const { problems, config } = analyze(text, env);
  if (config === null) throw new ConfigError(file, problems);
  return config;
}

/**
 * For `driftwatch check-config`: never throws for a bad or unreadable file; an unreadable
 * file is one problem with the empty (top-level) path.
 */
export function checkConfig(file: string, env: Env = process.env): ConfigCheck {
  let text: string;
  try {
    text = readConfigFile(file);
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: (error as Error).message }], config: null };
  }
  const { problems, config } = analyze(text, env);
  return { ok: config !== null, problems, config };
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DriftwatchError(
      'DW_CONFIG_READ',
      `cannot read config file "${file}" (${reason}); check the path, or pass another one with --config FILE`,
      { cause: error },
    );
  }
}

function analyze(text: string, env: Env): { problems: ConfigProblem[]; config: DriftwatchConfig | null } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { problems: doc.errors.map((error) => syntaxProblem(error, lineCounter)), config: null };
  }

  const interpolation = interpolateDocument(doc, env);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // Unresolved or excessive aliases only show up when the document is turned into values.
    const message = `${(error as Error).message}; define each &anchor before its *alias`;
    return { problems: [{ path: '', message }], config: null };
  }

  const parsed = configSchema.safeParse(raw, {
    error: (issue) => `${show(issue.input)} is not valid here (${issue.code}); see docs/config.md`,
  });
  const found: ConfigProblem[] = [];
  if (!parsed.success) found.push(...parsed.error.issues.flatMap(issueToProblems));
  const secrets = readSecrets(raw, found);
  found.push(...semanticProblems(raw, interpolation.interpolated));

  // A value whose variable is unset is empty; its own problems would only repeat that.
  const unset = interpolation.problems.map((problem) => problem.path);
  const problems = [
    ...interpolation.problems,
    ...found.filter((problem) => !unset.some((path) => isWithin(problem.path, path))),
  ];
  sortByPosition(problems, doc.contents);

  if (problems.length > 0 || !parsed.success) return { problems, config: null };
  return { problems, config: deepFreeze(toRuntime(parsed.data, secrets)) };
}

function syntaxProblem(error: YAMLError, lineCounter: LineCounter): ConfigProblem {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const where = `YAML syntax error at line ${line}, column ${col}`;
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return {
        path: '',
        message: `${where}: a key appears twice in one mapping; remove or rename one of them`,
      };
    case 'MULTIPLE_DOCS':
      return {
        path: '',
        message: `${where}: the file holds more than one YAML document; keep one (remove this "---" and merge what follows)`,
      };
    default:
      return {
        path: '',
        message: `${where}: ${error.message}; check the indentation, quotes and brackets there`,
      };
  }
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}

/**
 * Orders problems as their keys appear in the file, so a report reads top to bottom; a
 * problem about a missing key sorts with its parent, one with no place in the file last.
 */
function sortByPosition(problems: ConfigProblem[], root: unknown): void {
  const offsets = new Map<string, number>();
  const walk = (node: unknown, segments: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const path = [...segments, key];
        offsets.set(formatPath(path), (pair.key as Node | null)?.range?.[0] ?? 0);
        walk(pair.value, path);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const path = [...segments, index];
        offsets.set(formatPath(path), (item as Node | null)?.range?.[0] ?? 0);
        walk(item, path);
      });
    }
  };
  walk(root, []);
  const offsetOf = (path: string): number => {
    for (let current = path; current !== '';) {
      const offset = offsets.get(current);
      if (offset !== undefined) return offset;
      const parent = current.replace(/(?:\.[^.[\]]+|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/, '');
      if (parent === current) break;
      current = parent;
    }
    return Number.POSITIVE_INFINITY;
  };
  const keyed = problems.map((problem, index) => ({ problem, index, offset: offsetOf(problem.path) }));
  keyed.sort((a, b) => a.offset - b.offset || a.index - b.index);
  keyed.forEach((entry, index) => {
    problems[index] = entry.problem;
  });
}

function toRuntime(parsed: ParsedConfig, secrets: Secrets): DriftwatchConfig {
  const { kafka } = parsed;
  return {
    kafka:
      kafka === null
        ? null
        : {
            brokers: kafka.brokers,
            clientId: kafka.client_id,
            groupId: kafka.group_id,
            topics: { predictions: kafka.topics.predictions, features: kafka.topics.features },
            fromBeginning: kafka.from_beginning,
            dlqTopic: kafka.dlq_topic,
            tls:
              kafka.tls === null
                ? null
                : {
                    ...(secrets.ca === undefined ? {} : { ca: secrets.ca }),
                    ...(secrets.cert === undefined ? {} : { cert: secrets.cert }),
                    ...(secrets.key === undefined ? {} : { key: secrets.key }),
                    rejectUnauthorized: kafka.tls.reject_unauthorized,
                  },
            sasl:
              kafka.sasl === null
                ? null
                : {
                    mechanism: kafka.sasl.mechanism,
                    username: kafka.sasl.username,
                    // semantic.ts has made sure exactly one of the two is there.
                    password: kafka.sasl.password ?? secrets.password ?? '',
                  },
            connectionTimeoutMs: kafka.connection_timeout,
            sessionTimeoutMs: kafka.session_timeout,
            lagIntervalMs: kafka.lag_interval,
          },
    models: parsed.models.map((model) => ({
      name: model.name,
      featureSource: model.feature_source,
      owner: model.owner,
      baseline: model.baseline,
      windowMs: model.window,
      stepMs: model.step,
      time: model.time,
      allowedLatenessMs: model.allowed_lateness,
      windowKsQuantiles: model.window_ks_quantiles,
      drift: {
        psi: model.drift.psi_threshold,
        pValue: model.drift.p_value,
        correction: model.drift.correction,
        minKsStatistic: model.drift.min_ks_statistic,
        minJsDistance: model.drift.min_js_distance,
        minSamples: model.drift.min_samples,
      },
    })),
    server: { host: parsed.server.host, port: parsed.server.port },
    limits: {
      maxEventBytes: parsed.limits.max_event_bytes,
      maxErrorClassesPerModel: parsed.limits.max_error_classes_per_model,
      maxVersionsPerModel: parsed.limits.max_versions_per_model,
      maxFeaturesPerEvent: parsed.limits.max_features_per_event,
    },
    state: { directory: parsed.state.directory },
    logging: { level: parsed.logging.level },
    influx:
      parsed.influx === null
        ? null
        : {
            url: parsed.influx.url,
            // semantic.ts has made sure at most one of the two is there.
            token: parsed.influx.token ?? secrets.influxToken ?? null,
            org: parsed.influx.org,
            bucket: parsed.influx.bucket,
            batchSize: parsed.influx.batch_size,
            flushIntervalMs: parsed.influx.flush_interval,
            maxBufferedPoints: parsed.influx.max_buffered_points,
            timeoutMs: parsed.influx.timeout,
          },
    alerts: toAlertsRuntime(parsed.alerts, secrets.alerts),
  };
}

/** Freezes `value` and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
