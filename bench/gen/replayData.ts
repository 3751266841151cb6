/**
 * Writes a profile's data (bench/gen/profiles.ts): a training CSV with a header (`score` last, an
 * empty cell for null) and an events file in the wire format of PRODUCT.md §2, one prediction
 * event per line, with the profile's bad lines mixed in. Deterministic: the same profile and sizes
 * give the same bytes on every machine.
 *
 * Called by bench/replay.ts (the benchmark's data, in the cache directory) and from the command
 * line to regenerate the CI fixture (test/fixtures/replay/README.md):
 *
 *   npx tsx bench/gen/replayData.ts --profile fixture --out test/fixtures/replay
 *   npx tsx bench/gen/replayData.ts --profile bench --out DIR [--rows N] [--events N]
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { PROFILES, type Profile, type Value } from './profiles.js';
import { Draw, seededUniform } from './random.js';

/** The files written and what they hold. */
export interface GeneratedData {
  readonly train: string;
  readonly events: string;
  /** Events lines in total (good and bad). */
  readonly lines: number;
  /** Good events (one per accepted line). */
  readonly goodEvents: number;
  /** Bad lines by the reason driftwatch rejects them with (docs/events.md); {} when none. */
  readonly badLines: Readonly<Record<string, number>>;
  /** 1-based line numbers of the bad lines, by reason. */
  readonly badLineNumbers: Readonly<Record<string, readonly number[]>>;
}

/** Sizes that override the profile's (the benchmark's BENCH_ROWS / BENCH_EVENTS). */
export interface GenerateOptions {
  readonly rows?: number;
  readonly events?: number;
}

/** Where the events' timestamps start; one event every 50 ms after it. */
const FIRST_EVENT_MS = Date.UTC(2026, 10, 21, 0, 0, 0);
const EVENT_INTERVAL_MS = 50;
/** Lines are written in blocks of this many, to keep both memory and system calls low. */
const BLOCK_LINES = 10_000;

/** The stream of each use, so that adding a draw to one never shifts another. */
function stream(seed: number, slot: number): Draw {
  return new Draw(seededUniform((Math.imul(seed, 0x01000193) ^ Math.imul(slot + 1, 0x9e3779b1)) >>> 0));
}

/** One row of features: the training draws or the events' (drifted) ones. */
class RowSource {
  private readonly draws: Draw[];
  private readonly scoreDraw: Draw;

  constructor(
    private readonly profile: Profile,
    private readonly phase: 'train' | 'current',
  ) {
    const base = phase === 'train' ? 0 : 1000;
    this.draws = profile.features.map((_, i) => stream(profile.seed, base + i));
    this.scoreDraw = stream(profile.seed, base + 999);
  }

  next(): { readonly row: Map<string, Value>; readonly score: number } {
    const row = new Map<string, Value>();
    this.profile.features.forEach((feature, i) => {
      const draw = this.draws[i]!;
      row.set(feature.name, this.phase === 'train' ? feature.train(draw) : feature.current(draw));
    });
    return { row, score: this.profile.score(row, this.scoreDraw) };
  }
}

function csvCell(v: Value): string {
  // Categories are plain words (no comma, quote or newline), so no quoting is needed.
  return v === null ? '' : String(v);
}

