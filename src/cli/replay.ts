/**
 * `driftwatch replay`: the release gate. Reads a file of events, replays it through the daemon's
 * decode, windows and evaluation (replay/replay.ts) against one or more baselines, writes the
 * JSON and HTML reports, prints a summary, and answers with an exit code: 0 no drift (or drift
 * without --fail-on-drift), 1 drift with --fail-on-drift, 2 bad input (thrown as a
 * DriftwatchError and turned into the exit code by main.ts).
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { loadBaseline } from '../baseline/load.js';
import * as D from '../config/defaults.js';
import type { DriftwatchConfig } from '../config/types.js';
import { parseDuration } from '../config/values.js';
import { DriftwatchError } from '../errors.js';
import type { Correction, DriftThresholds } from '../evaluate/types.js';
import type { ReplayReport } from '../report/types.js';
import { Replay, type ReplayModel, type ReplayWindow } from '../replay/replay.js';
import { formatSummary } from '../replay/summary.js';
import { openInput, readLines } from '../sources/file/lineReader.js';
import type { KsMethodOption } from '../stats/ksTwoSample.js';
import { readVersion } from '../version.js';
import { atWindowResolution } from '../windows/resolution.js';

export interface ReplayCommandOptions {
  readonly baseline: readonly string[];
  readonly input: string;
  readonly json?: string;
  readonly html?: string;
  readonly failOnDrift: boolean;
  readonly config?: string;
  readonly source: 'predictions' | 'features';
  readonly window?: number;
  readonly step?: number;
  readonly allowedLateness?: number;
  readonly psiThreshold?: number;
  readonly pValue?: number;
  readonly correction?: Correction;
  readonly minSamples?: number;
  readonly ksQuantiles?: number;
  readonly ksMethod?: KsMethodOption;
  readonly quiet: boolean;
}

/** What `replay` exits with when it ran: 1 when asked to fail on drift and there is drift. */
export const EXIT_DRIFT = 1;

function usage(message: string): DriftwatchError {
  return new DriftwatchError('DW_USAGE', message);
}

function duration(flag: string) {
  return (text: string): number => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0)
      throw new InvalidArgumentError(`${flag}: "${text}" is not a duration; use e.g. 1h or 5m`);
    return ms;
  };
}

function real(flag: string, min: number, max: number) {
  return (text: string): number => {
    const x = Number(text);
    if (text.trim() === '' || !Number.isFinite(x) || x <= min || x > max) {
      throw new InvalidArgumentError(`${flag}: "${text}" is not a number above ${min} and at most ${max}`);
    }
    return x;
  };
}

