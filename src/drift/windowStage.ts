/**
 * The stage that counts decoded events into the drift windows. Synchronous inside: a batch is in
 * the windows, with its position, before `consume` resolves, so the source commits only what the
 * windows hold (and a checkpoint taken between batches is consistent).
 */
import type { DriftEvent } from '../decode/event.js';
import type { BatchConsumer, BatchOrigin } from '../pipeline/stage.js';
import type { DriftState } from './driftState.js';

export interface WindowStageOptions {
  /** The current state: reload swaps it between batches. */
  readonly state: () => DriftState;
  readonly countLate: (model: string, n: number) => void;
  readonly clock?: () => number;
}

export class WindowStage implements BatchConsumer<DriftEvent> {
  private readonly clock: () => number;

  constructor(private readonly options: WindowStageOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async consume(events: readonly DriftEvent[], origin?: BatchOrigin): Promise<void> {
    const { late } = this.options.state().observe(events, origin, this.clock());
    for (const [model, n] of late) this.options.countLate(model, n);
  }
}
