/**
 * The daemon's drift state: one sliding window per (model, source, Kafka topic-partition), the
 * positions those windows cover, and the evaluation of a model's windows merged across
 * partitions. Keeping windows per partition lets a checkpoint say exactly which offsets a
 * window holds (and, later, lets a partition and its state move to another replica).
 *
 * No I/O and no clock: `now` comes in. Callers: the window stage (observe, per batch), the
 * evaluation loop (evaluate, per step), the checkpointer (windows, positions), reload (carryOver).
 */
import type { DriftEvent } from '../decode/event.js';
import { evaluateModel } from '../evaluate/evaluateModel.js';
import type { ModelEvaluation } from '../evaluate/types.js';
import type { BatchOrigin } from '../pipeline/stage.js';
import { ModelWindow } from '../windows/modelWindow.js';
import { mergeSnapshots, type WindowSnapshot } from '../windows/snapshot.js';
import {
  mergeServingSnapshots,
  ServingWindow,
  summarizeServing,
  type ServingSnapshot,
} from '../windows/servingWindow.js';
import type { FeatureIssue } from '../telemetry/driftMetrics.js';
import type { DriftModel, DriftSource } from './models.js';

/** A window's place: model, source, topic and partition. */
export interface WindowKey {
  readonly model: string;
  readonly source: DriftSource;
  readonly topic: string;
  readonly partition: number;
}

/** The next offset to read of a topic-partition whose records the windows hold. */
export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

interface ModelState {
  readonly model: DriftModel;
  /** source -> `topic\0partition` -> window. */
  readonly windows: Map<DriftSource, Map<string, { key: WindowKey; window: ModelWindow }>>;
  /** `topic\0partition` -> the serving window of the model's prediction events there. */
  readonly serving: Map<string, ServingWindow>;
  /** Event time: the newest event's time and step; -Infinity before the first event. */
  newestTs: number;
  newestStep: number;
}

/** Data-quality issues counted since the last `drainIssues`, for `driftwatch_feature_issues_total`. */
export interface IssueCount {
  readonly model: string;
  readonly source: DriftSource;
  readonly feature: string;
  readonly issue: FeatureIssue;
  readonly n: number;
}

/** The issues in the order of the window layout's quality slots Q_MISSING .. Q_UNSEEN. */
const ISSUES: readonly FeatureIssue[] = ['missing', 'null', 'nan', 'wrong_type', 'out_of_range', 'unseen'];

