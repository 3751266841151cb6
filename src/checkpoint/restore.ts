/**
 * Turning a loaded checkpoint back into the daemon's windows (docs/checkpoints.md, "Restoring"):
 * each saved window whose model is still configured with the same baseline and window spec is
 * restored; the others are dropped, with a reason for the daemon's log, and start empty.
 *
 * The positions are returned whole, dropped windows or not: a partition's position is where the
 * daemon resumes reading it, and a partition carries the events of every model on its topic. Were
 * the daemon to rewind a partition to refill a dropped window, the windows restored from the same
 * partition would count those events twice. A dropped window is therefore exactly what a baseline
 * reload does in a running daemon: a new window that fills from the events read after the
 * checkpoint. Events after the positions are re-read whatever was dropped, which counts them once.
 *
 * Pure: no I/O, no clock.
 */

import type { Baseline } from '../baseline/format.js';
import { ModelWindow, type WindowSpec } from '../windows/modelWindow.js';
import { WindowStateError, type WindowStateProblem } from '../windows/windowState.js';
import type { Checkpoint, PartitionPosition, WindowCheckpoint } from './format.js';

/** A configured model as the daemon runs it now: its loaded baseline and its window spec. */
export interface RestoreTarget {
  readonly baseline: Baseline;
  readonly spec: WindowSpec;
}

/** A saved window that was not restored, and why. */
export interface DroppedWindow {
  readonly model: string;
  readonly source: WindowCheckpoint['source'];
  readonly topic: string;
  readonly partition: number;
  /** Bounded, for a log field or a metric label. */
  readonly problem: 'unknown_model' | WindowStateProblem;
  /** For people: what changed, e.g. "the window was counted against baseline fraud@0123..., not ...". */
  readonly reason: string;
}

/** What `restoreWindows` gives the daemon. */
export interface RestoredWindows {
  /** The restored windows by `windowKey`; the daemon creates the missing ones empty. */
  readonly windows: Map<string, ModelWindow>;
  /** The checkpoint's positions, all of them: where to seek each partition. */
  readonly positions: readonly PartitionPosition[];
  readonly dropped: readonly DroppedWindow[];
}

/**
 * The key of a window in the daemon's map: model, source, topic and partition joined by NUL, which
 * none of them holds (Kafka topic names cannot; a model name with one is not a name).
 */
export function windowKey(
  model: string,
  source: WindowCheckpoint['source'],
  topic: string,
  partition: number,
): string {
  return `${model}\0${source}\0${topic}\0${partition}`;
}

/**
 * The windows of `checkpoint` restored against the models configured now (by model name), and the
 * checkpoint's positions. Called by the daemon on start, after `load` and before it seeks its
 * partitions; the daemon then ticks each window to the current step (`advanceTo`), which expires
 * what fell out of the window while it was down. Neither input is changed. O(slots kept) plus one
 * window allocation per restored window.
 */
export function restoreWindows(
  checkpoint: Checkpoint,
  models: ReadonlyMap<string, RestoreTarget>,
): RestoredWindows {
  const windows = new Map<string, ModelWindow>();
  const dropped: DroppedWindow[] = [];
  for (const w of checkpoint.windows) {
    const where = { model: w.model, source: w.source, topic: w.topic, partition: w.partition };
    const target = models.get(w.model);
    if (target === undefined) {
      dropped.push({
        ...where,
        problem: 'unknown_model',
        reason: `model ${w.model} is no longer configured`,
      });
      continue;
    }
    try {
      windows.set(
        windowKey(w.model, w.source, w.topic, w.partition),
        ModelWindow.fromState(target.baseline, target.spec, w.state),
      );
    } catch (error) {
      if (!(error instanceof WindowStateError)) throw error;
      dropped.push({ ...where, problem: error.problem, reason: error.message });
    }
  }
  return { windows, positions: checkpoint.positions, dropped };
}