function whole(flag: string) {
  return (text: string): number => {
    const x = Number(text);
    if (!Number.isInteger(x) || x < 1)
      throw new InvalidArgumentError(`${flag}: "${text}" is not a whole number >= 1`);
    return x;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const DEFAULT_THRESHOLDS: DriftThresholds = {
  psi: D.DEFAULT_PSI_THRESHOLD,
  pValue: D.DEFAULT_P_VALUE,
  correction: D.DEFAULT_CORRECTION,
  minKsStatistic: D.DEFAULT_MIN_KS_STATISTIC,
  minJsDistance: D.DEFAULT_MIN_JS_DISTANCE,
  minSamples: D.DEFAULT_MIN_SAMPLES,
};

/** A model's rules: the config's `models[].drift` (or the defaults), then the command line's overrides. */
function thresholdsFor(
  model: string,
  config: DriftwatchConfig | null,
  opts: ReplayCommandOptions,
): DriftThresholds {
  const base = config?.models.find((m) => m.name === model)?.drift ?? DEFAULT_THRESHOLDS;
  return {
    ...base,
    ...(opts.psiThreshold === undefined ? {} : { psi: opts.psiThreshold }),
    ...(opts.pValue === undefined ? {} : { pValue: opts.pValue }),
    ...(opts.correction === undefined ? {} : { correction: opts.correction }),
    ...(opts.minSamples === undefined ? {} : { minSamples: opts.minSamples }),
  };
}

function replayWindow(opts: ReplayCommandOptions): ReplayWindow | null {
  if (opts.window === undefined && opts.step === undefined) return null;
  if (opts.window === undefined || opts.step === undefined) {
    throw usage(
      '--window and --step go together (e.g. --window 1h --step 1m); leave both out to replay the whole file as one window',
    );
  }
  if (opts.window < opts.step || opts.window % opts.step !== 0) {
    throw usage(`--window must be a whole number of --step (e.g. --window 1h --step 1m)`);
  }
  const allowedLatenessMs = opts.allowedLateness ?? D.DEFAULT_ALLOWED_LATENESS;
  if (allowedLatenessMs > opts.window) {
    throw usage(
      '--allowed-lateness must be at most --window (an event that late is outside the window anyway)',
    );
  }
  return { windowMs: opts.window, stepMs: opts.step, allowedLatenessMs };
}

async function write(path: string, text: string, what: string): Promise<void> {
  if (path === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    await writeFile(path, text);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new DriftwatchError('DW_INPUT_READ', `${path}: cannot write the ${what} (${reason})`, {
      cause: error,
    });
  }
}

/**
 * Runs a replay and writes its outputs; returns the exit code (0 or EXIT_DRIFT).
 * @throws DriftwatchError for bad input: unreadable files, an invalid baseline or config, a file
 *   with no replayable event.
 */
export async function runReplay(opts: ReplayCommandOptions): Promise<number> {
  const window = replayWindow(opts);
  // The config parser (zod, yaml) is loaded only when a config is given: replay keeps its memory small.
  const config =
    opts.config === undefined ? null : (await import('../config/load.js')).loadConfig(opts.config);
  const models: ReplayModel[] = [];
  for (const file of opts.baseline) {
    const baseline = await loadBaseline(file);
    if (models.some((m) => m.baseline.model === baseline.model)) {
      throw usage(`${file}: a second baseline for model ${baseline.model}; give one baseline per model`);
    }
    // The daemon's window resolution when asked for (or given by the config); else the baseline's own.
    const resolution =
      opts.ksQuantiles ?? config?.models.find((m) => m.name === baseline.model)?.windowKsQuantiles ?? null;
    models.push({
      baseline: atWindowResolution(baseline, resolution),
      thresholds: thresholdsFor(baseline.model, config, opts),
    });
  }
  const started = new Date();
  const maxEventBytes = config?.limits.maxEventBytes ?? D.DEFAULT_MAX_EVENT_BYTES;
  const replay = new Replay({
    models,
    source: opts.source,
    window,
    maxEventBytes,
    maxFeaturesPerEvent: config?.limits.maxFeaturesPerEvent ?? D.DEFAULT_MAX_FEATURES_PER_EVENT,
    fallbackTs: started.getTime(),
    // As the daemon evaluates when replaying its config; scipy's choice for a release gate.
    ksMethod: opts.ksMethod ?? (config === null ? 'auto' : 'auto-bounded'),
    file: opts.input === '-' ? '-' : basename(opts.input),
    version: readVersion(),
  });
  const input = await openInput(opts.input);
  for await (const line of readLines(input, opts.input, { maxLineBytes: maxEventBytes })) {
    replay.line(line);
  }
  const report = replay.report(new Date());

  if (opts.json !== undefined) await write(opts.json, `${JSON.stringify(report, null, 2)}\n`, 'JSON report');
  if (opts.html !== undefined) {
    const { renderHtmlReport } = await import('../report/html.js');
    await write(opts.html, renderHtmlReport(report), 'HTML report');
  }
  if (!opts.quiet) {
    // With the JSON on standard output, the summary goes to standard error.
    (opts.json === '-' ? process.stderr : process.stdout).write(formatSummary(report));
  }
  refuseEmpty(report, opts.input);
  return report.drift && opts.failOnDrift ? EXIT_DRIFT : 0;
}

/** A gate that passes on a file it could not read is worse than none: no event replayed is bad input. */
function refuseEmpty(report: ReplayReport, file: string): void {
  const input = report.input;
  if (input.accepted > 0) return;
  if (input.lines === 0)
    throw new DriftwatchError('DW_INPUT_INVALID', `${file}: no events (the file is empty)`);
  const reasons = Object.entries(input.rejected_by_reason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const models = report.models.map((m) => m.model).join(', ');
  throw new DriftwatchError(
    'DW_INPUT_INVALID',
    `${file}: none of its ${input.lines} lines could be replayed (${reasons}${input.late > 0 ? `, late ${input.late}` : ''}); ` +
      `the baselines are for ${models}; see docs/replay.md for what a line must hold`,
  );
}

/** Adds `replay` to the program. */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay a file of events against baselines; a drift report and an exit code for CI')
    .requiredOption('--baseline <file>', 'baseline file (repeat for several models)', collect)
    .requiredOption('--input <file>', 'events, one JSON object per line (.jsonl, .gz; - for stdin)')
    .option('--json <file>', 'write the JSON report here (- for stdout)')
    .option('--html <file>', 'write the HTML report here')
    .option('--fail-on-drift', 'exit with code 1 when any feature drifts', false)
    .option('-c, --config <file>', "take each model's drift thresholds and the limits from this config")
    .option('--source <kind>', 'what the lines are: predictions or features', 'predictions')
    .option(
      '--window <duration>',
      "replay the daemon's sliding window by event time (with --step)",
      duration('--window'),
    )
    .option('--step <duration>', 'the window step (with --window)', duration('--step'))
    .option(
      '--allowed-lateness <duration>',
      'with --window: events further behind the newest are late, as the daemon counts them (default 5m)',
      duration('--allowed-lateness'),
    )
    .option('--psi-threshold <x>', 'override the PSI threshold', real('--psi-threshold', 0, 100))
    .option('--p-value <x>', 'override the adjusted p-value threshold', real('--p-value', 0, 1))
    .option('--correction <method>', 'benjamini-hochberg, bonferroni or none')
    .option('--min-samples <n>', 'override min_samples', whole('--min-samples'))
    .option(
      '--ks-quantiles <n>',
      "count KS at the daemon's window resolution (models[].window_ks_quantiles); default: the baseline's own",
      whole('--ks-quantiles'),
    )
    .option(
      '--ks-method <method>',
      'KS p-value method: auto (scipy), auto-bounded (the daemon), exact, asymp or kolmogorov',
    )
    .option('-q, --quiet', 'print no summary', false)
    .action(
      async (raw: ReplayCommandOptions & { source: string; correction?: string; ksMethod?: string }) => {
        if (raw.source !== 'predictions' && raw.source !== 'features') {
          throw usage(`--source: "${raw.source}" is not predictions or features`);
        }
        if (
          raw.ksMethod !== undefined &&
          !['auto', 'auto-bounded', 'exact', 'asymp', 'kolmogorov'].includes(raw.ksMethod)
        ) {
          throw usage(`--ks-method: "${raw.ksMethod}" is not auto, auto-bounded, exact, asymp or kolmogorov`);
        }
        if (
          raw.correction !== undefined &&
          !['benjamini-hochberg', 'bonferroni', 'none'].includes(raw.correction)
        ) {
          throw usage(`--correction: "${raw.correction}" is not benjamini-hochberg, bonferroni or none`);
        }
        try {
          process.exitCode = await runReplay(raw);
        } catch (error) {
          // Every error of a replay is about what it was given (files, options, config): exit 2,
          // which a CI job can tell from 1, "the candidate drifts".
          if (!(error instanceof DriftwatchError)) throw error;
          process.stderr.write(`driftwatch: ${error.code}: ${error.message}\n`);
          process.exitCode = 2;
        }
      },
    );
}
