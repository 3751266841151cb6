/**
 * The drift metrics of PRODUCT.md §5: one gauge per statistic and feature, set from each
 * evaluation round, plus the counters and histogram of the evaluation loop around them.
 *
 * A gauge must never show a value the last round did not produce: a statistic that is null
 * in the round (insufficient data, chi-square not applicable) and a feature or model that is
 * no longer evaluated lose their series instead of keeping a stale one. The last round is
 * kept here as rows, one per (model, source, feature) and per (model, source), and the
 * drift gauges read their series from those rows at scrape time (`RoundGauge`).
 *
 * Label values are bounded by the baselines: feature names come from a baseline's features,
 * never from events, and `source` is `predictions` or `features`.
 */
import { Counter, Gauge, type GaugeConfiguration, Histogram, type Registry } from 'prom-client';

import type { FeatureEvaluation, ModelEvaluation, Verdict } from '../evaluate/types.js';
import { LATENCY_BUCKETS_SECONDS } from './metrics.js';

/** The data-quality issues counted per feature (`driftwatch_feature_issues_total{issue}`): a closed list. */
export const FEATURE_ISSUES = ['missing', 'null', 'nan', 'wrong_type', 'out_of_range', 'unseen'] as const;
export type FeatureIssue = (typeof FEATURE_ISSUES)[number];

/** The states of `driftwatch_feature_verdict`; every feature has one series per state. */
export const VERDICTS: readonly Verdict[] = ['ok', 'drift', 'insufficient_data'];

type FeatureLabels = { readonly model: string; readonly source: string; readonly feature: string };
type ModelLabels = { readonly model: string; readonly source: string };
type FeatureLabel = 'model' | 'source' | 'feature';

/** The optional per-feature gauges and the evaluation field each one shows. */
const FEATURE_STATISTICS = [
  ['driftwatch_feature_psi', 'Population Stability Index of the window against the baseline.', 'psi'],
  [
    'driftwatch_feature_ks_statistic',
    'Two-sample KS statistic D (numeric features), from the window summary: a lower bound of the exact D.',
    'ks_statistic',
  ],
  [
    'driftwatch_feature_ks_statistic_error_bound',
    'The exact KS D lies in [ks_statistic, ks_statistic + this bound].',
    'ks_statistic_error_bound',
  ],
  [
    'driftwatch_feature_ks_pvalue',
    "KS p-value (numeric features), before correction across the model's features.",
    'ks_pvalue',
  ],
  [
    'driftwatch_feature_ks_pvalue_adjusted',
    "KS p-value adjusted across the model's features (the model's correction).",
    'ks_pvalue_adjusted',
  ],
  [
    'driftwatch_feature_chi2_pvalue',
    'Chi-square goodness-of-fit p-value (categorical and boolean features), before correction.',
    'chi2_pvalue',
  ],
  [
    'driftwatch_feature_chi2_pvalue_adjusted',
    "Chi-square p-value adjusted across the model's features (the model's correction).",
    'chi2_pvalue_adjusted',
  ],
  [
    'driftwatch_feature_js_distance',
    'Jensen-Shannon distance (natural log) between the reference and window bin proportions.',
    'js_distance',
  ],
  [
    'driftwatch_feature_null_ratio',
    'Events of the window where the feature was missing or null, per event.',
    'null_ratio',
  ],
  [
    'driftwatch_feature_out_of_range_ratio',
    "Numeric values outside the baseline's [min, max], per valid value in the window.",
    'out_of_range_ratio',
  ],
  [
    'driftwatch_feature_unseen_ratio',
    'Categories the baseline never saw, per valid value in the window.',
    'unseen_ratio',
  ],
] as const satisfies readonly (readonly [string, string, keyof FeatureEvaluation])[];

/** The last published state of one (model, source, feature): what its series show at a scrape. */
interface FeatureRow {
  readonly labels: FeatureLabels;
  readonly verdictLabels: readonly (FeatureLabels & { readonly verdict: Verdict })[];
  /** Per entry of FEATURE_STATISTICS, then `drift` (DRIFT_SLOT); NaN where the series is absent. */
  readonly values: Float64Array;
  verdict: Verdict;
  samples: number;
  /** The round that last published it; rows of older rounds are dropped at the end of a round. */
  round: number;
}

interface ModelRow {
  readonly labels: ModelLabels;
  /** NaN while no feature has a verdict (the series is absent). */
  share: number;
  events: number;
  round: number;
}

const DRIFT_SLOT = FEATURE_STATISTICS.length;

type GaugeSnapshot<L extends string> = Awaited<ReturnType<Gauge<L>['get']>>;
type GaugeValue<L extends string> = GaugeSnapshot<L>['values'][number];