/** What `observe` did with a batch, for the counters. */
export interface ObserveResult {
  /** Late events per model (event time: behind the allowed lateness, or older than the window). */
  readonly late: ReadonlyMap<string, number>;
}

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class DriftState {
  private readonly models = new Map<string, ModelState>();
  private readonly positions = new Map<string, Position>();
  /** Per window, the lifetime issue counts already handed out by `drainIssues`. */
  private readonly drained = new WeakMap<ModelWindow, Float64Array>();

  constructor(models: readonly DriftModel[]) {
    for (const model of models) {
      this.models.set(model.name, {
        model,
        windows: new Map(model.sources.map((s) => [s, new Map()])),
        serving: new Map(),
        newestTs: Number.NEGATIVE_INFINITY,
        newestStep: Number.NEGATIVE_INFINITY,
      });
    }
  }

  /** The models evaluated, in config order. */
  get driftModels(): DriftModel[] {
    return [...this.models.values()].map((s) => s.model);
  }

  /**
   * Counts a batch of events (all from `origin`'s topic-partition) into their windows, and records
   * `origin.nextOffset` as covered. Events of models without a baseline, or from a source the
   * model does not read, are skipped. Processing time places every event at `now`.
   */
  observe(events: readonly DriftEvent[], origin: BatchOrigin | undefined, now: number): ObserveResult {
    const late = new Map<string, number>();
    const topic = origin?.topic ?? '';
    const partition = origin?.partition ?? 0;
    for (const event of events) {
      const state = this.models.get(event.model);
      if (state === undefined) continue;
      const source: DriftSource = event.kind === 'prediction' ? 'predictions' : 'features';
      const bySource = state.windows.get(source);
      // Prediction events feed the serving window whatever the feature source.
      if (bySource === undefined && event.kind !== 'prediction') continue;
      const { model } = state;
      let step: number;
      if (model.time === 'event') {
        if (event.ts < state.newestTs - model.allowedLatenessMs) {
          late.set(model.name, (late.get(model.name) ?? 0) + 1);
          continue;
        }
        step = Math.floor(event.ts / model.stepMs);
        if (event.ts > state.newestTs) state.newestTs = event.ts;
      } else {
        step = Math.floor(now / model.stepMs);
      }
      if (step > state.newestStep) state.newestStep = step;
      if (event.kind === 'prediction') {
        const serving = this.servingOf(state, topic, partition);
        serving.advanceTo(state.newestStep);
        serving.observe(event, step);
      }
      if (bySource === undefined) continue;
      const window = this.windowOf(state, bySource, source, topic, partition);
      // Every partition's window ends where the model's newest step is, as one window would.
      window.advanceTo(state.newestStep);
      const prediction = event.kind === 'prediction' ? event.prediction : undefined;
      if (window.observe(event.features, prediction, step) === 'late') {
        late.set(model.name, (late.get(model.name) ?? 0) + 1);
      }
    }
    if (origin !== undefined) {
      this.positions.set(tpKey(origin.topic, origin.partition), {
        topic: origin.topic,
        partition: origin.partition,
        offset: origin.nextOffset,
      });
    }
    return { late };
  }

  /**
   * Advances the model's windows to the step of `now` (processing time) or of its newest event
   * (event time), merges them across partitions and evaluates each source. Returns one
   * evaluation per source of the model; an unknown model gives none.
   */
  evaluate(name: string, now: number): ModelEvaluation[] {
    const state = this.models.get(name);
    if (state === undefined) return [];
    const { model } = state;
    const step =
      model.time === 'processing'
        ? Math.floor(now / model.stepMs)
        : Number.isFinite(state.newestStep)
          ? state.newestStep
          : null;
    const windowEnd = step === null ? null : (step + 1) * model.stepMs;
    const windowStart = windowEnd === null ? null : windowEnd - model.windowMs;
    const out: ModelEvaluation[] = [];
    for (const source of model.sources) {
      let merged: WindowSnapshot | null = null;
      for (const { window } of state.windows.get(source)?.values() ?? []) {
        if (step !== null) window.advanceTo(step);
        const snapshot = window.snapshot();
        merged = merged === null ? snapshot : mergeSnapshots(merged, snapshot);
      }
      merged ??= new ModelWindow(model.baseline, model.spec).snapshot();
      const evaluation = evaluateModel(model.baseline, merged, model.thresholds, {
        source,
        windowStart,
        windowEnd,
      });
      out.push(
        source === 'predictions' ? { ...evaluation, serving: this.servingSummary(state, step) } : evaluation,
      );
    }
    return out;
  }

  private servingSummary(state: ModelState, step: number | null): ReturnType<typeof summarizeServing> {
    let merged: ServingSnapshot | null = null;
    for (const window of state.serving.values()) {
      if (step !== null) window.advanceTo(step);
      const snapshot = window.snapshot();
      merged = merged === null ? snapshot : mergeServingSnapshots(merged, snapshot);
    }
    merged ??= new ServingWindow(state.model.spec).snapshot();
    return summarizeServing(merged, state.model.windowMs);
  }

  private servingOf(state: ModelState, topic: string, partition: number): ServingWindow {
    const k = tpKey(topic, partition);
    let window = state.serving.get(k);
    if (window === undefined) {
      window = new ServingWindow(state.model.spec);
      state.serving.set(k, window);
    }
    return window;
  }

  /**
   * The data-quality issues counted since the last call (or since each window was made), summed
   * over partitions, with no zero counts. Called once per evaluation round.
   */
  drainIssues(): IssueCount[] {
    const sums = new Map<string, IssueCount>();
    for (const { key, window } of this.windows()) {
      const features = this.models.get(key.model)?.model.baseline.features ?? [];
      const now = window.lifetimeIssues();
      const before = this.drained.get(window);
      this.drained.set(window, now);
      const stride = now.length / Math.max(1, features.length);
      features.forEach((feature, f) => {
        ISSUES.forEach((issue, i) => {
          const k = f * stride + i + 1;
          const n = now[k]! - (before?.[k] ?? 0);
          if (n <= 0) return;
          const id = `${key.model}\u0000${key.source}\u0000${feature.name}\u0000${issue}`;
          const prev = sums.get(id);
          sums.set(id, {
            model: key.model,
            source: key.source,
            feature: feature.name,
            issue,
            n: (prev?.n ?? 0) + n,
          });
        });
      });
    }
    return [...sums.values()];
  }

  /** Every window with its key: what a checkpoint saves. */
  windows(): { key: WindowKey; window: ModelWindow }[] {
    const out: { key: WindowKey; window: ModelWindow }[] = [];
    for (const state of this.models.values()) {
      for (const bySource of state.windows.values()) out.push(...bySource.values());
    }
    return out;
  }

  /** Every serving window with its model and partition: what a checkpoint saves beside the windows. */
  servingWindows(): { model: string; topic: string; partition: number; window: ServingWindow }[] {
    const out: { model: string; topic: string; partition: number; window: ServingWindow }[] = [];
    for (const state of this.models.values()) {
      for (const [k, window] of state.serving) {
        const cut = k.lastIndexOf('\u0000');
        out.push({
          model: state.model.name,
          topic: k.slice(0, cut),
          partition: Number(k.slice(cut + 1)),
          window,
        });
      }
    }
    return out;
  }

  /** Puts a restored serving window in place (at start, before any event); ignored for an unknown model. */
  restoreServing(model: string, topic: string, partition: number, window: ServingWindow): void {
    this.models.get(model)?.serving.set(tpKey(topic, partition), window);
  }

  /** The positions the windows cover: the next offset per topic-partition seen. */
  coveredPositions(): Position[] {
    return [...this.positions.values()];
  }

  /**
   * Puts restored windows and positions in place (at start, before any event). A window of a
   * model or source this state does not evaluate is ignored by the caller's restore step.
   */
  restore(windows: readonly { key: WindowKey; window: ModelWindow }[], positions: readonly Position[]): void {
    for (const p of positions) this.positions.set(tpKey(p.topic, p.partition), p);
    for (const { key, window } of windows) {
      const state = this.models.get(key.model);
      const bySource = state?.windows.get(key.source);
      if (state === undefined || bySource === undefined) continue;
      bySource.set(tpKey(key.topic, key.partition), { key, window });
      const newest = window.snapshot().lastStep;
      if (newest !== null && newest > state.newestStep) state.newestStep = newest;
    }
    for (const state of this.models.values()) {
      // Event time: lateness restarts from the newest restored step, the best the windows know.
      if (state.model.time === 'event' && Number.isFinite(state.newestStep)) {
        state.newestTs = state.newestStep * state.model.stepMs;
      }
    }
  }

  /**
   * Reload: the windows of `previous` whose model, source, baseline and window are unchanged move
   * here (a new baseline or window needs new windows); positions all move. Returns what was dropped.
   */
  carryOver(previous: DriftState): WindowKey[] {
    const kept: { key: WindowKey; window: ModelWindow }[] = [];
    const dropped: WindowKey[] = [];
    for (const entry of previous.windows()) {
      const before = previous.models.get(entry.key.model)?.model;
      const after = this.models.get(entry.key.model)?.model;
      const same =
        before !== undefined &&
        after !== undefined &&
        after.baseline.id === before.baseline.id &&
        after.stepMs === before.stepMs &&
        after.windowMs === before.windowMs &&
        after.time === before.time &&
        after.sources.includes(entry.key.source);
      if (same) kept.push(entry);
      else dropped.push(entry.key);
    }
    this.restore(kept, previous.coveredPositions());
    for (const [name, state] of this.models) {
      const old = previous.models.get(name);
      if (old === undefined) continue;
      if (state.model.time === 'event') state.newestTs = Math.max(state.newestTs, old.newestTs);
      const sameWindow =
        old.model.stepMs === state.model.stepMs &&
        old.model.windowMs === state.model.windowMs &&
        old.model.time === state.model.time;
      if (sameWindow) for (const [k, w] of old.serving) state.serving.set(k, w);
    }
    return dropped;
  }

  private windowOf(
    state: ModelState,
    bySource: Map<string, { key: WindowKey; window: ModelWindow }>,
    source: DriftSource,
    topic: string,
    partition: number,
  ): ModelWindow {
    const k = tpKey(topic, partition);
    let entry = bySource.get(k);
    if (entry === undefined) {
      entry = {
        key: { model: state.model.name, source, topic, partition },
        window: new ModelWindow(state.model.baseline, state.model.spec),
      };
      bySource.set(k, entry);
    }
    return entry.window;
  }
}
