/**
 * The offline twin of the daemon: decodes lines of events with the daemon's decoder, counts
 * them into the daemon's windows, and evaluates them with the daemon's evaluator, so that a
 * release gate sees the numbers the daemon would show. No I/O and no clock: the caller reads
 * the file (sources/file/lineReader.ts), hands over each line, and passes the times in.
 */

import type { Baseline } from '../baseline/format.js';
import { decodeRecord, type DecodeOptions } from '../decode/decodeEvent.js';
import { REJECT_REASONS, type RejectReason } from '../decode/reasons.js';
import type { EventKind } from '../decode/record.js';
import { evaluateModel } from '../evaluate/evaluateModel.js';
import type { DriftThresholds, ModelEvaluation } from '../evaluate/types.js';
import type { Line } from '../sources/file/lineReader.js';
import { REPORT_VERSION, type ReplayReport, type ReportThresholds } from '../report/types.js';
import type { KsMethodOption } from '../stats/ksTwoSample.js';
import { ModelWindow } from '../windows/modelWindow.js';

/** One model to replay: its baseline and its verdict rules. */
export interface ReplayModel {
  readonly baseline: Baseline;
  readonly thresholds: DriftThresholds;
}

/** The daemon's sliding window, replayed by event time; null in `ReplayOptions` = the whole file. */
export interface ReplayWindow {
  readonly windowMs: number;
  readonly stepMs: number;
  /** As the daemon's `allowed_lateness`: an event further behind the model's newest one is late. */
  readonly allowedLatenessMs: number;
}

export interface ReplayOptions {
  readonly models: readonly ReplayModel[];
  /** What the lines are: prediction events or feature events. */
  readonly source: 'predictions' | 'features';
  readonly window: ReplayWindow | null;
  readonly maxEventBytes: number;
  readonly maxFeaturesPerEvent: number;
  /** The event time of events without `ts` (a file has no record timestamps): the replay's start. */
  readonly fallbackTs: number;
  /** The events file as named in the report. */
  readonly file: string;
  readonly version: string;
  /** The KS p-value method: 'auto' (scipy's choice) for a release gate, 'auto-bounded' as the daemon. */
  readonly ksMethod: KsMethodOption;
}

/** The report's rules, from the runtime ones. */
export function reportThresholds(t: DriftThresholds): ReportThresholds {
  return {
    psi: t.psi,
    p_value: t.pValue,
    correction: t.correction,
    min_ks_statistic: t.minKsStatistic,
    min_js_distance: t.minJsDistance,
    min_samples: t.minSamples,
  };
}

interface ModelState {
  readonly model: ReplayModel;
  readonly window: ModelWindow;
  /** The model's newest event time, for the allowed lateness (window mode). */
  newestTs: number;
}

/**
 * Accumulates the lines of one events file; `report()` evaluates the windows. Callers: the
 * `replay` command, and tests with lines built in memory. Not reusable across files.
 */
export class Replay {
  private readonly options: ReplayOptions;
  private readonly kind: EventKind;
  private readonly decodeOptions: DecodeOptions;
  private readonly states = new Map<string, ModelState>();
  private readonly rejected = new Map<RejectReason, number>();
  private lines = 0;
  private accepted = 0;
  private late = 0;
  private firstTs: number | null = null;
  private lastTs: number | null = null;
  /** The newest step seen (event time), for the window's end. */
  private newestStep = Number.NEGATIVE_INFINITY;

  constructor(options: ReplayOptions) {
    if (options.window !== null) {
      const { windowMs, stepMs } = options.window;
      if (!(stepMs > 0) || !(windowMs >= stepMs) || windowMs % stepMs !== 0) {
        throw new RangeError(`window ${windowMs} ms is not a whole number of steps of ${stepMs} ms`);
      }
    }
    this.options = options;
    this.kind = options.source === 'predictions' ? 'prediction' : 'feature';
    for (const model of options.models) {
      const name = model.baseline.model;
      if (this.states.has(name)) throw new RangeError(`two baselines for model ${name}`);
      const spec =
        options.window === null
          ? { stepMs: null, steps: 1 }
          : { stepMs: options.window.stepMs, steps: options.window.windowMs / options.window.stepMs };
      this.states.set(name, {
        model,
        window: new ModelWindow(model.baseline, spec),
        newestTs: Number.NEGATIVE_INFINITY,
      });
    }
    this.decodeOptions = {
      models: new Set(this.states.keys()),
      maxEventBytes: options.maxEventBytes,
      maxFeaturesPerEvent: options.maxFeaturesPerEvent,
    };
  }