/**
 * A gauge whose series are read from the published rows when the registry is scraped,
 * instead of being set one by one: prom-client hashes the label set on every `set`, which
 * for 100 models x 50 features x 17 series costs 50 to 100 ms a round, while writing the
 * rows costs about a millisecond. Removal is free and exact: a row not published in the
 * last round is gone, so no series can outlive it.
 */
class RoundGauge<L extends string> extends Gauge<L> {
  constructor(
    configuration: GaugeConfiguration<L>,
    private readonly collectRows: (out: GaugeValue<L>[]) => void,
  ) {
    super(configuration);
  }

  override async get(): Promise<GaugeSnapshot<L>> {
    const snapshot = await super.get();
    const values: GaugeValue<L>[] = [];
    this.collectRows(values);
    return { ...snapshot, values };
  }
}

/**
 * The drift gauges and evaluation counters. Created once by the composition root on its
 * registry; `publish` is called by the evaluation loop after each round, the counters by the
 * stages that see late events, feature issues and checkpoints. All methods are synchronous
 * and cheap; a scrape between two rounds sees the last round whole.
 */
export class DriftMetrics {
  /** Bounded by the baselines: models x sources x features. Keyed by NUL-joined labels. */
  private readonly features = new Map<string, FeatureRow>();
  private readonly models = new Map<string, ModelRow>();
  private baselines: { model: string; baseline_id: string }[] = [];
  private round = 0;

  private readonly baselineInfo: Gauge<'model' | 'baseline_id'>;
  private readonly evaluationDuration: Histogram;
  private readonly overruns: Counter;
  private readonly lateEvents: Counter<'model'>;
  private readonly featureIssues: Counter<FeatureLabel | 'issue'>;
  private readonly checkpointSaves: Counter<'outcome'>;
  private readonly checkpointLastSuccess: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['model', 'source', 'feature'] as const;
    const perFeature = (name: string, help: string, slot: number) =>
      new RoundGauge<FeatureLabel>({ name, help, labelNames, registers }, (out) => {
        for (const row of this.features.values()) {
          const value = row.values[slot] as number;
          if (!Number.isNaN(value)) out.push({ labels: row.labels, value });
        }
      });
    // The gauges register themselves on `registry`; publish() only writes the rows they read.
    FEATURE_STATISTICS.forEach(([name, help], slot) => perFeature(name, help, slot));
    perFeature(
      'driftwatch_feature_drift',
      '1 when the feature drifted in the last evaluation, 0 when not; absent while insufficient_data.',
      DRIFT_SLOT,
    );
    new RoundGauge<FeatureLabel | 'verdict'>(
      {
        name: 'driftwatch_feature_verdict',
        help: 'The feature verdict as a state set: 1 for the current one of ok, drift, insufficient_data, 0 for the others.',
        labelNames: [...labelNames, 'verdict'],
        registers,
      },
      (out) => {
        for (const row of this.features.values())
          for (const labels of row.verdictLabels)
            out.push({ labels, value: labels.verdict === row.verdict ? 1 : 0 });
      },
    );
    new RoundGauge<FeatureLabel>(
      {
        name: 'driftwatch_feature_window_samples',
        help: 'Valid values of the feature in the evaluated window: the sample size of its statistics.',
        labelNames,
        registers,
      },
      (out) => {
        for (const row of this.features.values()) out.push({ labels: row.labels, value: row.samples });
      },
    );
    new RoundGauge<'model' | 'source'>(
      {
        name: 'driftwatch_model_drift_share',
        help: 'Share of the model features with a verdict that drifted; absent when no feature has a verdict.',
        labelNames: ['model', 'source'],
        registers,
      },
      (out) => {
        for (const row of this.models.values())
          if (!Number.isNaN(row.share)) out.push({ labels: row.labels, value: row.share });
      },
    );
    new RoundGauge<'model' | 'source'>(
      {
        name: 'driftwatch_model_window_events',
        help: 'Events of the model in the evaluated window.',
        labelNames: ['model', 'source'],
        registers,
      },
      (out) => {
        for (const row of this.models.values()) out.push({ labels: row.labels, value: row.events });
      },
    );

