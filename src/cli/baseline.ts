/**
 * The `driftwatch baseline build` and `driftwatch baseline show` commands (docs/baselines.md).
 * Registered by main.ts. Bad input (an unreadable or malformed file, a bad option) is reported as
 * `driftwatch: <CODE>: <message>` with exit code 2, never with a stack trace.
 */
import { InvalidArgumentError, type Command } from 'commander';

import { buildBaseline } from '../baseline/build.js';
import type { FeatureType } from '../baseline/format.js';
import { loadBaseline } from '../baseline/load.js';
import { baselineToJson } from '../baseline/serialize.js';
import { renderBaseline } from '../baseline/show.js';
import { DriftwatchError } from '../errors.js';
import { DEFAULT_PSI_BINS } from '../stats/bins.js';
import { DEFAULT_KS_QUANTILES, MAX_KS_QUANTILES } from '../stats/ksSummary.js';
import { readVersion } from '../version.js';

const MIB = 1024 * 1024;
const DEFAULT_MEMORY_LIMIT = 256 * MIB;
const DEFAULT_MAX_CATEGORIES = 1000;

function integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
}

/** Parses `256MiB`, `64KiB`, `1GB`, `1000000` into bytes. */
export function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|K|M|G)?$/i.exec(value.trim());
  if (m === null) throw new InvalidArgumentError(`"${value}" is not a size; use e.g. 256MiB or 1GiB`);
  const unit = (m[2] ?? 'B').toLowerCase();
  const factor: Record<string, number> = {
    b: 1,
    kb: 1e3,
    kib: 1024,
    k: 1024,
    mb: 1e6,
    mib: MIB,
    m: MIB,
    gb: 1e9,
    gib: 1024 * MIB,
    g: 1024 * MIB,
  };
  return Math.floor(Number(m[1]) * factor[unit]!);
}

function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

function repeat(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Bad input exits 2 with the error's message (main.ts maps only DW_USAGE to 2). */
async function reporting(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof DriftwatchError) {
      process.stderr.write(`driftwatch: ${error.code}: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

interface BuildFlags {
  model?: string;
  input?: string;
  out?: string;
  format?: string;
  modelVersion: string[];
  predictionColumn?: string;
  categorical: string[];
  numeric: string[];
  boolean: string[];
  exclude: string[];
  bins: number;
  ksQuantiles: number;
  maxCategories: number;
  delimiter: string;
  skipBadRows: boolean;
  memoryLimit: number;
  quiet: boolean;
}

function overrides(flags: BuildFlags): Map<string, FeatureType> {
  const out = new Map<string, FeatureType>();
  for (const type of ['numeric', 'categorical', 'boolean'] as const) {
    for (const col of flags[type]) {
      const before = out.get(col);
      if (before !== undefined && before !== type) {
        throw new DriftwatchError(
          'DW_USAGE',
          `column "${col}" is given both --${before} and --${type}; keep one`,
        );
      }
      out.set(col, type);
    }
  }
  return out;
}

/** Adds `baseline build` and `baseline show` to the program. Called once by main.ts. */
export function registerBaselineCommands(program: Command): void {
  const baseline = program.command('baseline').description('build and inspect training baselines');
  baseline
    .command('build')
    .description('build a baseline from training data (CSV or JSON lines, optionally gzip), streaming')
    .option('--model <name>', 'the model the baseline is for (required)')
    .option('--input <file>', 'training data: .csv, .jsonl, .ndjson, .json, optionally .gz; - for stdin')
    .option('--out <file>', 'the baseline file to write')
    .option('--format <format>', 'csv or jsonl (default: from the file name)')
    .option(
      '--model-version <v>',
      'a model version the baseline applies to (repeatable; default all)',
      repeat,
      [],
    )
    .option('--prediction-column <col>', 'the column monitored as __prediction__')
    .option('--categorical <cols>', 'columns to treat as categorical (comma-separated, repeatable)', list, [])
    .option('--numeric <cols>', 'columns to treat as numeric', list, [])
    .option('--boolean <cols>', 'columns to treat as boolean', list, [])
    .option('--exclude <cols>', 'columns to leave out', list, [])
    .option('--bins <n>', 'PSI quantile bins', integer('--bins', 1, 10_000), DEFAULT_PSI_BINS)
    .option(
      '--ks-quantiles <q>',
      'quantile steps of the KS summary',
      integer('--ks-quantiles', 1, MAX_KS_QUANTILES),
      DEFAULT_KS_QUANTILES,
    )
    .option(
      '--max-categories <n>',
      'most distinct values of a categorical column',
      integer('--max-categories', 1),
      DEFAULT_MAX_CATEGORIES,
    )
    .option('--delimiter <c>', 'CSV field delimiter', ',')
    .option('--skip-bad-rows', 'skip malformed rows (counted) instead of failing', false)
    .option(
      '--memory-limit <size>',
      'memory for numeric values held in RAM, e.g. 256MiB',
      parseSize,
      DEFAULT_MEMORY_LIMIT,
    )
    .option('--quiet', 'no progress bar', false)
    .action((flags: BuildFlags) =>
      reporting(async () => {
        for (const required of ['model', 'input', 'out'] as const) {
          if (flags[required] === undefined || flags[required] === '') {
            throw new DriftwatchError(
              'DW_USAGE',
              `baseline build needs --${required}; see driftwatch baseline build --help`,
            );
          }
        }
        if (flags.format !== undefined && flags.format !== 'csv' && flags.format !== 'jsonl') {
          throw new DriftwatchError('DW_USAGE', `--format ${flags.format}: must be csv or jsonl`);
        }
        if (flags.delimiter.length !== 1)
          throw new DriftwatchError('DW_USAGE', '--delimiter must be one character');
        await buildBaseline(
          {
            model: flags.model!,
            input: flags.input!,
            out: flags.out!,
            format: (flags.format as 'csv' | 'jsonl' | undefined) ?? null,
            modelVersions: flags.modelVersion,
            predictionColumn: flags.predictionColumn ?? null,
            overrides: overrides(flags),
            exclude: new Set(flags.exclude),
            bins: flags.bins,
            ksQuantiles: flags.ksQuantiles,
            maxCategories: flags.maxCategories,
            delimiter: flags.delimiter,
            skipBadRows: flags.skipBadRows,
            memoryLimitBytes: flags.memoryLimit,
            quiet: flags.quiet,
          },
          { stderr: process.stderr, now: () => new Date(), version: readVersion() },
        );
      }),
    );
  baseline
    .command('show')
    .description('validate a baseline file and print a summary')
    .argument('<file>', 'the baseline file')
    .option('--json', 'print the validated baseline as JSON', false)
    .action((file: string, opts: { json: boolean }) =>
      reporting(async () => {
        const b = await loadBaseline(file);
        process.stdout.write(
          opts.json ? `${JSON.stringify(baselineToJson(b), null, 2)}\n` : renderBaseline(b),
        );
      }),
    );
}
