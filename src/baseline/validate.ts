/**
 * Reads a baseline file's text back into a `Baseline`, checking every field and the consistency
 * between fields (docs/baselines.md). Called by `loadBaseline` (daemon start and reload,
 * `replay`, `baseline show`). Pure. Every problem names the file and the JSON path:
 * `fraud.baseline.json: features[3].bins.cuts: not strictly ascending`.
 */
import { DriftwatchError } from '../errors.js';
import { compareCodePoints } from '../stats/bins.js';
import { validateReferenceSummary } from '../stats/ksSummary.js';
import {
  BASELINE_FORMAT,
  BASELINE_VERSION,
  PREDICTION_FEATURE,
  type Baseline,
  type BaselineFeature,
  type ExcludedColumn,
} from './format.js';
import { PERCENTILE_LEVELS } from './orderStats.js';

class Problem extends Error {}

function fail(path: string, why: string): never {
  throw new Problem(`${path}: ${why}`);
}

type Obj = Record<string, unknown>;

function obj(x: unknown, path: string): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(path, 'must be an object');
  return x as Obj;
}

function str(o: Obj, key: string, path: string, nonEmpty = true): string {
  const v = o[key];
  if (typeof v !== 'string' || (nonEmpty && v === '')) fail(`${path}${key}`, 'must be a non-empty string');
  return v;
}