  /** Counts one line: blank lines are skipped, bad ones counted by the daemon's reasons. */
  line(line: Line): void {
    if (line.tooLong) {
      this.lines += 1;
      this.reject('too_large');
      return;
    }
    if (isBlank(line.value)) return;
    this.lines += 1;
    const result = decodeRecord(
      {
        topic: this.options.file,
        partition: 0,
        offset: String(line.lineNumber),
        key: null,
        value: line.value,
        headers: {},
        timestamp: this.options.fallbackTs,
      },
      this.kind,
      this.decodeOptions,
    );
    if (!result.ok) {
      this.reject(result.reason);
      return;
    }
    const event = result.event;
    const state = this.states.get(event.model)!; // decode only accepts configured models
    const window = this.options.window;
    // The daemon's event-time rule (drift/driftState.ts): too far behind the model's newest event is late.
    if (window !== null && event.ts < state.newestTs - window.allowedLatenessMs) {
      this.late += 1;
      return;
    }
    const step = window === null ? 0 : Math.floor(event.ts / window.stepMs);
    const prediction = event.kind === 'prediction' ? event.prediction : undefined;
    if (state.window.observe(event.features, prediction, step) === 'late') {
      this.late += 1;
      return;
    }
    this.accepted += 1;
    if (event.ts > state.newestTs) state.newestTs = event.ts;
    if (step > this.newestStep) this.newestStep = step;
    if (this.firstTs === null || event.ts < this.firstTs) this.firstTs = event.ts;
    if (this.lastTs === null || event.ts > this.lastTs) this.lastTs = event.ts;
  }

  /** Lines counted so far (blank lines excluded). */
  get linesRead(): number {
    return this.lines;
  }

  /** Evaluates every model's window as it stands. `generatedAt` is the report's time stamp. */
  report(generatedAt: Date): ReplayReport {
    const window = this.options.window;
    const models: ModelEvaluation[] = [];
    const thresholds: Record<string, ReportThresholds> = {};
    for (const [name, state] of this.states) {
      let windowStart: number | null = null;
      let windowEnd: number | null = null;
      if (window !== null && Number.isFinite(this.newestStep)) {
        // Every model's window ends where the file's newest event is, as one daemon clock would.
        windowEnd = (this.newestStep + 1) * window.stepMs;
        windowStart = windowEnd - window.windowMs;
        state.window.advanceTo(this.newestStep);
      }
      models.push(
        evaluateModel(state.model.baseline, state.window.snapshot(), state.model.thresholds, {
          source: this.options.source,
          windowStart,
          windowEnd,
          ksMethod: this.options.ksMethod,
        }),
      );
      thresholds[name] = reportThresholds(state.model.thresholds);
    }
    const rejectedByReason: Record<string, number> = {};
    let rejected = 0;
    for (const reason of REJECT_REASONS) {
      const count = this.rejected.get(reason);
      if (count === undefined) continue;
      rejectedByReason[reason] = count;
      rejected += count;
    }
    return {
      report_version: REPORT_VERSION,
      driftwatch_version: this.options.version,
      generated_at: generatedAt.toISOString(),
      input: {
        file: this.options.file,
        lines: this.lines,
        accepted: this.accepted,
        rejected,
        rejected_by_reason: rejectedByReason,
        late: this.late,
        first_event_ts: this.firstTs,
        last_event_ts: this.lastTs,
      },
      window: {
        window_ms: window?.windowMs ?? null,
        step_ms: window?.stepMs ?? null,
      },
      thresholds,
      models,
      drift: models.some((m) => m.drift),
    };
  }

  private reject(reason: RejectReason): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }
}

/** Spaces, tabs and a lone CR only: not a record (a trailing newline, a blank separator). */
function isBlank(value: Buffer): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
