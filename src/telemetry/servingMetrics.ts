/**
 * The serving-metrics stage: turns decoded events into the per-model counters and
 * histograms of PRODUCT.md §5. Per-event work is kept to a map lookup and a few additions:
 * counters are tallied per batch and applied once per series (prom-client hashes the label
 * set on every call), and histograms are observed through handles kept per series.
 */
import type { DriftEvent, PredictionEvent } from '../decode/event.js';
import type { BatchConsumer } from '../pipeline/stage.js';
import { BoundedLabel } from './boundedLabel.js';
import type { Metrics } from './metrics.js';
import type { HistogramSeries } from './seriesHistogram.js';

export interface ServingMetricsOptions {
  readonly maxVersionsPerModel: number;
  readonly maxErrorClassesPerModel: number;
}

/** The error label of an event with status "error" and no error class. */
export const UNSPECIFIED_ERROR = 'unspecified';

/** One (model, model_version) series: its histogram handles and this batch's tallies. */
interface Series {
  readonly labels: { readonly model: string; readonly model_version: string };
  readonly latency: HistogramSeries;
  readonly score: HistogramSeries;
  ok: number;
  errors: number;
  cost: number;
  costed: number;
  success: number;
  readonly errorClasses: Map<string, number>;
}

export class ServingMetrics implements BatchConsumer<DriftEvent> {
  private readonly versions: BoundedLabel;
  private readonly errorClasses: BoundedLabel;
  /** Bounded by models x limits.max_versions_per_model. */
  private readonly series = new Map<string, Series>();
  private readonly newestTs = new Map<string, number>();

  constructor(
    private readonly metrics: Metrics,
    options: ServingMetricsOptions,
  ) {
    this.versions = new BoundedLabel(options.maxVersionsPerModel);
    this.errorClasses = new BoundedLabel(options.maxErrorClassesPerModel);
  }

  async consume(events: readonly DriftEvent[]): Promise<void> {
    const touched = new Set<Series>();
    const featureEvents = new Map<string, number>();
    const models = new Set<string>();
    for (const event of events) {
      const previous = this.newestTs.get(event.model);
      if (previous === undefined || event.ts > previous) this.newestTs.set(event.model, event.ts);
      models.add(event.model);
      if (event.kind === 'feature') {
        featureEvents.set(event.model, (featureEvents.get(event.model) ?? 0) + 1);
      } else {
        const series = this.seriesOf(event);
        touched.add(series);
        this.tally(series, event);
      }
    }
    this.apply(touched, featureEvents, models);
  }

  private seriesOf(event: PredictionEvent): Series {
    const version = this.versions.value(event.model, event.modelVersion);
    const key = `${event.model}\u0000${version}`;
    let series = this.series.get(key);
    if (series === undefined) {
      const labels = { model: event.model, model_version: version };
      series = {
        labels,
        latency: this.metrics.latency.labels(labels),
        score: this.metrics.score.labels(labels),
        ok: 0,
        errors: 0,
        cost: 0,
        costed: 0,
        success: 0,
        errorClasses: new Map(),
      };
      this.series.set(key, series);
    }
    return series;
  }

  private tally(series: Series, event: PredictionEvent): void {
    if (event.status === 'ok') {
      series.ok++;
    } else {
      series.errors++;
      const errorClass = this.errorClasses.value(event.model, event.error ?? UNSPECIFIED_ERROR);
      series.errorClasses.set(errorClass, (series.errorClasses.get(errorClass) ?? 0) + 1);
    }
    if (event.cost !== null) {
      series.cost += event.cost;
      series.costed++;
    }
    if (event.success) series.success++;
    if (event.latencyMs !== null) series.latency.observe(event.latencyMs / 1000);
    const score = event.prediction?.score;
    if (score !== undefined && score !== null && Number.isFinite(score)) series.score.observe(score);
  }

  private apply(touched: Set<Series>, featureEvents: Map<string, number>, models: Set<string>): void {
    const m = this.metrics;
    for (const s of touched) {
      // Both status series are touched so that an error ratio has a denominator from the start.
      m.predictions.inc({ ...s.labels, status: 'ok' }, s.ok);
      m.predictions.inc({ ...s.labels, status: 'error' }, s.errors);
      for (const [error, n] of s.errorClasses) m.predictionErrors.inc({ ...s.labels, error }, n);
      m.cost.inc(s.labels, s.cost);
      m.costed.inc(s.labels, s.costed);
      m.taskSuccess.inc(s.labels, s.success);
      s.ok = s.errors = s.cost = s.costed = s.success = 0;
      s.errorClasses.clear();
    }
    for (const [model, n] of featureEvents) m.featureEvents.inc({ model }, n);
    for (const model of models)
      m.lastEventTimestamp.set({ model }, (this.newestTs.get(model) as number) / 1000);
  }
}
