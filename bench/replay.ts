/**
 * `driftwatch replay` against the same computation in numpy/scipy (bench/peer/replay_peer.py, with
 * two event readers: orjson per line and pyarrow's columnar reader) and, when it is installed,
 * Evidently's data drift report: time, throughput and peak memory of each as a child process,
 * measured the same way (bench/peer/measure.py), medians over alternating runs; then how far
 * driftwatch's figures are from scipy's, feature by feature.
 *
 *   npm run bench:replay                       # scripts/bench-replay.sh: venv, build, this
 *   BENCH_RUNS=5 BENCH_EVENTS=200000 npm run bench:replay
 *
 * Environment: BENCH_RUNS (3), BENCH_ROWS (200000), BENCH_EVENTS (1000000), BENCH_PYTHON,
 * BENCH_KS_QUANTILES (driftwatch's default), BENCH_PEER_PARSERS (orjson,pyarrow),
 * BENCH_EVIDENTLY (1; 0 skips it), BENCH_EVIDENTLY_EVENTS (0: every event), DRIFTWATCH_CACHE.
 * Prints figures; never asserts on them. Exits 1 only when driftwatch or a peer fails, or a
 * figure disagrees with scipy beyond what the documentation explains.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateReplayData } from './gen/replayData.js';
import { BENCH_PROFILE } from './gen/profiles.js';
import {
  agreementLines,
  compareFeature,
  type DriftwatchFigures,
  type FeatureFigures,
} from './replayAgreement.js';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = Number(process.env.BENCH_ROWS ?? BENCH_PROFILE.rows);
const EVENTS = Number(process.env.BENCH_EVENTS ?? BENCH_PROFILE.events);
const PYTHON = process.env.BENCH_PYTHON ?? 'python3';
const KS_QUANTILES = process.env.BENCH_KS_QUANTILES;
const PARSERS = (process.env.BENCH_PEER_PARSERS ?? 'orjson,pyarrow').split(',').filter(Boolean);
const EVIDENTLY = process.env.BENCH_EVIDENTLY !== '0';
const EVIDENTLY_EVENTS = Number(process.env.BENCH_EVIDENTLY_EVENTS ?? 0);
const CACHE = process.env.DRIFTWATCH_CACHE ?? join(homedir(), '.cache', 'driftwatch');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const MODEL = BENCH_PROFILE.model;
/** Features compared per event: the profile's and `__prediction__`. */
const FEATURES = BENCH_PROFILE.features.length + 1;

interface Measured {
  readonly wall_seconds: number;
  readonly max_rss_bytes: number;
  readonly exit_code: number;
}

