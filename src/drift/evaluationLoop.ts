/**
 * Evaluates every model at each of its step boundaries and hands the results to the sinks
 * (Prometheus gauges, the status API, InfluxDB) and then to `afterRound` (the checkpoint).
 *
 * - Never overlapping: one round at a time; a boundary passed while a round runs is not
 *   stacked but taken by the next round, and counted as an overrun.
 * - Never a long stall: the loop yields to the event loop between models, so consumption and
 *   scrapes go on during a round of many models.
 * - Each round publishes the latest evaluation of every model, so a sink can treat a round as
 *   the whole picture (and drop the series of models that are gone).
 */
import type { Logger } from 'pino';

import type { ModelEvaluation } from '../evaluate/types.js';
import type { Lifecycle } from '../pipeline/stage.js';
import type { DriftState } from './driftState.js';

/** What a round hands the sinks: the latest evaluation of every model and source. */
export interface EvaluationRound {
  /** Epoch ms the round ran at. */
  readonly evaluatedAt: number;
  readonly evaluations: readonly ModelEvaluation[];
}

export interface EvaluationSink {
  /** Takes a round; must not throw (a sink that fails logs and counts on its own). */
  publish(round: EvaluationRound): void;
}

export interface EvaluationLoopOptions {
  /** The current state: reload swaps it between rounds. */
  readonly state: () => DriftState;
  readonly sinks: readonly EvaluationSink[];
  /** After the sinks, awaited before the next round (the checkpoint). */
  readonly afterRound?: (round: EvaluationRound) => Promise<void>;
  readonly observeDuration: (seconds: number) => void;
  /** Takes the data-quality issues counted since the last round (the issue counters). */
  readonly countIssues?: (issues: ReturnType<DriftState['drainIssues']>) => void;
  readonly countOverrun: () => void;
  readonly logger: Logger;
  readonly clock?: () => number;
}

/** A little past the boundary, so the events consumed at the boundary are in the step they belong to. */
const AFTER_BOUNDARY_MS = 50;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class EvaluationLoop implements Lifecycle {
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** model -> the step last evaluated. */
  private readonly evaluatedStep = new Map<string, number>();
  /** `model\0source` -> its latest evaluation. */
  private readonly latest = new Map<string, ModelEvaluation>();

  constructor(private readonly options: EvaluationLoopOptions) {
    this.clock = options.clock ?? Date.now;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.schedule();
  }

  /** Stops scheduling and waits for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * Evaluates now every model whose step boundary has passed (all of them with `all`), then
   * publishes. Used by the schedule, by reload (all) and by tests.
   */
  async runRound(all = false): Promise<EvaluationRound> {
    while (this.running !== null) await this.running;
    let release!: () => void;
    this.running = new Promise((resolve) => (release = resolve));
    try {
      return await this.round(all);
    } finally {
      this.running = null;
      release();
    }
  }

  /** Forgets the evaluations of models that are gone (after a reload). */
  retain(models: ReadonlySet<string>): void {
    for (const [key, evaluation] of this.latest) if (!models.has(evaluation.model)) this.latest.delete(key);
    for (const model of this.evaluatedStep.keys()) if (!models.has(model)) this.evaluatedStep.delete(model);
  }

  private async round(all: boolean): Promise<EvaluationRound> {
    const started = performance.now();
    const state = this.options.state();
    const now = this.clock();
    for (const model of state.driftModels) {
      const step = Math.floor(now / model.stepMs);
      if (!all && (this.evaluatedStep.get(model.name) ?? Number.NEGATIVE_INFINITY) >= step) continue;
      for (const evaluation of state.evaluate(model.name, now)) {
        this.latest.set(`${evaluation.model}\u0000${evaluation.source}`, evaluation);
      }
      this.evaluatedStep.set(model.name, step);
      await yieldToEventLoop();
    }
    this.options.countIssues?.(state.drainIssues());
    const round: EvaluationRound = { evaluatedAt: now, evaluations: [...this.latest.values()] };
    for (const sink of this.options.sinks) sink.publish(round);
    this.options.observeDuration((performance.now() - started) / 1000);
    if (this.options.afterRound !== undefined) await this.options.afterRound(round);
    return round;
  }

  private schedule(): void {
    if (this.stopped) return;
    const models = this.options.state().driftModels;
    if (models.length === 0) {
      // Nothing to evaluate until a reload brings a model: look again in a while.
      this.timer = setTimeout(() => this.schedule(), 10_000);
      this.timer.unref();
      return;
    }
    const now = this.clock();
    const next = Math.min(...models.map((m) => (Math.floor(now / m.stepMs) + 1) * m.stepMs));
    this.timer = setTimeout(() => void this.tick(), Math.max(0, next - now) + AFTER_BOUNDARY_MS);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    const boundary = this.clock();
    try {
      await this.runRound();
    } catch (error) {
      this.options.logger.error({ err: error }, 'evaluation failed');
    }
    // A round that outlasted a step boundary: that boundary's round is this one, not a second one.
    const models = this.options.state().driftModels;
    const now = this.clock();
    if (models.some((m) => Math.floor(now / m.stepMs) > Math.floor(boundary / m.stepMs))) {
      this.options.countOverrun();
      this.options.logger.warn(
        { durationMs: now - boundary },
        'an evaluation round outlasted a step; the next round takes the missed boundary',
      );
    }
    this.schedule();
  }
}