    this.baselineInfo = new Gauge({
      name: 'driftwatch_baseline_info',
      help: 'Always 1; baseline_id says which baseline each model is evaluated against.',
      labelNames: ['model', 'baseline_id'] as const,
      registers,
    });
    this.evaluationDuration = new Histogram({
      name: 'driftwatch_evaluation_duration_seconds',
      help: 'Wall time of one evaluation round over every model, in seconds.',
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers,
    });
    this.overruns = new Counter({
      name: 'driftwatch_evaluation_overruns_total',
      help: 'Scheduled evaluations skipped because the previous one was still running.',
      registers,
    });
    this.lateEvents = new Counter({
      name: 'driftwatch_late_events_total',
      help: 'Events dropped because their event time was older than the window or its allowed lateness.',
      labelNames: ['model'] as const,
      registers,
    });
    this.featureIssues = new Counter({
      name: 'driftwatch_feature_issues_total',
      help: 'Feature values with a data-quality issue: missing, null, nan, wrong_type, out_of_range, unseen.',
      labelNames: [...labelNames, 'issue'] as const,
      registers,
    });
    this.checkpointSaves = new Counter({
      name: 'driftwatch_checkpoint_saves_total',
      help: 'Checkpoint saves of the window state, by outcome (ok, failed).',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.checkpointLastSuccess = new Gauge({
      name: 'driftwatch_checkpoint_last_success_timestamp_seconds',
      help: 'Unix time of the last checkpoint saved successfully.',
      registers,
    });
    // Both outcomes exist from the start so that an alert on rate(...{outcome="failed"}) has a series.
    this.checkpointSaves.inc({ outcome: 'ok' }, 0);
    this.checkpointSaves.inc({ outcome: 'failed' }, 0);
  }

  /**
   * One evaluation round: the evaluations of every model and source that has a baseline.
   * Sets every drift gauge; drops the series of (model, source, feature) published before
   * but absent from this round (a model removed, a baseline reloaded with other features),
   * and the series of statistics that are null in it, so that no gauge is left stale.
   * The round is copied: the caller may reuse its objects.
   */
  publish(evaluations: readonly ModelEvaluation[]): void {
    const round = ++this.round;
    for (const evaluation of evaluations) {
      const modelKey = `${evaluation.model}\u0000${evaluation.source}`;
      let model = this.models.get(modelKey);
      if (model === undefined) {
        const labels = { model: evaluation.model, source: evaluation.source };
        model = { labels, share: Number.NaN, events: 0, round };
        this.models.set(modelKey, model);
      }
      model.round = round;
      model.events = evaluation.events;
      model.share = evaluation.drift_share ?? Number.NaN;
      for (const feature of evaluation.features) this.publishFeature(modelKey, model.labels, feature, round);
    }
    for (const [key, model] of this.models) if (model.round !== round) this.models.delete(key);
    for (const [key, feature] of this.features) if (feature.round !== round) this.features.delete(key);
  }

  /** driftwatch_baseline_info{model, baseline_id} = 1 for exactly these; the previous ones are removed. */
  setBaselines(baselines: readonly { model: string; baselineId: string }[]): void {
    for (const labels of this.baselines) this.baselineInfo.remove(labels);
    this.baselines = baselines.map((b) => ({ model: b.model, baseline_id: b.baselineId }));
    for (const labels of this.baselines) this.baselineInfo.set(labels, 1);
  }

  /** Records the wall time of one evaluation round, in seconds. */
  observeEvaluation(seconds: number): void {
    this.evaluationDuration.observe(seconds);
  }

  /** A scheduled evaluation was skipped because the previous one was still running. */
  countOverrun(): void {
    this.overruns.inc();
  }

  /** `n` events of `model` dropped as late: older than the window (event time) or its allowed lateness. */
  countLate(model: string, n: number): void {
    this.lateEvents.inc({ model }, n);
  }

  /**
   * `n` values of a feature with a data-quality issue. `feature` must be a baseline's
   * feature name (never a name read from an event) to keep the label bounded.
   */
  countIssues(model: string, source: string, feature: string, issue: FeatureIssue, n: number): void {
    this.featureIssues.inc({ model, source, feature, issue }, n);
  }

  /** A checkpoint save finished at `atMs` (epoch ms); only an `ok` one moves the last-success time. */
  countCheckpoint(outcome: 'ok' | 'failed', atMs: number): void {
    this.checkpointSaves.inc({ outcome });
    if (outcome === 'ok') this.checkpointLastSuccess.set(atMs / 1000);
  }

  private publishFeature(
    modelKey: string,
    model: ModelLabels,
    feature: FeatureEvaluation,
    round: number,
  ): void {
    const key = `${modelKey}\u0000${feature.feature}`;
    let row = this.features.get(key);
    if (row === undefined) {
      const labels = { ...model, feature: feature.feature };
      row = {
        labels,
        verdictLabels: VERDICTS.map((verdict) => ({ ...labels, verdict })),
        values: new Float64Array(DRIFT_SLOT + 1),
        verdict: feature.verdict,
        samples: 0,
        round,
      };
      this.features.set(key, row);
    }
    row.round = round;
    row.verdict = feature.verdict;
    row.samples = feature.n_current;
    // NaN marks an absent series: a null statistic must not show as a value, stale or NaN.
    const { values } = row;
    for (let slot = 0; slot < FEATURE_STATISTICS.length; slot++) {
      const field = (FEATURE_STATISTICS[slot] as (typeof FEATURE_STATISTICS)[number])[2];
      values[slot] = feature[field] ?? Number.NaN;
    }
    values[DRIFT_SLOT] =
      feature.verdict === 'insufficient_data' ? Number.NaN : feature.verdict === 'drift' ? 1 : 0;
  }
}