function writeTrain(profile: Profile, path: string, rows: number): void {
  const fd = openSync(path, 'w');
  try {
    const header = [...profile.features.map((f) => f.name), 'score'].join(',');
    const source = new RowSource(profile, 'train');
    let block: string[] = [header];
    for (let r = 0; r < rows; r++) {
      const { row, score } = source.next();
      block.push([...row.values(), score].map(csvCell).join(','));
      if (block.length >= BLOCK_LINES) {
        writeSync(fd, block.join('\n') + '\n');
        block = [];
      }
    }
    if (block.length > 0) writeSync(fd, block.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
}

/** The wire-format event of PRODUCT.md §2 for event number i. */
function event(
  profile: Profile,
  i: number,
  row: Map<string, Value>,
  score: number,
  envelope: Draw,
): Record<string, unknown> {
  const core = {
    model: profile.model,
    model_version: '1',
    id: `ev-${i}`,
    ts: new Date(FIRST_EVENT_MS + i * EVENT_INTERVAL_MS).toISOString(),
    features: Object.fromEntries(row),
    prediction: score,
  };
  if (profile.envelope === 'minimal') return core;
  const failed = envelope.chance(0.01);
  return {
    ...core,
    latency_ms: Math.round(envelope.lognormal(2.5, 0.5) * 10) / 10,
    status: failed ? 'error' : 'ok',
    ...(failed ? { error: 'timeout' } : {}),
    cost: 0.0004,
  };
}

/**
 * The bad lines of the fixture, four of each kind, keyed by the reason driftwatch rejects them
 * with. Built from a real event so that a line wrongly accepted would change the counts.
 */
function badLines(profile: Profile, sample: Record<string, unknown>): Record<string, string[]> {
  const json = (o: unknown): string => JSON.stringify(o);
  const { model: _model, ...withoutModel } = sample;
  const text = json(sample);
  return {
    invalid_json: [text.slice(0, Math.floor(text.length / 2)), 'not json', `{'model': '${profile.model}'}`, text.replace(/}$/, ',}')],
    not_object: ['[]', '[1,2,3]', json([profile.model]), json([sample])],
    missing_model: [json(withoutModel), json({ ...sample, model: '' }), json({ ...sample, model: null }), json({ ...withoutModel, Model: profile.model })],
    unknown_model: ['other-model', `${profile.model}-v2`, profile.model.toUpperCase(), 'bench-model-shadow'].map((m) => json({ ...sample, model: m })),
    invalid_field: ['yesterday', '2026-11-21', '21/11/2026 10:15:00', '2026-11-21 at noon'].map((ts) => json({ ...sample, ts })),
  }; // prettier-ignore
}

function writeEvents(
  profile: Profile,
  path: string,
  events: number,
): Omit<GeneratedData, 'train' | 'events'> {
  const source = new RowSource(profile, 'current');
  const envelope = stream(profile.seed, 2000);
  const bad: [string, string][] = [];
  if (profile.badLinesPerKind > 0) {
    const extra = new RowSource(profile, 'current');
    const { row, score } = extra.next();
    const kinds = Object.entries(
      badLines(profile, event(profile, events, row, score, stream(profile.seed, 2001))),
    );
    // Round-robin over the kinds, so every stretch of the file has each kind.
    for (let j = 0; j < profile.badLinesPerKind; j++) {
      for (const [reason, lines] of kinds) bad.push([reason, lines[j % lines.length]!]);
    }
  }
  const badLinesByReason: Record<string, number> = {};
  const badLineNumbers: Record<string, number[]> = {};
  // Bad line k goes after good event floor((k + 1) * events / (bad + 1)): spread evenly.
  const badAfter = bad.map((_, k) => Math.floor(((k + 1) * events) / (bad.length + 1)));
  let nextBad = 0;
  let lineNo = 0;
  const fd = openSync(path, 'w');
  try {
    let block: string[] = [];
    const push = (line: string): void => {
      block.push(line);
      lineNo++;
      if (block.length >= BLOCK_LINES) {
        writeSync(fd, block.join('\n') + '\n');
        block = [];
      }
    };
    for (let i = 0; i < events; i++) {
      const { row, score } = source.next();
      push(JSON.stringify(event(profile, i, row, score, envelope)));
      while (nextBad < bad.length && badAfter[nextBad] === i + 1) {
        const [reason, line] = bad[nextBad]!;
        push(line);
        badLinesByReason[reason] = (badLinesByReason[reason] ?? 0) + 1;
        (badLineNumbers[reason] ??= []).push(lineNo);
        nextBad++;
      }
    }
    if (block.length > 0) writeSync(fd, block.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
  return { lines: lineNo, goodEvents: events, badLines: badLinesByReason, badLineNumbers };
}

/**
 * Writes `train.csv` and `events.jsonl` of `profile` into `outDir` (created if needed) and returns
 * what they hold. Synchronous: the benchmark has nothing else to do meanwhile. About 15 s for the
 * bench profile's 1,000,000 events.
 */
export function generateReplayData(
  profile: Profile,
  outDir: string,
  options: GenerateOptions = {},
): GeneratedData {
  mkdirSync(outDir, { recursive: true });
  const train = join(outDir, 'train.csv');
  const events = join(outDir, 'events.jsonl');
  writeTrain(profile, train, options.rows ?? profile.rows);
  const written = writeEvents(profile, events, options.events ?? profile.events);
  return { train, events, ...written };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'fixture' },
      out: { type: 'string' },
      rows: { type: 'string' },
      events: { type: 'string' },
    },
  });
  const profile = PROFILES[values.profile as Profile['name']];
  if (profile === undefined || values.out === undefined) {
    console.error(
      'usage: npx tsx bench/gen/replayData.ts --profile bench|fixture --out DIR [--rows N] [--events N]',
    );
    process.exit(2);
  }
  const data = generateReplayData(profile, resolve(values.out), {
    ...(values.rows === undefined ? {} : { rows: Number(values.rows) }),
    ...(values.events === undefined ? {} : { events: Number(values.events) }),
  });
  if (profile.badLinesPerKind > 0) {
    const total = Object.values(data.badLines).reduce((a, b) => a + b, 0);
    writeFileSync(
      join(values.out, 'bad_lines.json'),
      JSON.stringify(
        {
          lines: data.lines,
          good_events: data.goodEvents,
          bad_lines: total,
          by_reason: data.badLines,
          line_numbers: data.badLineNumbers,
        },
        null,
        2,
      ) + '\n',
    );
  }
  console.log(`${data.train}\n${data.events} (${data.lines} lines)`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
