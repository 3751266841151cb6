/**
 * The serving-metrics stage: turns decoded events into the per-model counters and
 * histograms of PRODUCT.md §5. Counters are tallied per batch and applied once per series,
 * which keeps prom-client's per-call label hashing off the per-event path; histograms are
 * observed per event since prom-client has no bulk observe.
 */
import type { DriftEvent, PredictionEvent } from '../decode/event.js';
import type { BatchConsumer } from '../pipeline/stage.js';
import { BoundedLabel } from './boundedLabel.js';
import type { Metrics } from './metrics.js';

export interface ServingMetricsOptions {
  readonly maxVersionsPerModel: number;
  readonly maxErrorClassesPerModel: number;
}

/** The error label of an event with status "error" and no error class. */
export const UNSPECIFIED_ERROR = 'unspecified';

interface SeriesTally {
  model: string;
  version: string;
  ok: number;
  errors: number;
  cost: number;
  costed: number;
  success: number;
  errorClasses: Map<string, number>;
}

export class ServingMetrics implements BatchConsumer<DriftEvent> {
  private readonly versions: BoundedLabel;
  private readonly errorClasses: BoundedLabel;
  private readonly newestTs = new Map<string, number>();

  constructor(
    private readonly metrics: Metrics,
    options: ServingMetricsOptions,
  ) {
    this.versions = new BoundedLabel(options.maxVersionsPerModel);
    this.errorClasses = new BoundedLabel(options.maxErrorClassesPerModel);
  }

  async consume(events: readonly DriftEvent[]): Promise<void> {
    const tallies = new Map<string, SeriesTally>();
    const featureEvents = new Map<string, number>();
    for (const event of events) {
      const previous = this.newestTs.get(event.model);
      if (previous === undefined || event.ts > previous) this.newestTs.set(event.model, event.ts);
      if (event.kind === 'feature') {
        featureEvents.set(event.model, (featureEvents.get(event.model) ?? 0) + 1);
      } else {
        this.tallyPrediction(event, tallies);
      }
    }
    this.apply(tallies, featureEvents);
  }

  private tallyPrediction(event: PredictionEvent, tallies: Map<string, SeriesTally>): void {
    const version = this.versions.value(event.model, event.modelVersion);
    const key = `${event.model}\u0000${version}`;
    let tally = tallies.get(key);
    if (tally === undefined) {
      tally = {
        model: event.model,
        version,
        ok: 0,
        errors: 0,
        cost: 0,
        costed: 0,
        success: 0,
        errorClasses: new Map(),
      };
      tallies.set(key, tally);
    }
    if (event.status === 'ok') {
      tally.ok++;
    } else {
      tally.errors++;
      const errorClass = this.errorClasses.value(event.model, event.error ?? UNSPECIFIED_ERROR);
      tally.errorClasses.set(errorClass, (tally.errorClasses.get(errorClass) ?? 0) + 1);
    }
    if (event.cost !== null) {
      tally.cost += event.cost;
      tally.costed++;
    }
    if (event.success) tally.success++;

    const labels = { model: event.model, model_version: version };
    if (event.latencyMs !== null) this.metrics.latency.observe(labels, event.latencyMs / 1000);
    const score = event.prediction?.score;
    if (score !== undefined && score !== null && Number.isFinite(score))
      this.metrics.score.observe(labels, score);
  }

  private apply(tallies: Map<string, SeriesTally>, featureEvents: Map<string, number>): void {
    const m = this.metrics;
    for (const t of tallies.values()) {
      const labels = { model: t.model, model_version: t.version };
      // Both status series are touched so that an error ratio has a denominator from the start.
      m.predictions.inc({ ...labels, status: 'ok' }, t.ok);
      m.predictions.inc({ ...labels, status: 'error' }, t.errors);
      for (const [error, n] of t.errorClasses) m.predictionErrors.inc({ ...labels, error }, n);
      m.cost.inc(labels, t.cost);
      m.costed.inc(labels, t.costed);
      m.taskSuccess.inc(labels, t.success);
    }
    for (const [model, n] of featureEvents) m.featureEvents.inc({ model }, n);
    for (const [model, ts] of this.newestTs) m.lastEventTimestamp.set({ model }, ts / 1000);
  }
}