function num(o: Obj, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}${key}`, 'must be a finite number');
  return v;
}

function count(o: Obj, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    fail(`${path}${key}`, 'must be a non-negative integer');
  }
  return v;
}

function arr(o: Obj, key: string, path: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) fail(`${path}${key}`, 'must be an array');
  return v;
}

function numbers(o: Obj, key: string, path: string, integers: boolean): number[] {
  return arr(o, key, path).map((v, i) => {
    if (
      integers
        ? typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0
        : typeof v !== 'number' || !Number.isFinite(v)
    ) {
      fail(`${path}${key}[${i}]`, integers ? 'must be a non-negative integer' : 'must be a finite number');
    }
    return (v as number) + 0;
  });
}

function sum(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

function feature(x: unknown, path: string, sourceRows: number): BaselineFeature {
  const o = obj(x, path);
  const p = `${path}.`;
  const name = str(o, 'name', p);
  const type = o.type;
  const rows = count(o, 'rows', p);
  const n = count(o, 'count', p);
  const nullCount = count(o, 'null_count', p);
  const invalidCount = count(o, 'invalid_count', p);
  if (rows > sourceRows) fail(`${p}rows`, `${rows} is more than source.rows = ${sourceRows}`);
  if (n + nullCount + invalidCount !== sourceRows) {
    fail(
      p + 'count',
      `count + null_count + invalid_count = ${n + nullCount + invalidCount}, must equal source.rows = ${sourceRows}`,
    );
  }
  if (n < 1) fail(`${p}count`, 'must be at least 1 (a feature with no valid value is excluded)');
  const common = { name, rows, count: n, nullCount, invalidCount };
  if (type === 'numeric') {
    const min = num(o, 'min', p);
    const max = num(o, 'max', p);
    if (min > max) fail(`${p}min`, `${min} is above max ${max}`);
    const mean = num(o, 'mean', p);
    const std = num(o, 'std', p);
    if (std < 0) fail(`${p}std`, 'must be >= 0');
    const po = obj(o.percentiles, `${p}percentiles`);
    const percentiles: Record<string, number> = {};
    for (const [key] of PERCENTILE_LEVELS) {
      const v = num(po, key, `${p}percentiles.`);
      if (v < min || v > max) fail(`${p}percentiles.${key}`, `${v} is outside [min, max]`);
      percentiles[key] = v + 0;
    }
    const bo = obj(o.bins, `${p}bins`);
    const cuts = numbers(bo, 'cuts', `${p}bins.`, false);
    for (let i = 1; i < cuts.length; i++)
      if (!(cuts[i]! > cuts[i - 1]!)) fail(`${p}bins.cuts`, 'not strictly ascending');
    const counts = numbers(bo, 'counts', `${p}bins.`, true);
    if (counts.length !== cuts.length + 1) {
      fail(`${p}bins.counts`, `must hold cuts.length + 1 = ${cuts.length + 1} counts, got ${counts.length}`);
    }
    if (sum(counts) !== n) fail(`${p}bins.counts`, `add up to ${sum(counts)}, must equal count = ${n}`);
    let ks;
    try {
      ks = validateReferenceSummary(o.ks, `${p}ks`);
    } catch (error) {
      throw new Problem((error as Error).message);
    }
    if (ks.n !== n) fail(`${p}ks.n`, `is ${ks.n}, must equal count = ${n}`);
    return {
      ...common,
      type,
      min: min + 0,
      max: max + 0,
      mean,
      std,
      percentiles,
      bins: { cuts, counts },
      ks,
    };
  }
  if (type === 'categorical' || type === 'boolean') {
    const categories = arr(o, 'categories', p).map((c, i) => {
      if (typeof c !== 'string') fail(`${p}categories[${i}]`, 'must be a string');
      return c;
    });
    for (let i = 1; i < categories.length; i++) {
      if (!(compareCodePoints(categories[i - 1]!, categories[i]!) < 0)) {
        fail(`${p}categories[${i}]`, 'not distinct and in code point order after the one before it');
      }
    }
    if (type === 'boolean') {
      for (const [i, c] of categories.entries()) {
        if (c !== 'false' && c !== 'true')
          fail(`${p}categories[${i}]`, 'must be "false" or "true" in a boolean feature');
      }
    }
    const counts = numbers(o, 'counts', p, true);
    if (counts.length !== categories.length) {
      fail(`${p}counts`, `must hold categories.length = ${categories.length} counts, got ${counts.length}`);
    }
    if (sum(counts) !== n) fail(`${p}counts`, `add up to ${sum(counts)}, must equal count = ${n}`);
    return { ...common, type, categories, counts };
  }
  fail(`${p}type`, 'must be "numeric", "categorical" or "boolean"');
}

function baseline(x: unknown): Baseline {
  const o = obj(x, '(top level)');
  if (o.format !== BASELINE_FORMAT)
    fail('format', `must be "${BASELINE_FORMAT}": this is not a driftwatch baseline`);
  if (o.version !== BASELINE_VERSION) {
    fail(
      'version',
      `the file has version ${JSON.stringify(o.version)}, this driftwatch reads version ${BASELINE_VERSION}; ` +
        'rebuild it with `driftwatch baseline build`',
    );
  }
  const model = str(o, 'model', '');
  const id = str(o, 'id', '');
  const modelVersions = arr(o, 'model_versions', '').map((v, i) => {
    if (typeof v !== 'string' || v === '') fail(`model_versions[${i}]`, 'must be a non-empty string');
    return v;
  });
  const createdAt = str(o, 'created_at', '');
  if (Number.isNaN(Date.parse(createdAt))) fail('created_at', 'must be an RFC 3339 date-time');
  const builtBy = str(o, 'built_by', '');
  const so = obj(o.source, 'source');
  const sha256 = str(so, 'sha256', 'source.');
  if (!/^[0-9a-f]{64}$/.test(sha256)) fail('source.sha256', 'must be 64 lowercase hex digits');
  if (id !== `${model}@${sha256.slice(0, 12)}`)
    fail('id', `must be "${model}@${sha256.slice(0, 12)}" (model@sha256 prefix)`);
  const format = so.format;
  if (format !== 'csv' && format !== 'jsonl') fail('source.format', 'must be "csv" or "jsonl"');
  if (typeof so.gzip !== 'boolean') fail('source.gzip', 'must be true or false');
  const rows = count(so, 'rows', 'source.');
  if (rows < 1) fail('source.rows', 'must be at least 1');
  const source = {
    file: str(so, 'file', 'source.'),
    sha256,
    bytes: count(so, 'bytes', 'source.'),
    format,
    gzip: so.gzip,
    rows,
    skippedRows: so.skipped_rows === undefined ? 0 : count(so, 'skipped_rows', 'source.'),
  } as const;
  const oo = obj(o.options, 'options');
  const bins = count(oo, 'bins', 'options.');
  if (bins < 1) fail('options.bins', 'must be at least 1');
  const ksQuantiles = count(oo, 'ks_quantiles', 'options.');
  if (ksQuantiles < 1) fail('options.ks_quantiles', 'must be at least 1');
  const pc = oo.prediction_column;
  if (pc !== null && (typeof pc !== 'string' || pc === ''))
    fail('options.prediction_column', 'must be a column name or null');
  const features = arr(o, 'features', '').map((f, i) => feature(f, `features[${i}]`, rows));
  if (features.length === 0) fail('features', 'must hold at least one feature');
  const seen = new Map<string, number>();
  features.forEach((f, i) => {
    const before = seen.get(f.name);
    if (before !== undefined) fail(`features[${i}].name`, `"${f.name}" is also features[${before}]'s name`);
    seen.set(f.name, i);
    if (f.name === PREDICTION_FEATURE && i !== features.length - 1)
      fail(`features[${i}].name`, `${PREDICTION_FEATURE} must be the last feature`);
    if (f.type === 'numeric' && f.bins.cuts.length > bins - 1) {
      fail(
        `features[${i}].bins.cuts`,
        `holds ${f.bins.cuts.length} cuts, at most options.bins - 1 = ${bins - 1}`,
      );
    }
    if (f.type === 'numeric' && f.ks.quantiles !== ksQuantiles)
      fail(`features[${i}].ks.quantiles`, `must equal options.ks_quantiles = ${ksQuantiles}`);
  });
  const excluded: ExcludedColumn[] =
    o.excluded === undefined
      ? []
      : arr(o, 'excluded', '').map((e, i) => {
          const eo = obj(e, `excluded[${i}]`);
          const reason = eo.reason;
          if (reason !== 'excluded_by_option' && reason !== 'no_valid_values') {
            fail(`excluded[${i}].reason`, 'must be "excluded_by_option" or "no_valid_values"');
          }
          return { name: str(eo, 'name', `excluded[${i}].`), reason };
        });
  return {
    id,
    model,
    modelVersions,
    createdAt,
    builtBy,
    source,
    options: { bins, ksQuantiles, predictionColumn: pc },
    features,
    excluded,
  };
}

/**
 * Parses and validates a baseline file's text. `file` names the file in messages.
 * @throws DriftwatchError DW_BASELINE_INVALID naming the file, the JSON path and the problem.
 */
export function parseBaseline(text: string, file: string): Baseline {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DriftwatchError(
      'DW_BASELINE_INVALID',
      `${file}: not JSON (${(error as Error).message}); rebuild it with \`driftwatch baseline build\``,
    );
  }
  try {
    return baseline(json);
  } catch (error) {
    if (error instanceof Problem)
      throw new DriftwatchError('DW_BASELINE_INVALID', `${file}: ${error.message}`);
    throw error;
  }
}