/** The data of these sizes, generated once into the cache (keyed by the generator's source and sizes). */
function benchData(): { train: string; events: string } {
  const hash = createHash('sha256').update(JSON.stringify({ rows: ROWS, events: EVENTS }));
  for (const file of readdirSync(join(import.meta.dirname, 'gen')).sort()) {
    hash.update(readFileSync(join(import.meta.dirname, 'gen', file)));
  }
  const key = hash.digest('hex').slice(0, 16);
  const parent = join(CACHE, 'bench-replay');
  const dir = join(parent, key);
  const done = join(dir, 'DONE');
  if (!existsSync(done)) {
    // Data of an older generator or other sizes: 650 MB each, so keep only the current one.
    if (existsSync(parent)) {
      for (const old of readdirSync(parent)) {
        if (/^[0-9a-f]{16}$/.test(old)) rmSync(join(parent, old), { recursive: true, force: true });
      }
    }
    console.log(`generating ${ROWS} training rows and ${EVENTS} events into ${dir} ...`);
    const t = performance.now();
    generateReplayData(BENCH_PROFILE, dir, { rows: ROWS, events: EVENTS });
    writeFileSync(done, JSON.stringify({ rows: ROWS, events: EVENTS }) + '\n');
    console.log(`  done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return { train: join(dir, 'train.csv'), events: join(dir, 'events.jsonl') };
}

/** Why driftwatch cannot run its side, or null when `baseline build` and `replay` both exist. */
function driftwatchMissing(): string | null {
  if (!existsSync(CLI)) return `${CLI} does not exist: run \`npm run build\` first`;
  for (const command of [['baseline', 'build'], ['replay']]) {
    const name = `driftwatch ${command.join(' ')}`;
    try {
      // commander answers an unknown command's --help with the top-level help and exit code 0,
      // so the usage line is what tells whether the command exists.
      const help = execFileSync(process.execPath, [CLI, ...command, '--help'], {
        stdio: 'pipe',
        encoding: 'utf8',
      });
      if (!help.includes(`Usage: ${name} `)) return `\`${name}\` is not a command of ${CLI} yet`;
    } catch (error) {
      const detail = ((error as { stderr?: string }).stderr ?? '').trim().split('\n')[0] ?? '';
      return `\`${name}\` is not available in ${CLI} (${detail || (error as Error).message.split('\n')[0]})`;
    }
  }
  return null;
}

/** Runs a command under bench/peer/measure.py; throws with the end of its output when it fails. */
function measure(label: string, log: string, command: string[]): Measured {
  const out = execFileSync(
    PYTHON,
    [join(ROOT, 'bench', 'peer', 'measure.py'), '--log', log, '--', ...command],
    {
      encoding: 'utf8',
    },
  );
  const result = JSON.parse(out.trim().split('\n').pop() as string) as Measured;
  if (result.exit_code !== 0) {
    const tail = readFileSync(log, 'utf8').trim().split('\n').slice(-15).join('\n');
    throw new Error(`${label} exited with code ${result.exit_code}; end of ${log}:\n${tail}`);
  }
  return result;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const MiB = 1024 * 1024;

function row(name: string, runs: readonly Measured[], values: number, note = ''): string {
  const wall = median(runs.map((r) => r.wall_seconds));
  const rss = median(runs.map((r) => r.max_rss_bytes));
  return `${name.padEnd(34)} ${wall.toFixed(2).padStart(8)} s ${(values / wall / 1e6).toFixed(2).padStart(9)} M/s ${(rss / MiB).toFixed(0).padStart(8)} MiB  ${note}`;
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'driftwatch-bench-replay-'));
  const data = benchData();
  const missing = driftwatchMissing();
  if (missing !== null) {
    console.error(`\ndriftwatch side skipped: ${missing}\n`);
    process.exitCode = 1;
  }

  const baseline = join(work, 'baseline.json');
  let build: Measured | null = null;
  if (missing === null) {
    build = measure('driftwatch baseline build', join(work, 'baseline-build.log'), [
      process.execPath,
      CLI,
      'baseline',
      'build',
      '--model',
      MODEL,
      '--input',
      data.train,
      '--out',
      baseline,
      '--prediction-column',
      'score',
      ...(KS_QUANTILES === undefined ? [] : ['--ks-quantiles', KS_QUANTILES]),
      '--quiet',
    ]);
  }

  const ours: Measured[] = [];
  const peers = new Map<string, Measured[]>(PARSERS.map((p) => [p, []]));
  for (let run = 1; run <= RUNS; run++) {
    if (missing === null) {
      const report = join(work, `report-${run}.json`);
      const m = measure('driftwatch replay', join(work, `replay-${run}.log`), [
        process.execPath,
        CLI,
        'replay',
        '--baseline',
        baseline,
        '--input',
        data.events,
        '--json',
        report,
        '--quiet',
      ]);
      ours.push(m);
      console.log(
        `run ${run}: driftwatch replay ${m.wall_seconds.toFixed(2)} s, ${(m.max_rss_bytes / MiB).toFixed(0)} MiB`,
      );
    }
    for (const parser of PARSERS) {
      const m = measure(`numpy/scipy peer (${parser})`, join(work, `peer-${parser}-${run}.log`), [
        PYTHON,
        join(ROOT, 'bench', 'peer', 'replay_peer.py'),
        '--model',
        MODEL,
        '--train',
        data.train,
        '--events',
        data.events,
        '--out',
        join(work, `peer-${parser}-${run}.json`),
        '--parser',
        parser,
      ]);
      peers.get(parser)!.push(m);
      console.log(
        `run ${run}: numpy/scipy (${parser}) ${m.wall_seconds.toFixed(2)} s, ${(m.max_rss_bytes / MiB).toFixed(0)} MiB`,
      );
    }
  }

  const evidently = EVIDENTLY ? runEvidently(work, data) : null;

  const values = EVENTS * FEATURES;
  console.log(
    `\nreplay of ${EVENTS} events x ${FEATURES} features (${BENCH_PROFILE.features.length} + __prediction__) ` +
      `against a ${ROWS}-row training file; median of ${RUNS} runs; throughput in event-feature values per second`,
  );
  console.log(
    `${''.padEnd(34)} ${'wall'.padStart(10)} ${'throughput'.padStart(13)} ${'peak RSS'.padStart(12)}`,
  );
  if (ours.length > 0) console.log(row('driftwatch replay', ours, values));
  for (const [parser, runs] of peers)
    console.log(row(`numpy/scipy (${parser})`, runs, values, phases(work, parser)));
  if (evidently !== null) console.log(evidently);
  if (build !== null)
    console.log(row('driftwatch baseline build', [build], ROWS * FEATURES, '(once; training values/s)'));

  if (ours.length > 0) {
    const ourWall = median(ours.map((r) => r.wall_seconds));
    const ourRss = median(ours.map((r) => r.max_rss_bytes));
    console.log('');
    for (const [parser, runs] of peers) {
      const wall = median(runs.map((r) => r.wall_seconds));
      const rss = median(runs.map((r) => r.max_rss_bytes));
      console.log(
        `driftwatch / numpy/scipy (${parser}): time ${(ourWall / wall).toFixed(3)} (target < 1: ${ourWall < wall ? 'met' : 'NOT met'}), ` +
          `peak memory ${(ourRss / rss).toFixed(3)} (target <= 0.25: ${ourRss <= rss / 4 ? 'met' : 'NOT met'})`,
      );
    }
    agreement(work);
  }
  console.log(`\nfiles of this run (baseline, reports, peer outputs, logs): ${work}`);
}

/** The peer's own phase times (median over runs), for the "where the time goes" column. */
function phases(work: string, parser: string): string {
  const timings: PeerTiming[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const path = join(work, `peer-${parser}-${run}.json`);
    if (existsSync(path)) timings.push((JSON.parse(readFileSync(path, 'utf8')) as PeerOutput).timing);
  }
  if (timings.length === 0) return '';
  const m = (key: keyof PeerTiming): string => median(timings.map((t) => t[key])).toFixed(1);
  return `(imports ${m('imports_seconds')} s, training CSV ${m('read_train_seconds')} s, events ${m('read_events_seconds')} s, statistics ${m('compute_seconds')} s)`;
}

interface PeerTiming {
  readonly imports_seconds: number;
  readonly read_train_seconds: number;
  readonly read_events_seconds: number;
  readonly compute_seconds: number;
}

interface PeerOutput {
  readonly features: readonly FeatureFigures[];
  readonly timing: PeerTiming;
  readonly versions: Readonly<Record<string, string>>;
}

function runEvidently(work: string, data: { train: string; events: string }): string {
  try {
    execFileSync(PYTHON, ['-c', 'import evidently'], { stdio: 'pipe' });
  } catch (error) {
    const why = ((error as { stderr?: Buffer }).stderr?.toString() ?? '').trim().split('\n').pop();
    return `${'Evidently DataDriftPreset'.padEnd(34)} not run: evidently does not import (${why}); see ${process.env.BENCH_EVIDENTLY_LOG ?? 'bench/peer/requirements-evidently.txt'}`;
  }
  const out = join(work, 'evidently.json');
  try {
    const m = measure('Evidently', join(work, 'evidently.log'), [
      PYTHON,
      join(ROOT, 'bench', 'peer', 'replay_evidently.py'),
      '--model',
      MODEL,
      '--train',
      data.train,
      '--events',
      data.events,
      '--out',
      out,
      ...(EVIDENTLY_EVENTS > 0 ? ['--max-events', String(EVIDENTLY_EVENTS)] : []),
    ]);
    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      n_current: number;
      drifted_columns: { count: number } | null;
      versions: { evidently: string };
    };
    const sample = EVIDENTLY_EVENTS > 0 ? `first ${result.n_current} events only, ` : '';
    return row(
      `Evidently ${result.versions.evidently} DataDriftPreset`,
      [m],
      result.n_current * FEATURES,
      `(${sample}one run; ${result.drifted_columns?.count ?? '?'} columns drifted by its own tests)`,
    );
  } catch (error) {
    return `${'Evidently DataDriftPreset'.padEnd(34)} failed: ${(error as Error).message}`;
  }
}

