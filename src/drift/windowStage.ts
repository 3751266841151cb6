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
  /** model -> processing time (epoch ms) of its last consumed event; every model, baseline or not. */
  private readonly lastEvents = new Map<string, number>();

  constructor(private readonly options: WindowStageOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /**
   * When each model's last event was consumed (epoch ms, the stage's clock): what the alert rules'
   * `seconds_since_last_event` measures. Processing time, not event time, so that a producer with a
   * wrong clock, or a backlog of old events being caught up, does not read as a silent model. A model
   * with no event since start has no entry. The live map: read it, do not keep it across rounds.
   */
  get lastEventAt(): ReadonlyMap<string, number> {
    return this.lastEvents;
  }

  /** Forgets the last events of models not in `models`: called by reload, so a removed model is not missed. */
  retainModels(models: ReadonlySet<string>): void {
    for (const model of this.lastEvents.keys()) if (!models.has(model)) this.lastEvents.delete(model);
  }

  async consume(events: readonly DriftEvent[], origin?: BatchOrigin): Promise<void> {
    const now = this.clock();
    for (const event of events) this.lastEvents.set(event.model, now);
    const { late } = this.options.state().observe(events, origin, now);
    for (const [model, n] of late) this.options.countLate(model, n);
  }
}
