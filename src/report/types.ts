/**
 * The drift report of `driftwatch replay` (docs/replay.md): written as JSON with `--json`, rendered
 * as HTML with `--html`. Field names are the report's own (snake_case); the per-model entries are
 * the evaluator's `ModelEvaluation`s unchanged, so replay and the daemon's status API agree.
 */

import type { Correction, ModelEvaluation } from '../evaluate/types.js';

/** Bumped on any incompatible change of the report's shape. */
export const REPORT_VERSION = 1;

/** What was read from the events file and what became of it. */
export interface ReportInput {
  /** The events file as given (`-` for standard input). */
  readonly file: string;
  /** Lines read, blank lines excluded. */
  readonly lines: number;
  /** Events decoded and counted into a window. */
  readonly accepted: number;
  /** Lines rejected as the daemon rejects records, by the daemon's reasons (`docs/events.md`). */
  readonly rejected: number;
  readonly rejected_by_reason: Readonly<Record<string, number>>;
  /** Events older than the window when they arrived (event time with a window only). */
  readonly late: number;
  /** Event time of the first and last accepted event, epoch ms; null when none was accepted. */
  readonly first_event_ts: number | null;
  readonly last_event_ts: number | null;
}

/** The window replayed: the whole file, or the daemon's sliding window ending at the last event. */
export interface ReportWindow {
  /** Null: every event of the file is in the window. */
  readonly window_ms: number | null;
  readonly step_ms: number | null;
}

/** A model's `DriftThresholds`, as the report spells them. */
export interface ReportThresholds {
  readonly psi: number;
  readonly p_value: number;
  readonly correction: Correction;
  readonly min_ks_statistic: number;
  readonly min_js_distance: number;
  readonly min_samples: number;
}

export interface ReplayReport {
  readonly report_version: typeof REPORT_VERSION;
  /** driftwatch's version. */
  readonly driftwatch_version: string;
  /** RFC 3339 time the report was made. */
  readonly generated_at: string;
  readonly input: ReportInput;
  readonly window: ReportWindow;
  /** Thresholds per model name. */
  readonly thresholds: Readonly<Record<string, ReportThresholds>>;
  /** One entry per baseline (model) and source. */
  readonly models: readonly ModelEvaluation[];
  /** True when any feature of any model drifted: what `--fail-on-drift` turns into exit code 1. */
  readonly drift: boolean;
}