/** Compares the last run's report with the last run's orjson peer (both peers give the same figures). */
function agreement(work: string): void {
  const report = JSON.parse(readFileSync(join(work, `report-${RUNS}.json`), 'utf8')) as {
    models: readonly { model: string; features: readonly DriftwatchFigures[] }[];
  };
  const parser = PARSERS[0]!;
  const peer = JSON.parse(readFileSync(join(work, `peer-${parser}-${RUNS}.json`), 'utf8')) as PeerOutput;
  const model = report.models.find((m) => m.model === MODEL);
  console.log(
    `\nagreement with numpy/scipy (${parser} peer; ${Object.entries(peer.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}):`,
  );
  if (model === undefined) {
    console.log(`  the report has no model ${MODEL}`);
    process.exitCode = 1;
    return;
  }
  const byName = new Map(model.features.map((f) => [f.feature, f]));
  const rows = [];
  for (const theirs of peer.features) {
    const mine = byName.get(theirs.feature);
    if (mine === undefined) {
      console.log(`  MISSING: the report has no feature ${theirs.feature}`);
      process.exitCode = 1;
      continue;
    }
    rows.push(compareFeature(mine, theirs));
  }
  for (const line of agreementLines(rows)) console.log(`  ${line}`);
  const problems = rows.flatMap((r) => r.problems.map((p) => `${r.feature}: ${p}`));
  if (problems.length > 0) {
    process.exitCode = 1;
    console.error(
      `\n!!! ${problems.length} disagreement(s) with scipy not explained by the documented KS bound:`,
    );
    for (const p of problems) console.error(`!!!   ${p}`);
  } else {
    console.log('  every difference is within statistics.md tolerances or the documented KS summary bound');
  }
}

try {
  main();
} catch (error) {
  console.error(`\nbench:replay stopped: ${(error as Error).message}`);
  process.exitCode = 1;
}
