/**
 * Saves the drift windows with the positions they cover, and restores them at start
 * (docs/checkpoints.md). Between the daemon's state (DriftState) and a CheckpointStore (a file
 * now; a compacted Kafka topic is the planned other store).
 */
import type { Logger } from 'pino';

import { CHECKPOINT_VERSION, type Checkpoint } from '../checkpoint/format.js';
import { restoreWindows } from '../checkpoint/restore.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { DriftSource } from './models.js';
import type { DriftState, Position, WindowKey } from './driftState.js';
import type { ModelWindow } from '../windows/modelWindow.js';
import { ServingWindow } from '../windows/servingWindow.js';

export interface CheckpointerOptions {
  readonly store: CheckpointStore;
  readonly logger: Logger;
  readonly count: (outcome: 'ok' | 'failed', atMs: number) => void;
}

export class Checkpointer {
  constructor(private readonly options: CheckpointerOptions) {}

  /**
   * Saves `state` as it is now: the windows and positions are copied synchronously, so batches
   * consumed while the file is written do not mix in. Never throws: a failed save is logged and
   * counted, and the next step tries again.
   */
  async save(state: DriftState, now: number): Promise<void> {
    const checkpoint: Checkpoint = {
      version: CHECKPOINT_VERSION,
      createdAt: now,
      positions: state.coveredPositions(),
      windows: state.windows().map(({ key, window }) => ({
        model: key.model,
        source: key.source,
        topic: key.topic,
        partition: key.partition,
        state: window.exportState(),
      })),
      serving: state.servingWindows().map(({ model, topic, partition, window }) => ({
        model,
        topic,
        partition,
        state: window.exportState(),
      })),
    };
    try {
      await this.options.store.save(checkpoint);
      this.options.count('ok', now);
    } catch (error) {
      this.options.count('failed', now);
      this.options.logger.error({ err: error }, 'could not save the checkpoint; retrying at the next step');
    }
  }

  /**
   * Restores the last checkpoint into `state` and returns the positions to resume from. A corrupt
   * checkpoint is set aside by the store and reported; windows that no longer fit (model gone,
   * new baseline, new window) are dropped and reported. Never throws.
   */
  async restore(state: DriftState): Promise<Position[]> {
    const { logger } = this.options;
    let loaded;
    try {
      loaded = await this.options.store.load();
    } catch (error) {
      logger.error({ err: error }, 'could not read the checkpoint; starting with empty windows');
      return [];
    }
    if (loaded.status === 'none') {
      logger.info('no checkpoint; starting with empty windows');
      return [];
    }
    if (loaded.status === 'set_aside') {
      logger.error(
        { reason: loaded.reason, movedTo: loaded.movedTo },
        'the checkpoint is unusable and was set aside; starting with empty windows',
      );
      return [];
    }
    const models = new Map(state.driftModels.map((m) => [m.name, { baseline: m.baseline, spec: m.spec }]));
    const restored = restoreWindows(loaded.checkpoint, models);
    for (const d of restored.dropped) {
      logger.warn(d, 'a checkpointed window does not fit the current configuration; dropped');
    }
    const windows: { key: WindowKey; window: ModelWindow }[] = [];
    for (const w of loaded.checkpoint.windows) {
      const window = restored.windows.get(`${w.model}\u0000${w.source}\u0000${w.topic}\u0000${w.partition}`);
      if (window === undefined) continue;
      windows.push({
        key: { model: w.model, source: w.source as DriftSource, topic: w.topic, partition: w.partition },
        window,
      });
    }
    const positions = [...restored.positions];
    state.restore(windows, positions);
    let servingRestored = 0;
    for (const s of loaded.checkpoint.serving ?? []) {
      const model = models.get(s.model);
      if (model === undefined) continue;
      try {
        state.restoreServing(s.model, s.topic, s.partition, ServingWindow.fromState(model.spec, s.state));
        servingRestored++;
      } catch (error) {
        logger.warn(
          { model: s.model, topic: s.topic, partition: s.partition, reason: (error as Error).message },
          'a checkpointed serving window does not fit the current configuration; dropped',
        );
      }
    }
    logger.info(
      {
        windows: windows.length,
        serving: servingRestored,
        positions: positions.length,
        savedAt: new Date(loaded.checkpoint.createdAt),
      },
      'restored the windows from the checkpoint',
    );
    return positions;
  }
}
