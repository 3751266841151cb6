/**
 * One checkpoint of the evaluation benchmark's windows, made as the daemon's `Checkpointer.save`
 * makes it (every window's `exportState`, then `encodeCheckpoint`), timed and measured. Both parts
 * are synchronous in the daemon, so their sum is also an event-loop stall after each round.
 *
 * Used by bench/evaluation.ts only. The checkpoint format is loaded when this runs, so that the
 * benchmark still runs (and says so) in a tree without it.
 */
import type * as CheckpointFormat from '../src/checkpoint/format.js';
import type { Position, WindowKey } from '../src/drift/driftState.js';
import type { ModelWindow } from '../src/windows/modelWindow.js';

/** What one checkpoint costs. */
export interface CheckpointFigures {
  readonly exportMs: number;
  readonly encodeMs: number;
  readonly bytes: number;
  /** Non-zero counts kept (sparse buckets), and the slots of every live bucket, for comparison. */
  readonly counts: number;
  readonly denseCounts: number;
}

/**
 * Encodes `windows` (all of a `DriftState`'s, or a part of them to bound the benchmark's memory)
 * and `positions` as a checkpoint at `now`; a message instead when the format is not there.
 */
export async function checkpointFigures(
  windows: readonly { key: WindowKey; window: ModelWindow }[],
  positions: readonly Position[],
  now: number,
): Promise<CheckpointFigures | string> {
  let format: typeof CheckpointFormat;
  try {
    format = await import('../src/checkpoint/format.js');
  } catch (error) {
    return `skipped: src/checkpoint/format.ts cannot be loaded (${(error as Error).message.split('\n')[0]})`;
  }
  let t = performance.now();
  const states = windows.map(({ key, window }) => ({
    model: key.model,
    source: key.source,
    topic: key.topic,
    partition: key.partition,
    state: window.exportState(),
  }));
  const exportMs = performance.now() - t;
  let counts = 0;
  let denseCounts = 0;
  for (const w of states) {
    for (const bucket of w.state.buckets) {
      counts += bucket.counts.length;
      denseCounts += w.state.layoutSize;
    }
  }
  t = performance.now();
  const bytes = format.encodeCheckpoint({
    version: format.CHECKPOINT_VERSION,
    createdAt: now,
    positions,
    windows: states,
  });
  const encodeMs = performance.now() - t;
  return { exportMs, encodeMs, bytes: bytes.length, counts, denseCounts };
}
